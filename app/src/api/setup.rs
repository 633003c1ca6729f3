//! The one-time setup link that creates the first admin of a fresh install.

use crate::error::AppError;
use leptos::prelude::*;

/// Create the first admin of a fresh install from a one-time setup link. Anyone holding a
/// valid, unused, unexpired token may call it, and only while no active admin exists.
#[server(prefix = "/admin/api", endpoint = "setup/create-admin")]
pub async fn create_first_admin(
    token: String,
    username: String,
    password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    use crate::{
        domain::{password_problem, username_problem, AuditAction, Role},
        ssr::{audit, audit::AuditActor, audit::AuditEvent, auth, context, db::Batch, password, setup, users},
    };
    let ctx = context()?;
    let spent = || {
        AppError::Conflict(
            "This setup link is invalid, expired or already used. Restart `inkwarden serve` for a new one.".into(),
        )
    };
    if token.len() > 128 || !setup::is_usable(&ctx.pool, &token).await? {
        return Err(spent());
    }
    let username = username.trim().to_lowercase();
    let mut errors = Vec::new();
    if let Some(m) = username_problem(&username) {
        errors.push(("username", m));
    }
    if let Some(m) = password_problem(&username, &password) {
        errors.push(("password", m));
    } else if password != password_confirm {
        errors.push(("password_confirm", "The two passwords differ."));
    }
    if !errors.is_empty() {
        let errors = errors.into_iter().map(|(f, m)| crate::error::FieldError { field: f.into(), message: m.into() });
        return Err(AppError::Invalid(errors.collect()));
    }
    let hash = password::hash(password).await?;
    // The token is consumed first: that write takes SQLite's lock, so the admin count
    // below cannot race with another setup.
    let mut tx = ctx.pool.begin().await?;
    if !setup::consume(&mut tx, &token).await? || users::count_active_admins(&mut tx).await? > 0 {
        return Err(spent());
    }
    let id = users::insert(&mut tx, &username, &hash, Role::Admin).await?;
    let user = users::find_by_username(&mut tx, &username).await?.ok_or(AppError::Internal)?;
    let actor = user.actor();
    let event = AuditEvent::new(AuditActor::User(&actor), AuditAction::FirstAdminCreated).target("user", id.0);
    let mut writes = Batch::new(tx.backend());
    audit::push(&mut writes, event);
    let token = auth::open(&mut writes, &user);
    writes.run(&mut tx).await?;
    tx.commit().await?;
    ctx.pickers.forget();
    auth::start(&auth::session().await?, &user, token).await?;
    leptos_axum::redirect("/admin");
    Ok(())
}
