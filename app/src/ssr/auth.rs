//! Sessions and the actor. The session stores only who signed in, when, and the token of its
//! `staff_sessions` row; the role and the active flag are re-read from the database on every
//! request, never trusted from the session, and a session whose row is gone is over.

use super::{context, users, users::UserRecord, AppContext};
use crate::ssr::db::{Batch, Conn};
use crate::{
    domain::{Actor, UserId},
    error::AppError,
};
use serde::{Deserialize, Serialize};
use std::time::{SystemTime, UNIX_EPOCH};
use tower_sessions::Session;

const AUTH_KEY: &str = "auth";
/// How often (seconds) an active session is written back to refresh its idle expiry.
const TOUCH_EVERY: i64 = 60;

#[derive(Clone, Debug, Serialize, Deserialize)]
struct SessionAuth {
    user_id: i64,
    /// Token of the `staff_sessions` row; sign-out deletes the row, which no later save of the
    /// session record can bring back.
    #[serde(default)]
    token: String,
    /// `users.session_epoch` at sign-in; a later bump (password change, deactivation) ends it.
    epoch: i64,
    signed_in_at: i64,
    seen_at: i64,
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

fn session_error(e: impl std::fmt::Display) -> AppError {
    AppError::internal("session", e)
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(session_error)
}

/// The token of a new `staff_sessions` row for `user`, written as one of the sign-in's writes
/// so that it commits with its audit event. Hand it to [`start`] after the commit.
pub fn open(batch: &mut Batch, user: &UserRecord) -> String {
    let token = super::secret::generate();
    let agent = leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.headers.get(http::header::USER_AGENT)?.to_str().ok().map(str::to_owned))
        .unwrap_or_default();
    users::open_session(batch, user.id, &token, super::client_ip(), &agent);
    token
}

/// The `staff_sessions` token of the signed-in session, if there is one.
pub async fn current_token(session: &Session) -> Result<Option<String>, AppError> {
    Ok(session.get::<SessionAuth>(AUTH_KEY).await.map_err(session_error)?.map(|a| a.token))
}

/// Start an authenticated session for `user` with the token from [`open`], under a new session
/// id (no fixation). Call it after the commit: cycling the id deletes the old record through the
/// store's own connection, which would wait on a write lock held by the transaction. A request
/// that named no session gets a new id from the store anyway, and has no record to delete.
pub async fn start(session: &Session, user: &UserRecord, token: String) -> Result<(), AppError> {
    if session.id().is_some() {
        session.cycle_id().await.map_err(session_error)?;
    }
    let t = now();
    let auth = SessionAuth { user_id: user.id.0, token, epoch: user.session_epoch, signed_in_at: t, seen_at: t };
    session.insert(AUTH_KEY, auth).await.map_err(session_error)
}

/// Keep the current session valid after the user's epoch moved on (own password change).
pub async fn adopt_epoch(session: &Session, epoch: i64) -> Result<(), AppError> {
    let mut auth: SessionAuth = session.get(AUTH_KEY).await.map_err(session_error)?.ok_or(AppError::Unauthenticated)?;
    auth.epoch = epoch;
    session.insert(AUTH_KEY, auth).await.map_err(session_error)
}

/// End the signed-in session for good by deleting its `staff_sessions` row, on the caller's
/// connection so that it commits with the sign-out's audit event. Then [`end`] the record.
pub async fn close(conn: &mut Conn, session: &Session) -> Result<(), AppError> {
    if let Some(auth) = session.get::<SessionAuth>(AUTH_KEY).await.map_err(session_error)? {
        users::close_session(conn, &auth.token).await?;
    }
    Ok(())
}

/// Delete the session record server-side (outside any transaction, like [`start`]).
pub async fn end(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(session_error)
}

/// The user a staff page request was authenticated as by the server's page gate, which loads
/// it once from the database before rendering; every resource of that page reuses it instead
/// of reading the user again. Only server middleware can put it into a request.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub user: UserRecord,
    /// The gate already applied [`second_factor_gate`] to this request, so the page's resources
    /// need not read the site setting again (it is skipped only on the profile page).
    pub second_factor_cleared: bool,
    /// What the last form did, for this page to show (see [`super::flash`]).
    pub flash: Option<crate::domain::Flash>,
}

/// The message the page gate took for this page, if any.
pub fn flash() -> Option<crate::domain::Flash> {
    gated().and_then(|signed_in| signed_in.flash)
}

/// The signed-in user of this request, or `Unauthenticated`. A session that outlived its
/// absolute limit, belongs to a deactivated user, or predates a password change is deleted.
pub async fn current_actor() -> Result<Actor, AppError> {
    current_user().await.map(|u| u.actor())
}

/// Like [`current_actor`], with the full record (for password checks).
pub async fn current_user() -> Result<UserRecord, AppError> {
    if let Some(SignedIn { user, second_factor_cleared: true, .. }) = gated() {
        return Ok(user);
    }
    let user = signed_in_user().await?;
    second_factor_gate(&user)?;
    Ok(user)
}

fn gated() -> Option<SignedIn> {
    leptos::prelude::use_context::<http::request::Parts>().and_then(|parts| parts.extensions.get::<SignedIn>().cloned())
}

/// The signed-in user, even one the site's two-factor requirement still holds back: only for
/// setting up two-factor, signing out and saying who is signed in.
pub async fn signed_in_user() -> Result<UserRecord, AppError> {
    match gated() {
        Some(SignedIn { user, .. }) => Ok(user),
        None => load_user(&session().await?, &context()?).await,
    }
}

/// `SecondFactorRequired` when the site requires two-factor sign-in of editors and admins and
/// `user` is one without it (the setting comes with the user record).
pub fn second_factor_gate(user: &UserRecord) -> Result<(), AppError> {
    if user.site_requires_two_factor && !user.two_factor && crate::policy::second_factor_may_be_required(user.role) {
        return Err(AppError::SecondFactorRequired);
    }
    Ok(())
}

const PENDING_KEY: &str = "pending_sign_in";

/// Remember in the browser's (server-side) session the token of its pending sign-in.
pub async fn set_pending(session: &Session, token: String) -> Result<(), AppError> {
    session.insert(PENDING_KEY, token).await.map_err(session_error)
}

/// The token of the browser's pending sign-in, if any.
pub async fn pending_token(session: &Session) -> Result<Option<String>, AppError> {
    session.get::<String>(PENDING_KEY).await.map_err(session_error)
}

pub async fn clear_pending(session: &Session) -> Result<(), AppError> {
    session.remove::<String>(PENDING_KEY).await.map_err(session_error).map(drop)
}

/// The user a session belongs to, re-read from the database; for handlers outside Leptos
/// (CSV export) as well as server functions.
pub async fn load_user(session: &Session, ctx: &AppContext) -> Result<UserRecord, AppError> {
    let Some(mut auth) = session.get::<SessionAuth>(AUTH_KEY).await.map_err(session_error)? else {
        return Err(AppError::Unauthenticated);
    };
    let t = now();
    let too_old = t - auth.signed_in_at > ctx.config.session_absolute.as_secs() as i64;
    let user =
        if too_old { None } else { users::find_by_session(&ctx.pool, UserId(auth.user_id), &auth.token).await? };
    match user {
        Some(user) if user.is_active && user.session_epoch == auth.epoch => {
            if t - auth.seen_at >= TOUCH_EVERY {
                auth.seen_at = t;
                super::sessions::touch(&ctx.pool, &auth.token).await?;
                session.insert(AUTH_KEY, auth).await.map_err(session_error)?;
            }
            Ok(user)
        }
        _ => {
            close(&mut ctx.pool.acquire().await?, session).await?;
            end(session).await?;
            Err(AppError::Unauthenticated)
        }
    }
}
