//! A post's revisions (compare, restore) and publish history, shown in the editor.

use crate::{
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
    revisions: Resource<Result<Vec<Revision>, AppError>>,
    published: Resource<Result<Vec<PublishEvent>, AppError>>,
) -> impl IntoView {
    let body = StoredValue::new(body);
    view! {
        <section class="card history">
            <h2>"Revisions"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let list = revisions.await.unwrap_or_default();
                    let rows = list.into_iter().map(|r| view! { <RevisionRow id revision=r can_restore body/> }).collect_view();
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

/// One revision: when and by whom, a comparison with the current text (a disclosure, no
/// script needed), and a restore button for those who may edit.
#[component]
fn RevisionRow(id: i64, revision: Revision, can_restore: bool, body: StoredValue<String>) -> impl IntoView {
    let rid = revision.id;
    let when = revision.created_at.get(..16).unwrap_or(&revision.created_at).replace('T', " ");
    view! {
        <li>
            <span>{format!("{when} UTC by {} — “{}”", revision.editor, revision.title)}</span>
            {can_restore.then(|| view! {
                <form method="post" action="/admin/api/posts/restore" class="inline">
                    <input type="hidden" name="id" value=id/>
                    <input type="hidden" name="revision_id" value=rid/>
                    <button type="submit" class="link-button">"Restore"</button>
                </form>
            })}
            <details class="compare">
                <summary>"Compare with current"</summary>
                <Diff old=revision.body.clone() new=body.get_value()/>
            </details>
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
