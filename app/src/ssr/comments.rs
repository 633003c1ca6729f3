//! Data access for comments. Moderation is for editors and admins, who see every comment, so
//! the queue's scope is the whole table; the public side sees approved comments of published
//! posts only. The moderation state is in `comment_states` (see the migration for why).

use crate::domain::{CommentId, CommentQueue, CommentStatus, Moderation, Page, PostId, PublicComment};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};
use std::net::IpAddr;

/// The queue's filters, exactly as the list and "select all N matching" send them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommentFilter {
    pub status: Option<CommentStatus>,
    pub post: Option<PostId>,
    pub q: Option<String>,
    /// Only comments up to this id: what the moderator saw when they chose "all matching", so
    /// comments that arrived since are left for them to read.
    pub through: Option<CommentId>,
}

/// `from …` of the queue: the narrow state table first (it drives the queue in id order),
/// then the comment text. Rows marked deleted never show.
const FROM: &str = " from comment_states s join comments c on c.id = s.comment_id";

fn push_filters(b: &mut QueryBuilder<'_, Sqlite>, f: &CommentFilter) {
    b.push(" where s.status != 'deleted'");
    if let Some(status) = f.status {
        // A literal, not a bound value: the planner uses the partial index on pending rows
        // only when it can see `status = 'pending'`. The text comes from the enum, never input.
        b.push(format_args!(" and s.status = '{}'", status.as_str()));
    }
    if let Some(post) = f.post {
        b.push(" and c.post_id = ").push_bind(post.0);
    }
    if let Some(through) = f.through {
        b.push(" and s.comment_id <= ").push_bind(through.0);
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        b.push(" and (c.body like ").push_bind(pattern.clone()).push(" escape '\\' or c.author_name like ");
        b.push_bind(pattern).push(" escape '\\')");
    }
}

pub async fn list(
    pool: &SqlitePool,
    f: &CommentFilter,
    newest_first: bool,
    page: i64,
    per_page: i64,
) -> Result<CommentQueue, sqlx::Error> {
    let (total, latest): (i64, Option<i64>) = {
        let from = if f.q.is_none() && f.post.is_none() { " from comment_states s" } else { FROM };
        let mut b = QueryBuilder::new(format!("select count(*), max(s.comment_id){from}"));
        push_filters(&mut b, f);
        b.build_query_as().fetch_one(pool).await?
    };
    let mut b = QueryBuilder::new(format!(
        "select c.id, c.post_id, p.title as post_title, c.author_name, c.author_email, c.body, s.status, c.created_at
         {FROM} join posts p on p.id = c.post_id"
    ));
    push_filters(&mut b, f);
    b.push(if newest_first { " order by s.comment_id desc" } else { " order by s.comment_id asc" });
    b.push(" limit ").push_bind(per_page).push(" offset ").push_bind((page - 1) * per_page);
    let rows = b.build_query_as().fetch_all(pool).await?;
    Ok(CommentQueue { page: Page { rows, total, page, per_page }, latest_id: latest.map(CommentId) })
}

/// Which rows a moderation applies to: listed ids, or everything matching a filter.
#[derive(Clone, Debug)]
pub enum Selection {
    Ids(Vec<CommentId>),
    Matching(CommentFilter),
}

/// The ids a selection names right now (listed ids that exist, or every match of the filter).
/// Read without the write lock: only a comment's state can change, and [`moderate`] checks it
/// again under the lock.
pub async fn resolve(
    pool: &SqlitePool,
    selection: &Selection,
) -> Result<(Vec<CommentId>, Option<CommentStatus>), sqlx::Error> {
    let mut b = QueryBuilder::new(format!("select c.id{FROM}"));
    let status = match selection {
        Selection::Ids(ids) => {
            push_filters(&mut b, &CommentFilter::default());
            b.push(" and c.id in (select value from json_each(").push_bind(id_list(ids)).push("))");
            None
        }
        Selection::Matching(filter) => {
            push_filters(&mut b, filter);
            filter.status
        }
    };
    let ids: Vec<i64> = b.build_query_scalar().fetch_all(pool).await?;
    Ok((ids.into_iter().map(CommentId).collect(), status))
}

fn id_list(ids: &[CommentId]) -> String {
    serde_json::to_string(&ids.iter().map(|i| i.0).collect::<Vec<_>>()).expect("integers serialise")
}

/// Apply `action` to `ids` in one statement on the narrow state table, returning the ids
/// changed. Rows already in the target state, deleted meanwhile, or no longer in `only` (the
/// filter's status, when it had one) are left alone and so counted as skipped.
pub async fn moderate(
    conn: &mut SqliteConnection,
    action: Moderation,
    ids: &[CommentId],
    only: Option<CommentStatus>,
) -> Result<Vec<CommentId>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let target = action.target().map_or("deleted", CommentStatus::as_str);
    let changed: Vec<i64> = sqlx::query_scalar(
        "update comment_states set status = ?1, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         where comment_id in (select value from json_each(?2))
           and status != ?1 and status != 'deleted' and (?3 is null or status = ?3)
         returning comment_id",
    )
    .bind(target)
    .bind(id_list(ids))
    .bind(only.map(CommentStatus::as_str))
    .fetch_all(conn)
    .await?;
    Ok(changed.into_iter().map(CommentId).collect())
}

/// Physically remove up to `batch` comments marked deleted; returns how many went.
pub async fn purge_deleted(pool: &SqlitePool, batch: i64) -> Result<u64, sqlx::Error> {
    sqlx::query(
        "delete from comments where id in (select comment_id from comment_states where status = 'deleted' limit ?)",
    )
    .bind(batch)
    .execute(pool)
    .await
    .map(|d| d.rows_affected())
}

/// Approved comments of a published post, oldest first.
pub async fn approved_for(pool: &SqlitePool, slug: &str) -> Result<Vec<PublicComment>, sqlx::Error> {
    sqlx::query_as(
        "select c.author_name, c.body, c.created_at from comments c join posts p on p.id = c.post_id
         join comment_states s on s.comment_id = c.id
         where p.slug = ? and p.status = 'published' and s.status = 'approved' order by c.id limit 500",
    )
    .bind(slug)
    .fetch_all(pool)
    .await
}

/// The id of a published post by slug (comments go only there).
pub async fn published_post_id(pool: &SqlitePool, slug: &str) -> Result<Option<PostId>, sqlx::Error> {
    let id: Option<i64> = sqlx::query_scalar("select id from posts where slug = ? and status = 'published'")
        .bind(slug)
        .fetch_optional(pool)
        .await?;
    Ok(id.map(PostId))
}

/// Store a pending comment unless `ip` already left `limit` comments in the last `minutes`
/// minutes. The count and the insert run under one write lock (`BEGIN IMMEDIATE`), so parallel
/// submissions cannot all pass the check. `None`: refused by the limit, nothing stored.
#[allow(clippy::too_many_arguments)]
pub async fn insert_limited(
    pool: &SqlitePool,
    post: PostId,
    name: &str,
    email: Option<&str>,
    body: &str,
    ip: Option<IpAddr>,
    limit: i64,
    minutes: u32,
) -> Result<Option<CommentId>, sqlx::Error> {
    let ip = ip.map(|i| i.to_string());
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let recent: i64 = sqlx::query_scalar(
        "select count(*) from comments
         where client_ip = ? and created_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || ? || ' minutes')",
    )
    .bind(&ip)
    .bind(minutes)
    .fetch_one(&mut *tx)
    .await?;
    if ip.is_some() && recent >= limit {
        return Ok(None);
    }
    let id = sqlx::query(
        "insert into comments (post_id, author_name, author_email, body, client_ip) values (?, ?, ?, ?, ?)",
    )
    .bind(post.0)
    .bind(name)
    .bind(email)
    .bind(body)
    .bind(ip)
    .execute(&mut *tx)
    .await?
    .last_insert_rowid();
    sqlx::query("insert into comment_states (comment_id) values (?)").bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(Some(CommentId(id)))
}

/// Pending comments and comments received per week (oldest first) for the overview.
pub async fn overview(pool: &SqlitePool, weeks: i64) -> Result<(i64, Vec<(String, i64)>), sqlx::Error> {
    let pending =
        sqlx::query_scalar("select count(*) from comment_states where status = 'pending'").fetch_one(pool).await?;
    let weekly = sqlx::query_as(
        "with recursive weeks(start, n) as (
             select date('now', 'weekday 0', '-6 days'), 1
             union all select date(start, '-7 days'), n + 1 from weeks where n < ?1
         )
         select w.start, (select count(*) from comments c where c.created_at >= w.start and c.created_at < date(w.start, '+7 days'))
         from weeks w order by w.start",
    )
    .bind(weeks)
    .fetch_all(pool)
    .await?;
    Ok((pending, weekly))
}

/// Site settings.
pub async fn comments_enabled(pool: &SqlitePool) -> Result<bool, sqlx::Error> {
    let value: Option<String> = sqlx::query_scalar("select value from site_settings where key = 'comments_enabled'")
        .fetch_optional(pool)
        .await?;
    Ok(value.as_deref() != Some("false"))
}
