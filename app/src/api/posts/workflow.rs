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

/// The workflow steps shared by the dashboard and the REST API.
#[cfg(feature = "ssr")]
pub mod run {
    use crate::ssr::db::{Conn, Pool};
    use crate::{
        domain::{AuditAction, PostId, PostStatus},
        error::AppError,
        policy::PostAction,
        ssr::{
            audit::{self, Caller},
            auth, context, posts,
        },
    };

    /// One audit event for a workflow change of `ids` (the target when there is one), and the
    /// publish-history entry of each post when the change has one.
    pub async fn record(
        tx: &mut Conn,
        caller: &Caller,
        audited: AuditAction,
        history: Option<&str>,
        ids: &[PostId],
        details: serde_json::Value,
    ) -> Result<(), AppError> {
        if let Some(history) = history {
            for id in ids {
                posts::record_publish_event(tx, *id, &caller.actor.username, history).await?;
            }
        }
        let mut event = caller.event(audited).details(details);
        if let [one] = ids {
            event = event.target("post", one.0);
        }
        audit::record(tx, event).await?;
        Ok(())
    }

    /// Publish now: from draft or review. Editors and admins.
    pub fn publish() -> Step {
        use PostStatus::*;
        let (audited, history) = (AuditAction::PostPublished, Some("published"));
        Step { action: PostAction::Publish, from: &[Draft, Review], to: Published, audited, history }
    }

    /// Take a published post off the site, back to draft. Editors and admins.
    pub fn unpublish() -> Step {
        use PostStatus::*;
        let (audited, history) = (AuditAction::PostUnpublished, Some("unpublished"));
        Step { action: PostAction::Unpublish, from: &[Published], to: Draft, audited, history }
    }

    /// How one workflow step moves a post, and what it leaves in the trail.
    pub struct Step {
        pub action: PostAction,
        pub from: &'static [PostStatus],
        pub to: PostStatus,
        pub audited: AuditAction,
        pub history: Option<&'static str>,
    }

    /// Move one post along `step` for the signed-in user.
    pub async fn step(id: i64, step: Step) -> Result<(), AppError> {
        let caller = Caller::session(auth::current_actor().await?);
        step_as(&context()?.pool, &caller, PostId(id), step).await
    }

    /// Move one post along `step`, if the policy allows it for this post and the post is in
    /// one of the step's starting statuses (409 otherwise).
    pub async fn step_as(pool: &Pool, caller: &Caller, id: PostId, step: Step) -> Result<(), AppError> {
        let mut tx = pool.begin_write().await?;
        let (scope, state) = super::super::access::authorize(&mut tx, &caller.actor, step.action, id).await?;
        let status = state.facts.status;
        if !step.from.contains(&status) {
            return Err(AppError::Conflict(format!(
                "This post is {}; that step does not apply.",
                status.label().to_lowercase()
            )));
        }
        posts::set_status(&mut tx, scope, &[id], step.from, step.to).await?;
        super::super::access::settle_schedule(&mut tx, caller, step.action, scope, id, state).await?;
        let details = serde_json::json!({ "from": status, "to": step.to });
        record(&mut tx, caller, step.audited, step.history, &[id], details).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Send a draft for review. Authors: own posts.
#[server(prefix = "/admin/api", endpoint = "posts/submit")]
pub async fn submit_post(id: i64) -> Result<(), AppError> {
    use crate::{domain::AuditAction, domain::PostStatus::*, policy::PostAction};
    let audited = AuditAction::PostSubmitted;
    run::step(id, run::Step { action: PostAction::Submit, from: &[Draft], to: Review, audited, history: None }).await
}

/// Take a post in review back to draft. Authors: own posts.
#[server(prefix = "/admin/api", endpoint = "posts/withdraw")]
pub async fn withdraw_post(id: i64) -> Result<(), AppError> {
    use crate::{domain::AuditAction, domain::PostStatus::*, policy::PostAction};
    let audited = AuditAction::PostWithdrawn;
    run::step(id, run::Step { action: PostAction::Withdraw, from: &[Review], to: Draft, audited, history: None }).await
}

/// Publish now. Editors and admins.
#[server(prefix = "/admin/api", endpoint = "posts/publish")]
pub async fn publish_post(id: i64) -> Result<(), AppError> {
    run::step(id, run::publish()).await
}

/// Take a published post off the site, back to draft. Editors and admins.
#[server(prefix = "/admin/api", endpoint = "posts/unpublish")]
pub async fn unpublish_post(id: i64) -> Result<(), AppError> {
    run::step(id, run::unpublish()).await
}

/// Publish at a later time (`at` as `YYYY-MM-DDTHH:MM`, UTC), or clear the schedule with an
/// empty `at`. Only a post in review can be scheduled: the schedule records that an editor
/// approved its text, and an author's later change cancels it. Editors and admins.
#[server(prefix = "/admin/api", endpoint = "posts/schedule")]
pub async fn schedule_post(id: i64, #[server(default)] at: String) -> Result<(), AppError> {
    use crate::{
        domain::{AuditAction, PostId, PostStatus},
        policy::PostAction,
        ssr::{audit, audit::Caller, auth, context, posts},
    };
    let actor = auth::current_actor().await?;
    let id = PostId(id);
    let mut tx = context()?.pool.begin_write().await?;
    let (scope, state) = super::access::authorize(&mut tx, &actor, PostAction::Schedule, id).await?;
    let when = parse_schedule(&at)?;
    match (state.facts.status, &when) {
        (PostStatus::Published, _) => return Err(AppError::Conflict("This post is already published.".into())),
        (PostStatus::Draft, Some(_)) => {
            return Err(AppError::Conflict("Only a post in review can be scheduled; submit it first.".into()))
        }
        (PostStatus::Draft, None) | (PostStatus::Review, _) => {}
    }
    if !posts::schedule(&mut tx, scope, id, when).await? {
        return Err(AppError::NotFound);
    }
    let (audited, history) = match when {
        Some(_) => (AuditAction::PostScheduled, "scheduled"),
        None => (AuditAction::PostUnscheduled, "unscheduled"),
    };
    posts::record_publish_event(&mut tx, id, &actor.username, history).await?;
    let caller = Caller::session(actor);
    let event = caller.event(audited).target("post", id.0).details(serde_json::json!({ "at": when.map(|w| w.text()) }));
    audit::record(&mut tx, event).await?;
    tx.commit().await?;
    Ok(())
}

/// `YYYY-MM-DDTHH:MM` in the future, as the stored UTC timestamp; empty clears.
#[cfg(feature = "ssr")]
fn parse_schedule(at: &str) -> Result<Option<crate::ssr::db::Stamp>, AppError> {
    use time::{macros::format_description, OffsetDateTime, PrimitiveDateTime};
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
    Ok(Some(crate::ssr::db::Stamp(when)))
}

/// Delete a post and its history. Authors: own drafts only; editors and admins: any post.
#[server(prefix = "/admin/api", endpoint = "posts/delete")]
pub async fn delete_post(id: i64) -> Result<(), AppError> {
    use crate::{
        domain::{AuditAction, PostId},
        policy::{post_statuses_allowing, PostAction},
        ssr::{auth, context, posts},
    };
    let actor = auth::current_actor().await?;
    let id = PostId(id);
    let mut tx = context()?.pool.begin_write().await?;
    let (scope, _) = super::access::authorize(&mut tx, &actor, PostAction::Delete, id).await?;
    let detail = posts::get(&mut tx, scope, id).await?.ok_or(AppError::NotFound)?;
    let allowed = post_statuses_allowing(actor.role, PostAction::Delete);
    if posts::delete(&mut tx, scope, &[id], &allowed).await?.is_empty() {
        return Err(AppError::NotFound);
    }
    let details = serde_json::json!({ "title": detail.title, "slug": detail.slug, "status": detail.status });
    let caller = crate::ssr::audit::Caller::session(actor);
    run::record(&mut tx, &caller, AuditAction::PostDeleted, None, &[id], details).await?;
    tx.commit().await?;
    crate::ssr::flash::notice(format!("Deleted “{}”.", detail.title)).await;
    leptos_axum::redirect("/admin/posts");
    Ok(())
}

/// Publish, unpublish or delete many posts in one transaction and one audit event. Editors
/// and admins publish and unpublish; delete follows the single-post rule per row. Ids outside
/// the caller's scope, missing, or already in the target state are skipped and counted.
#[server(prefix = "/admin/api", endpoint = "posts/bulk")]
pub async fn bulk_posts(action: String, #[server(default)] ids: Vec<i64>) -> Result<BulkOutcome, AppError> {
    use crate::{
        domain::{AuditAction, PostId, PostStatus, PostStatus::*},
        policy::{post_scope, post_statuses_allowing, PostAction},
        ssr::{auth, context, posts},
    };
    let actor = auth::current_actor().await?;
    let (action, from, to, audited, history): (_, &[_], _, _, _) = match action.as_str() {
        "publish" => {
            (PostAction::Publish, &[Draft, Review], Some(Published), AuditAction::PostPublished, Some("published"))
        }
        "unpublish" => {
            (PostAction::Unpublish, &[Published], Some(Draft), AuditAction::PostUnpublished, Some("unpublished"))
        }
        "delete" => (PostAction::Delete, &PostStatus::ALL, None, AuditAction::PostDeleted, None),
        _ => return Err(AppError::invalid("action", "Choose publish, unpublish or delete.")),
    };
    let scope = post_scope(&actor, action)?;
    if ids.len() > super::MAX_BULK_IDS {
        return Err(AppError::invalid("ids", format!("Select at most {} posts at once.", super::MAX_BULK_IDS)));
    }
    let mut ids: Vec<PostId> = ids.into_iter().map(PostId).collect();
    ids.sort();
    ids.dedup();
    // Rows the step may start from, narrowed by what the policy lets this role touch.
    let allowed = post_statuses_allowing(actor.role, action);
    let from: Vec<PostStatus> = from.iter().copied().filter(|s| allowed.contains(s)).collect();
    let mut tx = context()?.pool.begin_write().await?;
    let changed = match to {
        Some(to) => posts::set_status(&mut tx, scope, &ids, &from, to).await?,
        None => posts::delete(&mut tx, scope, &ids, &from).await?,
    };
    if !changed.is_empty() {
        let details = serde_json::json!({ "count": changed.len(), "ids": changed });
        let caller = crate::ssr::audit::Caller::session(actor.clone());
        run::record(&mut tx, &caller, audited, history, &changed, details).await?;
    }
    tx.commit().await?;
    let outcome = BulkOutcome { changed: changed.len(), skipped: ids.len() - changed.len() };
    crate::ssr::flash::notice(format!("{} changed, {} skipped.", outcome.changed, outcome.skipped)).await;
    Ok(outcome)
}
