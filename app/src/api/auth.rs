//! Signing in and out, and who is signed in.

use crate::{domain::Actor, error::AppError};
use leptos::prelude::*;

/// Sign in. Anyone may call it; a wrong password and an unknown user answer alike.
/// On success the browser goes to `next` when it is a safe dashboard path, else `/admin`.
/// A username or address locked out after failed attempts gets 429 before any hashing, even
/// with the right password; each failure counts against both (see `ssr::throttle`). An address
/// with several attempts already in progress gets 503 with `Retry-After`. Both refusals come
/// after the lockout policy's `refusal_delay` (see `ssr::throttle::answer_late`).
#[server(prefix = "/admin/api", endpoint = "auth/login")]
pub async fn login(username: String, password: String, #[server(default)] next: String) -> Result<(), AppError> {
    use crate::{
        domain::{safe_next, AuditAction, MAX_PASSWORD_BYTES},
        ssr::{
            audit, audit::AuditActor, audit::AuditEvent, auth, client_ip, context, db::Batch, password,
            password::Verdict, throttle, totp, users,
        },
    };
    let ctx = context()?;
    let username = username.trim().to_lowercase();
    if username.is_empty() || password.is_empty() {
        return Err(AppError::invalid("username", "Enter your username and password."));
    }
    if username.len() > 64 || password.len() > MAX_PASSWORD_BYTES {
        return Err(AppError::BadCredentials);
    }
    let delay = ctx.config.lockout.refusal_delay;
    // Beyond a few attempts at once from one address, refused before any database work.
    let _attempt = match password::attempt(client_ip()) {
        Ok(attempt) => attempt,
        Err(busy) => return Err(throttle::answer_late(delay, busy).await),
    };
    let subjects = throttle::subjects(&username, client_ip());
    // One connection for the lockouts and the account, given back before the hash.
    let mut conn = ctx.pool.acquire().await?;
    let locked = throttle::locked_for(&mut conn, &ctx.lockouts, &subjects).await?;
    let user = match locked {
        None => users::find_by_username(&mut conn, &username).await?.filter(|u| u.is_active),
        Some(_) => None,
    };
    drop(conn);
    if let Some(retry_after) = locked {
        // The attempt stays in progress meanwhile, so a flooding address's other attempts are
        // refused at the door (and answered late too).
        return Err(throttle::answer_late(delay, AppError::LockedOut { retry_after }).await);
    }
    let verdict = password::verify(password.clone(), user.as_ref().map(|u| u.password_hash.clone())).await?;
    let (user, rehash) = match (user, verdict) {
        (Some(user), Verdict::Valid { rehash }) => (user, rehash),
        (user, _) => {
            let mut tx = ctx.pool.begin_write().await?;
            if let Some(u) = &user {
                users::record_failed_login(&mut tx, u.id).await?;
            }
            audit::record(&mut tx, AuditEvent::new(AuditActor::Anonymous(&username), AuditAction::LoginFailed)).await?;
            throttle::record_failure(&mut tx, &ctx.config.lockout, &subjects, &username).await?;
            tx.commit().await?;
            return Err(AppError::BadCredentials);
        }
    };
    // Hash before the transaction so the write lock is never held across argon2.
    let new_hash = if rehash { Some(password::hash(password).await?) } else { None };
    if user.two_factor {
        // The password alone opens nothing: this browser's sign-in waits for a code.
        let mut tx = ctx.pool.begin().await?;
        if let Some(h) = &new_hash {
            users::set_password_hash(&mut tx, user.id, h, false).await?;
        }
        let token = totp::start_pending(&mut tx, user.id, &safe_next(&next)).await?;
        tx.commit().await?;
        auth::set_pending(&auth::session().await?, token).await?;
        leptos_axum::redirect("/admin/login/verify");
        return Ok(());
    }
    let mut tx = ctx.pool.begin().await?;
    if let Some(h) = &new_hash {
        users::set_password_hash(&mut tx, user.id, h, false).await?;
    }
    // The sign-in's four writes in one round trip on SQLite (see `Batch`).
    let mut writes = Batch::new(tx.backend());
    users::record_login(&mut writes, user.id);
    throttle::clear_username(&mut writes, &username);
    let actor = user.actor();
    let event = AuditEvent::new(AuditActor::User(&actor), AuditAction::LoginSucceeded).target("user", user.id.0);
    audit::push(&mut writes, event);
    let token = auth::open(&mut writes, &user);
    writes.run(&mut tx).await?;
    tx.commit().await?;
    auth::start(&auth::session().await?, &user, token).await?;
    leptos_axum::redirect(&safe_next(&next));
    Ok(())
}

/// Sign out: the session is deleted server-side, for good (its `staff_sessions` row goes, so a
/// request still in flight cannot bring it back). Signed-in users only.
#[server(prefix = "/admin/api", endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::{
        domain::AuditAction,
        ssr::{audit, audit::AuditActor, audit::AuditEvent, auth, context},
    };
    // Signing out is always allowed, also while the two-factor requirement holds a user back.
    let actor = auth::signed_in_user().await?.actor();
    let ctx = context()?;
    let mut tx = ctx.pool.begin().await?;
    audit::record(&mut tx, AuditEvent::new(AuditActor::User(&actor), AuditAction::Logout).target("user", actor.id.0))
        .await?;
    let session = auth::session().await?;
    auth::close(&mut tx, &session).await?;
    tx.commit().await?;
    auth::end(&session).await?;
    leptos_axum::redirect("/admin/login");
    Ok(())
}

/// Who is signed in. Signed-in users only (anonymous: 401); answered also while the two-factor
/// requirement holds the user back, so the layout can show who they are and a way out.
#[server(prefix = "/admin/api", endpoint = "auth/me")]
pub async fn fetch_actor() -> Result<Actor, AppError> {
    crate::ssr::auth::signed_in_user().await.map(|u| u.actor())
}
