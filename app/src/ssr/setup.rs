//! One-time setup links that create the first admin of a fresh install.

use super::secret;
use crate::ssr::db::{Conn, Pool, Stamp};

/// Whether the install still needs its first admin.
pub async fn needs_first_admin(pool: &Pool) -> Result<bool, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    crate::on_db!(&mut conn, |conn| {
        let admins: i64 = sqlx::query_scalar("select count(*) from users where role = 'admin' and is_active")
            .fetch_one(&mut *conn)
            .await?;
        Ok(admins == 0)
    })
}

/// Issue a new setup token valid for `ttl_minutes`, returning the secret (shown once).
pub async fn issue(pool: &Pool, ttl_minutes: u32) -> Result<String, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    crate::on_db!(&mut conn, |conn| {
        let token = secret::generate();
        sqlx::query(
            "insert into setup_tokens (token_hash, expires_at)
             values ($1, $2)",
        )
        .bind(secret::digest(&token))
        .bind(Stamp::from_now(i64::from(ttl_minutes) * 60))
        .execute(&mut *conn)
        .await?;
        Ok(token)
    })
}

/// Mark the token used if it is known, unused and unexpired. Run inside the transaction that
/// creates the admin, so a failed creation leaves the token usable.
pub async fn consume(conn: &mut Conn, token: &str) -> Result<bool, sqlx::Error> {
    crate::on_db!(conn, |conn| {
        let done = sqlx::query(
            "update setup_tokens set used_at = $2
             where token_hash = $1 and used_at is null and expires_at > $2",
        )
        .bind(secret::digest(token))
        .bind(Stamp::now())
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Whether the token could still be used (for showing the form or an "expired" message).
pub async fn is_usable(pool: &Pool, token: &str) -> Result<bool, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    crate::on_db!(&mut conn, |conn| {
        let n: i64 = sqlx::query_scalar(
            "select count(*) from setup_tokens
             where token_hash = $1 and used_at is null and expires_at > $2",
        )
        .bind(secret::digest(token))
        .bind(Stamp::now())
        .fetch_one(&mut *conn)
        .await?;
        Ok(n == 1)
    })
}
