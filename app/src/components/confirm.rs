//! Confirmation before a form is sent. Every form behind these is a real POST that works
//! without JavaScript; with it, the browser asks first. These are islands: the only code of
//! their pages that runs in the browser.

use leptos::{
    ev::{Event, SubmitEvent},
    prelude::*,
    wasm_bindgen::JsCast,
    web_sys::{Element, HtmlInputElement, HtmlSelectElement},
};

/// Asks `question` before the form inside it is sent.
#[island]
pub fn AskFirst(question: String, children: Children) -> impl IntoView {
    let ask = move |ev: SubmitEvent| {
        if !window().confirm_with_message(&question).unwrap_or(false) {
            ev.prevent_default();
        }
    };
    view! { <div class="ask-first" on:submit=ask>{children()}</div> }
}

/// The `ids[]` checkboxes inside `root` (none before it is mounted).
pub fn id_boxes(root: NodeRef<leptos::html::Div>) -> Vec<HtmlInputElement> {
    let Some(root) = root.get_untracked() else { return vec![] };
    let Ok(list) = root.query_selector_all("input[name='ids[]']") else { return vec![] };
    (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<HtmlInputElement>().ok()).collect()
}

/// One action on one row: a plain POST of `id` to `action`, its button saying `label` (and
/// `aria_label` to screen readers, naming the row), red when `danger`.
#[component]
pub fn RowAction(
    action: &'static str,
    id: i64,
    label: &'static str,
    aria_label: String,
    #[prop(optional)] danger: bool,
) -> impl IntoView {
    view! {
        <form method="post" action=action class="inline">
            <input type="hidden" name="id" value=id/>
            <button type="submit" class=danger.then_some("danger") aria-label=aria_label>{label}</button>
        </form>
    }
}

/// Bulk selection for the form inside: a `data-select-all` checkbox ticks every `ids[]` box,
/// and sending asks first, naming the action (the pressed button's `action` value, or the
/// form's `action` field) and how many `noun`s are ticked.
#[island]
pub fn BulkChoice(noun: String, children: Children) -> impl IntoView {
    let root = NodeRef::<leptos::html::Div>::new();
    let boxes = move || id_boxes(root);
    let on_change = move |ev: Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) else { return };
        if input.has_attribute("data-select-all") {
            boxes().iter().for_each(|b| b.set_checked(input.checked()));
        }
    };
    let on_submit = move |ev: SubmitEvent| {
        let n = boxes().iter().filter(|b| b.checked()).count();
        if n == 0 {
            let _ = window().alert_with_message(&format!("Select at least one {noun} first."));
            ev.prevent_default();
            return;
        }
        let chosen = ev
            .submitter()
            .and_then(|b| b.get_attribute("value").filter(|_| b.get_attribute("name").as_deref() == Some("action")))
            .or_else(|| {
                let form: Element = ev.target()?.dyn_into().ok()?;
                let select = form.query_selector("select[name='action']").ok()??;
                Some(select.dyn_into::<HtmlSelectElement>().ok()?.value())
            })
            .unwrap_or_default();
        let verb = chosen.get(..1).map(|c| c.to_uppercase() + &chosen[1..]).unwrap_or_default();
        let question = format!("{verb} {n} {noun}{}?", if n == 1 { "" } else { "s" });
        if !window().confirm_with_message(&question).unwrap_or(false) {
            ev.prevent_default();
        }
    };
    view! { <div class="bulk-choice" node_ref=root on:change=on_change on:submit=on_submit>{children()}</div> }
}
