//! Changes to staff accounts, shared by the dashboard's server functions and the CLI: the same
//! guard rails (the policy), the same writes, one audit event with before and after, in one
//! transaction that holds the write lock while it counts the active admins.

use super::{
    audit::{self, AuditActor, AuditEvent},
    db::Pool,
    sessions,
    users::{self, UserRecord},
};
use crate::{
    domain::{Actor, AuditAction, Role, UserId},
    error::AppError,
    policy,
};
use serde_json::json;

/// Who makes the change: a signed-in admin, or the operator through the CLI.
#[derive(Clone, Copy, Debug)]
pub enum By<'a> {
    Admin(&'a Actor),
    Cli,
}

impl<'a> By<'a> {
    fn id(self) -> Option<UserId> {
        match self {
            By::Admin(actor) => Some(actor.id),
            By::Cli => None,
        }
    }

    fn event(self, action: AuditAction, target: UserId) -> AuditEvent<'a> {
        let event = match self {
            By::Admin(actor) => AuditEvent::new(AuditActor::User(actor), action),
            By::Cli => AuditEvent { client_ip: None, ..AuditEvent::new(AuditActor::Cli, action) },
        };
        event.target("user", target.0)
    }
}

/// Give `target` the role `role`. Returns the account as it was; unchanged when it already had
/// that role (nothing written, nothing audited).
pub async fn set_role(pool: &Pool, by: By<'_>, target: UserId, role: Role) -> Result<UserRecord, AppError> {
    let mut tx = pool.begin_write().await?;
    let user = users::find_by_id(&mut tx, target).await?.ok_or(AppError::NotFound)?;
    let admins = users::count_active_admins(&mut tx).await?;
    policy::check_role_change(by.id(), user.id, user.role, role, user.is_active, admins)?;
    if user.role != role {
        users::set_role(&mut tx, user.id, role).await?;
        let details = json!({ "username": user.username, "before": { "role": user.role }, "after": { "role": role } });
        audit::record(&mut tx, by.event(AuditAction::RoleChanged, user.id).details(details)).await?;
    }
    tx.commit().await?;
    Ok(user)
}

/// Deactivate `target`: their sessions end at once. Returns the account as it was.
pub async fn deactivate(pool: &Pool, by: By<'_>, target: UserId) -> Result<UserRecord, AppError> {
    let mut tx = pool.begin_write().await?;
    let user = users::find_by_id(&mut tx, target).await?.ok_or(AppError::NotFound)?;
    let admins = users::count_active_admins(&mut tx).await?;
    policy::check_deactivation(by.id(), user.id, user.role, user.is_active, admins)?;
    if user.is_active {
        users::deactivate(&mut tx, user.id).await?;
        sessions::end_all(&mut tx, user.id, None).await?;
        let details = json!({ "username": user.username, "before": { "active": true }, "after": { "active": false } });
        audit::record(&mut tx, by.event(AuditAction::UserDeactivated, user.id).details(details)).await?;
    }
    tx.commit().await?;
    Ok(user)
}

/// Let a deactivated `target` sign in again. Returns the account as it was.
pub async fn reactivate(pool: &Pool, by: By<'_>, target: UserId) -> Result<UserRecord, AppError> {
    let mut tx = pool.begin_write().await?;
    let user = users::find_by_id(&mut tx, target).await?.ok_or(AppError::NotFound)?;
    if by.id() == Some(user.id) {
        return Err(AppError::NotAllowed("You cannot change your own account's status.".into()));
    }
    if !user.is_active {
        users::reactivate(&mut tx, user.id).await?;
        let details = json!({ "username": user.username, "before": { "active": false }, "after": { "active": true } });
        audit::record(&mut tx, by.event(AuditAction::UserReactivated, user.id).details(details)).await?;
    }
    tx.commit().await?;
    Ok(user)
}
