//! Data access for posts. Every query that reads or changes a staff-visible post takes the
//! policy's [`Scope`] and puts it into its `WHERE` clause: an author's scope is their own posts,
//! so a foreign id simply matches no row and the caller answers 404.

mod write;

pub use write::*;

use crate::ssr::db::{json_rows, last_weeks, weekly_counts_sql, Backend, Conn, Pool, Rows, Stamp};
use crate::{
    domain::{
        AuthorOption, Page, PostCounts, PostDetail, PostFilter, PostId, PostPast, PostPickers, PostRow, PostSort,
        PostStatus, PublicPost, PublishEvent, Revision, TermOption, UserId,
    },
    policy::{PostFacts, Scope},
};
use sqlx::{Database, FromRow, QueryBuilder};

/// The author id a scope restricts to, bound as `?` in `(? is null or p.author_id = ?)`.
pub(crate) fn owner(scope: Scope) -> Option<i64> {
    match scope {
        Scope::All => None,
        Scope::OwnedBy(user) => Some(user.0),
    }
}

/// A [`PostRow`]'s columns, named as its fields, from the tables they come from.
const ROW_COLUMNS: &str = "p.id, p.title, p.slug, p.status, u.username as author, c.name as category,
     p.updated_at, p.published_at, p.scheduled_at
     from posts p join users u on u.id = p.author_id left join categories c on c.id = p.category_id";

/// `where …` for the list and the export: the scope first, then the filters.
fn push_filters<'a, DB: Database>(b: &mut QueryBuilder<'a, DB>, scope: Scope, f: &PostFilter)
where
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    // No `where` at all without a condition: SQLite counts a whole table from its b-tree pages
    // only when the count has no `where` (about 40 times faster at 10,000 posts).
    let mut clause = " where ";
    let mut and = |b: &mut QueryBuilder<'a, DB>, sql: &str| {
        b.push(clause).push(sql);
        clause = " and ";
    };
    if let Some(author) = owner(scope) {
        and(b, "p.author_id = ");
        b.push_bind(author); // ownership, not a post-filter
    }
    if let Some(status) = f.status.as_deref().and_then(PostStatus::parse) {
        and(b, "p.status = ");
        b.push_bind(status.as_str().to_owned());
    }
    if let Some(author) = f.author {
        and(b, "p.author_id = ");
        b.push_bind(author);
    }
    if let Some(category) = f.category {
        and(b, "p.category_id = ");
        b.push_bind(category);
    }
    if let Some(tag) = f.tag {
        and(b, "exists (select 1 from post_tags pt where pt.post_id = p.id and pt.tag_id = ");
        b.push_bind(tag).push(")");
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        and(b, "");
        crate::ssr::db::push_contains(b, &["p.title", "p.body"], q);
    }
}

fn push_order<DB: Database>(b: &mut QueryBuilder<'_, DB>, f: &PostFilter) {
    let column = match f.sort.as_deref().and_then(PostSort::parse).unwrap_or(PostSort::Updated) {
        PostSort::Title => "lower(p.title)",
        PostSort::Author => "u.username",
        PostSort::Status => "p.status",
        PostSort::Category => "lower(c.name)",
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
    pool: &Pool,
    scope: Scope,
    f: &PostFilter,
    page: i64,
    per_page: i64,
) -> Result<Page<PostRow>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    crate::on_db!(&mut conn, |conn| {
        let mut b = conn.counted_rows_query::<PostRow>(|count| {
            count.push("select count(*) from posts p");
            push_filters(count, scope, f);
        });
        b.push(ROW_COLUMNS);
        push_filters(&mut b, scope, f);
        push_order(&mut b, f);
        b.push(" limit ").push_bind(per_page).push(" offset ").push_bind((page - 1) * per_page);
        let (total, rows) = conn.fetch_counted_rows(b).await?;
        Ok(Page { rows, total, page, per_page })
    })
}

/// Every row the list would show across all its pages (for CSV export), capped.
pub async fn list_all(pool: &Pool, scope: Scope, f: &PostFilter, cap: i64) -> Result<Vec<PostRow>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    crate::on_db!(&mut conn, |conn| {
        let mut b = conn.rows_query::<PostRow>();
        b.push(ROW_COLUMNS);
        push_filters(&mut b, scope, f);
        push_order(&mut b, f);
        b.push(" limit ").push_bind(cap);
        conn.fetch_rows(b).await
    })
}

/// One post inside `scope`, or `None` (missing and foreign look the same), with its tags, in
/// one statement.
pub async fn get(conn: &mut Conn, scope: Scope, id: PostId) -> Result<Option<PostDetail>, sqlx::Error> {
    #[derive(FromRow)]
    struct WithTags {
        #[sqlx(flatten)]
        post: PostDetail,
        /// Tag ids in order, comma-separated (both backends' `string_agg`).
        tag_list: String,
    }
    crate::on_db!(conn, |conn| {
        let row: Option<WithTags> = sqlx::query_as(
            "select p.*, u.username as author,
                 (select coalesce(string_agg(cast(tag_id as text), ',' order by tag_id), '')
                  from post_tags where post_id = p.id) as tag_list
             from posts p join users u on u.id = p.author_id
             where p.id = $1 and ($2 is null or p.author_id = $2)",
        )
        .bind(id.0)
        .bind(owner(scope))
        .fetch_optional(&mut *conn)
        .await?;
        let Some(WithTags { post, tag_list }) = row else { return Ok(None) };
        let tag_ids = tag_list
            .split(',')
            .filter(|t| !t.is_empty())
            .map(|t| t.parse().map_err(|e| sqlx::Error::Decode(Box::new(e))))
            .collect::<Result<_, _>>()?;
        Ok(Some(PostDetail { tag_ids, ..post }))
    })
}

/// What the policy and the workflow need to know about one post inside `scope`, or `None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PostState {
    pub facts: PostFacts,
    /// A publication time is set.
    pub scheduled: bool,
}

pub async fn state_of(conn: &mut Conn, scope: Scope, id: PostId) -> Result<Option<PostState>, sqlx::Error> {
    // On PostgreSQL the row stays locked until the transaction ends, so the policy's decision
    // and the change it allows see the same post (SQLite's `BEGIN IMMEDIATE` does this there).
    let lock = if conn.backend() == Backend::Postgres { " for update" } else { "" };
    let sql = format!(
        "select author_id, status, scheduled_at is not null from posts where id = $1 and ($2 is null or author_id = $2){lock}"
    );
    crate::on_db!(conn, |conn| {
        let row: Option<(i64, PostStatus, bool)> =
            sqlx::query_as(&sql).bind(id.0).bind(owner(scope)).fetch_optional(conn).await?;
        Ok(row.map(|(author, status, scheduled)| PostState {
            facts: PostFacts { author: UserId(author), status },
            scheduled,
        }))
    })
}

/// A post inside `scope` as the policy needs to know it, with its past (saved versions and
/// publish history, newest first, as [`revisions`] and [`publish_history`] read them), or
/// `None` when the post is missing or outside `scope`. On SQLite this is one statement: the
/// post's row, scoped in its `WHERE`, carries both lists as JSON arrays (see [`Rows`]), so the
/// editor page's past costs one round trip to the connection's thread instead of three. The
/// lists are read by the post's id only where the scoped row exists, so a foreign post yields
/// no row and nothing of its past.
pub async fn past(conn: &mut Conn, scope: Scope, id: PostId) -> Result<Option<(PostState, PostPast)>, sqlx::Error> {
    let Conn::Sqlite(handle) = conn else {
        let Some(state) = state_of(conn, scope, id).await? else { return Ok(None) };
        let revisions = revisions(conn, scope, id).await?;
        let published = publish_history(conn, scope, id).await?;
        return Ok(Some((state, PostPast { revisions, published })));
    };
    let sql = format!(
        "select p.author_id, p.status, p.scheduled_at is not null,
           (select {} from (select r.id, r.created_at, r.editor, r.title, r.body, r.excerpt from post_revisions r
              where r.post_id = $1 order by r.id desc limit 200)),
           (select {} from (select e.occurred_at, e.actor, e.action from publish_events e
              where e.post_id = $1 order by e.id desc limit 100))
         from posts p where p.id = $1 and ($2 is null or p.author_id = $2)",
        json_rows::<Revision>(),
        json_rows::<PublishEvent>()
    );
    let row: Option<(i64, PostStatus, bool, String, String)> =
        sqlx::query_as(&sql).bind(id.0).bind(owner(scope)).fetch_optional(&mut **handle).await?;
    let Some((author, status, scheduled, revisions, published)) = row else { return Ok(None) };
    let decode = |e: serde_json::Error| sqlx::Error::Decode(Box::new(e));
    let past = PostPast {
        revisions: serde_json::from_str(&revisions).map_err(decode)?,
        published: serde_json::from_str(&published).map_err(decode)?,
    };
    Ok(Some((PostState { facts: PostFacts { author: UserId(author), status }, scheduled }, past)))
}

/// Saved versions of a post inside `scope`, newest first.
pub async fn revisions(conn: &mut Conn, scope: Scope, id: PostId) -> Result<Vec<Revision>, sqlx::Error> {
    crate::on_db!(conn, |conn| {
        sqlx::query_as(
            "select r.id, r.created_at, r.editor, r.title, r.body, r.excerpt from post_revisions r
             join posts p on p.id = r.post_id
             where r.post_id = $1 and ($2 is null or p.author_id = $2) order by r.id desc limit 200",
        )
        .bind(id.0)
        .bind(owner(scope))
        .fetch_all(&mut *conn)
        .await
    })
}

/// Publish history of a post inside `scope`, newest first.
pub async fn publish_history(conn: &mut Conn, scope: Scope, id: PostId) -> Result<Vec<PublishEvent>, sqlx::Error> {
    crate::on_db!(conn, |conn| {
        sqlx::query_as(
            "select e.occurred_at, e.actor, e.action from publish_events e join posts p on p.id = e.post_id
             where e.post_id = $1 and ($2 is null or p.author_id = $2) order by e.id desc limit 100",
        )
        .bind(id.0)
        .bind(owner(scope))
        .fetch_all(&mut *conn)
        .await
    })
}

/// The post pickers' options as someone who sees every post sees them: every active account,
/// category and tag. Read from the database at most once per [`PickerCache::FRESH`] and
/// forgotten at once when this process changes a category, a tag or who is active
/// ([`PickerCache::forget`]); a change made elsewhere (the command line, another instance)
/// shows within [`PickerCache::FRESH`]. A fill that raced a change is not kept.
#[derive(Clone, Debug, Default)]
pub struct PickerCache(std::sync::Arc<std::sync::Mutex<Kept>>);

#[derive(Debug, Default)]
struct Kept {
    options: Option<(std::time::Instant, PostPickers)>,
    changes: u64,
}

impl PickerCache {
    pub const FRESH: std::time::Duration = std::time::Duration::from_secs(2);

    fn kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Categories, tags or active accounts changed: the next picker reads them again.
    pub fn forget(&self) {
        let mut kept = self.kept();
        kept.changes += 1;
        kept.options = None;
    }
}

/// Everything the post pickers offer `actor`, whose post scope is `scope`: the author picker's
/// people (an author: only themselves; otherwise every active account, by username), then every
/// category and every tag by name.
pub async fn pickers(
    pool: &Pool,
    cache: &PickerCache,
    actor: &crate::domain::Actor,
    scope: Scope,
) -> Result<PostPickers, sqlx::Error> {
    let kept = {
        let kept = cache.kept();
        match &kept.options {
            Some((at, options)) if at.elapsed() < PickerCache::FRESH => Ok(options.clone()),
            _ => Err(kept.changes),
        }
    };
    let all = match kept {
        Ok(options) => options,
        Err(changes) => {
            let options = all_pickers(pool).await?;
            let mut kept = cache.kept();
            if kept.changes == changes {
                kept.options = Some((std::time::Instant::now(), options.clone()));
            }
            options
        }
    };
    Ok(match scope {
        Scope::All => all,
        // The one account an author's scope holds is their own, active as they are signed in.
        Scope::OwnedBy(me) => {
            debug_assert_eq!(me, actor.id, "a post scope is the actor's own");
            PostPickers { authors: vec![AuthorOption { id: actor.id, username: actor.username.clone() }], ..all }
        }
    })
}

/// Every active account, category and tag, in one statement.
async fn all_pickers(pool: &Pool) -> Result<PostPickers, sqlx::Error> {
    const AUTHORS: i64 = 0;
    const CATEGORIES: i64 = 1;
    #[derive(serde::Deserialize, FromRow)]
    struct PickerOption {
        kind: i64,
        id: i64,
        name: String,
    }
    let mut conn = pool.acquire().await?;
    let rows: Vec<PickerOption> = crate::on_db!(&mut conn, |conn| {
        let mut b = conn.rows_query::<PickerOption>();
        b.push(
            "kind, id, name from (
                 select cast(0 as bigint) as kind, id, username as name, username as sort_key from users
                 where is_active
               union all select cast(1 as bigint), id, name, lower(name) from categories
               union all select cast(2 as bigint), id, name, lower(name) from tags
             ) options order by kind, sort_key, id",
        );
        conn.fetch_rows(b).await
    })?;
    let mut pickers = PostPickers::default();
    for PickerOption { kind, id, name } in rows {
        match kind {
            AUTHORS => pickers.authors.push(AuthorOption { id: UserId(id), username: name }),
            CATEGORIES => pickers.categories.push(TermOption { id, name }),
            _ => pickers.tags.push(TermOption { id, name }),
        }
    }
    Ok(pickers)
}

/// People the author picker offers: oneself for an author, every active account otherwise.
pub async fn authors(pool: &Pool, scope: Scope) -> Result<Vec<AuthorOption>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    crate::on_db!(&mut conn, |conn| {
        sqlx::query_as("select id, username from users where is_active and ($1 is null or id = $1) order by username")
            .bind(owner(scope))
            .fetch_all(&mut *conn)
            .await
    })
}

/// Overview counts and posts published per week over the last `weeks` weeks, inside `scope`.
pub async fn counts(pool: &Pool, scope: Scope, weeks: i64) -> Result<PostCounts, sqlx::Error> {
    let weeks = last_weeks(weeks);
    let from_where = "from posts where status = 'published' and ($1 is null or author_id = $1)";
    let weekly_sql = weekly_counts_sql(from_where, "published_at", 2, weeks.len());
    let mut conn = pool.acquire().await?;
    let (by_status, per_week) = crate::on_db!(&mut conn, |conn| {
        let by_status: Vec<(String, i64)> =
            sqlx::query_as("select status, count(*) from posts where ($1 is null or author_id = $1) group by status")
                .bind(owner(scope))
                .fetch_all(&mut *conn)
                .await?;
        let mut query = sqlx::query_as(&weekly_sql).bind(owner(scope));
        for (_, from, to) in &weeks {
            query = query.bind(*from).bind(*to);
        }
        let per_week: Vec<(i64, i64)> = query.fetch_all(&mut *conn).await?;
        (by_status, per_week)
    });
    let count = |s: &str| by_status.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n);
    Ok(PostCounts {
        drafts: count("draft"),
        in_review: count("review"),
        published: count("published"),
        weekly: label_weeks(&weeks, &per_week),
    })
}

/// Pair each week's label with its count from a [`weekly_counts_sql`] result.
pub(crate) fn label_weeks(weeks: &[(String, Stamp, Stamp)], counts: &[(i64, i64)]) -> Vec<(String, i64)> {
    weeks
        .iter()
        .enumerate()
        .map(|(i, (label, _, _))| {
            (label.clone(), counts.iter().find(|(week, _)| *week == i as i64).map_or(0, |(_, n)| *n))
        })
        .collect()
}

const PUBLIC_COLUMNS: &str = "p.title, p.slug, p.excerpt, u.username as author, c.name as category, p.published_at,
     p.seo_title, p.seo_description, p.body
     from posts p join users u on u.id = p.author_id left join categories c on c.id = p.category_id
     where p.status = 'published'";

/// Published posts, newest first, for the public front page (no body).
pub async fn published(pool: &Pool, page: i64, per_page: i64) -> Result<Page<PublicPost>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    crate::on_db!(&mut conn, |conn| {
        let total =
            sqlx::query_scalar("select count(*) from posts where status = 'published'").fetch_one(&mut *conn).await?;
        let rows = sqlx::query_as(&format!(
            "select {PUBLIC_COLUMNS} order by p.published_at desc, p.id desc limit $1 offset $2"
        ))
        .bind(per_page)
        .bind((page - 1) * per_page)
        .fetch_all(&mut *conn)
        .await?;
        Ok(Page { rows, total, page, per_page })
    })
}

/// One published post by slug, rendered. Drafts, posts in review and scheduled posts are `None`.
pub async fn published_by_slug(pool: &Pool, slug: &str) -> Result<Option<PublicPost>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    crate::on_db!(&mut conn, |conn| {
        #[derive(FromRow)]
        struct WithBody {
            #[sqlx(flatten)]
            post: PublicPost,
            body: String,
        }
        let row: Option<WithBody> = sqlx::query_as(&format!("select {PUBLIC_COLUMNS} and p.slug = $1"))
            .bind(slug)
            .fetch_optional(&mut *conn)
            .await?;
        Ok(row.map(|WithBody { post, body }| PublicPost { html: super::markdown::render(&body), ..post }))
    })
}
