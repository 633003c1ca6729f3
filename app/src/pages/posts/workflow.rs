//! The workflow of one post in the editor: submit, withdraw, publish, unpublish, schedule, delete.
//! Each step is a small form of its own that posts and comes back to the editor.

use crate::{
    components::AskFirst,
    domain::{Actor, PostDetail, PostStatus},
    policy::{post_scope, post_status_allows, PostAction},
};
use leptos::prelude::*;

/// The workflow buttons this actor may use on this post.
#[component]
pub(super) fn Workflow(post: PostDetail, actor: Actor) -> impl IntoView {
    let may =
        |action: PostAction| post_scope(&actor, action).is_ok() && post_status_allows(actor.role, action, post.status);
    let id = post.id.0;
    let status = post.status;
    let step = |endpoint: &'static str, label: &'static str, class: &'static str| {
        view! {
            <form method="post" action=format!("/admin/api/posts/{endpoint}")>
                <input type="hidden" name="id" value=id/><button type="submit" class=class>{label}</button>
            </form>
        }
    };
    let at_value = post.scheduled_at.clone().unwrap_or_default().chars().take(16).collect::<String>();
    view! {
        <div class="workflow">
            {(status == PostStatus::Draft && may(PostAction::Submit)).then(|| step("submit", "Submit for review", ""))}
            {(status == PostStatus::Review && may(PostAction::Withdraw)).then(|| step("withdraw", "Withdraw to draft", "secondary"))}
            {(status != PostStatus::Published && may(PostAction::Publish)).then(|| step("publish", "Publish", ""))}
            {(status == PostStatus::Published && may(PostAction::Unpublish)).then(|| step("unpublish", "Unpublish", "secondary"))}
            // Only a post in review can be scheduled: the schedule is an editor's approval of it.
            {(status == PostStatus::Review && may(PostAction::Schedule)).then(|| view! {
                <form method="post" action="/admin/api/posts/schedule" class="inline">
                    <input type="hidden" name="id" value=id/>
                    <label for="at">"Publish at (UTC)"</label>
                    <input id="at" name="at" type="datetime-local" value=at_value/>
                    <button type="submit" class="secondary">"Schedule"</button>
                </form>
            })}
            {may(PostAction::Delete).then(|| view! {
                <AskFirst question="Delete this post and its history? This cannot be undone.".to_owned()>
                    <form method="post" action="/admin/api/posts/delete">
                        <input type="hidden" name="id" value=id/><button type="submit" class="danger">"Delete"</button>
                    </form>
                </AskFirst>
            })}
        </div>
        {post.scheduled_at.map(|at| view! { <p class="hint">{format!("Scheduled to publish at {} UTC.", at.get(..16).unwrap_or(&at).replace('T', " "))}</p> })}
    }
}
