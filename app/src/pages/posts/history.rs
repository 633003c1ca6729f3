//! A post's revisions (compare, restore) and publish history, shown in the editor.

use crate::{
    api::posts::history::RestoreRevision,
    domain::{PublishEvent, Revision},
    error::AppError,
};
use leptos::{either::Either, prelude::*};
use similar::{ChangeTag, TextDiff};

/// Revisions (compare with the current text, restore) and the publish history of a post.
#[component]
pub fn PostHistory(
    id: i64,
    body: String,
    can_restore: bool,
    restore: ServerAction<RestoreRevision>,
    revisions: Resource<Result<Vec<Revision>, AppError>>,
    published: Resource<Result<Vec<PublishEvent>, AppError>>,
) -> impl IntoView {
    let compare = RwSignal::new(None::<i64>);
    let body = StoredValue::new(body);
    view! {
        <section class="card history">
            <h2>"Revisions"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let list = revisions.await.unwrap_or_default();
                    let rows = list.into_iter().map(|r| view! { <RevisionRow id revision=r can_restore restore compare body/> }).collect_view();
                    view! { <ol class="revisions">{rows}</ol> }
                })}
            </Suspense>
            <h2>"Publish history"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let events = published.await.unwrap_or_default();
                    if events.is_empty() {
                        return Either::Left(view! { <p class="empty">"Never published."</p> });
                    }
                    let items = events
                        .into_iter()
                        .map(|e| view! { <li>{format!("{} by {} at {} UTC", e.action, e.actor, e.occurred_at.get(..16).unwrap_or(&e.occurred_at).replace('T', " "))}</li> })
                        .collect_view();
                    Either::Right(view! { <ul>{items}</ul> })
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn RevisionRow(
    id: i64,
    revision: Revision,
    can_restore: bool,
    restore: ServerAction<RestoreRevision>,
    compare: RwSignal<Option<i64>>,
    body: StoredValue<String>,
) -> impl IntoView {
    let rid = revision.id;
    let open = move || compare.get() == Some(rid);
    let old = revision.body.clone();
    let when = revision.created_at.get(..16).unwrap_or(&revision.created_at).replace('T', " ");
    view! {
        <li>
            <span>{format!("{when} UTC by {} — “{}”", revision.editor, revision.title)}</span>
            <button type="button" class="link-button" aria-expanded=move || open().to_string()
                on:click=move |_| compare.set(if open() { None } else { Some(rid) })>"Compare with current"</button>
            <Show when=move || can_restore>
                <ActionForm action=restore attr:class="inline">
                    <input type="hidden" name="id" value=id/>
                    <input type="hidden" name="revision_id" value=rid/>
                    <button type="submit" class="link-button">"Restore"</button>
                </ActionForm>
            </Show>
            <Show when=open>
                <Diff old=old.clone() new=body.get_value()/>
            </Show>
        </li>
    }
}

/// A line diff from a revision (`old`) to the current text (`new`).
#[component]
fn Diff(old: String, new: String) -> impl IntoView {
    let diff = TextDiff::from_lines(&old, &new);
    let lines = diff
        .iter_all_changes()
        .map(|change| {
            let (class, sign) = match change.tag() {
                ChangeTag::Delete => ("del", "−"),
                ChangeTag::Insert => ("ins", "+"),
                ChangeTag::Equal => ("same", " "),
            };
            view! { <span class=class>{format!("{sign} {}", change.value().trim_end_matches('\n'))}"\n"</span> }
        })
        .collect_view();
    view! { <pre class="diff" aria-label="Changes from this revision to the current text">{lines}</pre> }
}
