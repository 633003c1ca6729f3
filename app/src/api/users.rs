//! The staff list and sign-in lockouts (admins).

use crate::{
    domain::{Lockout, Page, Role, UserSummary},
    error::AppError,
};
use leptos::prelude::*;

/// Staff accounts, by username. Admins only.
#[server(prefix = "/admin/api", endpoint = "users/list")]
pub async fn list_users(
    #[server(default)] page: Option<i64>,
    #[server(default)] per_page: Option<i64>,
) -> Result<Page<UserSummary>, AppError> {
    use crate::{
        policy::{require, Capability},
        ssr::{auth, context, users},
    };
    let actor = auth::current_actor().await?;
    require(&actor, Capability::ManageUsers)?;
    let (page, per_page) = super::paging(page, per_page);
    Ok(users::list(&context()?.pool, page, per_page).await?)
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
    let mut tx = context()?.pool.begin_write().await?;
    let lifted = throttle::lift(&mut tx, id, &actor.username).await?.ok_or(AppError::NotFound)?;
    let details = serde_json::json!({ "kind": lifted.kind, "subject": lifted.subject, "was_until": lifted.until });
    let event = AuditEvent::new(AuditActor::User(&actor), AuditAction::LoginUnlocked)
        .target(if lifted.kind == "address" { "address" } else { "username" }, &lifted.subject)
        .details(details);
    audit::record(&mut tx, event).await?;
    tx.commit().await?;
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
    if ended == 0 {
        return Ok(0);
    }
    let event = AuditEvent::new(AuditActor::User(&actor), AuditAction::SessionsEnded)
        .target("user", id)
        .details(serde_json::json!({ "count": ended }));
    audit::record(&mut tx, event).await?;
    tx.commit().await?;
    Ok(ended)
}

/// Give user `id` the role `role` (`author`, `editor` or `admin`). Admins only; not one's own
/// role (403), never demoting the last active admin (409). The role applies at the user's next
/// request.
#[server(prefix = "/admin/api", endpoint = "users/set-role")]
pub async fn set_role(id: i64, role: Role) -> Result<(), AppError> {
    use crate::ssr::accounts::{self, By};
    let actor = admin().await?;
    accounts::set_role(&crate::ssr::context()?.pool, By::Admin(&actor), crate::domain::UserId(id), role).await.map(drop)
}

/// Deactivate user `id`: they are signed out everywhere at once and cannot sign in. Admins
/// only; not oneself (403), never the last active admin (409).
#[server(prefix = "/admin/api", endpoint = "users/deactivate")]
pub async fn deactivate(id: i64) -> Result<(), AppError> {
    use crate::ssr::accounts::{self, By};
    let actor = admin().await?;
    accounts::deactivate(&crate::ssr::context()?.pool, By::Admin(&actor), crate::domain::UserId(id)).await.map(drop)
}

/// Let deactivated user `id` sign in again. Admins only.
#[server(prefix = "/admin/api", endpoint = "users/reactivate")]
pub async fn reactivate(id: i64) -> Result<(), AppError> {
    use crate::ssr::accounts::{self, By};
    let actor = admin().await?;
    accounts::reactivate(&crate::ssr::context()?.pool, By::Admin(&actor), crate::domain::UserId(id)).await.map(drop)
}

/// The signed-in actor, if the policy lets them manage staff accounts.
#[cfg(feature = "ssr")]
async fn admin() -> Result<crate::domain::Actor, AppError> {
    let actor = crate::ssr::auth::current_actor().await?;
    crate::policy::require(&actor, crate::policy::Capability::ManageUsers)?;
    Ok(actor)
}
