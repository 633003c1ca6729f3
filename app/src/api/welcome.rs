//! Redeeming a one-time link: an invited or reset staff member chooses their password. Anyone
//! holding a usable link may call these; nothing else opens them.

use crate::{domain::LinkInfo, error::AppError};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn spent() -> AppError {
    AppError::Gone(
        "This link has already been used, was replaced by a newer one, or has expired. Ask an admin for a new one."
            .into(),
    )
}

#[cfg(feature = "ssr")]
fn unknown() -> AppError {
    AppError::NotFound
}

/// Who a one-time link is for and what it does: 404 for a token that never existed, 410 for
/// one that was used, replaced or has expired.
#[server(prefix = "/admin/api", endpoint = "welcome/link")]
pub async fn open_link(token: String) -> Result<LinkInfo, AppError> {
    use crate::ssr::{context, links};
    if token.is_empty() || token.len() > 128 {
        return Err(unknown());
    }
    match links::state(&mut context()?.pool.acquire().await?, &token).await? {
        links::LinkState::Usable(info) => Ok(info),
        links::LinkState::Spent => Err(spent()),
        links::LinkState::Unknown => Err(unknown()),
    }
}

/// Set the password of the account a usable one-time link is for, and use up the link. The
/// browser then goes to the sign-in page: the new password (and the second factor, when the
/// account has one) signs in as always.
#[server(prefix = "/admin/api", endpoint = "welcome/choose-password")]
pub async fn choose_password(token: String, password: String, password_confirm: String) -> Result<(), AppError> {
    use crate::{
        domain::{password_problem, AuditAction, LinkPurpose},
        ssr::{
            audit::{self, AuditActor, AuditEvent},
            context, links, password, users,
        },
    };
    let info = open_link(token.clone()).await?;
    if let Some(problem) = password_problem(&info.username, &password) {
        return Err(AppError::invalid("password", problem));
    }
    if password != password_confirm {
        return Err(AppError::invalid("password_confirm", "The two passwords differ."));
    }
    let hash = password::hash(password).await?;
    let ctx = context()?;
    let mut tx = ctx.pool.begin_write().await?;
    let (user_id, purpose) = links::consume(&mut tx, &token).await?.ok_or_else(spent)?;
    users::set_password_hash(&mut tx, user_id, &hash, true).await?;
    let user = users::find_by_id(&mut tx, user_id).await?.ok_or(AppError::Internal)?;
    let actor = user.actor();
    let action = match purpose {
        LinkPurpose::Invite => AuditAction::InvitationAccepted,
        LinkPurpose::Reset => AuditAction::PasswordChanged,
    };
    let event = AuditEvent::new(AuditActor::User(&actor), action)
        .target("user", user.id.0)
        .details(serde_json::json!({ "username": user.username, "by_link": purpose }));
    audit::record(&mut tx, event).await?;
    tx.commit().await?;
    leptos_axum::redirect("/admin/login?password=set");
    Ok(())
}
