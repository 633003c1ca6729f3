//! One's own account: the profile and changing one's own password.

use crate::error::AppError;
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
        ssr::{audit, audit::AuditActor, audit::AuditEvent, auth, context, password, password::Verdict, users},
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
    let mut tx = ctx.pool.begin().await?;
    let epoch = users::set_password_hash(&mut tx, actor.id, &hash, true).await?;
    let event = AuditEvent::new(AuditActor::User(&actor), AuditAction::PasswordChanged).target("user", actor.id.0);
    audit::record(&mut tx, event).await?;
    tx.commit().await?;
    let session = auth::session().await?;
    session.cycle_id().await.map_err(|e| AppError::internal("session", e))?;
    auth::adopt_epoch(&session, epoch).await
}
