//! A post's past: saved revisions, publish history, restoring a revision.

use crate::{
    domain::{PostEditor, PublishEvent, Revision},
    error::AppError,
};
use leptos::prelude::*;

/// The caller's view scope, once the post is known to be inside it (else `NotFound`), with the
/// connection that asked, for the query that follows (one connection, not two, per request).
#[cfg(feature = "ssr")]
async fn viewable(id: i64) -> Result<(crate::policy::Scope, crate::ssr::db::Conn), AppError> {
    use crate::{
        domain::PostId,
        policy::PostAction,
        ssr::{auth, context},
    };
    let actor = auth::current_actor().await?;
    let mut conn = context()?.pool.acquire().await?;
    let (scope, _) = super::access::authorize(&mut conn, &actor, PostAction::View, PostId(id)).await?;
    Ok((scope, conn))
}

/// Saved versions of a post, newest first. Authors: own posts only.
#[server(prefix = "/admin/api", endpoint = "posts/revisions")]
pub async fn list_revisions(id: i64) -> Result<Vec<Revision>, AppError> {
    let (scope, mut conn) = viewable(id).await?;
    Ok(crate::ssr::posts::revisions(&mut conn, scope, crate::domain::PostId(id)).await?)
}

/// Who published and unpublished a post, and when. Authors: own posts only.
#[server(prefix = "/admin/api", endpoint = "posts/history")]
pub async fn publish_history(id: i64) -> Result<Vec<PublishEvent>, AppError> {
    let (scope, mut conn) = viewable(id).await?;
    Ok(crate::ssr::posts::publish_history(&mut conn, scope, crate::domain::PostId(id)).await?)
}

/// The editor page's data in one call: the post and its past (both of the above), read on one
/// connection, the past in one statement on SQLite. Authors: own posts only (others answer
/// 404, like a missing post).
#[server(prefix = "/admin/api", endpoint = "posts/editor")]
pub async fn fetch_post_editor(id: i64) -> Result<PostEditor, AppError> {
    use crate::{
        domain::PostId,
        policy::{post_access, post_scope, PostAction},
        ssr::{auth, context, posts},
    };
    let actor = auth::current_actor().await?;
    let scope = post_scope(&actor, PostAction::View)?;
    let mut conn = context()?.pool.acquire().await?;
    let (state, past) = posts::past(&mut conn, scope, PostId(id)).await?.unzip();
    post_access(&actor, PostAction::View, state.map(|s| s.facts))?;
    let past = past.ok_or(AppError::NotFound)?;
    let post = posts::get(&mut conn, scope, PostId(id)).await?.ok_or(AppError::NotFound)?;
    Ok(PostEditor { post, past })
}

/// Put a saved version's title, body and excerpt back. Same rule as editing the post,
/// including the cancelled schedule when an author restores.
#[server(prefix = "/admin/api", endpoint = "posts/restore")]
pub async fn restore_revision(id: i64, revision_id: i64) -> Result<(), AppError> {
    use crate::{
        domain::{AuditAction, PostId},
        policy::PostAction,
        ssr::{audit, auth, context, posts},
    };
    let actor = auth::current_actor().await?;
    let id = PostId(id);
    let mut tx = context()?.pool.begin_write().await?;
    let (scope, state) = super::access::authorize(&mut tx, &actor, PostAction::Edit, id).await?;
    if !posts::restore(&mut tx, scope, id, revision_id, &actor).await? {
        return Err(AppError::NotFound);
    }
    let caller = crate::ssr::audit::Caller::session(actor);
    super::access::settle_schedule(&mut tx, &caller, PostAction::Edit, scope, id, state).await?;
    let event = caller
        .event(AuditAction::PostRestored)
        .target("post", id.0)
        .details(serde_json::json!({ "revision": revision_id }));
    audit::record(&mut tx, event).await?;
    tx.commit().await?;
    Ok(())
}
