//! Data access for comments. Moderation is for editors and admins, who see every comment, so
//! the queue's scope is the whole table; the public side sees approved comments of published
//! posts only.

use crate::domain::{CommentId, CommentRow, CommentStatus, Moderation, Page, PostId, PublicComment};
use sqlx::{sqlite::SqliteRow, FromRow, QueryBuilder, Row, Sqlite, SqliteConnection, SqlitePool};
use std::net::IpAddr;

/// The queue's filters, exactly as the list and "select all N matching" send them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommentFilter {
    pub status: Option<CommentStatus>,
    pub post: Option<PostId>,
    pub q: Option<String>,
}

impl FromRow<'_, SqliteRow> for CommentRow {
    fn from_row(row: &SqliteRow) -> Result<Self, sqlx::Error> {
        let status: String = row.try_get("status")?;
        Ok(Self {
            id: CommentId(row.try_get("id")?),
            post_id: PostId(row.try_get("post_id")?),
            post_title: row.try_get("post_title")?,
            author_name: row.try_get("author_name")?,
            author_email: row.try_get("author_email")?,
            body: row.try_get("body")?,
            status: CommentStatus::parse(&status)
                .ok_or_else(|| sqlx::Error::Decode(format!("bad comment status {status:?}").into()))?,
            created_at: row.try_get("created_at")?,
        })
    }
}

fn push_filters(b: &mut QueryBuilder<'_, Sqlite>, f: &CommentFilter) {
    b.push(" where 1 = 1");
    if let Some(status) = f.status {
        b.push(" and c.status = ").push_bind(status.as_str());
    }
    if let Some(post) = f.post {
        b.push(" and c.post_id = ").push_bind(post.0);
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
) -> Result<Page<CommentRow>, sqlx::Error> {
    let total = count(pool, f).await?;
    let mut b = QueryBuilder::new(
        "select c.id, c.post_id, p.title as post_title, c.author_name, c.author_email, c.body, c.status, c.created_at
         from comments c join posts p on p.id = c.post_id",
    );
    push_filters(&mut b, f);
    b.push(if newest_first { " order by c.id desc" } else { " order by c.id asc" });
    b.push(" limit ").push_bind(per_page).push(" offset ").push_bind((page - 1) * per_page);
    let rows = b.build_query_as().fetch_all(pool).await?;
    Ok(Page { rows, total, page, per_page })
}

pub async fn count(pool: &SqlitePool, f: &CommentFilter) -> Result<i64, sqlx::Error> {
    count_in(&mut *pool.acquire().await?, f).await
}

/// Comments matching `f`, on the caller's connection (inside its transaction).
pub async fn count_in(conn: &mut SqliteConnection, f: &CommentFilter) -> Result<i64, sqlx::Error> {
    let mut b = QueryBuilder::new("select count(*) from comments c");
    push_filters(&mut b, f);
    b.build_query_scalar().fetch_one(conn).await
}

/// Which rows a moderation applies to: listed ids, or everything matching a filter.
#[derive(Clone, Debug)]
pub enum Selection {
    Ids(Vec<CommentId>),
    Matching(CommentFilter),
}

/// Apply `action` to the selected comments in one statement, returning the ids changed.
/// Rows already in the target state are left alone (and so counted as skipped).
pub async fn moderate(
    conn: &mut SqliteConnection,
    action: Moderation,
    selection: &Selection,
) -> Result<Vec<CommentId>, sqlx::Error> {
    let mut b = match action.target() {
        Some(status) => {
            let mut b = QueryBuilder::<Sqlite>::new("update comments set status = ");
            b.push_bind(status.as_str()).push(", updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') where status != ");
            b.push_bind(status.as_str());
            b
        }
        None => QueryBuilder::<Sqlite>::new("delete from comments where 1 = 1"),
    };
    match selection {
        Selection::Ids(ids) => {
            if ids.is_empty() {
                return Ok(vec![]);
            }
            b.push(" and id in (");
            let mut list = b.separated(", ");
            for id in ids {
                list.push_bind(id.0);
            }
            b.push(")");
        }
        Selection::Matching(filter) => {
            b.push(" and id in (select c.id from comments c");
            push_filters(&mut b, filter);
            b.push(")");
        }
    }
    b.push(" returning id");
    let ids: Vec<i64> = b.build_query_scalar().fetch_all(conn).await?;
    Ok(ids.into_iter().map(CommentId).collect())
}

/// Approved comments of a published post, oldest first.
pub async fn approved_for(pool: &SqlitePool, slug: &str) -> Result<Vec<PublicComment>, sqlx::Error> {
    sqlx::query(
        "select c.author_name, c.body, c.created_at from comments c join posts p on p.id = c.post_id
         where p.slug = ? and p.status = 'published' and c.status = 'approved' order by c.id limit 500",
    )
    .bind(slug)
    .try_map(|row: SqliteRow| {
        Ok(PublicComment {
            author_name: row.try_get("author_name")?,
            body: row.try_get("body")?,
            created_at: row.try_get("created_at")?,
        })
    })
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

/// Comments from `ip` in the last `minutes` minutes (the per-address rate limit).
pub async fn recent_from(pool: &SqlitePool, ip: IpAddr, minutes: u32) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "select count(*) from comments
         where client_ip = ? and created_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || ? || ' minutes')",
    )
    .bind(ip.to_string())
    .bind(minutes)
    .fetch_one(pool)
    .await
}

pub async fn insert(
    pool: &SqlitePool,
    post: PostId,
    name: &str,
    email: Option<&str>,
    body: &str,
    ip: Option<IpAddr>,
) -> Result<CommentId, sqlx::Error> {
    sqlx::query("insert into comments (post_id, author_name, author_email, body, client_ip) values (?, ?, ?, ?, ?)")
        .bind(post.0)
        .bind(name)
        .bind(email)
        .bind(body)
        .bind(ip.map(|i| i.to_string()))
        .execute(pool)
        .await
        .map(|d| CommentId(d.last_insert_rowid()))
}

/// Pending comments and comments received per week (oldest first) for the overview.
pub async fn overview(pool: &SqlitePool, weeks: i64) -> Result<(i64, Vec<(String, i64)>), sqlx::Error> {
    let pending = sqlx::query_scalar("select count(*) from comments where status = 'pending'").fetch_one(pool).await?;
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
