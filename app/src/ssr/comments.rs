//! Data access for comments. Moderation is for editors and admins, who see every comment, so
//! the queue's scope is the whole table; the public side sees approved comments of published
//! posts only. The moderation state is in `comment_states` (see the migration for why).

use crate::domain::{CommentId, CommentQueue, CommentRow, CommentStatus, Moderation, Page, PostId, PublicComment};
use crate::ssr::db::{last_weeks, weekly_counts_sql, Backend, Conn, IdList, Pool, Rows, Stamp};
use sqlx::{Database, QueryBuilder};
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

fn push_filters<'a, DB: Database>(b: &mut QueryBuilder<'a, DB>, f: &CommentFilter)
where
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
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
        b.push(" and ");
        crate::ssr::db::push_contains(b, &["c.body", "c.author_name"], q);
    }
}

pub async fn list(
    pool: &Pool,
    f: &CommentFilter,
    newest_first: bool,
    page: i64,
    per_page: i64,
) -> Result<CommentQueue, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    crate::on_db!(&mut conn, |conn| {
        let (total, latest): (i64, Option<i64>) = {
            let from = if f.q.is_none() && f.post.is_none() { " from comment_states s" } else { FROM };
            let mut b = QueryBuilder::new(format!("select count(*), max(s.comment_id){from}"));
            push_filters(&mut b, f);
            b.build_query_as().fetch_one(&mut *conn).await?
        };
        let mut b = conn.rows_query::<CommentRow>();
        b.push(format_args!(
            "c.id, c.post_id, p.title as post_title, c.author_name, c.author_email, c.body, s.status, c.created_at
             {FROM} join posts p on p.id = c.post_id"
        ));
        push_filters(&mut b, f);
        b.push(if newest_first { " order by s.comment_id desc" } else { " order by s.comment_id asc" });
        b.push(" limit ").push_bind(per_page).push(" offset ").push_bind((page - 1) * per_page);
        let rows = conn.fetch_rows(b).await?;
        Ok(CommentQueue { page: Page { rows, total, page, per_page }, latest_id: latest.map(CommentId) })
    })
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
    pool: &Pool,
    selection: &Selection,
) -> Result<(Vec<CommentId>, Option<CommentStatus>), sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let backend = conn.backend();
    crate::on_db!(&mut conn, |conn| {
        // On SQLite the ids come back as one JSON array: ten thousand rows, each handed over
        // from the connection's thread on its own, cost more than the query.
        let sqlite = backend == Backend::Sqlite;
        let mut b =
            QueryBuilder::new(if sqlite { "select json_group_array(id) from (select c.id" } else { "select c.id" });
        b.push(FROM);
        let status = match selection {
            Selection::Ids(ids) => {
                push_filters(&mut b, &CommentFilter::default());
                id_list(ids).push_match(&mut b, backend, "c.id");
                None
            }
            Selection::Matching(filter) => {
                push_filters(&mut b, filter);
                filter.status
            }
        };
        let ids: Vec<i64> = if sqlite {
            b.push(")");
            let ids: String = b.build_query_scalar().fetch_one(&mut *conn).await?;
            id_array(&ids)?
        } else {
            b.build_query_scalar().fetch_all(&mut *conn).await?
        };
        Ok((ids.into_iter().map(CommentId).collect(), status))
    })
}

/// The ids of SQLite's `json_group_array`.
fn id_array(json: &str) -> Result<Vec<i64>, sqlx::Error> {
    serde_json::from_str(json).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

fn id_list(ids: &[CommentId]) -> IdList {
    IdList(ids.iter().map(|i| i.0).collect())
}

/// Apply `action` to `ids` in one statement on the narrow state table, returning the ids
/// changed. Rows already in the target state, deleted meanwhile, or no longer in `only` (the
/// filter's status, when it had one) are left alone and so counted as skipped. `conn` is a
/// transaction that holds the write lock ([`Pool::begin_write`]).
pub async fn moderate(
    conn: &mut Conn,
    action: Moderation,
    ids: &[CommentId],
    only: Option<CommentStatus>,
) -> Result<Vec<CommentId>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let backend = conn.backend();
    let rows = format!(
        "where {} and status != $1 and status != 'deleted' and ($3 is null or status = $3)",
        IdList::matches(backend, "comment_id", 2)
    );
    let update = format!("update comment_states set status = $1, updated_at = $4 {rows}");
    let target = action.target().map_or("deleted", CommentStatus::as_str);
    let only = only.map(CommentStatus::as_str);
    let changed: Vec<i64> = crate::on_db!(conn, |conn| {
        if backend == Backend::Sqlite {
            // The caller holds the write lock (`BEGIN IMMEDIATE`), so the rows read here are
            // the rows the update changes; one JSON array instead of a returned row per id.
            let which = format!("select json_group_array(comment_id) from comment_states {rows}");
            let changed: String =
                sqlx::query_scalar(&which).bind(target).bind(id_list(ids)).bind(only).fetch_one(&mut *conn).await?;
            sqlx::query(&update)
                .bind(target)
                .bind(id_list(ids))
                .bind(only)
                .bind(Stamp::now())
                .execute(&mut *conn)
                .await?;
            id_array(&changed)?
        } else {
            sqlx::query_scalar(&format!("{update} returning comment_id"))
                .bind(target)
                .bind(id_list(ids))
                .bind(only)
                .bind(Stamp::now())
                .fetch_all(&mut *conn)
                .await?
        }
    });
    Ok(changed.into_iter().map(CommentId).collect())
}

/// Physically remove up to `batch` comments marked deleted; returns how many went.
pub async fn purge_deleted(pool: &Pool, batch: i64) -> Result<u64, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    crate::on_db!(&mut conn, |conn| {
        sqlx::query(
            "delete from comments where id in (select comment_id from comment_states where status = 'deleted' limit $1)",
        )
        .bind(batch)
        .execute(&mut *conn)
        .await
        .map(|d| d.rows_affected())
    })
}

/// Approved comments of a published post, oldest first.
pub async fn approved_for(pool: &Pool, slug: &str) -> Result<Vec<PublicComment>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    crate::on_db!(&mut conn, |conn| {
        sqlx::query_as(
            "select c.author_name, c.body, c.created_at from comments c join posts p on p.id = c.post_id
             join comment_states s on s.comment_id = c.id
             where p.slug = $1 and p.status = 'published' and s.status = 'approved' order by c.id limit 500",
        )
        .bind(slug)
        .fetch_all(&mut *conn)
        .await
    })
}

/// The id of a published post by slug (comments go only there).
pub async fn published_post_id(pool: &Pool, slug: &str) -> Result<Option<PostId>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    crate::on_db!(&mut conn, |conn| {
        let id: Option<i64> = sqlx::query_scalar("select id from posts where slug = $1 and status = 'published'")
            .bind(slug)
            .fetch_optional(&mut *conn)
            .await?;
        Ok(id.map(PostId))
    })
}

/// Store a pending comment unless `ip` already left `limit` comments in the last `minutes`
/// minutes. The count and the insert are serialised (SQLite: one write lock from the start, with
/// `BEGIN IMMEDIATE`; PostgreSQL: a transaction-scoped advisory lock on the address, held by
/// whichever instance took it), so parallel submissions cannot all pass the check. `None`:
/// refused by the limit, nothing stored.
#[allow(clippy::too_many_arguments)]
pub async fn insert_limited(
    pool: &Pool,
    post: PostId,
    name: &str,
    email: Option<&str>,
    body: &str,
    ip: Option<IpAddr>,
    limit: i64,
    minutes: u32,
) -> Result<Option<CommentId>, sqlx::Error> {
    let ip = ip.map(|i| i.to_string());
    let mut tx = pool.begin_write().await?;
    let now = Stamp::now();
    let id = crate::on_db!(&mut tx, |conn| {
        if let (Some(ip), Backend::Postgres) = (&ip, pool.backend()) {
            sqlx::query("select pg_advisory_xact_lock(1, hashtext($1))").bind(ip).execute(&mut *conn).await?;
        }
        let recent: i64 = sqlx::query_scalar("select count(*) from comments where client_ip = $1 and created_at > $2")
            .bind(&ip)
            .bind(Stamp::from_now(-60 * i64::from(minutes)))
            .fetch_one(&mut *conn)
            .await?;
        if ip.is_some() && recent >= limit {
            return Ok(None);
        }
        let id: i64 = sqlx::query_scalar(
            "insert into comments (post_id, author_name, author_email, body, client_ip, created_at)
             values ($1, $2, $3, $4, $5, $6) returning id",
        )
        .bind(post.0)
        .bind(name)
        .bind(email)
        .bind(body)
        .bind(&ip)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
        sqlx::query("insert into comment_states (comment_id, updated_at) values ($1, $2)")
            .bind(id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        id
    });
    tx.commit().await?;
    Ok(Some(CommentId(id)))
}

/// Pending comments and comments received per week (oldest first) for the overview.
pub async fn overview(pool: &Pool, weeks: i64) -> Result<(i64, Vec<(String, i64)>), sqlx::Error> {
    let weeks = last_weeks(weeks);
    let weekly_sql = weekly_counts_sql("from comments where 1 = 1", "created_at", 1, weeks.len());
    let mut conn = pool.acquire().await?;
    let (pending, per_week) = crate::on_db!(&mut conn, |conn| {
        let pending: i64 = sqlx::query_scalar("select count(*) from comment_states where status = 'pending'")
            .fetch_one(&mut *conn)
            .await?;
        let mut query = sqlx::query_as(&weekly_sql);
        for (_, from, to) in &weeks {
            query = query.bind(*from).bind(*to);
        }
        let per_week: Vec<(i64, i64)> = query.fetch_all(&mut *conn).await?;
        (pending, per_week)
    });
    Ok((pending, crate::ssr::posts::label_weeks(&weeks, &per_week)))
}
