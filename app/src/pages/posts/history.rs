//! A post's revisions (compare, restore) and publish history, shown in the editor.

use crate::domain::{PostPast, Revision};
use leptos::{either::Either, prelude::*};
use similar::{ChangeTag, TextDiff};

/// Revisions (compare with the current text, restore) and the publish history of a post.
#[component]
pub fn PostHistory(id: i64, body: String, can_restore: bool, past: PostPast) -> impl IntoView {
    let body = StoredValue::new(body);
    let PostPast { revisions, published } = past;
    let rows = revisions.into_iter().map(|r| view! { <RevisionRow id revision=r can_restore body/> }).collect_view();
    let events = if published.is_empty() {
        Either::Left(view! { <p class="empty">"Never published."</p> })
    } else {
        let items = published
            .into_iter()
            .map(|e| view! { <li>{format!("{} by {} at {} UTC", e.action, e.actor, e.occurred_at.get(..16).unwrap_or(&e.occurred_at).replace('T', " "))}</li> })
            .collect_view();
        Either::Right(view! { <ul>{items}</ul> })
    };
    view! {
        <section class="card history">
            <h2>"Revisions"</h2>
            <ol class="revisions">{rows}</ol>
            <h2>"Publish history"</h2>
            {events}
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
