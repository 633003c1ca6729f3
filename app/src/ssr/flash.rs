//! A message for the next page this browser shows, and only that one: what a form's POST did,
//! shown after its redirect (like Django's messages). Kept in the server-side session record
//! (never in a cookie or a URL), and removed as the next page renders.

use super::auth::session;
use crate::{domain::Flash, error::AppError};

const KEY: &str = "flash";

/// Show `text` on the next dashboard page. Called after a change committed: a session that
/// cannot take the message loses the message (logged), never the answer to the change.
pub async fn notice(text: impl Into<String>) {
    put(Flash { text: text.into(), ..Flash::default() }).await
}

/// Show recovery codes just made, this once (on the profile page).
pub async fn codes(text: impl Into<String>, codes: Vec<String>) {
    put(Flash { text: text.into(), codes, ..Flash::default() }).await
}

/// Show `text` with a secret shown this once (a one-time link, a token): the only place it is
/// kept between the POST and the page, for as long as that redirect takes.
pub async fn secret(text: impl Into<String>, label: &str, value: String) {
    put(Flash { text: text.into(), secret: Some((label.to_owned(), value)), ..Flash::default() }).await
}

async fn put(flash: Flash) {
    let stored = match session().await {
        Ok(session) => session.insert(KEY, flash).await.map_err(|e| AppError::internal("session", e)),
        Err(e) => Err(e),
    };
    // `AppError::internal` logged the cause.
    let _ = stored;
}

/// The message waiting for the page this session is about to see, removed as it is read (by
/// the server's page gate, which hands it to the page with the signed-in user).
pub async fn take(session: &tower_sessions::Session) -> Option<Flash> {
    session.remove::<Flash>(KEY).await.map_err(|e| AppError::internal("session", e)).ok().flatten()
}
