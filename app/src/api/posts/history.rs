//! A post's past: saved revisions, publish history, restoring a revision.

use crate::{
    domain::{PostPast, PublishEvent, Revision},
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

/// Both of the above for the editor page, read with the post's own row in one look (one
/// statement on SQLite). Authors: own posts only.
#[server(prefix = "/admin/api", endpoint = "posts/past")]
pub async fn fetch_post_past(id: i64) -> Result<PostPast, AppError> {
    use crate::{
        domain::PostId,
        policy::{post_access, post_scope, PostAction},
        ssr::{auth, context, posts},
    };
    let actor = auth::current_actor().await?;
    let scope = post_scope(&actor, PostAction::View)?;
    let found = posts::past(&mut context()?.pool.acquire().await?, scope, PostId(id)).await?;
    let (state, past) = found.unzip();
    post_access(&actor, PostAction::View, state.map(|s| s.facts))?;
    past.ok_or(AppError::NotFound)
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
