//! API tokens (admins): list, create, revoke, rotate. A token's secret is shown once, when it
//! is created or rotated.

use crate::{
    domain::{IssuedToken, TokenSummary},
    error::AppError,
};
use leptos::prelude::*;

/// The signed-in actor, if the policy lets them manage API tokens.
#[cfg(feature = "ssr")]
async fn admin() -> Result<crate::domain::Actor, AppError> {
    let actor = crate::ssr::auth::current_actor().await?;
    crate::policy::require(&actor, crate::policy::Capability::ManageApiTokens)?;
    Ok(actor)
}

/// Every token (never a secret), newest first. Admins only.
#[server(prefix = "/admin/api", endpoint = "tokens/list")]
pub async fn list_tokens() -> Result<Vec<TokenSummary>, AppError> {
    admin().await?;
    Ok(crate::ssr::tokens::list(&crate::ssr::context()?.pool).await?)
}

/// Create a token named `name` with one or more `scopes[]` (`posts:read`, `posts:write`,
/// `posts:publish`, `comments:moderate`), expiring after `expires_in` days (1 to 3650) or never.
/// It belongs to the caller and acts as them. Admins only; audited as `token.created`.
#[server(prefix = "/admin/api", endpoint = "tokens/create")]
pub async fn create_token(
    name: String,
    #[server(default)] scopes: Vec<String>,
    #[server(default)] expires_in: Option<String>,
) -> Result<IssuedToken, AppError> {
    use crate::ssr::{accounts::By, context, tokens};
    let actor = admin().await?;
    let issued =
        tokens::create(&context()?.pool, By::Admin(&actor), actor.id, &name, &scopes, expires_in.as_deref()).await?;
    show_secret("Token created", &issued).await;
    Ok(issued)
}

/// Revoke token `id`: it stops working at once. Admins only; audited as `token.revoked`. An
/// unknown token is 404; revoking a revoked token changes nothing.
#[server(prefix = "/admin/api", endpoint = "tokens/revoke")]
pub async fn revoke_token(id: i64) -> Result<TokenSummary, AppError> {
    use crate::ssr::{accounts::By, context, tokens};
    let actor = admin().await?;
    let revoked = tokens::revoke_audited(&context()?.pool, By::Admin(&actor), id).await?;
    let message = format!("Revoked {} ({}); it no longer works.", revoked.name, revoked.prefix);
    crate::ssr::flash::notice(message).await;
    Ok(revoked)
}

/// Give token `id` a new secret (same name, scopes and expiry); the old secret stops working at
/// once. Admins only; audited as `token.rotated`. A revoked or unknown token is 404.
#[server(prefix = "/admin/api", endpoint = "tokens/rotate")]
pub async fn rotate_token(id: i64) -> Result<IssuedToken, AppError> {
    use crate::ssr::{accounts::By, context, tokens};
    let actor = admin().await?;
    let issued = tokens::rotate_audited(&context()?.pool, By::Admin(&actor), id).await?;
    show_secret("New secret issued; the old one no longer works", &issued).await;
    Ok(issued)
}

/// The secret just issued, on the page the form returns to: the only time it is shown.
#[cfg(feature = "ssr")]
async fn show_secret(what: &str, issued: &IssuedToken) {
    let t = &issued.token;
    let message = format!("{what}: {} ({}). Copy the secret now: it is not shown again.", t.name, t.prefix);
    crate::ssr::flash::secret(message, "Token secret", issued.secret.clone()).await;
}
