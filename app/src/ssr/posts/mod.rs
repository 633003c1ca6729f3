//! Data access for posts. Every query that reads or changes a staff-visible post takes the
//! policy's [`Scope`] and puts it into its `WHERE` clause: an author's scope is their own posts,
//! so a foreign id simply matches no row and the caller answers 404.

mod write;

pub use write::*;

use crate::{
    domain::{
        AuthorOption, Page, PostCounts, PostDetail, PostFilter, PostId, PostRow, PostSort, PostStatus, PublicPost,
        PublishEvent, Revision, UserId,
    },
    policy::Scope,
};
use sqlx::{sqlite::SqliteRow, FromRow, QueryBuilder, Row, Sqlite, SqliteConnection, SqlitePool};

/// The author id a scope restricts to, bound as `?` in `(? is null or p.author_id = ?)`.
pub(crate) fn owner(scope: Scope) -> Option<i64> {
    match scope {
        Scope::All => None,
        Scope::OwnedBy(user) => Some(user.0),
    }
}

fn parse_status(row: &SqliteRow) -> Result<PostStatus, sqlx::Error> {
    let raw: String = row.try_get("status")?;
    PostStatus::parse(&raw).ok_or_else(|| sqlx::Error::Decode(format!("bad post status {raw:?}").into()))
}

impl FromRow<'_, SqliteRow> for PostRow {
    fn from_row(row: &SqliteRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: PostId(row.try_get("id")?),
            title: row.try_get("title")?,
            slug: row.try_get("slug")?,
            status: parse_status(row)?,
            author: row.try_get("author")?,
            category: row.try_get("category")?,
            updated_at: row.try_get("updated_at")?,
            published_at: row.try_get("published_at")?,
            scheduled_at: row.try_get("scheduled_at")?,
        })
    }
}

const ROW_COLUMNS: &str = "p.id, p.title, p.slug, p.status, u.username as author, c.name as category,
     p.updated_at, p.published_at, p.scheduled_at
     from posts p join users u on u.id = p.author_id left join categories c on c.id = p.category_id";

/// `where …` for the list and the export: the scope first, then the filters.
fn push_filters(b: &mut QueryBuilder<'_, Sqlite>, scope: Scope, f: &PostFilter) {
    b.push(" where 1 = 1");
    if let Some(author) = owner(scope) {
        b.push(" and p.author_id = ").push_bind(author); // ownership, not a post-filter
    }
    if let Some(status) = f.status.as_deref().and_then(PostStatus::parse) {
        b.push(" and p.status = ").push_bind(status.as_str());
    }
    if let Some(author) = f.author {
        b.push(" and p.author_id = ").push_bind(author);
    }
    if let Some(category) = f.category {
        b.push(" and p.category_id = ").push_bind(category);
    }
    if let Some(tag) = f.tag {
        b.push(" and exists (select 1 from post_tags pt where pt.post_id = p.id and pt.tag_id = ")
            .push_bind(tag)
            .push(")");
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        b.push(" and (p.title like ").push_bind(pattern.clone()).push(" escape '\\' or p.body like ");
        b.push_bind(pattern).push(" escape '\\')");
    }
}

fn push_order(b: &mut QueryBuilder<'_, Sqlite>, f: &PostFilter) {
    let column = match f.sort.as_deref().and_then(PostSort::parse).unwrap_or(PostSort::Updated) {
        PostSort::Title => "p.title collate nocase",
        PostSort::Author => "u.username",
        PostSort::Status => "p.status",
        PostSort::Category => "c.name collate nocase",
        PostSort::Updated => "p.updated_at",
    };
    let dir = match f.dir.as_deref() {
        Some("asc") => "asc",
        Some("desc") => "desc",
        _ if f.sort.is_none() => "desc",
        _ => "asc",
    };
    b.push(format_args!(" order by {column} {dir}, p.id {dir}"));
}

pub async fn list(
    pool: &SqlitePool,
    scope: Scope,
    f: &PostFilter,
    page: i64,
    per_page: i64,
) -> Result<Page<PostRow>, sqlx::Error> {
    let mut count = QueryBuilder::new("select count(*) from posts p");
    push_filters(&mut count, scope, f);
    let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
    let mut b = QueryBuilder::new(format!("select {ROW_COLUMNS}"));
    push_filters(&mut b, scope, f);
    push_order(&mut b, f);
    b.push(" limit ").push_bind(per_page).push(" offset ").push_bind((page - 1) * per_page);
    let rows = b.build_query_as().fetch_all(pool).await?;
    Ok(Page { rows, total, page, per_page })
}

/// Every row the list would show across all its pages (for CSV export), capped.
pub async fn list_all(pool: &SqlitePool, scope: Scope, f: &PostFilter, cap: i64) -> Result<Vec<PostRow>, sqlx::Error> {
    let mut b = QueryBuilder::new(format!("select {ROW_COLUMNS}"));
    push_filters(&mut b, scope, f);
    push_order(&mut b, f);
    b.push(" limit ").push_bind(cap);
    b.build_query_as().fetch_all(pool).await
}

/// One post inside `scope`, or `None` (missing and foreign look the same).
pub async fn get(conn: &mut SqliteConnection, scope: Scope, id: PostId) -> Result<Option<PostDetail>, sqlx::Error> {
    let row = sqlx::query(
        "select p.*, u.username as author from posts p join users u on u.id = p.author_id
         where p.id = ?1 and (?2 is null or p.author_id = ?2)",
    )
    .bind(id.0)
    .bind(owner(scope))
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let tag_ids = sqlx::query_scalar("select tag_id from post_tags where post_id = ? order by tag_id")
        .bind(id.0)
        .fetch_all(&mut *conn)
        .await?;
    Ok(Some(PostDetail {
        id,
        title: row.try_get("title")?,
        slug: row.try_get("slug")?,
        body: row.try_get("body")?,
        excerpt: row.try_get("excerpt")?,
        status: parse_status(&row)?,
        author_id: UserId(row.try_get("author_id")?),
        author: row.try_get("author")?,
        category_id: row.try_get("category_id")?,
        tag_ids,
        seo_title: row.try_get("seo_title")?,
        seo_description: row.try_get("seo_description")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        published_at: row.try_get("published_at")?,
        scheduled_at: row.try_get("scheduled_at")?,
    }))
}

/// The status of a post inside `scope`, or `None`.
pub async fn status_of(
    conn: &mut SqliteConnection,
    scope: Scope,
    id: PostId,
) -> Result<Option<PostStatus>, sqlx::Error> {
    let raw: Option<String> =
        sqlx::query_scalar("select status from posts where id = ?1 and (?2 is null or author_id = ?2)")
            .bind(id.0)
            .bind(owner(scope))
            .fetch_optional(conn)
            .await?;
    Ok(raw.as_deref().and_then(PostStatus::parse))
}

/// Saved versions of a post inside `scope`, newest first.
pub async fn revisions(pool: &SqlitePool, scope: Scope, id: PostId) -> Result<Vec<Revision>, sqlx::Error> {
    sqlx::query(
        "select r.id, r.created_at, r.editor, r.title, r.body, r.excerpt from post_revisions r
         join posts p on p.id = r.post_id
         where r.post_id = ?1 and (?2 is null or p.author_id = ?2) order by r.id desc limit 200",
    )
    .bind(id.0)
    .bind(owner(scope))
    .try_map(|row: SqliteRow| {
        Ok(Revision {
            id: row.try_get("id")?,
            created_at: row.try_get("created_at")?,
            editor: row.try_get("editor")?,
            title: row.try_get("title")?,
            body: row.try_get("body")?,
            excerpt: row.try_get("excerpt")?,
        })
    })
    .fetch_all(pool)
    .await
}

/// Publish history of a post inside `scope`, newest first.
pub async fn publish_history(pool: &SqlitePool, scope: Scope, id: PostId) -> Result<Vec<PublishEvent>, sqlx::Error> {
    sqlx::query(
        "select e.occurred_at, e.actor, e.action from publish_events e join posts p on p.id = e.post_id
         where e.post_id = ?1 and (?2 is null or p.author_id = ?2) order by e.id desc limit 100",
    )
    .bind(id.0)
    .bind(owner(scope))
    .try_map(|row: SqliteRow| {
        Ok(PublishEvent {
            occurred_at: row.try_get("occurred_at")?,
            actor: row.try_get("actor")?,
            action: row.try_get("action")?,
        })
    })
    .fetch_all(pool)
    .await
}

/// People the author picker offers: oneself for an author, every active account otherwise.
pub async fn authors(pool: &SqlitePool, scope: Scope) -> Result<Vec<AuthorOption>, sqlx::Error> {
    sqlx::query("select id, username from users where is_active = 1 and (?1 is null or id = ?1) order by username")
        .bind(owner(scope))
        .try_map(|row: SqliteRow| {
            Ok(AuthorOption { id: UserId(row.try_get("id")?), username: row.try_get("username")? })
        })
        .fetch_all(pool)
        .await
}

/// Overview counts and posts published per week over the last `weeks` weeks, inside `scope`.
pub async fn counts(pool: &SqlitePool, scope: Scope, weeks: i64) -> Result<PostCounts, sqlx::Error> {
    let by_status: Vec<(String, i64)> =
        sqlx::query_as("select status, count(*) from posts where (?1 is null or author_id = ?1) group by status")
            .bind(owner(scope))
            .fetch_all(pool)
            .await?;
    let count = |s: &str| by_status.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n);
    // Weeks start on Monday; `weekday 0` moves to the next Sunday, '-6 days' back to Monday.
    let weekly = sqlx::query_as(
        "with recursive weeks(start, n) as (
             select date('now', 'weekday 0', '-6 days'), 1
             union all select date(start, '-7 days'), n + 1 from weeks where n < ?2
         )
         select w.start, (select count(*) from posts p
                          where p.status = 'published' and (?1 is null or p.author_id = ?1)
                            and p.published_at >= w.start and p.published_at < date(w.start, '+7 days'))
         from weeks w order by w.start",
    )
    .bind(owner(scope))
    .bind(weeks)
    .fetch_all(pool)
    .await?;
    Ok(PostCounts { drafts: count("draft"), in_review: count("review"), published: count("published"), weekly })
}

impl FromRow<'_, SqliteRow> for PublicPost {
    fn from_row(row: &SqliteRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            title: row.try_get("title")?,
            slug: row.try_get("slug")?,
            html: String::new(),
            excerpt: row.try_get("excerpt")?,
            author: row.try_get("author")?,
            category: row.try_get("category")?,
            published_at: row.try_get("published_at")?,
            seo_title: row.try_get("seo_title")?,
            seo_description: row.try_get("seo_description")?,
        })
    }
}

const PUBLIC_COLUMNS: &str = "p.title, p.slug, p.excerpt, u.username as author, c.name as category, p.published_at,
     p.seo_title, p.seo_description, p.body
     from posts p join users u on u.id = p.author_id left join categories c on c.id = p.category_id
     where p.status = 'published'";

/// Published posts, newest first, for the public front page (no body).
pub async fn published(pool: &SqlitePool, page: i64, per_page: i64) -> Result<Page<PublicPost>, sqlx::Error> {
    let total = sqlx::query_scalar("select count(*) from posts where status = 'published'").fetch_one(pool).await?;
    let rows =
        sqlx::query_as(&format!("select {PUBLIC_COLUMNS} order by p.published_at desc, p.id desc limit ? offset ?"))
            .bind(per_page)
            .bind((page - 1) * per_page)
            .fetch_all(pool)
            .await?;
    Ok(Page { rows, total, page, per_page })
}

/// One published post by slug, rendered. Drafts, posts in review and scheduled posts are `None`.
pub async fn published_by_slug(pool: &SqlitePool, slug: &str) -> Result<Option<PublicPost>, sqlx::Error> {
    let row = sqlx::query(&format!("select {PUBLIC_COLUMNS} and p.slug = ?")).bind(slug).fetch_optional(pool).await?;
    let Some(row) = row else { return Ok(None) };
    let body: String = row.try_get("body")?;
    Ok(Some(PublicPost { html: super::markdown::render(&body), ..PublicPost::from_row(&row)? }))
}
