//! The staff list and sign-in lockouts (admins).

use crate::{
    domain::{Lockout, Page, Role, UserSummary},
    error::AppError,
};
use leptos::prelude::*;

/// Staff accounts: search by username (`q`), filter by `role` and `status` (`active` or
/// `deactivated`), `sort` by `username`, `role`, `status`, `last_login` or `created` (`dir`
/// `asc` or `desc`). Admins only.
#[server(prefix = "/admin/api", endpoint = "users/list")]
pub async fn list_users(
    #[server(default)] q: Option<String>,
    #[server(default)] role: Option<String>,
    #[server(default)] status: Option<String>,
    #[server(default)] sort: Option<String>,
    #[server(default)] dir: Option<String>,
    #[server(default)] page: Option<i64>,
    #[server(default)] per_page: Option<i64>,
) -> Result<Page<UserSummary>, AppError> {
    use crate::{
        domain::UserFilter,
        ssr::{context, users},
    };
    admin().await?;
    let role = role
        .filter(|r| !r.is_empty())
        .map(|r| r.parse::<Role>())
        .transpose()
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let filter = UserFilter { q, role, status, sort, dir };
    let (page, per_page) = super::paging(page, per_page);
    Ok(users::list(&context()?.pool, &filter, page, per_page).await?)
}

/// Sign-in lockouts in force now (usernames and addresses). Admins only.
#[server(prefix = "/admin/api", endpoint = "users/lockouts")]
pub async fn list_lockouts() -> Result<Vec<Lockout>, AppError> {
    use crate::{
        policy::{require, Capability},
        ssr::{auth, context, throttle},
    };
    let actor = auth::current_actor().await?;
    require(&actor, Capability::ManageUsers)?;
    Ok(throttle::active(&context()?.pool).await?)
}

/// Lift lockout `id` now, audited as `login.unlocked`. Admins only; a lockout that is not in
/// force (ended, lifted, unknown) is 404.
#[server(prefix = "/admin/api", endpoint = "users/unlock")]
pub async fn unlock(id: i64) -> Result<Lockout, AppError> {
    use crate::{
        domain::AuditAction,
        policy::{require, Capability},
        ssr::{
            audit::{self, AuditActor, AuditEvent},
            auth, context, throttle,
        },
    };
    let actor = auth::current_actor().await?;
    require(&actor, Capability::ManageUsers)?;
    let ctx = context()?;
    let mut tx = ctx.pool.begin_write().await?;
    let lifted = throttle::lift(&mut tx, id, &actor.username).await?.ok_or(AppError::NotFound)?;
    let details = serde_json::json!({ "kind": lifted.kind, "subject": lifted.subject, "was_until": lifted.until });
    let event = AuditEvent::new(AuditActor::User(&actor), AuditAction::LoginUnlocked)
        .target(if lifted.kind == "address" { "address" } else { "username" }, &lifted.subject)
        .details(details);
    audit::record(&mut tx, event).await?;
    tx.commit().await?;
    ctx.lockouts.forget();
    crate::ssr::flash::notice(format!("Lifted the lockout of {}.", lifted.subject)).await;
    Ok(lifted)
}

/// End every session of user `id` (they are signed out everywhere at their next request).
/// Admins only; returns how many ended.
#[server(prefix = "/admin/api", endpoint = "users/end-sessions")]
pub async fn end_user_sessions(id: i64) -> Result<u64, AppError> {
    use crate::{
        domain::{AuditAction, UserId},
        policy::{require, Capability},
        ssr::{
            audit::{self, AuditActor, AuditEvent},
            auth, context, sessions, users,
        },
    };
    let actor = auth::current_actor().await?;
    require(&actor, Capability::ManageUsers)?;
    let ctx = context()?;
    let mut tx = ctx.pool.begin().await?;
    if !users::exists(&mut tx, UserId(id)).await? {
        return Err(AppError::NotFound);
    }
    let ended = sessions::end_all(&mut tx, UserId(id), None).await?;
    if ended > 0 {
        let event = AuditEvent::new(AuditActor::User(&actor), AuditAction::SessionsEnded)
            .target("user", id)
            .details(serde_json::json!({ "count": ended }));
        audit::record(&mut tx, event).await?;
        tx.commit().await?;
    }
    crate::ssr::flash::notice(format!("Ended {ended} session{}.", if ended == 1 { "" } else { "s" })).await;
    Ok(ended)
}

/// Give user `id` the role `role` (`author`, `editor` or `admin`). Admins only; not one's own
/// role (403), never demoting the last active admin (409). The role applies at the user's next
/// request.
#[server(prefix = "/admin/api", endpoint = "users/set-role")]
pub async fn set_role(id: i64, role: Role) -> Result<(), AppError> {
    use crate::ssr::accounts::{self, By};
    let actor = admin().await?;
    accounts::set_role(&crate::ssr::context()?.pool, By::Admin(&actor), crate::domain::UserId(id), role).await?;
    crate::ssr::flash::notice("Role changed. It applies at their next request.").await;
    Ok(())
}

/// Deactivate user `id`: they are signed out everywhere at once and cannot sign in. Admins
/// only; not oneself (403), never the last active admin (409).
#[server(prefix = "/admin/api", endpoint = "users/deactivate")]
pub async fn deactivate(id: i64) -> Result<(), AppError> {
    use crate::ssr::accounts::{self, By};
    let actor = admin().await?;
    accounts::deactivate(&crate::ssr::context()?.pool, By::Admin(&actor), crate::domain::UserId(id)).await?;
    crate::ssr::context()?.pickers.forget();
    crate::ssr::flash::notice("Account deactivated; its sessions have ended.").await;
    Ok(())
}

/// Let deactivated user `id` sign in again. Admins only.
#[server(prefix = "/admin/api", endpoint = "users/reactivate")]
pub async fn reactivate(id: i64) -> Result<(), AppError> {
    use crate::ssr::accounts::{self, By};
    let actor = admin().await?;
    accounts::reactivate(&crate::ssr::context()?.pool, By::Admin(&actor), crate::domain::UserId(id)).await?;
    crate::ssr::context()?.pickers.forget();
    crate::ssr::flash::notice("Account reactivated.").await;
    Ok(())
}

/// The signed-in actor, if the policy lets them manage staff accounts.
#[cfg(feature = "ssr")]
async fn admin() -> Result<crate::domain::Actor, AppError> {
    let actor = crate::ssr::auth::current_actor().await?;
    crate::policy::require(&actor, crate::policy::Capability::ManageUsers)?;
    Ok(actor)
}

/// Invite a new staff member: the account `username` with `role` and no usable password, plus a
/// one-time link (valid 72 hours) with which they choose one. Admins only; the admin never
/// sees a password. A taken or malformed username is a 422 on `username`.
#[server(prefix = "/admin/api", endpoint = "users/create")]
pub async fn create_user(username: String, role: Role) -> Result<crate::domain::OneTimeLink, AppError> {
    use crate::ssr::{
        accounts::{self, By},
        base_url, context, links,
    };
    let actor = admin().await?;
    let ctx = context()?;
    let created = accounts::create(&ctx.pool, By::Admin(&actor), &username, role, None).await?;
    ctx.pickers.forget();
    let (token, expires_at) = created.invitation.ok_or(AppError::Internal)?;
    let link = crate::domain::OneTimeLink {
        user_id: created.id,
        username: created.username,
        url: links::url(&base_url(&ctx.config), &token),
        expires_at,
    };
    show_link("Invitation created", &link).await;
    Ok(link)
}

/// Reset the password of user `id`: the old one stops working at once, their sessions end, and
/// a new one-time link (valid 72 hours) lets them choose another. Admins only; not one's own
/// (403: the profile page changes it).
#[server(prefix = "/admin/api", endpoint = "users/reset-password")]
pub async fn reset_password(id: i64) -> Result<crate::domain::OneTimeLink, AppError> {
    use crate::ssr::{
        accounts::{self, By},
        base_url, context, links,
    };
    let actor = admin().await?;
    let ctx = context()?;
    let (user, token, expires_at) =
        accounts::reset_password(&ctx.pool, By::Admin(&actor), crate::domain::UserId(id)).await?;
    let link = crate::domain::OneTimeLink {
        user_id: user.id,
        username: user.username,
        url: links::url(&base_url(&ctx.config), &token),
        expires_at,
    };
    show_link("Password reset; their sessions have ended", &link).await;
    Ok(link)
}

/// A one-time link just issued, on the page the form returns to: the only time it is shown.
#[cfg(feature = "ssr")]
async fn show_link(what: &str, link: &crate::domain::OneTimeLink) {
    let expires = link.expires_at.get(..16).unwrap_or(&link.expires_at).replace('T', " ");
    let message = format!(
        "{what} for {}. Send them this link; it works once, until {expires} UTC, and is not shown again:",
        link.username
    );
    crate::ssr::flash::secret(message, "One-time link", link.url.clone()).await;
}
