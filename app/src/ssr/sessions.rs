//! The `staff_sessions` rows behind signed-in sessions: what the profile page lists, and ending
//! them (one, all others, or all of a user's). Deleting a row ends its session at the next
//! request on any instance (`users::find_by_session` requires it).

use super::db::{Conn, Pool, Stamp};
use crate::{
    domain::{device_label, SessionInfo, Timestamp, UserId},
    on_db,
};
use sha2::{Digest, Sha256};

/// The opaque handle of a session: a digest of its secret row token, so it names the session
/// without being able to stand in for it (and it is never the cookie value).
pub fn handle(token: &str) -> String {
    Sha256::digest(format!("inkwarden-session-handle:{token}").as_bytes())[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Mark the session used now; callers do this at most once a minute per session.
pub async fn touch(pool: &Pool, token: &str) -> Result<(), sqlx::Error> {
    let mut conn = pool.acquire().await?;
    on_db!(&mut conn, |c| {
        sqlx::query("update staff_sessions set last_seen_at = $2 where token = $1")
            .bind(token)
            .bind(Stamp::now())
            .execute(c)
            .await
            .map(drop)
    })
}

/// `user`'s sessions used within `idle_secs`, most recently used first; `current` marks the
/// one whose token is `current_token`.
pub async fn list(
    pool: &Pool,
    user: UserId,
    current_token: &str,
    idle_secs: u64,
) -> Result<Vec<SessionInfo>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let rows: Vec<(String, String, Option<String>, Timestamp, Timestamp)> = on_db!(&mut conn, |c| {
        sqlx::query_as(
            "select token, user_agent, client_ip, created_at, coalesce(last_seen_at, created_at) as seen
             from staff_sessions where user_id = $1 and coalesce(last_seen_at, created_at) > $2
             order by seen desc limit 100",
        )
        .bind(user.0)
        .bind(Stamp::from_now(-(idle_secs.min(i64::MAX as u64) as i64)))
        .fetch_all(c)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(token, agent, ip, signed_in_at, last_seen_at)| SessionInfo {
            handle: handle(&token),
            device: device_label(&agent),
            ip,
            signed_in_at,
            last_seen_at,
            current: token == current_token,
        })
        .collect())
}

/// End `user`'s session named by `handle`; `false` when they have no such session (another
/// user's handle included).
pub async fn end_one(conn: &mut Conn, user: UserId, wanted: &str) -> Result<bool, sqlx::Error> {
    let tokens: Vec<String> = on_db!(conn, |c| {
        sqlx::query_scalar("select token from staff_sessions where user_id = $1").bind(user.0).fetch_all(c).await?
    });
    let Some(token) = tokens.into_iter().find(|t| handle(t) == wanted) else { return Ok(false) };
    on_db!(conn, |c| {
        sqlx::query("delete from staff_sessions where token = $1 and user_id = $2")
            .bind(&token)
            .bind(user.0)
            .execute(c)
            .await
            .map(|d| d.rows_affected() == 1)
    })
}

/// End every session of `user` except the one with token `keep`; returns how many ended.
pub async fn end_all(conn: &mut Conn, user: UserId, keep: Option<&str>) -> Result<u64, sqlx::Error> {
    on_db!(conn, |c| {
        sqlx::query("delete from staff_sessions where user_id = $1 and ($2 is null or token != $2)")
            .bind(user.0)
            .bind(keep)
            .execute(c)
            .await
            .map(|d| d.rows_affected())
    })
}
