//! `/admin/comments`: the moderation queue, with bulk actions and keyboard shortcuts.

use crate::{
    api::comments::list_comments,
    components::{id_boxes, options_html, use_query, ErrorNotice, Pager},
    domain::{CommentQueue, CommentRow, CommentStatus, Moderation as Action},
    pages::query_number,
};
use leptos::{
    either::Either,
    ev::{Event, SubmitEvent},
    prelude::*,
    wasm_bindgen::JsCast,
    web_sys::{Element, HtmlElement, HtmlFormElement, HtmlInputElement},
};
use leptos_meta::Title;
use leptos_router::components::Form;

/// `/admin/comments`: the moderation queue. Editors and admins; authors get the 403 page. The
/// queue is a plain form (tick comments, press an action); [`Moderation`] adds selecting every
/// matching comment, the confirmation and the keyboard.
#[component]
pub fn CommentsPage() -> impl IntoView {
    let query = use_query();
    let status = move || Some(query.read().get("status").unwrap_or_else(|| "pending".into()));
    let q = move || query.read().get("q").filter(|v| !v.is_empty());
    let post_id = query_number("post_id");
    let (page, per_page) = (query_number("page"), query_number("per_page"));
    let comments = Resource::new(
        move || (status(), post_id(), q(), page(), per_page()),
        |(s, p, q, pg, n)| list_comments(s, p, q, None, pg, n),
    );
    view! {
        <Title text="Comments"/>
        <h1>"Comments"</h1>
        <QueueFilters/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match comments.await {
                    Ok(CommentQueue { page: list, latest_id }) => {
                        let filter = (status(), post_id(), q());
                        let (rows, through) = (list.rows.clone(), latest_id.map(|id| id.0));
                        Either::Left(view! {
                            <Moderation total=list.total page_len=list.rows.len()>
                                <Queue rows=rows.clone() filter=filter.clone() through/>
                            </Moderation>
                            <Pager page=list.page page_count=list.page_count() total=list.total per_page=list.per_page/>
                        })
                    }
                    Err(error) => Either::Right(view! { <ErrorNotice error/> }),
                }
            })}
        </Suspense>
        <Shortcuts/>
    }
}

#[component]
fn QueueFilters() -> impl IntoView {
    let query = use_query();
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

/// The queue as a form: a box per comment, the four actions as its buttons, and the filter it
/// was shown under (an "all matching" action applies to that filter, up to the newest comment
/// shown, so comments arriving meanwhile are not included unseen).
#[component]
fn Queue(
    rows: Vec<CommentRow>,
    filter: (Option<String>, Option<i64>, Option<String>),
    through: Option<i64>,
) -> impl IntoView {
    if rows.is_empty() {
        return Either::Left(view! { <p class="empty">"No comments match. The queue is clear."</p> });
    }
    let (status, post_id, q) = filter;
    let buttons = Action::ALL
        .map(|a| {
            let label = match a {
                Action::Approve => "Approve",
                Action::Reject => "Reject",
                Action::Spam => "Spam",
                Action::Delete => "Delete",
            };
            let class = if a == Action::Delete { "danger" } else { "secondary" };
            view! { <button type="submit" name="action" value=a.as_str() class=class>{label}</button> }
        })
        .collect_view();
    let body = rows.into_iter().map(|row| view! { <CommentRowView row/> }).collect_view();
    Either::Right(view! {
        <form id="moderation" method="post" action="/admin/api/comments/moderate">
            {status.map(|v| view! { <input type="hidden" name="status" value=v/> })}
            {post_id.map(|v| view! { <input type="hidden" name="post_id" value=v/> })}
            {q.map(|v| view! { <input type="hidden" name="q" value=v/> })}
            {through.map(|v| view! { <input type="hidden" name="through_id" value=v/> })}
            <div class="bulk-bar" role="toolbar" aria-label="Moderate selected comments">{buttons}</div>
            <table class="data queue">
                <caption class="visually-hidden">"Comments"</caption>
                <thead><tr>
                    <th scope="col"><input type="checkbox" data-select-all aria-label="Select all comments on this page"/></th>
                    <th scope="col">"Comment"</th><th scope="col">"On"</th><th scope="col">"Status"</th><th scope="col">"Received (UTC)"</th>
                </tr></thead>
                <tbody>{body}</tbody>
            </table>
        </form>
    })
}

#[component]
fn CommentRowView(row: CommentRow) -> impl IntoView {
    let who = match &row.author_email {
        Some(email) => format!("{} <{email}>", row.author_name),
        None => row.author_name.clone(),
    };
    view! {
        <tr>
            <td><input type="checkbox" name="ids[]" value=row.id.0 aria-label=format!("Select comment by {}", row.author_name)/></td>
            <td><strong>{who}</strong><p class="comment-body">{row.body}</p></td>
            <td><a href=format!("/admin/posts/{}", row.post_id.0)>{row.post_title}</a></td>
            <td><span class=format!("status status-{}", row.status.as_str())>{row.status.label()}</span></td>
            <td>{row.created_at.get(..16).unwrap_or(&row.created_at).replace('T', " ")}</td>
        </tr>
    }
}

/// The queue form's behaviour in the browser: how many are selected, ticking a whole page,
/// extending a whole page to every matching comment, asking before an action (naming the
/// count), and the keyboard: j / k move through the page, a / r / s approve, reject or mark the
/// current comment as spam at once.
#[island]
fn Moderation(total: i64, page_len: usize, children: Children) -> impl IntoView {
    let root = NodeRef::<leptos::html::Div>::new();
    let ticked = RwSignal::new(0usize);
    let all_matching = RwSignal::new(false);
    let cursor = RwSignal::new(None::<usize>);
    let skip_question = StoredValue::new(false);
    let boxes = move || id_boxes(root);
    let on_change = move |ev: Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) else { return };
        if input.has_attribute("data-select-all") {
            boxes().iter().for_each(|b| b.set_checked(input.checked()));
        }
        ticked.set(boxes().iter().filter(|b| b.checked()).count());
        all_matching.set(false);
    };
    let on_submit = move |ev: SubmitEvent| {
        let n = if all_matching.get_untracked() { total.max(0) as usize } else { ticked.get_untracked() };
        if n == 0 {
            ev.prevent_default();
            return;
        }
        if skip_question.get_value() {
            skip_question.set_value(false);
            return;
        }
        let verb = ev.submitter().and_then(|b| b.text_content()).unwrap_or_default();
        let question = format!("{verb} {n} comment{}?", if n == 1 { "" } else { "s" });
        if !window().confirm_with_message(&question).unwrap_or(false) {
            ev.prevent_default();
        }
    };
    let rows = move || -> Vec<Element> {
        let Some(root) = root.get_untracked() else { return vec![] };
        let Ok(list) = root.query_selector_all("tbody tr") else { return vec![] };
        (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<Element>().ok()).collect()
    };
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let typing = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        let rows = rows();
        if typing || ev.ctrl_key() || ev.meta_key() || ev.alt_key() || rows.is_empty() {
            return;
        }
        let at = cursor.get_untracked().unwrap_or(0).min(rows.len() - 1);
        let act = |action: &str| {
            let boxes = boxes();
            boxes.iter().enumerate().for_each(|(i, b)| b.set_checked(i == at));
            ticked.set(1);
            all_matching.set(false);
            let Some(root) = root.get_untracked() else { return };
            let form = root.query_selector("form").ok().flatten().and_then(|f| f.dyn_into::<HtmlFormElement>().ok());
            let button = root
                .query_selector(&format!("button[name='action'][value='{action}']"))
                .ok()
                .flatten()
                .and_then(|b| b.dyn_into::<HtmlElement>().ok());
            if let (Some(form), Some(button)) = (form, button) {
                skip_question.set_value(true);
                let _ = form.request_submit_with_submitter(Some(&button));
            }
        };
        match ev.key().as_str() {
            "j" => cursor.set(Some((at + 1).min(rows.len() - 1))),
            "k" => cursor.set(Some(at.saturating_sub(1))),
            "a" => act("approve"),
            "r" => act("reject"),
            "s" => act("spam"),
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());
    // The highlighted row follows the cursor.
    Effect::new(move |previous: Option<Option<usize>>| {
        let now = cursor.get();
        let rows = rows();
        for (i, row) in rows.iter().enumerate() {
            if previous.flatten() == Some(i) || now == Some(i) {
                let _ = row.class_list().toggle_with_force("current", now == Some(i));
            }
        }
        now
    });
    let offer_all = move || page_len > 0 && ticked.get() == page_len && total > page_len as i64 && !all_matching.get();
    view! {
        <div class="moderation" node_ref=root on:change=on_change on:submit=on_submit>
            <div class="selection" role="status">
                <span>{move || format!("{} selected", if all_matching.get() { total.max(0) as usize } else { ticked.get() })}</span>
                <Show when=offer_all>
                    <button type="button" class="link-button" on:click=move |_| all_matching.set(true)>
                        {format!("Select all {total} matching")}
                    </button>
                </Show>
                <Show when=move || all_matching.get()>
                    <span>{format!("All {total} matching comments are selected.")}</span>
                    <input type="hidden" name="all_matching" form="moderation" value="true"/>
                    <button type="button" class="link-button" on:click=move |_| {
                        all_matching.set(false);
                        boxes().iter().for_each(|b| b.set_checked(false));
                        ticked.set(0);
                    }>"Clear selection"</button>
                </Show>
            </div>
            {children()}
        </div>
    }
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
