//! Inkwarden's shared crate: domain types, the policy, server functions and the UI. Compiled
//! into the server (`ssr`) and into the WebAssembly client (`hydrate`).

pub mod api;
pub mod components;
pub mod domain;
pub mod error;
pub mod pages;
pub mod policy;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path, SsrMode,
};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_security_policy();
    // Readers' pages (`/`, `/posts/…`) have nothing interactive (the comment form is a plain
    // POST): they get no script and no WebAssembly at all. Dashboard pages are server-rendered
    // HTML too; only their islands (bulk selection, confirmations, the editor's preview …)
    // load the WebAssembly.
    #[cfg(feature = "ssr")]
    let hydrate = use_context::<http::request::Parts>().is_none_or(|req| is_dashboard(req.uri.path()));
    #[cfg(not(feature = "ssr"))]
    let hydrate = true;
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                // The build names the stylesheet after its content, like the script and the module.
                <link rel="stylesheet" href=format!("/pkg/{}.css", options.output_name)/>
                {hydrate.then(|| view! {
                    {live_reload().then(|| view! { <AutoReload options=options.clone()/> })}
                    <HydrationScripts options islands=true/>
                })}
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Whether `cargo leptos watch` runs this server (it sets `LEPTOS_WATCH`), the only case in
/// which a page carries the live-reload script. Read once: `AutoReload` reads the environment
/// and takes its own copy of the options at every page otherwise, to render nothing.
fn live_reload() -> bool {
    static WATCHED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *WATCHED.get_or_init(|| std::env::var_os("LEPTOS_WATCH").is_some())
}

/// Whether `path` is a dashboard page (`/admin` and below), the only pages that hydrate.
pub fn is_dashboard(path: &str) -> bool {
    path == "/admin" || path.starts_with("/admin/")
}

/// A Content-Security-Policy bound to this response's nonce: no script runs without it.
#[cfg(feature = "ssr")]
fn set_security_policy() {
    use http::{header::CONTENT_SECURITY_POLICY, HeaderValue};
    let (Some(nonce), Some(response)) = (use_nonce(), use_context::<leptos_axum::ResponseOptions>()) else {
        return;
    };
    let csp = format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&csp) {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

/// The document title for a page's `<Title text>`. Every title passes through here, so a post
/// title such as `</title><script>` stays text in the server-rendered head.
fn page_title(text: String) -> String {
    let title = if text.is_empty() { "Inkwarden".to_owned() } else { format!("{text} · Inkwarden") };
    components::escape_on_server(title)
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        // The one formatter: leptos_meta writes the server's <title> unescaped, so this escapes it.
        <Title formatter=page_title/>
        <Router>
            <Routes fallback=pages::NotFound>
                <Route path=path!("/") view=pages::Home ssr=SsrMode::Async/>
                <Route path=path!("/posts/:slug") view=pages::PostPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/login") view=pages::LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/login/verify") view=pages::VerifyPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/setup") view=pages::SetupPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/welcome") view=pages::WelcomePage ssr=SsrMode::Async/>
                <ParentRoute path=path!("/admin") view=pages::AdminLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=pages::Overview ssr=SsrMode::Async/>
                    <Route path=path!("profile") view=pages::ProfilePage ssr=SsrMode::Async/>
                    <Route path=path!("posts") view=pages::PostsPage ssr=SsrMode::Async/>
                    <Route path=path!("posts/new") view=pages::NewPostPage ssr=SsrMode::Async/>
                    <Route path=path!("posts/:id") view=pages::EditPostPage ssr=SsrMode::Async/>
                    <Route path=path!("comments") view=pages::CommentsPage ssr=SsrMode::Async/>
                    <Route path=path!("categories") view=pages::CategoriesPage ssr=SsrMode::Async/>
                    <Route path=path!("tags") view=pages::TagsPage ssr=SsrMode::Async/>
                    <Route path=path!("users") view=pages::UsersPage ssr=SsrMode::Async/>
                    <Route path=path!("tokens") view=pages::TokensPage ssr=SsrMode::Async/>
                    <Route path=path!("audit") view=pages::AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("settings") view=pages::SettingsPage ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
