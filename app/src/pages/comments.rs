//! `/admin/comments`: the moderation queue, with bulk actions and keyboard shortcuts.

use crate::{
    api::comments::{list_comments, ModerateComments, ModerationOutcome},
    components::{options_html, ErrorNotice, Pager},
    domain::{CommentQueue, CommentRow, CommentStatus, Moderation},
    error::AppError,
    pages::query_number,
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use leptos_router::{components::Form, hooks::use_query_map};

/// The selection on the current page, or every comment matching the filter.
#[derive(Clone, Debug, PartialEq)]
enum Picked {
    Ids(Vec<i64>),
    /// Every comment matching the filter, as many as the queue showed, up to the newest id it
    /// showed (so comments arriving meanwhile are not included unseen).
    AllMatching {
        total: i64,
        through: Option<i64>,
    },
}

/// `/admin/comments`: the moderation queue. Editors and admins; authors get the 403 page.
#[component]
pub fn CommentsPage() -> impl IntoView {
    let query = use_query_map();
    let status = move || Some(query.read().get("status").unwrap_or_else(|| "pending".into()));
    let q = move || query.read().get("q").filter(|v| !v.is_empty());
    let post_id = query_number("post_id");
    let (page, per_page) = (query_number("page"), query_number("per_page"));
    let moderate = ServerAction::<ModerateComments>::new();
    let comments = Resource::new(
        move || (status(), post_id(), q(), page(), per_page(), moderate.version().get()),
        |(s, p, q, pg, n, _)| list_comments(s, p, q, None, pg, n),
    );
    let picked = RwSignal::new(Picked::Ids(vec![]));
    let cursor = RwSignal::new(0usize);
    let send = move |action: Moderation, what: Picked| {
        let (ids, all_matching, through_id) = match what {
            Picked::Ids(ids) => (ids, false, None),
            Picked::AllMatching { through, .. } => (vec![], true, through),
        };
        picked.set(Picked::Ids(vec![]));
        moderate.dispatch(ModerateComments {
            action: action.as_str().into(),
            ids,
            all_matching,
            status: status(),
            post_id: post_id(),
            q: q(),
            through_id,
        });
    };
    keyboard_shortcuts(comments, cursor, send);
    view! {
        <Title text="Comments"/>
        <h1>"Comments"</h1>
        <QueueFilters/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match comments.await {
                    Ok(CommentQueue { page: list, latest_id }) => Either::Left(view! {
                        <Actions picked send total=list.total through=latest_id.map(|id| id.0) page_len=list.rows.len() moderate/>
                        <Queue rows=list.rows.clone() picked cursor/>
                        <Pager page=list.page page_count=list.page_count() total=list.total per_page=list.per_page/>
                    }),
                    Err(error) => Either::Right(view! { <ErrorNotice error/> }),
                }
            })}
        </Suspense>
        <Shortcuts/>
    }
}

#[component]
fn QueueFilters() -> impl IntoView {
    let query = use_query_map();
    let current = move |k: &str| query.read_untracked().get(k).unwrap_or_default();
    let selected = current("status");
    let selected = if selected.is_empty() { "pending".to_owned() } else { selected };
    let statuses =
        options_html(CommentStatus::ALL.iter().map(|s| (s.as_str(), s.label())).chain([("all", "All")]), &selected);
    view! {
        <Form method="get" action="" attr:class="filters">
            <div><label for="status">"Status"</label>
                <select id="status" name="status" inner_html=statuses></select></div>
            <div><label for="q">"Search"</label><input id="q" name="q" type="search" value=current("q")/></div>
            <input type="hidden" name="post_id" value=current("post_id")/>
            <input type="hidden" name="per_page" value=current("per_page")/>
            <button type="submit">"Filter"</button>
        </Form>
    }
}

/// The action bar: the four actions with a confirmation naming the count, progress, result,
/// and the offer to extend a full page to every matching comment.
#[component]
fn Actions<F>(
    picked: RwSignal<Picked>,
    send: F,
    total: i64,
    through: Option<i64>,
    page_len: usize,
    moderate: ServerAction<ModerateComments>,
) -> impl IntoView
where
    F: Fn(Moderation, Picked) + Copy + Send + Sync + 'static,
{
    let count = move || match picked.get() {
        Picked::Ids(ids) => ids.len() as i64,
        Picked::AllMatching { total, .. } => total,
    };
    let ask = move |action: Moderation| {
        let n = count();
        if n == 0 {
            return;
        }
        let verb = action.as_str();
        let question =
            format!("{}{} {n} comment{}?", verb[..1].to_uppercase(), &verb[1..], if n == 1 { "" } else { "s" });
        if window().confirm_with_message(&question).unwrap_or(false) {
            send(action, picked.get_untracked());
        }
    };
    let whole_page = move || matches!(picked.get(), Picked::Ids(ids) if page_len > 0 && ids.len() == page_len);
    let buttons = Moderation::ALL
        .map(|a| {
            let label = match a {
                Moderation::Approve => "Approve",
                Moderation::Reject => "Reject",
                Moderation::Spam => "Spam",
                Moderation::Delete => "Delete",
            };
            let class = if a == Moderation::Delete { "danger" } else { "secondary" };
            view! { <button type="button" class=class disabled=move || count() == 0 || moderate.pending().get() on:click=move |_| ask(a)>{label}</button> }
        })
        .collect_view();
    view! {
        <div class="bulk-bar" role="toolbar" aria-label="Moderate selected comments">
            <span>{move || format!("{} selected", count())}</span>
            {buttons}
            <Show when={move || whole_page() && total > page_len as i64}>
                <button type="button" class="link-button" on:click=move |_| picked.set(Picked::AllMatching { total, through })>
                    {format!("Select all {total} matching")}
                </button>
            </Show>
            <Show when=move || matches!(picked.get(), Picked::AllMatching { .. })>
                <span>{format!("All {total} matching comments are selected.")}</span>
                <button type="button" class="link-button" on:click=move |_| picked.set(Picked::Ids(vec![]))>"Clear selection"</button>
            </Show>
        </div>
        <div role="status" class="moderation-status">
            <Show when=move || moderate.pending().get()>
                <progress aria-label="Moderating"></progress>" Working…"
            </Show>
            {move || moderate.value().get().map(outcome_message)}
        </div>
    }
}

fn outcome_message(result: Result<ModerationOutcome, AppError>) -> impl IntoView {
    match result {
        Ok(o) => Either::Left(
            view! { <span class="toast">{format!("{} changed, {} skipped.", o.changed, o.skipped)}</span> },
        ),
        Err(e) => Either::Right(view! { <span class="notice notice-error">{e.to_string()}</span> }),
    }
}

#[component]
fn Queue(rows: Vec<CommentRow>, picked: RwSignal<Picked>, cursor: RwSignal<usize>) -> impl IntoView {
    if rows.is_empty() {
        return Either::Left(view! { <p class="empty">"No comments match. The queue is clear."</p> });
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id.0).collect();
    let count = ids.len();
    let all_on_page = move |ev: leptos::ev::Event| {
        picked.set(Picked::Ids(if event_target_checked(&ev) { ids.clone() } else { vec![] }));
    };
    let body =
        rows.into_iter().enumerate().map(|(i, row)| view! { <CommentRowView i row picked cursor/> }).collect_view();
    Either::Right(view! {
        <table class="data queue">
            <caption class="visually-hidden">"Comments"</caption>
            <thead><tr>
                <th scope="col"><input type="checkbox" aria-label="Select all comments on this page"
                    prop:checked={move || match picked.get() { Picked::Ids(v) => v.len() == count, Picked::AllMatching { .. } => true }}
                    on:change=all_on_page/></th>
                <th scope="col">"Comment"</th><th scope="col">"On"</th><th scope="col">"Status"</th><th scope="col">"Received (UTC)"</th>
            </tr></thead>
            <tbody>{body}</tbody>
        </table>
    })
}

#[component]
fn CommentRowView(i: usize, row: CommentRow, picked: RwSignal<Picked>, cursor: RwSignal<usize>) -> impl IntoView {
    let id = row.id.0;
    let checked = move || match picked.get() {
        Picked::Ids(v) => v.contains(&id),
        Picked::AllMatching { .. } => true,
    };
    let toggle = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        picked.update(|p| {
            let mut ids = match p {
                Picked::Ids(v) => std::mem::take(v),
                Picked::AllMatching { .. } => vec![],
            };
            ids.retain(|x| *x != id);
            if on {
                ids.push(id);
            }
            *p = Picked::Ids(ids);
        });
    };
    let who = match &row.author_email {
        Some(email) => format!("{} <{email}>", row.author_name),
        None => row.author_name.clone(),
    };
    view! {
        <tr class:current=move || cursor.get() == i>
            <td><input type="checkbox" aria-label=format!("Select comment by {}", row.author_name) prop:checked=checked on:change=toggle/></td>
            <td><strong>{who}</strong><p class="comment-body">{row.body}</p></td>
            <td><a href=format!("/admin/posts/{}", row.post_id.0)>{row.post_title}</a></td>
            <td><span class=format!("status status-{}", row.status.as_str())>{row.status.label()}</span></td>
            <td>{row.created_at.get(..16).unwrap_or(&row.created_at).replace('T', " ")}</td>
        </tr>
    }
}

/// j / k move through the page, a / r / s approve, reject or mark the current comment as spam.
fn keyboard_shortcuts<F>(comments: Resource<Result<CommentQueue, AppError>>, cursor: RwSignal<usize>, send: F)
where
    F: Fn(Moderation, Picked) + Copy + 'static,
{
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        let typing = ev
            .target()
            .and_then(|t| leptos::wasm_bindgen::JsCast::dyn_into::<leptos::web_sys::Element>(t).ok())
            .map(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
            .unwrap_or(false);
        if typing || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let ids: Vec<i64> = comments
            .get_untracked()
            .and_then(Result::ok)
            .map(|q| q.page.rows.iter().map(|r| r.id.0).collect())
            .unwrap_or_default();
        if ids.is_empty() {
            return;
        }
        let at = cursor.get_untracked().min(ids.len() - 1);
        let act = |a| send(a, Picked::Ids(vec![ids[at]]));
        match ev.key().as_str() {
            "j" => cursor.set((at + 1).min(ids.len() - 1)),
            "k" => cursor.set(at.saturating_sub(1)),
            "a" => act(Moderation::Approve),
            "r" => act(Moderation::Reject),
            "s" => act(Moderation::Spam),
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());
}

#[component]
fn Shortcuts() -> impl IntoView {
    view! {
        <details class="card shortcuts">
            <summary>"Keyboard shortcuts"</summary>
            <dl>
                <dt><kbd>"j"</kbd>" / "<kbd>"k"</kbd></dt><dd>"Next / previous comment"</dd>
                <dt><kbd>"a"</kbd></dt><dd>"Approve the highlighted comment"</dd>
                <dt><kbd>"r"</kbd></dt><dd>"Reject it"</dd>
                <dt><kbd>"s"</kbd></dt><dd>"Mark it as spam"</dd>
            </dl>
        </details>
    }
}
