use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// The public front page. The published-post list arrives with the content model.
#[component]
pub fn Home() -> impl IntoView {
    view! {
        <Title text="Home"/>
        <main id="main" class="public">
            <h1>"Inkwarden"</h1>
            <p>"This blog has not published anything yet."</p>
            <p><A href="/admin">"Staff sign-in"</A></p>
        </main>
    }
}

/// Any path no route matches. Answers 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found"/>
        <main id="main" class="public">
            <h1>"Not found"</h1>
            <p>"There is nothing at this address."</p>
            <p><A href="/">"Home"</A></p>
        </main>
    }
}
