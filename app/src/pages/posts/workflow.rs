//! The workflow of one post in the editor: submit, withdraw, publish, unpublish, schedule, delete.

use crate::{
    api::posts::{
        edit::UpdatePost,
        history::RestoreRevision,
        workflow::{DeletePost, PublishPost, SchedulePost, SubmitPost, UnpublishPost, WithdrawPost},
    },
    domain::{Actor, PostDetail, PostStatus},
    error::AppError,
    policy::{post_scope, post_status_allows, PostAction},
};
use leptos::prelude::*;

/// The workflow actions of one post, created once per page so that every one refreshes it.
#[derive(Clone, Copy)]
pub(super) struct Steps {
    pub(super) update: ServerAction<UpdatePost>,
    pub(super) submit: ServerAction<SubmitPost>,
    pub(super) withdraw: ServerAction<WithdrawPost>,
    pub(super) publish: ServerAction<PublishPost>,
    pub(super) unpublish: ServerAction<UnpublishPost>,
    pub(super) schedule: ServerAction<SchedulePost>,
    pub(super) delete: ServerAction<DeletePost>,
    pub(super) restore: ServerAction<RestoreRevision>,
}

impl Steps {
    pub(super) fn new() -> Self {
        Self {
            update: ServerAction::new(),
            submit: ServerAction::new(),
            withdraw: ServerAction::new(),
            publish: ServerAction::new(),
            unpublish: ServerAction::new(),
            schedule: ServerAction::new(),
            delete: ServerAction::new(),
            restore: ServerAction::new(),
        }
    }

    pub(super) fn versions(&self) -> [usize; 8] {
        [
            self.update.version().get(),
            self.submit.version().get(),
            self.withdraw.version().get(),
            self.publish.version().get(),
            self.unpublish.version().get(),
            self.schedule.version().get(),
            self.delete.version().get(),
            self.restore.version().get(),
        ]
    }

    /// The error of whichever workflow step last failed.
    pub(super) fn step_error(&self) -> Option<AppError> {
        let err = |v: Option<Result<(), AppError>>| v.and_then(Result::err);
        err(self.submit.value().get())
            .or_else(|| err(self.withdraw.value().get()))
            .or_else(|| err(self.publish.value().get()))
            .or_else(|| err(self.unpublish.value().get()))
            .or_else(|| err(self.schedule.value().get()))
            .or_else(|| err(self.delete.value().get()))
            .or_else(|| err(self.restore.value().get()))
    }
}

/// The workflow buttons this actor may use on this post, each a small form of its own.
#[component]
pub(super) fn Workflow(post: PostDetail, actor: Actor, steps: Steps) -> impl IntoView {
    let may =
        |action: PostAction| post_scope(&actor, action).is_ok() && post_status_allows(actor.role, action, post.status);
    let [submit, withdraw, publish, unpublish, schedule, delete] = [
        PostAction::Submit,
        PostAction::Withdraw,
        PostAction::Publish,
        PostAction::Unpublish,
        PostAction::Schedule,
        PostAction::Delete,
    ]
    .map(may);
    let id = post.id.0;
    let status = post.status;
    let confirm_delete = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if window().confirm_with_message("Delete this post and its history? This cannot be undone.").unwrap_or(false) {
            steps.delete.dispatch(DeletePost { id });
        }
    };
    let at_value = StoredValue::new(post.scheduled_at.clone().unwrap_or_default().chars().take(16).collect::<String>());
    view! {
        <div class="workflow">
            <Show when=move || status == PostStatus::Draft && submit>
                <ActionForm action=steps.submit><input type="hidden" name="id" value=id/><button type="submit">"Submit for review"</button></ActionForm>
            </Show>
            <Show when=move || status == PostStatus::Review && withdraw>
                <ActionForm action=steps.withdraw><input type="hidden" name="id" value=id/><button type="submit" class="secondary">"Withdraw to draft"</button></ActionForm>
            </Show>
            <Show when=move || status != PostStatus::Published && publish>
                <ActionForm action=steps.publish><input type="hidden" name="id" value=id/><button type="submit">"Publish"</button></ActionForm>
            </Show>
            <Show when=move || status == PostStatus::Published && unpublish>
                <ActionForm action=steps.unpublish><input type="hidden" name="id" value=id/><button type="submit" class="secondary">"Unpublish"</button></ActionForm>
            </Show>
            // Only a post in review can be scheduled: the schedule is an editor's approval of it.
            <Show when=move || status == PostStatus::Review && schedule>
                <ActionForm action=steps.schedule attr:class="inline">
                    <input type="hidden" name="id" value=id/>
                    <label for="at">"Publish at (UTC)"</label>
                    <input id="at" name="at" type="datetime-local" value=at_value.get_value()/>
                    <button type="submit" class="secondary">"Schedule"</button>
                </ActionForm>
            </Show>
            <Show when=move || delete>
                <form method="post" action="/admin/api/posts/delete" on:submit=confirm_delete>
                    <input type="hidden" name="id" value=id/><button type="submit" class="danger">"Delete"</button>
                </form>
            </Show>
        </div>
        {post.scheduled_at.map(|at| view! { <p class="hint">{format!("Scheduled to publish at {} UTC.", at.get(..16).unwrap_or(&at).replace('T', " "))}</p> })}
    }
}
