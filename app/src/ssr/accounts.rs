//! Changes to staff accounts, shared by the dashboard's server functions and the CLI: the same
//! guard rails (the policy), the same writes, one audit event with before and after, in one
//! transaction that holds the write lock while it counts the active admins.

use super::{
    audit::{self, AuditActor, AuditEvent},
    db::Pool,
    links, password, sessions,
    users::{self, UserRecord},
};
use crate::{
    domain::{username_problem, Actor, AuditAction, LinkPurpose, Role, Timestamp, UserId},
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
        self.event_on(action, "user", target.0)
    }

    /// An audit event by this actor about `kind` `id`.
    pub fn event_on(self, action: AuditAction, kind: &'static str, id: i64) -> AuditEvent<'a> {
        let event = match self {
            By::Admin(actor) => AuditEvent::new(AuditActor::User(actor), action),
            By::Cli => AuditEvent { client_ip: None, ..AuditEvent::new(AuditActor::Cli, action) },
        };
        event.target(kind, id)
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
    policy::check_reactivation(by.id(), user.id)?;
    if !user.is_active {
        users::reactivate(&mut tx, user.id).await?;
        let details = json!({ "username": user.username, "before": { "active": false }, "after": { "active": true } });
        audit::record(&mut tx, by.event(AuditAction::UserReactivated, user.id).details(details)).await?;
    }
    tx.commit().await?;
    Ok(user)
}

/// A new account, and the one-time link with which its owner chooses a password (when the
/// account was created without one).
#[derive(Debug)]
pub struct Created {
    pub id: UserId,
    pub username: String,
    /// The token of the invitation link and when it expires; `None` when a password was given.
    pub invitation: Option<(String, Timestamp)>,
}

/// Create an account with `role`. With `password_hash` (the CLI reading a password from
/// standard input) it can sign in at once; without, it has no usable password and an
/// invitation link is issued in the same transaction. A taken or malformed username is a field
/// error on `username`.
pub async fn create(
    pool: &Pool,
    by: By<'_>,
    username: &str,
    role: Role,
    password_hash: Option<String>,
) -> Result<Created, AppError> {
    let username = username.trim().to_lowercase();
    if let Some(problem) = username_problem(&username) {
        return Err(AppError::invalid("username", problem));
    }
    let mut tx = pool.begin_write().await?;
    let invited = password_hash.is_none();
    let hash = password_hash.unwrap_or_else(|| password::UNUSABLE.to_owned());
    let id = users::insert(&mut tx, &username, &hash, role).await?;
    let invitation = if invited { Some(links::issue(&mut tx, id, LinkPurpose::Invite).await?) } else { None };
    let details = json!({
        "username": username,
        "after": { "role": role, "active": true },
        "invited": invited,
        "link_expires_at": invitation.as_ref().map(|(_, expires)| expires),
    });
    audit::record(&mut tx, by.event(AuditAction::UserCreated, id).details(details)).await?;
    tx.commit().await?;
    Ok(Created { id, username, invitation })
}

/// Reset `target`'s password: the old one stops working at once, every session of theirs ends,
/// and a one-time link lets them choose a new one. Not one's own (403).
pub async fn reset_password(
    pool: &Pool,
    by: By<'_>,
    target: UserId,
) -> Result<(UserRecord, String, Timestamp), AppError> {
    let mut tx = pool.begin_write().await?;
    let user = users::find_by_id(&mut tx, target).await?.ok_or(AppError::NotFound)?;
    policy::check_password_reset(by.id(), user.id)?;
    users::set_password_hash(&mut tx, user.id, password::UNUSABLE, true).await?;
    let ended = sessions::end_all(&mut tx, user.id, None).await?;
    let (token, expires) = links::issue(&mut tx, user.id, LinkPurpose::Reset).await?;
    let details = json!({ "username": user.username, "sessions_ended": ended, "link_expires_at": expires });
    audit::record(&mut tx, by.event(AuditAction::PasswordReset, user.id).details(details)).await?;
    tx.commit().await?;
    Ok((user, token, expires))
}
