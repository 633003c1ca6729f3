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
    policy::{PostFacts, Scope},
};
use sqlx::{FromRow, QueryBuilder, Sqlite, SqliteConnection, SqlitePool};

/// The author id a scope restricts to, bound as `?` in `(? is null or p.author_id = ?)`.
pub(crate) fn owner(scope: Scope) -> Option<i64> {
    match scope {
        Scope::All => None,
        Scope::OwnedBy(user) => Some(user.0),
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
    let post: Option<PostDetail> = sqlx::query_as(
        "select p.*, u.username as author from posts p join users u on u.id = p.author_id
         where p.id = ?1 and (?2 is null or p.author_id = ?2)",
    )
    .bind(id.0)
    .bind(owner(scope))
    .fetch_optional(&mut *conn)
    .await?;
    let Some(post) = post else { return Ok(None) };
    let tag_ids = sqlx::query_scalar("select tag_id from post_tags where post_id = ? order by tag_id")
        .bind(id.0)
        .fetch_all(&mut *conn)
        .await?;
    Ok(Some(PostDetail { tag_ids, ..post }))
}

/// What the policy and the workflow need to know about one post inside `scope`, or `None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PostState {
    pub facts: PostFacts,
    /// A publication time is set.
    pub scheduled: bool,
}

pub async fn state_of(conn: &mut SqliteConnection, scope: Scope, id: PostId) -> Result<Option<PostState>, sqlx::Error> {
    let row: Option<(i64, PostStatus, bool)> = sqlx::query_as(
        "select author_id, status, scheduled_at is not null from posts where id = ?1 and (?2 is null or author_id = ?2)",
    )
    .bind(id.0)
    .bind(owner(scope))
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(author, status, scheduled)| PostState {
        facts: PostFacts { author: UserId(author), status },
        scheduled,
    }))
}

/// Saved versions of a post inside `scope`, newest first.
pub async fn revisions(pool: &SqlitePool, scope: Scope, id: PostId) -> Result<Vec<Revision>, sqlx::Error> {
    sqlx::query_as(
        "select r.id, r.created_at, r.editor, r.title, r.body, r.excerpt from post_revisions r
         join posts p on p.id = r.post_id
         where r.post_id = ?1 and (?2 is null or p.author_id = ?2) order by r.id desc limit 200",
    )
    .bind(id.0)
    .bind(owner(scope))
    .fetch_all(pool)
    .await
}

/// Publish history of a post inside `scope`, newest first.
pub async fn publish_history(pool: &SqlitePool, scope: Scope, id: PostId) -> Result<Vec<PublishEvent>, sqlx::Error> {
    sqlx::query_as(
        "select e.occurred_at, e.actor, e.action from publish_events e join posts p on p.id = e.post_id
         where e.post_id = ?1 and (?2 is null or p.author_id = ?2) order by e.id desc limit 100",
    )
    .bind(id.0)
    .bind(owner(scope))
    .fetch_all(pool)
    .await
}

/// People the author picker offers: oneself for an author, every active account otherwise.
pub async fn authors(pool: &SqlitePool, scope: Scope) -> Result<Vec<AuthorOption>, sqlx::Error> {
    sqlx::query_as("select id, username from users where is_active = 1 and (?1 is null or id = ?1) order by username")
        .bind(owner(scope))
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
    #[derive(FromRow)]
    struct WithBody {
        #[sqlx(flatten)]
        post: PublicPost,
        body: String,
    }
    let row: Option<WithBody> =
        sqlx::query_as(&format!("select {PUBLIC_COLUMNS} and p.slug = ?")).bind(slug).fetch_optional(pool).await?;
    Ok(row.map(|WithBody { post, body }| PublicPost { html: super::markdown::render(&body), ..post }))
}
