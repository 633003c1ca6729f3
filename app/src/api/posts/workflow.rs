//! The editorial workflow: draft → review → published and back, schedules, deletion, bulk.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What a bulk action did: rows changed, and ids skipped (not in scope, gone, or already there).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkOutcome {
    pub changed: usize,
    pub skipped: usize,
}

#[cfg(feature = "ssr")]
mod run {
    use crate::{
        domain::{Actor, AuditAction, PostId, PostStatus},
        error::AppError,
        policy::{post_scope, post_status_allows, PostAction},
        ssr::{
            audit::{self, AuditActor, AuditEvent},
            auth, context, posts,
        },
    };
    use sqlx::SqliteConnection;

    /// The publish-history entry and audit event a workflow step leaves, if any.
    fn trail(action: PostAction) -> Option<(&'static str, AuditAction)> {
        match action {
            PostAction::Publish => Some(("published", AuditAction::PostPublished)),
            PostAction::Unpublish => Some(("unpublished", AuditAction::PostUnpublished)),
            PostAction::Delete => Some(("deleted", AuditAction::PostDeleted)),
            _ => None,
        }
    }

    pub async fn record(
        tx: &mut SqliteConnection,
        actor: &Actor,
        action: PostAction,
        ids: &[PostId],
        details: serde_json::Value,
    ) -> Result<(), AppError> {
        let Some((history, audited)) = trail(action) else { return Ok(()) };
        if action != PostAction::Delete {
            for id in ids {
                posts::record_publish_event(tx, *id, &actor.username, history).await?;
            }
        }
        let mut event = AuditEvent::new(AuditActor::User(actor), audited).details(details);
        if let [one] = ids {
            event = event.target("post", one.0);
        }
        audit::record(tx, event).await?;
        Ok(())
    }

    /// Move one post from one of `from` to `to`, if the caller's scope and role allow it.
    pub async fn step(id: i64, action: PostAction, from: &[PostStatus], to: PostStatus) -> Result<(), AppError> {
        let actor = auth::current_actor().await?;
        let scope = post_scope(&actor, action)?;
        let id = PostId(id);
        let mut tx = context()?.pool.begin().await?;
        let status = posts::status_of(&mut tx, scope, id).await?.ok_or(AppError::NotFound)?;
        if !post_status_allows(actor.role, action, status) {
            return Err(AppError::Forbidden);
        }
        if !from.contains(&status) {
            return Err(AppError::Conflict(format!(
                "This post is {}; that step does not apply.",
                status.label().to_lowercase()
            )));
        }
        posts::set_status(&mut tx, scope, &[id], from, to).await?;
        record(&mut tx, &actor, action, &[id], serde_json::json!({ "from": status, "to": to })).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Send a draft for review. Authors: own posts.
#[server(prefix = "/admin/api", endpoint = "posts/submit")]
pub async fn submit_post(id: i64) -> Result<(), AppError> {
    use crate::{domain::PostStatus::*, policy::PostAction};
    run::step(id, PostAction::Submit, &[Draft], Review).await
}

/// Take a post in review back to draft. Authors: own posts.
#[server(prefix = "/admin/api", endpoint = "posts/withdraw")]
pub async fn withdraw_post(id: i64) -> Result<(), AppError> {
    use crate::{domain::PostStatus::*, policy::PostAction};
    run::step(id, PostAction::Withdraw, &[Review], Draft).await
}

/// Publish now. Editors and admins.
#[server(prefix = "/admin/api", endpoint = "posts/publish")]
pub async fn publish_post(id: i64) -> Result<(), AppError> {
    use crate::{domain::PostStatus::*, policy::PostAction};
    run::step(id, PostAction::Publish, &[Draft, Review], Published).await
}

/// Take a published post off the site, back to draft. Editors and admins.
#[server(prefix = "/admin/api", endpoint = "posts/unpublish")]
pub async fn unpublish_post(id: i64) -> Result<(), AppError> {
    use crate::{domain::PostStatus::*, policy::PostAction};
    run::step(id, PostAction::Unpublish, &[Published], Draft).await
}

/// Publish at a later time (`at` as `YYYY-MM-DDTHH:MM`, UTC), or clear the schedule with an
/// empty `at`. Editors and admins.
#[server(prefix = "/admin/api", endpoint = "posts/schedule")]
pub async fn schedule_post(id: i64, #[server(default)] at: String) -> Result<(), AppError> {
    use crate::{
        domain::{AuditAction, PostId},
        policy::{post_scope, PostAction},
        ssr::{audit, audit::AuditActor, audit::AuditEvent, auth, context, posts},
    };
    let actor = auth::current_actor().await?;
    let scope = post_scope(&actor, PostAction::Schedule)?;
    let when = parse_schedule(&at)?;
    let id = PostId(id);
    let mut tx = context()?.pool.begin().await?;
    let status = posts::status_of(&mut tx, scope, id).await?.ok_or(AppError::NotFound)?;
    if status == crate::domain::PostStatus::Published || !posts::schedule(&mut tx, scope, id, when.as_deref()).await? {
        return Err(AppError::Conflict("This post is already published.".into()));
    }
    let history = if when.is_some() { "scheduled" } else { "unscheduled" };
    posts::record_publish_event(&mut tx, id, &actor.username, history).await?;
    let event = AuditEvent::new(AuditActor::User(&actor), AuditAction::PostScheduled)
        .target("post", id.0)
        .details(serde_json::json!({ "at": when }));
    audit::record(&mut tx, event).await?;
    tx.commit().await?;
    Ok(())
}

/// `YYYY-MM-DDTHH:MM` in the future, as the stored UTC timestamp; empty clears.
#[cfg(feature = "ssr")]
fn parse_schedule(at: &str) -> Result<Option<String>, AppError> {
    use time::{
        format_description::well_known::Rfc3339, macros::format_description, OffsetDateTime, PrimitiveDateTime,
    };
    let at = at.trim();
    if at.is_empty() {
        return Ok(None);
    }
    let format = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let when = PrimitiveDateTime::parse(at.get(..16).unwrap_or(at), format)
        .map_err(|_| AppError::invalid("at", "Give a date and time like 2026-12-24T09:30."))?
        .assume_utc();
    if when <= OffsetDateTime::now_utc() {
        return Err(AppError::invalid("at", "Pick a time in the future."));
    }
    let stamp = when.format(&Rfc3339).map_err(|e| AppError::internal("format schedule", e))?;
    Ok(Some(stamp.replace('Z', ".000Z")))
}

/// Delete a post and its history. Authors: own drafts only; editors and admins: any post.
#[server(prefix = "/admin/api", endpoint = "posts/delete")]
pub async fn delete_post(id: i64) -> Result<(), AppError> {
    use crate::{
        domain::PostId,
        policy::{post_scope, post_statuses_allowing, PostAction},
        ssr::{auth, context, posts},
    };
    let actor = auth::current_actor().await?;
    let scope = post_scope(&actor, PostAction::Delete)?;
    let id = PostId(id);
    let mut tx = context()?.pool.begin().await?;
    let detail = posts::get(&mut tx, scope, id).await?.ok_or(AppError::NotFound)?;
    let allowed = post_statuses_allowing(actor.role, PostAction::Delete);
    if posts::delete(&mut tx, scope, &[id], &allowed).await?.is_empty() {
        return Err(AppError::Forbidden);
    }
    let details = serde_json::json!({ "title": detail.title, "slug": detail.slug, "status": detail.status });
    run::record(&mut tx, &actor, PostAction::Delete, &[id], details).await?;
    tx.commit().await?;
    leptos_axum::redirect("/admin/posts");
    Ok(())
}

/// Publish, unpublish or delete many posts in one transaction and one audit event. Editors
/// and admins publish and unpublish; delete follows the single-post rule per row. Ids outside
/// the caller's scope, missing, or already in the target state are skipped and counted.
#[server(prefix = "/admin/api", endpoint = "posts/bulk")]
pub async fn bulk_posts(action: String, #[server(default)] ids: Vec<i64>) -> Result<BulkOutcome, AppError> {
    use crate::{
        domain::{PostId, PostStatus::*},
        policy::{post_scope, post_statuses_allowing, PostAction},
        ssr::{auth, context, posts},
    };
    let actor = auth::current_actor().await?;
    let action = match action.as_str() {
        "publish" => PostAction::Publish,
        "unpublish" => PostAction::Unpublish,
        "delete" => PostAction::Delete,
        _ => return Err(AppError::invalid("action", "Choose publish, unpublish or delete.")),
    };
    let scope = post_scope(&actor, action)?;
    if ids.len() > super::MAX_BULK_IDS {
        return Err(AppError::invalid("ids", format!("Select at most {} posts at once.", super::MAX_BULK_IDS)));
    }
    let mut ids: Vec<PostId> = ids.into_iter().map(PostId).collect();
    ids.sort();
    ids.dedup();
    let mut tx = context()?.pool.begin().await?;
    let changed = match action {
        PostAction::Publish => posts::set_status(&mut tx, scope, &ids, &[Draft, Review], Published).await?,
        PostAction::Unpublish => posts::set_status(&mut tx, scope, &ids, &[Published], Draft).await?,
        _ => posts::delete(&mut tx, scope, &ids, &post_statuses_allowing(actor.role, action)).await?,
    };
    if !changed.is_empty() {
        let details = serde_json::json!({ "count": changed.len(), "ids": changed });
        run::record(&mut tx, &actor, action, &changed, details).await?;
    }
    tx.commit().await?;
    Ok(BulkOutcome { changed: changed.len(), skipped: ids.len() - changed.len() })
}
