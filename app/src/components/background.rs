//! Sending a form in the background: what every form of ours does without JavaScript (a POST,
//! then the page it leads to), without losing what was typed when the server refuses it.

use crate::error::AppError;
use leptos::{
    ev::SubmitEvent,
    prelude::*,
    wasm_bindgen::JsCast,
    web_sys::{Element, FormData, Headers, HtmlFormElement, RequestInit, Response, UrlSearchParams},
};
use wasm_bindgen_futures::JsFuture;

/// What the server said to a form sent in the background.
pub enum Sent {
    /// Done: where the server function sends the browser next, if anywhere, and its answer.
    Done { location: Option<String>, answer: String },
    /// Refused, with the reason (field messages included).
    Refused(AppError),
}

/// POST the `form`'s fields (encoded as the browser would) to its action, asking for JSON.
pub async fn send(form: &HtmlFormElement) -> Sent {
    let body = FormData::new_with_form(form)
        .and_then(|data| UrlSearchParams::new_with_str_sequence_sequence(&data))
        .map(|params| String::from(params.to_string()));
    match body {
        Ok(body) => post(&form.action(), body).await,
        Err(_) => Sent::Refused(AppError::Internal),
    }
}

/// POST a form-encoded `body` to a server function, asking for JSON.
pub async fn post(url: &str, body: String) -> Sent {
    let answer = async {
        let headers = Headers::new().ok()?;
        headers.set("Accept", "application/json").ok()?;
        headers.set("Content-Type", "application/x-www-form-urlencoded").ok()?;
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_headers(&headers);
        init.set_body(&body.into());
        let response: Response =
            JsFuture::from(window().fetch_with_str_and_init(url, &init)).await.ok()?.dyn_into().ok()?;
        let text = JsFuture::from(response.text().ok()?).await.ok()?.as_string().unwrap_or_default();
        let redirect = response.headers().has("serverfnredirect").unwrap_or(false);
        let location = redirect.then(|| response.headers().get("location").ok().flatten()).flatten();
        Some((response.ok(), location, text))
    };
    match answer.await {
        Some((true, location, answer)) => Sent::Done { location, answer },
        Some((false, _, text)) => Sent::Refused(serde_json::from_str(&text).unwrap_or(AppError::Internal)),
        None => Sent::Refused(AppError::Internal),
    }
}

/// The form inside is sent in the background: a refusal shows beside the fields it names (the
/// rest above the form) and the fields keep what was typed; success goes where the server says,
/// or reloads this page.
#[island]
pub fn SendInBackground(children: Children) -> impl IntoView {
    let root = NodeRef::<leptos::html::Div>::new();
    let refused = RwSignal::new(None::<String>);
    let on_submit = move |ev: SubmitEvent| {
        let Some(form) = ev.target().and_then(|t| t.dyn_into::<HtmlFormElement>().ok()) else { return };
        ev.prevent_default();
        leptos::task::spawn_local(async move {
            match send(&form).await {
                Sent::Done { location, .. } => follow(location),
                Sent::Refused(error) => refused.set(root.get_untracked().and_then(|r| show_refusal(&r, &error))),
            }
        });
    };
    view! {
        <div class="in-background" node_ref=root on:submit=on_submit>
            {children()}
            {move || refused.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
        </div>
    }
}

/// Put a refusal's field messages into the fields' message elements (`{field}-error`, see
/// [`super::FieldMessage`]) under `root`, clearing earlier ones; what has no place there is
/// returned, to show above the form.
pub fn show_refusal(root: &Element, error: &AppError) -> Option<String> {
    if let Ok(old) = root.query_selector_all(".field-error") {
        for el in (0..old.length()).filter_map(|i| old.item(i)?.dyn_into::<Element>().ok()) {
            el.set_text_content(None);
            let _ = el.set_attribute("hidden", "");
        }
    }
    let AppError::Invalid(fields) = error else { return Some(error.to_string()) };
    let mut elsewhere = vec![];
    for f in fields {
        match root.query_selector(&format!("[id='{}-error']", f.field)).ok().flatten() {
            Some(el) => {
                el.set_text_content(Some(&f.message));
                let _ = el.remove_attribute("hidden");
            }
            None => elsewhere.push(f.message.as_str()),
        }
    }
    (!elsewhere.is_empty()).then(|| elsewhere.join(" "))
}

/// Go where the server function said, or load this page again.
pub fn follow(location: Option<String>) {
    let here = window().location();
    let _ = match location {
        Some(to) => here.assign(&to),
        None => here.reload(),
    };
}
