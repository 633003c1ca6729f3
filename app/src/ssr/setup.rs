//! One-time setup links that create the first admin of a fresh install.

use super::secret;
use sqlx::{SqliteConnection, SqlitePool};

/// Whether the install still needs its first admin.
pub async fn needs_first_admin(pool: &SqlitePool) -> Result<bool, sqlx::Error> {
    let admins: i64 =
        sqlx::query_scalar("select count(*) from users where role = 'admin' and is_active = 1").fetch_one(pool).await?;
    Ok(admins == 0)
}

/// Issue a new setup token valid for `ttl_minutes`, returning the secret (shown once).
pub async fn issue(pool: &SqlitePool, ttl_minutes: u32) -> Result<String, sqlx::Error> {
    let token = secret::generate();
    sqlx::query(
        "insert into setup_tokens (token_hash, expires_at)
         values (?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+' || ? || ' minutes'))",
    )
    .bind(secret::digest(&token))
    .bind(ttl_minutes)
    .execute(pool)
    .await?;
    Ok(token)
}

/// Mark the token used if it is known, unused and unexpired. Run inside the transaction that
/// creates the admin, so a failed creation leaves the token usable.
pub async fn consume(conn: &mut SqliteConnection, token: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "update setup_tokens set used_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         where token_hash = ? and used_at is null and expires_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
    )
    .bind(secret::digest(token))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether the token could still be used (for showing the form or an "expired" message).
pub async fn is_usable(pool: &SqlitePool, token: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "select count(*) from setup_tokens
         where token_hash = ? and used_at is null and expires_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
    )
    .bind(secret::digest(token))
    .fetch_one(pool)
    .await?;
    Ok(n == 1)
}
