//! Changes to posts. Each function runs on the caller's transaction (so the audit event written
//! beside it commits or rolls back with it) and carries the scope in its `WHERE` clause.

use super::owner;
use crate::{
    domain::{Actor, PostId, PostInput, PostStatus},
    error::AppError,
    on_db,
    policy::Scope,
    ssr::db::{Conn, IdList, Stamp},
};

fn slug_taken(e: &sqlx::Error) -> bool {
    crate::ssr::db::violates_unique(e, "posts.slug")
}

fn slug_error(e: sqlx::Error) -> AppError {
    if slug_taken(&e) {
        AppError::invalid("slug", "Another post already uses this slug.")
    } else {
        e.into()
    }
}

/// Refuse a category or tag id that does not exist, on its field.
async fn check_terms(conn: &mut Conn, input: &PostInput) -> Result<(), AppError> {
    let sql = format!(
        "select (select count(*) from categories where id = $1), (select count(*) from tags where {})",
        IdList::matches(conn.backend(), "id", 2)
    );
    let (categories, tags): (i64, i64) = on_db!(conn, |conn| {
        sqlx::query_as(&sql).bind(input.category_id).bind(IdList(input.tag_ids.clone())).fetch_one(conn).await?
    });
    if input.category_id.is_some() && categories == 0 {
        return Err(AppError::invalid("category_id", "That category does not exist."));
    }
    if tags != input.tag_ids.len() as i64 {
        return Err(AppError::invalid("tags", "One of those tags does not exist."));
    }
    Ok(())
}

async fn set_tags(conn: &mut Conn, id: PostId, tags: &[i64]) -> Result<(), sqlx::Error> {
    on_db!(conn, |conn| {
        sqlx::query("delete from post_tags where post_id = $1").bind(id.0).execute(&mut *conn).await?;
        for tag in tags {
            sqlx::query("insert into post_tags (post_id, tag_id) values ($1, $2)")
                .bind(id.0)
                .bind(tag)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    })
}

/// Keep the text of a save as a revision.
async fn add_revision(conn: &mut Conn, id: PostId, editor: &Actor, input: &PostInput) -> Result<(), sqlx::Error> {
    on_db!(conn, |conn| {
        sqlx::query(
            "insert into post_revisions (post_id, editor_id, editor, title, body, excerpt, created_at)
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id.0)
        .bind(editor.id.0)
        .bind(&editor.username)
        .bind(&input.title)
        .bind(&input.body)
        .bind(&input.excerpt)
        .bind(Stamp::now())
        .execute(conn)
        .await
        .map(drop)
    })
}

/// A new draft by `author`, with its first revision.
pub async fn insert(conn: &mut Conn, author: &Actor, input: &PostInput) -> Result<PostId, AppError> {
    check_terms(conn, input).await?;
    let now = Stamp::now();
    let id: i64 = on_db!(conn, |conn| {
        sqlx::query_scalar(
            "insert into posts (title, slug, body, excerpt, category_id, author_id, seo_title, seo_description,
                                created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) returning id",
        )
        .bind(&input.title)
        .bind(&input.slug)
        .bind(&input.body)
        .bind(&input.excerpt)
        .bind(input.category_id)
        .bind(author.id.0)
        .bind(&input.seo_title)
        .bind(&input.seo_description)
        .bind(now)
        .fetch_one(conn)
        .await
        .map_err(slug_error)?
    });
    let id = PostId(id);
    set_tags(conn, id, &input.tag_ids).await?;
    add_revision(conn, id, author, input).await?;
    Ok(id)
}

/// Save the editable fields of a post inside `scope` and keep a revision. `false`: no such post
/// in scope. Status, author and timestamps other than `updated_at` are not touched here.
pub async fn update(
    conn: &mut Conn,
    scope: Scope,
    id: PostId,
    editor: &Actor,
    input: &PostInput,
) -> Result<bool, AppError> {
    check_terms(conn, input).await?;
    let done = on_db!(conn, |conn| {
        sqlx::query(
            "update posts set title = $1, slug = $2, body = $3, excerpt = $4, category_id = $5, seo_title = $6,
                    seo_description = $7, updated_at = $10
             where id = $8 and ($9 is null or author_id = $9)",
        )
        .bind(&input.title)
        .bind(&input.slug)
        .bind(&input.body)
        .bind(&input.excerpt)
        .bind(input.category_id)
        .bind(&input.seo_title)
        .bind(&input.seo_description)
        .bind(id.0)
        .bind(owner(scope))
        .bind(Stamp::now())
        .execute(conn)
        .await
        .map_err(slug_error)?
        .rows_affected()
    });
    if done != 1 {
        return Ok(false);
    }
    set_tags(conn, id, &input.tag_ids).await?;
    add_revision(conn, id, editor, input).await?;
    Ok(true)
}

/// `status in ('a', 'b')` from the enum's own names (never from input).
fn status_in(statuses: &[PostStatus]) -> String {
    let names: Vec<String> = statuses.iter().map(|s| format!("'{}'", s.as_str())).collect();
    format!("status in ({})", names.join(", "))
}

/// Move posts inside `scope` whose status is one of `from` to `to`, returning the ids changed.
/// Publishing stamps `published_at` and clears any schedule; unpublishing clears `published_at`.
/// The status condition is in the `UPDATE` itself, so of two concurrent publishes of one post
/// only the first changes it (PostgreSQL re-checks the condition after the row lock).
pub async fn set_status(
    conn: &mut Conn,
    scope: Scope,
    ids: &[PostId],
    from: &[PostStatus],
    to: PostStatus,
) -> Result<Vec<PostId>, sqlx::Error> {
    if ids.is_empty() || from.is_empty() {
        return Ok(vec![]);
    }
    let published = match to {
        PostStatus::Published => "published_at = $2, scheduled_at = null",
        PostStatus::Draft | PostStatus::Review => "published_at = null",
    };
    let sql = format!(
        "update posts set status = $1, updated_at = $2, {published}
         where {} and {} and ($4 is null or author_id = $4)
         returning id",
        IdList::matches(conn.backend(), "id", 3),
        status_in(from),
    );
    let list = IdList(ids.iter().map(|id| id.0).collect());
    let changed: Vec<i64> = on_db!(conn, |conn| {
        sqlx::query_scalar(&sql)
            .bind(to.as_str())
            .bind(Stamp::now())
            .bind(list)
            .bind(owner(scope))
            .fetch_all(conn)
            .await?
    });
    Ok(changed.into_iter().map(PostId).collect())
}

/// Set or clear (`None`) the time an unpublished post inside `scope` publishes itself.
pub async fn schedule(conn: &mut Conn, scope: Scope, id: PostId, at: Option<Stamp>) -> Result<bool, sqlx::Error> {
    on_db!(conn, |conn| {
        let done = sqlx::query(
            "update posts set scheduled_at = $1, updated_at = $4
             where id = $2 and status != 'published' and ($3 is null or author_id = $3)",
        )
        .bind(at)
        .bind(id.0)
        .bind(owner(scope))
        .bind(Stamp::now())
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Delete posts inside `scope` whose status is one of `statuses`. Returns the ids deleted.
pub async fn delete(
    conn: &mut Conn,
    scope: Scope,
    ids: &[PostId],
    statuses: &[PostStatus],
) -> Result<Vec<PostId>, sqlx::Error> {
    if ids.is_empty() || statuses.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "delete from posts where {} and ($2 is null or author_id = $2) and {} returning id",
        IdList::matches(conn.backend(), "id", 1),
        status_in(statuses),
    );
    let list = IdList(ids.iter().map(|id| id.0).collect());
    let deleted: Vec<i64> =
        on_db!(conn, |conn| sqlx::query_scalar(&sql).bind(list).bind(owner(scope)).fetch_all(conn).await?);
    Ok(deleted.into_iter().map(PostId).collect())
}

/// Record a publish, unpublish or schedule in the post's history.
pub async fn record_publish_event(conn: &mut Conn, id: PostId, actor: &str, action: &str) -> Result<(), sqlx::Error> {
    on_db!(conn, |conn| {
        sqlx::query("insert into publish_events (post_id, actor, action, occurred_at) values ($1, $2, $3, $4)")
            .bind(id.0)
            .bind(actor)
            .bind(action)
            .bind(Stamp::now())
            .execute(conn)
            .await
            .map(drop)
    })
}

/// Copy a revision's text back into its post (inside `scope`) and keep that as a new revision.
pub async fn restore(
    conn: &mut Conn,
    scope: Scope,
    id: PostId,
    revision: i64,
    editor: &Actor,
) -> Result<bool, sqlx::Error> {
    let now = Stamp::now();
    on_db!(conn, |conn| {
        let done = sqlx::query(
            "update posts set (title, body, excerpt) = (select title, body, excerpt from post_revisions
                                                         where id = $1 and post_id = $2),
                    updated_at = $4
             where id = $2 and ($3 is null or author_id = $3)
               and exists (select 1 from post_revisions where id = $1 and post_id = $2)",
        )
        .bind(revision)
        .bind(id.0)
        .bind(owner(scope))
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(
            "insert into post_revisions (post_id, editor_id, editor, title, body, excerpt, created_at)
             select post_id, $1, $2, title, body, excerpt, $4 from post_revisions where id = $3",
        )
        .bind(editor.id.0)
        .bind(&editor.username)
        .bind(revision)
        .bind(now)
        .execute(conn)
        .await?;
        Ok(true)
    })
}

/// Posts whose scheduled time has come and that are still in review, oldest schedule first.
/// Only review qualifies: a schedule is an editor's approval of the text in review, and every
/// change that leaves review or alters an author's text clears it (see `policy::keeps_schedule`).
///
/// On PostgreSQL the rows stay locked until the caller commits and rows another instance holds
/// are skipped, so when every instance runs the scheduler each post is still published once.
pub async fn due_for_publishing(conn: &mut Conn) -> Result<Vec<PostId>, sqlx::Error> {
    let lock = if conn.backend() == crate::ssr::db::Backend::Postgres { " for update skip locked" } else { "" };
    let sql = format!(
        "select id from posts where scheduled_at is not null and scheduled_at <= $1 and status = 'review'
         order by scheduled_at{lock}"
    );
    let ids: Vec<i64> = on_db!(conn, |conn| sqlx::query_scalar(&sql).bind(Stamp::now()).fetch_all(conn).await?);
    Ok(ids.into_iter().map(PostId).collect())
}
