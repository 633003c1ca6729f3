//! A secret shown once (a one-time link, an API token), with a button that copies it.

use leptos::prelude::*;

/// `message` above a read-only field holding `value` (labelled `label` for screen readers) and
/// a copy button.
#[component]
pub fn OneTimeSecret(message: String, value: String, id: &'static str, label: &'static str) -> impl IntoView {
    let copied = RwSignal::new(false);
    let text = value.clone();
    let copy = move |_| {
        let _ = window().navigator().clipboard().write_text(&text);
        copied.set(true);
    };
    view! {
        <section class="toast one-time-link" role="status">
            <p>{message}</p>
            <label for=id class="visually-hidden">{label}</label>
            <input id=id readonly value=value size="64"/>
            <button type="button" on:click=copy>{move || if copied.get() { "Copied" } else { "Copy" }}</button>
        </section>
    }
}
