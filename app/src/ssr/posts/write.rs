//! Changes to posts. Each function runs on the caller's transaction (so the audit event written
//! beside it commits or rolls back with it) and carries the scope in its `WHERE` clause.

use super::owner;
use crate::{
    domain::{Actor, PostId, PostInput, PostStatus},
    error::AppError,
    policy::Scope,
};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

/// SQLite's current time in the format every timestamp column uses.
pub const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

fn slug_taken(e: &sqlx::Error) -> bool {
    crate::ssr::db::violates_unique(e, "posts.slug")
}

/// Refuse a category or tag id that does not exist, on its field.
async fn check_terms(conn: &mut SqliteConnection, input: &PostInput) -> Result<(), AppError> {
    if let Some(category) = input.category_id {
        let found: i64 = sqlx::query_scalar("select count(*) from categories where id = ?")
            .bind(category)
            .fetch_one(&mut *conn)
            .await?;
        if found == 0 {
            return Err(AppError::invalid("category_id", "That category does not exist."));
        }
    }
    if !input.tag_ids.is_empty() {
        let mut b = QueryBuilder::<Sqlite>::new("select count(*) from tags where id in (");
        let mut list = b.separated(", ");
        for id in &input.tag_ids {
            list.push_bind(id);
        }
        b.push(")");
        let found: i64 = b.build_query_scalar().fetch_one(&mut *conn).await?;
        if found != input.tag_ids.len() as i64 {
            return Err(AppError::invalid("tags", "One of those tags does not exist."));
        }
    }
    Ok(())
}

async fn set_tags(conn: &mut SqliteConnection, id: PostId, tags: &[i64]) -> Result<(), sqlx::Error> {
    sqlx::query("delete from post_tags where post_id = ?").bind(id.0).execute(&mut *conn).await?;
    for tag in tags {
        sqlx::query("insert into post_tags (post_id, tag_id) values (?, ?)")
            .bind(id.0)
            .bind(tag)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn add_revision(
    conn: &mut SqliteConnection,
    id: PostId,
    editor: &Actor,
    input: &PostInput,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into post_revisions (post_id, editor_id, editor, title, body, excerpt) values (?, ?, ?, ?, ?, ?)",
    )
    .bind(id.0)
    .bind(editor.id.0)
    .bind(&editor.username)
    .bind(&input.title)
    .bind(&input.body)
    .bind(&input.excerpt)
    .execute(conn)
    .await
    .map(drop)
}

/// A new draft by `author`, with its first revision.
pub async fn insert(conn: &mut SqliteConnection, author: &Actor, input: &PostInput) -> Result<PostId, AppError> {
    check_terms(conn, input).await?;
    let done = sqlx::query(
        "insert into posts (title, slug, body, excerpt, category_id, author_id, seo_title, seo_description)
         values (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&input.title)
    .bind(&input.slug)
    .bind(&input.body)
    .bind(&input.excerpt)
    .bind(input.category_id)
    .bind(author.id.0)
    .bind(&input.seo_title)
    .bind(&input.seo_description)
    .execute(&mut *conn)
    .await;
    let id = match done {
        Ok(done) => PostId(done.last_insert_rowid()),
        Err(e) if slug_taken(&e) => return Err(AppError::invalid("slug", "Another post already uses this slug.")),
        Err(e) => return Err(e.into()),
    };
    set_tags(conn, id, &input.tag_ids).await?;
    add_revision(conn, id, author, input).await?;
    Ok(id)
}

/// Save the editable fields of a post inside `scope` and keep a revision. `false`: no such post
/// in scope. Status, author and timestamps other than `updated_at` are not touched here.
pub async fn update(
    conn: &mut SqliteConnection,
    scope: Scope,
    id: PostId,
    editor: &Actor,
    input: &PostInput,
) -> Result<bool, AppError> {
    check_terms(conn, input).await?;
    let done = sqlx::query(&format!(
        "update posts set title = ?1, slug = ?2, body = ?3, excerpt = ?4, category_id = ?5, seo_title = ?6,
                seo_description = ?7, updated_at = {NOW}
         where id = ?8 and (?9 is null or author_id = ?9)"
    ))
    .bind(&input.title)
    .bind(&input.slug)
    .bind(&input.body)
    .bind(&input.excerpt)
    .bind(input.category_id)
    .bind(&input.seo_title)
    .bind(&input.seo_description)
    .bind(id.0)
    .bind(owner(scope))
    .execute(&mut *conn)
    .await;
    match done {
        Ok(done) if done.rows_affected() == 1 => {}
        Ok(_) => return Ok(false),
        Err(e) if slug_taken(&e) => return Err(AppError::invalid("slug", "Another post already uses this slug.")),
        Err(e) => return Err(e.into()),
    }
    set_tags(conn, id, &input.tag_ids).await?;
    add_revision(conn, id, editor, input).await?;
    Ok(true)
}

/// Move posts inside `scope` whose status is one of `from` to `to`, returning the ids changed.
/// Publishing stamps `published_at` and clears any schedule; unpublishing clears `published_at`.
pub async fn set_status(
    conn: &mut SqliteConnection,
    scope: Scope,
    ids: &[PostId],
    from: &[PostStatus],
    to: PostStatus,
) -> Result<Vec<PostId>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut b = QueryBuilder::<Sqlite>::new("update posts set status = ");
    b.push_bind(to.as_str()).push(format_args!(", updated_at = {NOW}"));
    match to {
        PostStatus::Published => b.push(format_args!(", published_at = {NOW}, scheduled_at = null")),
        PostStatus::Draft | PostStatus::Review => b.push(", published_at = null"),
    };
    b.push(" where id in (");
    let mut list = b.separated(", ");
    for id in ids {
        list.push_bind(id.0);
    }
    b.push(") and status in (");
    let mut list = b.separated(", ");
    for s in from {
        list.push_bind(s.as_str());
    }
    b.push(")");
    if let Some(author) = owner(scope) {
        b.push(" and author_id = ").push_bind(author); // ownership in the WHERE clause
    }
    b.push(" returning id");
    let changed: Vec<i64> = b.build_query_scalar().fetch_all(conn).await?;
    Ok(changed.into_iter().map(PostId).collect())
}

/// Set or clear (`None`) the time an unpublished post inside `scope` publishes itself.
pub async fn schedule(
    conn: &mut SqliteConnection,
    scope: Scope,
    id: PostId,
    at: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(&format!(
        "update posts set scheduled_at = ?1, updated_at = {NOW}
         where id = ?2 and status != 'published' and (?3 is null or author_id = ?3)"
    ))
    .bind(at)
    .bind(id.0)
    .bind(owner(scope))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Delete posts inside `scope` whose status is one of `statuses`. Returns the ids deleted.
pub async fn delete(
    conn: &mut SqliteConnection,
    scope: Scope,
    ids: &[PostId],
    statuses: &[PostStatus],
) -> Result<Vec<PostId>, sqlx::Error> {
    if ids.is_empty() || statuses.is_empty() {
        return Ok(vec![]);
    }
    let mut b = QueryBuilder::<Sqlite>::new("delete from posts where id in (");
    let mut list = b.separated(", ");
    for id in ids {
        list.push_bind(id.0);
    }
    b.push(")");
    if let Some(author) = owner(scope) {
        b.push(" and author_id = ").push_bind(author); // ownership in the WHERE clause
    }
    b.push(" and status in (");
    let mut list = b.separated(", ");
    for s in statuses {
        list.push_bind(s.as_str());
    }
    b.push(") returning id");
    let deleted: Vec<i64> = b.build_query_scalar().fetch_all(conn).await?;
    Ok(deleted.into_iter().map(PostId).collect())
}

/// Record a publish, unpublish or schedule in the post's history.
pub async fn record_publish_event(
    conn: &mut SqliteConnection,
    id: PostId,
    actor: &str,
    action: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("insert into publish_events (post_id, actor, action) values (?, ?, ?)")
        .bind(id.0)
        .bind(actor)
        .bind(action)
        .execute(conn)
        .await
        .map(drop)
}

/// Copy a revision's text back into its post (inside `scope`) and keep that as a new revision.
pub async fn restore(
    conn: &mut SqliteConnection,
    scope: Scope,
    id: PostId,
    revision: i64,
    editor: &Actor,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(&format!(
        "update posts set (title, body, excerpt) = (select title, body, excerpt from post_revisions where id = ?1 and post_id = ?2),
                updated_at = {NOW}
         where id = ?2 and (?3 is null or author_id = ?3)
           and exists (select 1 from post_revisions where id = ?1 and post_id = ?2)"
    ))
    .bind(revision)
    .bind(id.0)
    .bind(owner(scope))
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(
        "insert into post_revisions (post_id, editor_id, editor, title, body, excerpt)
         select post_id, ?, ?, title, body, excerpt from post_revisions where id = ?",
    )
    .bind(editor.id.0)
    .bind(&editor.username)
    .bind(revision)
    .execute(conn)
    .await?;
    Ok(true)
}

/// Posts whose scheduled time has come and that are still in review, oldest schedule first.
/// Only review qualifies: a schedule is an editor's approval of the text in review, and every
/// change that leaves review or alters an author's text clears it (see `policy::keeps_schedule`).
pub async fn due_for_publishing(conn: &mut SqliteConnection) -> Result<Vec<PostId>, sqlx::Error> {
    sqlx::query_scalar(&format!(
        "select id from posts where scheduled_at is not null and scheduled_at <= {NOW} and status = 'review'
         order by scheduled_at"
    ))
    .fetch_all(conn)
    .await
}
