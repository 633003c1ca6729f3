//! Notices: the 403 page, server errors worded for people, and per-field messages.

use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::components::A;

/// The page a signed-in user sees for a section their role may not open. Answers 403.
#[component]
pub fn Forbidden() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::FORBIDDEN);
    }
    view! {
        <section class="notice notice-denied" role="alert">
            <h1>"Access denied"</h1>
            <p>"Your role does not include this section. If you need it, ask an admin."</p>
            <p><A href="/admin">"Back to the overview"</A></p>
        </section>
    }
}

/// An error from a server function, worded for people.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    if error == AppError::Forbidden {
        return view! { <Forbidden/> }.into_any();
    }
    view! { <p class="notice notice-error" role="alert">{error.to_string()}</p> }.into_any()
}

/// The server's message for one form field, if the last submission flagged it.
#[component]
pub fn FieldMessage(
    #[prop(into)] error: Signal<Option<AppError>>,
    field: &'static str,
    /// The message element's id when two forms on a page share a field name (default
    /// `{field}-error`).
    #[prop(optional)]
    id: Option<&'static str>,
) -> impl IntoView {
    let message = move || error.get().and_then(|e| e.field_message(field));
    let id = id.map_or_else(|| format!("{field}-error"), str::to_owned);
    // Always there (hidden when empty): a form sent in the background fills it in.
    view! { <p class="field-error" id=id hidden=move || message().is_none()>{message}</p> }
}
