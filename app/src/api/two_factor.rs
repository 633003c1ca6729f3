//! Two-factor sign-in: enrolment and its recovery codes (any staff user, for themselves), the
//! second step of signing in, and the site setting that requires it of editors and admins.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What enrolment shows once, to be scanned or typed into an authenticator app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpEnrolment {
    /// The secret in base32.
    pub secret: String,
    /// `otpauth://totp/…`, what the QR code holds.
    pub uri: String,
    /// The QR code as an SVG document, drawn on the server.
    pub qr_svg: String,
}

/// One's two-factor state, for the profile page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorStatus {
    pub enabled: bool,
    pub recovery_codes_left: i64,
    /// The site requires it of this user's role.
    pub required: bool,
}

/// One's two-factor state. Any signed-in user, also one the requirement holds back.
#[server(prefix = "/admin/api", endpoint = "profile/totp/status")]
pub async fn fetch_two_factor_status() -> Result<TwoFactorStatus, AppError> {
    use crate::{
        policy::second_factor_may_be_required,
        ssr::{auth, context, totp},
    };
    let user = auth::signed_in_user().await?;
    let ctx = context()?;
    let left = if user.two_factor { totp::recovery_codes_left(&ctx.pool, user.id).await? } else { 0 };
    let required = second_factor_may_be_required(user.role) && user.site_requires_two_factor;
    Ok(TwoFactorStatus { enabled: user.two_factor, recovery_codes_left: left, required })
}

/// Start enrolment: a fresh secret, its URI and QR code, not in force until confirmed. Any
/// signed-in user, for themselves; 409 when two-factor is already on.
#[server(prefix = "/admin/api", endpoint = "profile/totp/begin")]
pub async fn begin_totp() -> Result<TotpEnrolment, AppError> {
    use crate::ssr::{auth, context, totp};
    let user = auth::signed_in_user().await?;
    let ctx = context()?;
    let mut tx = ctx.pool.begin().await?;
    let enrolment = totp::begin(&mut tx, &ctx.config.secret_key, user.id, &user.username).await?;
    tx.commit().await?;
    Ok(TotpEnrolment { secret: enrolment.secret, uri: enrolment.uri, qr_svg: enrolment.qr_svg })
}

/// Finish enrolment with a current `code` from the app: two-factor is on, and the ten recovery
/// codes are returned, this once.
#[server(prefix = "/admin/api", endpoint = "profile/totp/confirm")]
pub async fn confirm_totp(code: String) -> Result<Vec<String>, AppError> {
    use crate::{
        domain::AuditAction,
        ssr::{audit, audit::AuditActor, audit::AuditEvent, auth, context, totp},
    };
    let user = auth::signed_in_user().await?;
    let actor = user.actor();
    let ctx = context()?;
    let mut tx = ctx.pool.begin_write().await?;
    if totp::is_on(&mut tx, user.id).await? {
        return Err(AppError::Conflict("Two-factor sign-in is already on.".into()));
    }
    if !totp::accept_code(&mut tx, &ctx.config.secret_key, user.id, &code, false).await? {
        return Err(AppError::invalid("code", "That code did not match. Enter the current code from your app."));
    }
    totp::confirm(&mut tx, user.id).await?;
    let codes = totp::new_recovery_codes(&mut tx, user.id).await?;
    let event = AuditEvent::new(AuditActor::User(&actor), AuditAction::TotpEnabled).target("user", user.id.0);
    audit::record(&mut tx, event).await?;
    tx.commit().await?;
    crate::ssr::flash::codes("Two-factor sign-in is on.", codes.clone()).await;
    Ok(codes)
}

/// Turn two-factor off; needs one's password and a current code. One's other sessions end.
#[server(prefix = "/admin/api", endpoint = "profile/totp/disable")]
pub async fn disable_totp(current_password: String, code: String) -> Result<(), AppError> {
    use crate::{
        domain::AuditAction,
        policy::{require, Capability},
        ssr::{audit, audit::AuditActor, audit::AuditEvent, auth, context, password, sessions, totp},
    };
    let user = auth::current_user().await?;
    let actor = user.actor();
    require(&actor, Capability::UseDashboard)?;
    if !user.two_factor {
        return Err(AppError::Conflict("Two-factor sign-in is not on.".into()));
    }
    if password::verify(current_password, Some(user.password_hash.clone())).await? == password::Verdict::Invalid {
        return Err(AppError::invalid("current_password", "That is not your current password."));
    }
    let ctx = context()?;
    let current = auth::current_token(&auth::session().await?).await?;
    let mut tx = ctx.pool.begin_write().await?;
    if !totp::accept_code(&mut tx, &ctx.config.secret_key, user.id, &code, true).await? {
        return Err(AppError::invalid("code", "That code did not match. Enter the current code from your app."));
    }
    totp::remove(&mut tx, user.id).await?;
    sessions::end_all(&mut tx, user.id, current.as_deref()).await?;
    let event = AuditEvent::new(AuditActor::User(&actor), AuditAction::TotpDisabled).target("user", user.id.0);
    audit::record(&mut tx, event).await?;
    tx.commit().await?;
    crate::ssr::flash::notice("Two-factor sign-in is off. Your other sessions have ended.").await;
    Ok(())
}

/// Replace all of one's recovery codes with ten new ones (returned this once); needs a current
/// code.
#[server(prefix = "/admin/api", endpoint = "profile/recovery-codes/regenerate")]
pub async fn regenerate_recovery_codes(code: String) -> Result<Vec<String>, AppError> {
    use crate::{
        domain::AuditAction,
        policy::{require, Capability},
        ssr::{audit, audit::AuditActor, audit::AuditEvent, auth, context, totp},
    };
    let user = auth::current_user().await?;
    let actor = user.actor();
    require(&actor, Capability::UseDashboard)?;
    if !user.two_factor {
        return Err(AppError::Conflict("Two-factor sign-in is not on.".into()));
    }
    let ctx = context()?;
    let mut tx = ctx.pool.begin_write().await?;
    if !totp::accept_code(&mut tx, &ctx.config.secret_key, user.id, &code, true).await? {
        return Err(AppError::invalid("code", "That code did not match. Enter the current code from your app."));
    }
    let codes = totp::new_recovery_codes(&mut tx, user.id).await?;
    let event =
        AuditEvent::new(AuditActor::User(&actor), AuditAction::RecoveryCodesRegenerated).target("user", user.id.0);
    audit::record(&mut tx, event).await?;
    tx.commit().await?;
    crate::ssr::flash::codes("New recovery codes made; the old ones no longer work.", codes.clone()).await;
    Ok(codes)
}

/// The second step of signing in: `code` is a current code from the app or an unused recovery
/// code. Completes the pending sign-in of this browser (cycling the session id) and goes to
/// where the sign-in was headed. Wrong codes count as failed sign-ins of the username; the
/// fifth drops the pending sign-in.
#[server(prefix = "/admin/api", endpoint = "auth/verify")]
pub async fn verify(code: String) -> Result<(), AppError> {
    use crate::{
        domain::AuditAction,
        ssr::{
            audit, audit::AuditActor, audit::AuditEvent, auth, client_ip, context, db::Batch, throttle, totp, users,
        },
    };
    let ctx = context()?;
    let session = auth::session().await?;
    let token = auth::pending_token(&session).await?.ok_or(AppError::Unauthenticated)?;
    let mut conn = ctx.pool.acquire().await?;
    let Some(pending) = totp::pending(&mut conn, &token).await? else {
        auth::clear_pending(&session).await?;
        return Err(AppError::Unauthenticated);
    };
    let Some(user) = users::find_by_id(&mut conn, pending.user).await?.filter(|u| u.is_active && u.two_factor) else {
        drop(conn);
        auth::clear_pending(&session).await?;
        return Err(AppError::Unauthenticated);
    };
    let subjects = throttle::subjects(&user.username, client_ip());
    let locked = throttle::locked_for(&mut conn, &ctx.lockouts, &subjects).await?;
    drop(conn);
    if let Some(retry_after) = locked {
        return Err(AppError::LockedOut { retry_after });
    }
    let mut tx = ctx.pool.begin_write().await?;
    let by_code = totp::accept_code(&mut tx, &ctx.config.secret_key, user.id, &code, true).await?;
    let by_recovery = !by_code && totp::use_recovery_code(&mut tx, user.id, &code).await?;
    if !by_code && !by_recovery {
        let dropped = totp::fail_pending(&mut tx, &token).await?;
        let event = AuditEvent::new(AuditActor::Anonymous(&user.username), AuditAction::SecondFactorFailed)
            .target("user", user.id.0)
            .details(serde_json::json!({ "pending_dropped": dropped }));
        audit::record(&mut tx, event).await?;
        throttle::record_failure(&mut tx, &ctx.config.lockout, &subjects, &user.username).await?;
        tx.commit().await?;
        if dropped {
            auth::clear_pending(&session).await?;
            return Err(AppError::Unauthenticated);
        }
        return Err(AppError::invalid("code", "That code did not work. Enter the current code, or a recovery code."));
    }
    totp::end_pending(&mut tx, &token).await?;
    let mut writes = Batch::new(tx.backend());
    users::record_login(&mut writes, user.id);
    throttle::clear_username(&mut writes, &user.username);
    let actor = user.actor();
    let factor = if by_code { "totp" } else { "recovery_code" };
    let event = AuditEvent::new(AuditActor::User(&actor), AuditAction::LoginSucceeded)
        .target("user", user.id.0)
        .details(serde_json::json!({ "second_factor": factor }));
    audit::push(&mut writes, event);
    let staff_token = auth::open(&mut writes, &user);
    writes.run(&mut tx).await?;
    tx.commit().await?;
    auth::clear_pending(&session).await?;
    auth::start(&session, &user, staff_token).await?;
    leptos_axum::redirect(&crate::domain::safe_next(&pending.next));
    Ok(())
}
