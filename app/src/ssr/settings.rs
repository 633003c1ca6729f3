//! Site settings stored as key/value rows in `site_settings`; an absent key takes its default.

use super::db::{Conn, Pool, Stamp};
use crate::on_db;

/// The setting "require two-factor sign-in for editors and admins".
pub const REQUIRE_TWO_FACTOR: &str = "require_two_factor";

async fn value(conn: &mut Conn, key: &str) -> Result<Option<String>, sqlx::Error> {
    on_db!(conn, |c| {
        sqlx::query_scalar("select value from site_settings where key = $1").bind(key).fetch_optional(c).await
    })
}

/// A yes/no setting (default no).
pub async fn flag(pool: &Pool, key: &str) -> Result<bool, sqlx::Error> {
    Ok(value(&mut pool.acquire().await?, key).await?.as_deref() == Some("true"))
}

/// Set a yes/no setting, returning what it was.
pub async fn set_flag(conn: &mut Conn, key: &str, on: bool) -> Result<bool, sqlx::Error> {
    let before = value(conn, key).await?.as_deref() == Some("true");
    on_db!(conn, |c| {
        sqlx::query(
            "insert into site_settings (key, value, updated_at) values ($1, $2, $3)
             on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(if on { "true" } else { "false" })
        .bind(Stamp::now())
        .execute(c)
        .await?;
    });
    Ok(before)
}
