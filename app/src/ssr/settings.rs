//! Site settings stored as key/value rows in `site_settings`; an absent key takes its default.

use super::db::{Conn, Pool, Stamp};
use crate::{domain::SiteSettings, on_db};

/// Every setting in force.
pub async fn load(conn: &mut Conn) -> Result<SiteSettings, sqlx::Error> {
    let rows: Vec<(String, String)> =
        on_db!(conn, |c| sqlx::query_as("select key, value from site_settings").fetch_all(c).await)?;
    Ok(SiteSettings::from_entries(rows.iter().map(|(k, v)| (k.as_str(), v.as_str()))))
}

/// Every setting in force, on a connection of its own.
pub async fn current(pool: &Pool) -> Result<SiteSettings, sqlx::Error> {
    load(&mut pool.acquire().await?).await
}

/// Store the settings whose value differs from `before`.
pub async fn save(conn: &mut Conn, before: &SiteSettings, after: &SiteSettings) -> Result<(), sqlx::Error> {
    for (key, _, value) in after.changes_from(before) {
        on_db!(conn, |c| {
            sqlx::query(
                "insert into site_settings (key, value, updated_at) values ($1, $2, $3)
                 on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at",
            )
            .bind(key)
            .bind(value)
            .bind(Stamp::now())
            .execute(c)
            .await?;
        });
    }
    Ok(())
}
