//! A message for the next page this browser shows, and only that one: what a form's POST did,
//! shown after its redirect (like Django's messages). Kept in the server-side session record,
//! never in a cookie or a URL, and removed as the next page renders. A secret in it (a token, a
//! one-time link, recovery codes) is sealed under the server's key while it waits there, so the
//! session store never holds one in clear.

use super::{auth::session, context, totp};
use crate::{domain::Flash, error::AppError};
use serde::{Deserialize, Serialize};

const KEY: &str = "flash";
/// Binds a sealed flash to its purpose: it opens as nothing else.
const SEALED_FOR: &[u8] = b"inkwarden flash";

/// The secret part of a flash, sealed as JSON.
#[derive(Default, Serialize, Deserialize)]
struct Secrets {
    secret: Option<(String, String)>,
    codes: Vec<String>,
}

/// A flash as the session stores it.
#[derive(Serialize, Deserialize)]
struct Stored {
    text: String,
    sealed: Option<Vec<u8>>,
}

/// Show `text` on the next dashboard page. Called after a change committed: a session that
/// cannot take the message loses the message (logged), never the answer to the change.
pub async fn notice(text: impl Into<String>) {
    put(text.into(), Secrets::default()).await
}

/// Show recovery codes just made, this once (on the profile page).
pub async fn codes(text: impl Into<String>, codes: Vec<String>) {
    put(text.into(), Secrets { codes, ..Secrets::default() }).await
}

/// Show `text` with a secret shown this once (a one-time link, a token), labelled `label`.
pub async fn secret(text: impl Into<String>, label: &str, value: String) {
    put(text.into(), Secrets { secret: Some((label.to_owned(), value)), ..Secrets::default() }).await
}

async fn put(text: String, secrets: Secrets) {
    let stored = async {
        let sealed = if secrets.secret.is_none() && secrets.codes.is_empty() {
            None
        } else {
            let json = serde_json::to_vec(&secrets).map_err(|e| AppError::internal("flash", e))?;
            Some(totp::seal_for(&context()?.config.secret_key, SEALED_FOR, &json)?)
        };
        session().await?.insert(KEY, Stored { text, sealed }).await.map_err(|e| AppError::internal("session", e))
    };
    // `AppError::internal` logged the cause.
    let _ = stored.await;
}

/// The message waiting for the page this session is about to see, removed as it is read (by
/// the server's page gate, which hands it to the page with the signed-in user).
pub async fn take(session: &tower_sessions::Session, key: &super::SecretKey) -> Option<Flash> {
    // Look before removing: a removal marks the session changed, and a changed session is
    // written back to the store, which would make every page view a database write.
    session.get_value(KEY).await.ok()??;
    let stored = session.remove::<Stored>(KEY).await.map_err(|e| AppError::internal("session", e)).ok()??;
    let secrets = match stored.sealed {
        Some(sealed) => {
            let json = totp::open_for(key, SEALED_FOR, &sealed).ok()?;
            serde_json::from_slice::<Secrets>(&json).map_err(|e| AppError::internal("flash", e)).ok()?
        }
        None => Secrets::default(),
    };
    Some(Flash { text: stored.text, secret: secrets.secret, codes: secrets.codes })
}
