//! Data access for `users`. Functions take an executor so callers can run them inside the
//! transaction that also writes the audit event.

use crate::ssr::db::{push_contains, Batch, Conn, Pool, Stamp};
use crate::{
    domain::{Actor, Page, Role, UserFilter, UserId, UserSort, UserSummary},
    error::AppError,
};
use sqlx::{Database, QueryBuilder};

/// A `users` row as the server needs it to authenticate; never leaves the server.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserRecord {
    pub id: UserId,
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    pub is_active: bool,
    pub session_epoch: i64,
    /// Two-factor sign-in is on.
    pub two_factor: bool,
    /// The site requires two-factor sign-in of editors and admins (the `require_two_factor`
    /// setting, read with the user to spare every request a query of its own).
    pub site_requires_two_factor: bool,
}

impl UserRecord {
    pub fn actor(&self) -> Actor {
        Actor { id: self.id, username: self.username.clone(), role: self.role }
    }
}

const RECORD_COLUMNS: &str = "id, username, password_hash, role, is_active, session_epoch,
     exists (select 1 from totp_secrets t where t.user_id = users.id and t.confirmed_at is not null) as two_factor,
     exists (select 1 from site_settings s where s.key = 'require_two_factor' and s.value = 'true')
       as site_requires_two_factor";

pub async fn find_by_username(conn: &mut Conn, username: &str) -> Result<Option<UserRecord>, sqlx::Error> {
    crate::on_db!(conn, |conn| {
        sqlx::query_as(&format!("select {RECORD_COLUMNS} from users where username = $1"))
            .bind(username)
            .fetch_optional(conn)
            .await
    })
}

/// The user of an open staff session: `None` once the session's row is gone (signed out).
pub async fn find_by_session(pool: &Pool, id: UserId, token: &str) -> Result<Option<UserRecord>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    crate::on_db!(&mut conn, |conn| {
        sqlx::query_as(&format!(
            "select {RECORD_COLUMNS} from users where id = $1
               and exists (select 1 from staff_sessions s where s.token = $2 and s.user_id = $1)"
        ))
        .bind(id.0)
        .bind(token)
        .fetch_optional(&mut *conn)
        .await
    })
}

/// Record a new signed-in session of `user` (one of a sign-in's writes, see [`Batch`]).
pub fn open_session(batch: &mut Batch, user: UserId, token: &str, ip: Option<std::net::IpAddr>, user_agent: &str) {
    let agent: String = user_agent.chars().take(400).collect();
    batch
        .push(
            "insert into staff_sessions (token, user_id, client_ip, user_agent, created_at, last_seen_at)
             values ($1, $2, $3, $4, $5, $5)",
        )
        .bind(token.to_owned())
        .bind(user.0)
        .bind(ip.map(|ip| ip.to_string()))
        .bind(agent)
        .bind(Stamp::now());
}

/// End a signed-in session for good.
pub async fn close_session(conn: &mut Conn, token: &str) -> Result<(), sqlx::Error> {
    crate::on_db!(conn, |conn| {
        sqlx::query("delete from staff_sessions where token = $1").bind(token).execute(conn).await.map(drop)
    })
}

/// Forget sessions older than `max_age_secs` (past the absolute limit, so unusable anyway).
pub async fn purge_sessions(pool: &Pool, max_age_secs: u64) -> Result<u64, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    crate::on_db!(&mut conn, |conn| {
        sqlx::query("delete from staff_sessions where created_at < $1")
            .bind(Stamp::from_now(-(max_age_secs.min(i64::MAX as u64) as i64)))
            .execute(&mut *conn)
            .await
            .map(|d| d.rows_affected())
    })
}

/// Insert an account; a taken username is a `Conflict`, not a database error.
pub async fn insert(conn: &mut Conn, username: &str, password_hash: &str, role: Role) -> Result<UserId, AppError> {
    crate::on_db!(conn, |conn| {
        let result =
            sqlx::query_scalar("insert into users (username, password_hash, role) values ($1, $2, $3) returning id")
                .bind(username)
                .bind(password_hash)
                .bind(role.as_str())
                .fetch_one(conn)
                .await;
        result.map(UserId).map_err(|e| {
            super::db::unique_or_internal(e, "users.username", || {
                AppError::invalid("username", "That username is already taken.")
            })
        })
    })
}

/// A successful sign-in: when, and the failed-attempt count back to zero.
pub fn record_login(batch: &mut Batch, id: UserId) {
    batch
        .push("update users set last_login_at = $2, failed_login_count = 0 where id = $1")
        .bind(id.0)
        .bind(Stamp::now());
}

pub async fn record_failed_login(conn: &mut Conn, id: UserId) -> Result<(), sqlx::Error> {
    crate::on_db!(conn, |conn| {
        sqlx::query("update users set failed_login_count = failed_login_count + 1 where id = $1")
            .bind(id.0)
            .execute(conn)
            .await
            .map(drop)
    })
}

/// Store a new hash. With `end_sessions`, bump the epoch so every session opened before ends.
/// Returns the new epoch.
pub async fn set_password_hash(
    conn: &mut Conn,
    id: UserId,
    hash: &str,
    end_sessions: bool,
) -> Result<i64, sqlx::Error> {
    crate::on_db!(conn, |conn| {
        sqlx::query_scalar(
            "update users set password_hash = $1, session_epoch = session_epoch + $2,
                    updated_at = $4
             where id = $3 returning session_epoch",
        )
        .bind(hash)
        .bind(i64::from(end_sessions))
        .bind(id.0)
        .bind(Stamp::now())
        .fetch_one(conn)
        .await
    })
}

pub async fn set_role(conn: &mut Conn, id: UserId, role: Role) -> Result<(), sqlx::Error> {
    crate::on_db!(conn, |conn| {
        sqlx::query("update users set role = $1, updated_at = $3 where id = $2")
            .bind(role.as_str())
            .bind(id.0)
            .bind(Stamp::now())
            .execute(conn)
            .await
            .map(drop)
    })
}

/// Deactivate and end every session of the account at once.
pub async fn deactivate(conn: &mut Conn, id: UserId) -> Result<(), sqlx::Error> {
    crate::on_db!(conn, |conn| {
        sqlx::query(
            "update users set is_active = false, session_epoch = session_epoch + 1,
                    updated_at = $2
             where id = $1",
        )
        .bind(id.0)
        .bind(Stamp::now())
        .execute(conn)
        .await
        .map(drop)
    })
}

pub async fn reactivate(conn: &mut Conn, id: UserId) -> Result<(), sqlx::Error> {
    crate::on_db!(conn, |conn| {
        sqlx::query("update users set is_active = true, updated_at = $2 where id = $1")
            .bind(id.0)
            .bind(Stamp::now())
            .execute(conn)
            .await
            .map(drop)
    })
}

pub async fn find_by_id(conn: &mut Conn, id: UserId) -> Result<Option<UserRecord>, sqlx::Error> {
    crate::on_db!(conn, |conn| {
        sqlx::query_as(&format!("select {RECORD_COLUMNS} from users where id = $1"))
            .bind(id.0)
            .fetch_optional(conn)
            .await
    })
}

pub async fn exists(conn: &mut Conn, id: UserId) -> Result<bool, sqlx::Error> {
    crate::on_db!(conn, |conn| {
        let n: i64 = sqlx::query_scalar("select count(*) from users where id = $1").bind(id.0).fetch_one(conn).await?;
        Ok(n == 1)
    })
}

pub async fn count_active_admins(conn: &mut Conn) -> Result<i64, sqlx::Error> {
    crate::on_db!(conn, |conn| {
        sqlx::query_scalar("select count(*) from users where role = 'admin' and is_active").fetch_one(conn).await
    })
}

const SUMMARY_COLUMNS: &str = "u.id, u.username, u.role, u.is_active, u.created_at, u.last_login_at,
     exists (select 1 from totp_secrets t where t.user_id = u.id and t.confirmed_at is not null) as two_factor,
     (select max(l.until) from lockouts l where l.kind = 'username' and l.subject = u.username and l.until > ";

fn push_filters<'a, DB: Database>(b: &mut QueryBuilder<'a, DB>, f: &'a UserFilter)
where
    bool: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    b.push(" where 1 = 1");
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        b.push(" and ");
        push_contains(b, &["u.username"], q);
    }
    if let Some(role) = f.role {
        b.push(" and u.role = ").push_bind(role.as_str().to_owned());
    }
    match f.status.as_deref() {
        Some("active") => b.push(" and u.is_active = ").push_bind(true),
        Some("deactivated") => b.push(" and u.is_active = ").push_bind(false),
        _ => b,
    };
}

fn push_order<DB: Database>(b: &mut QueryBuilder<'_, DB>, f: &UserFilter) {
    let column = match f.sort.as_deref().and_then(UserSort::parse).unwrap_or(UserSort::Username) {
        UserSort::Username => "u.username",
        // By reach, not by spelling.
        UserSort::Role => "case u.role when 'admin' then 3 when 'editor' then 2 else 1 end",
        UserSort::Status => "u.is_active",
        UserSort::LastLogin => "u.last_login_at",
        UserSort::Created => "u.created_at",
    };
    let dir = if f.dir.as_deref() == Some("desc") { "desc" } else { "asc" };
    // Never signed in sorts as the oldest sign-in on both backends.
    let nulls = match (column, dir) {
        ("u.last_login_at", "asc") => " nulls first",
        ("u.last_login_at", _) => " nulls last",
        _ => "",
    };
    b.push(format_args!(" order by {column} {dir}{nulls}, u.id {dir}"));
}

/// One page of the staff list, filtered and sorted.
pub async fn list(pool: &Pool, f: &UserFilter, page: i64, per_page: i64) -> Result<Page<UserSummary>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    crate::on_db!(&mut conn, |conn| {
        let mut count = QueryBuilder::new("select count(*) from users u");
        push_filters(&mut count, f);
        let total: i64 = count.build_query_scalar().fetch_one(&mut *conn).await?;
        let mut b = QueryBuilder::new(format!("select {SUMMARY_COLUMNS}"));
        b.push_bind(Stamp::now()).push(") as locked_until from users u");
        push_filters(&mut b, f);
        push_order(&mut b, f);
        b.push(" limit ").push_bind(per_page).push(" offset ").push_bind((page - 1) * per_page);
        let rows = b.build_query_as().fetch_all(&mut *conn).await?;
        Ok(Page { rows, total, page, per_page })
    })
}
