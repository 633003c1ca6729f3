//! One's own account: the profile, changing one's own password, and one's signed-in sessions.

use crate::{domain::SessionInfo, error::AppError};
use leptos::prelude::*;

/// Change one's own password; every other session of the user ends. Any signed-in user.
#[server(prefix = "/admin/api", endpoint = "profile/change-password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    use crate::{
        domain::{password_problem, AuditAction},
        policy::{require, Capability},
        ssr::{
            audit, audit::AuditActor, audit::AuditEvent, auth, context, password, password::Verdict, sessions, users,
        },
    };
    let user = auth::current_user().await?;
    let actor = user.actor();
    require(&actor, Capability::UseDashboard)?;
    if let Some(m) = password_problem(&actor.username, &new_password) {
        return Err(AppError::invalid("new_password", m));
    }
    if new_password != confirm_password {
        return Err(AppError::invalid("confirm_password", "The two passwords differ."));
    }
    let verdict = password::verify(current_password, Some(user.password_hash.clone())).await?;
    if verdict == Verdict::Invalid {
        return Err(AppError::invalid("current_password", "That is not your current password."));
    }
    let hash = password::hash(new_password).await?;
    let ctx = context()?;
    let session = auth::session().await?;
    let current = auth::current_token(&session).await?;
    let mut tx = ctx.pool.begin().await?;
    let epoch = users::set_password_hash(&mut tx, actor.id, &hash, true).await?;
    sessions::end_all(&mut tx, actor.id, current.as_deref()).await?;
    let event = AuditEvent::new(AuditActor::User(&actor), AuditAction::PasswordChanged).target("user", actor.id.0);
    audit::record(&mut tx, event).await?;
    tx.commit().await?;
    session.cycle_id().await.map_err(|e| AppError::internal("session", e))?;
    auth::adopt_epoch(&session, epoch).await?;
    crate::ssr::flash::notice("Password changed. Your other sessions have ended.").await;
    Ok(())
}

/// One's own signed-in sessions (device, address, times, which is this one). Any signed-in user.
#[server(prefix = "/admin/api", endpoint = "profile/sessions/list")]
pub async fn list_sessions() -> Result<Vec<SessionInfo>, AppError> {
    use crate::{
        policy::{require, Capability},
        ssr::{auth, context, sessions},
    };
    let actor = auth::current_actor().await?;
    require(&actor, Capability::UseDashboard)?;
    let ctx = context()?;
    let current = auth::current_token(&auth::session().await?).await?.unwrap_or_default();
    Ok(sessions::list(&ctx.pool, actor.id, &current, ctx.config.session_idle.as_secs()).await?)
}

/// End one of one's own sessions by its handle (that browser is signed out at its next
/// request). Another user's handle, or an unknown one, is 404.
#[server(prefix = "/admin/api", endpoint = "profile/sessions/end")]
pub async fn end_session(id: String) -> Result<(), AppError> {
    use crate::{
        domain::AuditAction,
        policy::{require, Capability},
        ssr::{audit, audit::AuditActor, audit::AuditEvent, auth, context, sessions},
    };
    let actor = auth::current_actor().await?;
    require(&actor, Capability::UseDashboard)?;
    let mut tx = context()?.pool.begin().await?;
    if !sessions::end_one(&mut tx, actor.id, &id).await? {
        return Err(AppError::NotFound);
    }
    let event = AuditEvent::new(AuditActor::User(&actor), AuditAction::SessionsEnded)
        .target("user", actor.id.0)
        .details(serde_json::json!({ "sessions": [id] }));
    audit::record(&mut tx, event).await?;
    tx.commit().await?;
    crate::ssr::flash::notice("Session ended.").await;
    Ok(())
}

/// End every one of one's own sessions but this one. Returns how many ended.
#[server(prefix = "/admin/api", endpoint = "profile/sessions/end-others")]
pub async fn end_other_sessions() -> Result<u64, AppError> {
    use crate::{
        domain::AuditAction,
        policy::{require, Capability},
        ssr::{audit, audit::AuditActor, audit::AuditEvent, auth, context, sessions},
    };
    let actor = auth::current_actor().await?;
    require(&actor, Capability::UseDashboard)?;
    let current = auth::current_token(&auth::session().await?).await?;
    let mut tx = context()?.pool.begin().await?;
    let ended = sessions::end_all(&mut tx, actor.id, current.as_deref()).await?;
    if ended > 0 {
        let event = AuditEvent::new(AuditActor::User(&actor), AuditAction::SessionsEnded)
            .target("user", actor.id.0)
            .details(serde_json::json!({ "count": ended, "kept_current": true }));
        audit::record(&mut tx, event).await?;
    }
    tx.commit().await?;
    crate::ssr::flash::notice(format!("Ended {ended} other session{}.", if ended == 1 { "" } else { "s" })).await;
    Ok(ended)
}
