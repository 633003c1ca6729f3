//! A secret shown once (a one-time link, an API token), with a button that copies it.

use leptos::prelude::*;

/// `message` above a read-only field holding `value` (labelled `label` for screen readers) and
/// a copy button.
#[component]
pub fn OneTimeSecret(message: String, value: String, label: String) -> impl IntoView {
    view! {
        <section class="toast one-time-link" role="status">
            <p>{message}</p>
            <label for="one-time-secret" class="visually-hidden">{label}</label>
            <input id="one-time-secret" readonly value=value.clone() size="64"/>
            <CopyButton value/>
        </section>
    }
}

/// Copies `value` to the clipboard.
#[island]
fn CopyButton(value: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = move |_| {
        let _ = window().navigator().clipboard().write_text(&value);
        copied.set(true);
    };
    view! { <button type="button" on:click=copy>{move || if copied.get() { "Copied" } else { "Copy" }}</button> }
}
