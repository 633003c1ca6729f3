//! The one preamble of every server function that acts on a single post: the post is loaded
//! as the actor may see it and the policy is asked once, so 404 and 403 are decided in one place.

use crate::ssr::db::Conn;
use crate::{
    domain::{Actor, AuditAction, PostId},
    error::AppError,
    policy::{keeps_schedule, post_access, post_scope, PostAction, Scope},
    ssr::{
        audit::{self, Caller},
        posts::{self, PostState},
    },
};

/// Load post `id` inside the actor's view and ask the policy about `action`: `NotFound` when it
/// is missing or not theirs (indistinguishable), `Forbidden` when the role or the post's status
/// does not allow it. Returns the scope the changing query must put into its `WHERE` clause.
pub async fn authorize(
    conn: &mut Conn,
    actor: &Actor,
    action: PostAction,
    id: PostId,
) -> Result<(Scope, PostState), AppError> {
    let state = posts::state_of(conn, post_scope(actor, PostAction::View)?, id).await?;
    let scope = post_access(actor, action, state.map(|s| s.facts))?;
    Ok((scope, state.ok_or(AppError::NotFound)?))
}

/// Cancel the post's publication schedule when the policy says `action` by this actor does not
/// keep it (an author's edit, any withdrawal), with a history entry and an audit event in the
/// caller's transaction. The post goes live only after an editor schedules it again.
pub async fn settle_schedule(
    conn: &mut Conn,
    caller: &Caller,
    action: PostAction,
    scope: Scope,
    id: PostId,
    state: PostState,
) -> Result<(), AppError> {
    let actor = &caller.actor;
    if !state.scheduled || keeps_schedule(actor.role, action) {
        return Ok(());
    }
    posts::schedule(conn, scope, id, None).await?;
    posts::record_publish_event(conn, id, &actor.username, "unscheduled").await?;
    let reason = match action {
        PostAction::Withdraw => "withdrawn to draft",
        PostAction::Edit => "changed after it was scheduled",
        PostAction::View
        | PostAction::Submit
        | PostAction::Publish
        | PostAction::Unpublish
        | PostAction::Schedule
        | PostAction::Delete => "changed",
    };
    let event = caller
        .event(AuditAction::PostUnscheduled)
        .target("post", id.0)
        .details(serde_json::json!({ "reason": reason }));
    audit::record(conn, event).await?;
    Ok(())
}
