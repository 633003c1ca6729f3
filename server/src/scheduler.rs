//! Background jobs: publishing scheduled posts at their time, purging deleted comments,
//! checkpointing SQLite's write-ahead log.

use app::ssr::db::Pool;
use app::{
    domain::{AuditAction, PostStatus},
    policy::Scope,
    ssr::{
        audit::{self, AuditActor, AuditEvent},
        comments, posts,
    },
};
use std::time::Duration;

/// Publish every post in review whose scheduled time has come, in one transaction, each with
/// its history entry and an audit event by `system`. Returns how many were published.
pub async fn publish_due(pool: &Pool) -> Result<usize, sqlx::Error> {
    let mut tx = pool.begin_write().await?;
    let due = posts::due_for_publishing(&mut tx).await?;
    let published = posts::set_status(&mut tx, Scope::All, &due, &[PostStatus::Review], PostStatus::Published).await?;
    for id in &published {
        posts::record_publish_event(&mut tx, *id, "system", "published").await?;
        let event = AuditEvent { client_ip: None, ..AuditEvent::new(AuditActor::System, AuditAction::PostPublished) }
            .target("post", id.0)
            .details(serde_json::json!({ "scheduled": true }));
        audit::record(&mut tx, event).await?;
    }
    tx.commit().await?;
    Ok(published.len())
}

/// Publish scheduled posts when their time comes, checking twice a minute.
pub async fn publish_scheduled_posts(pool: Pool) {
    let mut tick = tokio::time::interval(Duration::from_secs(30));
    loop {
        tick.tick().await;
        match publish_due(&pool).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(published = n, "scheduled posts published"),
            Err(e) => tracing::error!(error = %e, "publishing scheduled posts failed"),
        }
    }
}

/// Remove comments that moderators deleted, a few hundred rows per short transaction, so the
/// physical delete never holds the write lock for long.
pub async fn purge_deleted_comments(pool: Pool) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tick.tick().await;
        loop {
            match comments::purge_deleted(&pool, 500).await {
                Ok(500) => tokio::time::sleep(Duration::from_millis(50)).await,
                Ok(_) => break,
                Err(e) => {
                    tracing::error!(error = %e, "purging deleted comments failed");
                    break;
                }
            }
        }
    }
}

/// Every five minutes, forget what no longer decides anything: staff sessions past the absolute
/// session limit, expired pending two-factor sign-ins, failed sign-ins and lockouts older than
/// a day, API request counts older than an hour. Each is one indexed delete; on several instances they simply find less to do.
pub async fn purge_stale_sessions(pool: Pool, absolute: Duration) {
    let mut tick = tokio::time::interval(Duration::from_secs(300));
    loop {
        tick.tick().await;
        if let Err(e) = app::ssr::users::purge_sessions(&pool, absolute.as_secs()).await {
            tracing::error!(error = %e, "purging stale staff sessions failed");
        }
        if let Err(e) = app::ssr::totp::purge_expired_pending(&pool).await {
            tracing::error!(error = %e, "purging expired pending sign-ins failed");
        }
        if let Err(e) = app::ssr::throttle::purge_old(&pool).await {
            tracing::error!(error = %e, "purging old sign-in failures failed");
        }
        if let Err(e) = app::ssr::tokens::purge_hits(&pool).await {
            tracing::error!(error = %e, "purging old API request counts failed");
        }
    }
}

/// On SQLite, copy the write-ahead log into the database file once a second, so that no
/// request's commit has to (see `startup::connect`). A passive checkpoint waits for nobody:
/// readers and the writer go on meanwhile, and what a reader still needs is left for the next.
pub async fn checkpoint_wal(pool: Pool) {
    let Pool::Sqlite(pool) = pool else { return };
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = checkpoint(&pool).await {
            tracing::warn!(error = %e, "checkpointing the write-ahead log failed");
        }
    }
}

/// One passive checkpoint: the log's frames, and how many of them are now in the database.
pub async fn checkpoint(pool: &sqlx::SqlitePool) -> Result<(i64, i64), sqlx::Error> {
    let (_busy, log, copied): (i64, i64, i64) =
        sqlx::query_as("pragma wal_checkpoint(passive)").fetch_one(pool).await?;
    Ok((log, copied))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A commit leaves its pages in the log (no checkpoint on the request path, even past
    /// SQLite's default threshold of 1,000 pages); the background checkpoint moves them into
    /// the database file.
    #[tokio::test]
    async fn commits_leave_the_log_to_the_background_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("wal.db");
        let Pool::Sqlite(pool) = crate::startup::connect(&format!("sqlite://{}", file.display()), None).await.unwrap()
        else {
            panic!("an SQLite URL opens SQLite")
        };
        sqlx::query("create table pages (b blob)").execute(&pool).await.unwrap();
        checkpoint(&pool).await.unwrap();
        let before = std::fs::metadata(&file).unwrap().len();
        sqlx::query(
            "with recursive n(i) as (select 1 union all select i + 1 from n where i < 1500)
             insert into pages select randomblob(3900) from n",
        )
        .execute(&pool)
        .await
        .unwrap();
        assert_eq!(std::fs::metadata(&file).unwrap().len(), before, "the commit copied nothing into the file");
        let (log, copied) = checkpoint(&pool).await.unwrap();
        assert!(log >= 1500 && copied == log, "log {log}, copied {copied}");
        assert!(std::fs::metadata(&file).unwrap().len() >= before + 1500 * 4096, "the pages are in the file");
    }
}
