//! Comment moderation (editors and admins) and the public list of approved comments.

use crate::{
    domain::{CommentQueue, PublicComment},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Most ids one moderation request may list; larger selections send the filter instead.
pub const MAX_IDS: usize = 1_000;

/// What a moderation did: rows changed, and rows skipped (already in that state, or gone).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ModerationOutcome {
    pub changed: usize,
    pub skipped: usize,
}

/// The queue's filter from its request fields.
#[cfg(feature = "ssr")]
pub fn filter(
    status: Option<String>,
    post_id: Option<i64>,
    q: Option<String>,
) -> Result<crate::ssr::comments::CommentFilter, AppError> {
    use crate::domain::{CommentStatus, PostId};
    let status = match status.as_deref().filter(|s| !s.is_empty() && *s != "all") {
        None => None,
        Some(s) => Some(CommentStatus::parse(s).ok_or_else(|| AppError::invalid("status", "Unknown comment status."))?),
    };
    let q = q.filter(|q| !q.trim().is_empty());
    Ok(crate::ssr::comments::CommentFilter { status, post: post_id.map(PostId), q, through: None })
}

/// The moderation queue, filtered by status, post and text, paged. Editors and admins.
#[server(prefix = "/admin/api", endpoint = "comments/list")]
pub async fn list_comments(
    #[server(default)] status: Option<String>,
    #[server(default)] post_id: Option<i64>,
    #[server(default)] q: Option<String>,
    #[server(default)] sort: Option<String>,
    #[server(default)] page: Option<i64>,
    #[server(default)] per_page: Option<i64>,
) -> Result<CommentQueue, AppError> {
    use crate::{
        policy::{require, Capability},
        ssr::{auth, comments, context},
    };
    let actor = auth::current_actor().await?;
    require(&actor, Capability::ModerateComments)?;
    let filter = filter(status, post_id, q)?;
    let (page, per_page) = super::paging(page, per_page);
    let newest_first = sort.as_deref() != Some("oldest");
    Ok(comments::list(&context()?.pool, &filter, newest_first, page, per_page).await?)
}

/// Approve, reject, mark as spam or delete comments: the listed `ids[]`, or with
/// `all_matching=true` every comment matching the filter (`status`, `post_id`, `q`) up to
/// `through_id`, the newest id the moderator's queue showed (comments that arrived since are
/// left alone; without it the request is refused). One
/// transaction and one audit event holding the count and the ids; deleted comments vanish at
/// once and are purged in the background. Editors and admins.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/admin/api", endpoint = "comments/moderate")]
pub async fn moderate_comments(
    action: String,
    #[server(default)] ids: Vec<i64>,
    #[server(default)] all_matching: bool,
    #[server(default)] status: Option<String>,
    #[server(default)] post_id: Option<i64>,
    #[server(default)] q: Option<String>,
    #[server(default)] through_id: Option<i64>,
) -> Result<ModerationOutcome, AppError> {
    use crate::ssr::{audit::Caller, auth, context};
    let caller = Caller::session(auth::current_actor().await?);
    let selection = MatchOrIds { ids, all_matching, status, post_id, q, through_id };
    let outcome = moderate_as(&context()?.pool, &caller, &action, selection).await?;
    crate::ssr::flash::notice(format!("{} changed, {} skipped.", outcome.changed, outcome.skipped)).await;
    Ok(outcome)
}

/// Which comments a moderation names: the listed ids, or every one matching the filter.
#[derive(Clone, Debug, Default)]
pub struct MatchOrIds {
    pub ids: Vec<i64>,
    pub all_matching: bool,
    pub status: Option<String>,
    pub post_id: Option<i64>,
    pub q: Option<String>,
    pub through_id: Option<i64>,
}

/// One moderation for the dashboard and the REST API alike: the policy, one transaction, one
/// audit event by the caller.
#[cfg(feature = "ssr")]
pub async fn moderate_as(
    pool: &crate::ssr::db::Pool,
    caller: &crate::ssr::audit::Caller,
    action: &str,
    selection: MatchOrIds,
) -> Result<ModerationOutcome, AppError> {
    use crate::{
        domain::{AuditAction, CommentId, Moderation},
        policy::{require, Capability},
        ssr::{
            audit,
            comments::{self, Selection},
        },
    };
    let MatchOrIds { ids, all_matching, status, post_id, q, through_id } = selection;
    let actor = &caller.actor;
    require(actor, Capability::ModerateComments)?;
    let action = Moderation::parse(action)
        .ok_or_else(|| AppError::invalid("action", "Choose approve, reject, spam or delete."))?;
    let selection = if all_matching {
        let Some(through) = through_id else {
            return Err(AppError::invalid("through_id", "Reload the queue and select all matching comments again."));
        };
        Selection::Matching(crate::ssr::comments::CommentFilter {
            through: Some(CommentId(through)),
            ..filter(status, post_id, q)?
        })
    } else if ids.len() > MAX_IDS {
        return Err(AppError::invalid("ids", format!("List at most {MAX_IDS} comments, or select all matching.")));
    } else {
        let mut ids: Vec<CommentId> = ids.into_iter().map(CommentId).collect();
        ids.sort();
        ids.dedup();
        Selection::Ids(ids)
    };
    // Which rows, read before taking the write lock (comment text never changes; the state is
    // checked again in the update), so other staff wait only for the update itself.
    let (ids, only) = comments::resolve(pool, &selection).await?;
    let matched = match &selection {
        Selection::Ids(listed) => listed.len(),
        Selection::Matching(_) => ids.len(),
    };
    let started = std::time::Instant::now();
    let mut tx = pool.begin_write().await?;
    let changed = comments::moderate(&mut tx, action, &ids, only).await?;
    if !changed.is_empty() {
        let details = serde_json::json!({ "action": action.as_str(), "count": changed.len(), "all_matching": all_matching, "through_id": through_id, "ids": changed });
        audit::record(&mut tx, caller.event(AuditAction::CommentsModerated).details(details)).await?;
    }
    tx.commit().await?;
    // How long other writers waited on us: the figure the benchmark reports.
    tracing::info!(
        action = action.as_str(),
        rows = changed.len(),
        write_lock_ms = started.elapsed().as_millis() as u64,
        "comments moderated"
    );
    Ok(ModerationOutcome { changed: changed.len(), skipped: matched.saturating_sub(changed.len()) })
}

/// Approved comments of a published post, oldest first. Anyone.
#[server(prefix = "/api/public", endpoint = "comments/list")]
pub async fn list_approved_comments(slug: String) -> Result<Vec<PublicComment>, AppError> {
    use crate::ssr::{comments, context};
    Ok(comments::approved_for(&context()?.pool, &slug).await?)
}

/// Pending comments and comments received per week (twelve weeks) for the overview.
/// Editors and admins.
#[server(prefix = "/admin/api", endpoint = "comments/counts")]
pub async fn fetch_comment_counts() -> Result<(i64, Vec<(String, i64)>), AppError> {
    use crate::{
        policy::{require, Capability},
        ssr::{auth, comments, context},
    };
    let actor = auth::current_actor().await?;
    require(&actor, Capability::ModerateComments)?;
    Ok(comments::overview(&context()?.pool, 12).await?)
}
