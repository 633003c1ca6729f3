//! Data access for `users`. Functions take an executor so callers can run them inside the
//! transaction that also writes the audit event.

use crate::{
    domain::{Actor, Page, Role, UserId, UserSummary},
    error::AppError,
};
use sqlx::{SqliteConnection, SqlitePool};

/// A `users` row as the server needs it to authenticate; never leaves the server.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserRecord {
    pub id: UserId,
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    pub is_active: bool,
    pub session_epoch: i64,
}

impl UserRecord {
    pub fn actor(&self) -> Actor {
        Actor { id: self.id, username: self.username.clone(), role: self.role }
    }
}

const RECORD_COLUMNS: &str = "id, username, password_hash, role, is_active, session_epoch";

pub async fn find_by_username(conn: &mut SqliteConnection, username: &str) -> Result<Option<UserRecord>, sqlx::Error> {
    sqlx::query_as(&format!("select {RECORD_COLUMNS} from users where username = ?"))
        .bind(username)
        .fetch_optional(conn)
        .await
}

/// The user of an open staff session: `None` once the session's row is gone (signed out).
pub async fn find_by_session(pool: &SqlitePool, id: UserId, token: &str) -> Result<Option<UserRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {RECORD_COLUMNS} from users where id = ?1
           and exists (select 1 from staff_sessions s where s.token = ?2 and s.user_id = ?1)"
    ))
    .bind(id.0)
    .bind(token)
    .fetch_optional(pool)
    .await
}

/// Record a new signed-in session of `user`.
pub async fn open_session(
    conn: &mut SqliteConnection,
    user: UserId,
    token: &str,
    ip: Option<std::net::IpAddr>,
) -> Result<(), sqlx::Error> {
    sqlx::query("insert into staff_sessions (token, user_id, client_ip) values (?, ?, ?)")
        .bind(token)
        .bind(user.0)
        .bind(ip.map(|ip| ip.to_string()))
        .execute(conn)
        .await
        .map(drop)
}

/// End a signed-in session for good.
pub async fn close_session(conn: &mut SqliteConnection, token: &str) -> Result<(), sqlx::Error> {
    sqlx::query("delete from staff_sessions where token = ?").bind(token).execute(conn).await.map(drop)
}

/// Forget sessions older than `max_age_secs` (past the absolute limit, so unusable anyway).
pub async fn purge_sessions(pool: &SqlitePool, max_age_secs: u64) -> Result<u64, sqlx::Error> {
    sqlx::query(
        "delete from staff_sessions where created_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || ? || ' seconds')",
    )
    .bind(max_age_secs as i64)
    .execute(pool)
    .await
    .map(|d| d.rows_affected())
}

/// Insert an account; a taken username is a `Conflict`, not a database error.
pub async fn insert(
    conn: &mut SqliteConnection,
    username: &str,
    password_hash: &str,
    role: Role,
) -> Result<UserId, AppError> {
    let result = sqlx::query("insert into users (username, password_hash, role) values (?, ?, ?)")
        .bind(username)
        .bind(password_hash)
        .bind(role.as_str())
        .execute(conn)
        .await;
    result.map(|done| UserId(done.last_insert_rowid())).map_err(|e| {
        super::db::unique_or_internal(e, "users.username", || {
            AppError::invalid("username", "That username is already taken.")
        })
    })
}

pub async fn record_login(conn: &mut SqliteConnection, id: UserId) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update users set last_login_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), failed_login_count = 0 where id = ?",
    )
    .bind(id.0)
    .execute(conn)
    .await
    .map(drop)
}

pub async fn record_failed_login(conn: &mut SqliteConnection, id: UserId) -> Result<(), sqlx::Error> {
    sqlx::query("update users set failed_login_count = failed_login_count + 1 where id = ?")
        .bind(id.0)
        .execute(conn)
        .await
        .map(drop)
}

/// Store a new hash. With `end_sessions`, bump the epoch so every session opened before ends.
/// Returns the new epoch.
pub async fn set_password_hash(
    conn: &mut SqliteConnection,
    id: UserId,
    hash: &str,
    end_sessions: bool,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "update users set password_hash = ?, session_epoch = session_epoch + ?,
                updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         where id = ? returning session_epoch",
    )
    .bind(hash)
    .bind(i64::from(end_sessions))
    .bind(id.0)
    .fetch_one(conn)
    .await
}

pub async fn set_role(conn: &mut SqliteConnection, id: UserId, role: Role) -> Result<(), sqlx::Error> {
    sqlx::query("update users set role = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') where id = ?")
        .bind(role.as_str())
        .bind(id.0)
        .execute(conn)
        .await
        .map(drop)
}

/// Deactivate and end every session of the account at once.
pub async fn deactivate(conn: &mut SqliteConnection, id: UserId) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update users set is_active = 0, session_epoch = session_epoch + 1,
                updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         where id = ?",
    )
    .bind(id.0)
    .execute(conn)
    .await
    .map(drop)
}

pub async fn count_active_admins(conn: &mut SqliteConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("select count(*) from users where role = 'admin' and is_active = 1").fetch_one(conn).await
}

pub async fn list(pool: &SqlitePool, page: i64, per_page: i64) -> Result<Page<UserSummary>, sqlx::Error> {
    let total: i64 = sqlx::query_scalar("select count(*) from users").fetch_one(pool).await?;
    let rows = sqlx::query_as(
        "select id, username, role, is_active, created_at, last_login_at
         from users order by username limit ? offset ?",
    )
    .bind(per_page)
    .bind((page - 1) * per_page)
    .fetch_all(pool)
    .await?;
    Ok(Page { rows, total, page, per_page })
}
