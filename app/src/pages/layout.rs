//! The `/admin` layout: the sign-in check, the header and navigation around every admin page.

use crate::{
    api::auth::{fetch_actor, Logout},
    components::{use_query, ErrorNotice, OneTimeSecret, PageQuery},
    domain::Actor,
    error::AppError,
    policy::nav_items,
};
use leptos::{
    either::{Either, EitherOf3},
    prelude::*,
};
use leptos_router::{
    components::{Outlet, Redirect, A},
    hooks::{use_location, use_query_map},
    location::Url,
};

/// The signed-in actor, loaded once by the layout and read by every admin page.
pub type ActorResource = Resource<Result<Actor, AppError>>;

/// Every `/admin` page: signs the visitor in or sends them to the login page, keeping where
/// they wanted to go in `next`.
#[component]
pub fn AdminLayout() -> impl IntoView {
    let location = use_location();
    // Loaded once per page (the server's page gate already read the user: no second query).
    let me: ActorResource = Resource::new_blocking(|| (), |_| fetch_actor());
    provide_context(me);
    provide_context(PageQuery(use_query_map()));
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <Suspense fallback=|| view! { <header class="topbar"><span class="brand">"Inkwarden"</span></header> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(actor) => EitherOf3::A(view! { <Header actor/> }),
                    Err(AppError::Unauthenticated) => {
                        let (path, search) = (location.pathname.get_untracked(), location.search.get_untracked());
                        let next = if search.is_empty() { path } else { format!("{path}?{search}") };
                        EitherOf3::B(view! { <Redirect path=format!("/admin/login?next={}", Url::escape(&next))/> })
                    }
                    Err(error) => EitherOf3::C(view! { <ErrorNotice error/> }),
                }
            })}
        </Suspense>
        <main id="main">
            {flash()}
            {form_error().map(|error| view! { <ErrorNotice error/> })}
            <Outlet/>
        </main>
    }
}

/// What the last form did (its POST redirected here), rendered on the server once and gone.
fn flash() -> Option<impl IntoView> {
    #[cfg(feature = "ssr")]
    let text = crate::ssr::auth::flash();
    #[cfg(not(feature = "ssr"))]
    let text: Option<crate::domain::Flash> = None;
    text.filter(|f| !f.text.is_empty()).map(|flash| match flash.secret {
        None => Either::Left(view! { <p class="toast" role="status">{flash.text}</p> }),
        Some((label, value)) => Either::Right(view! { <OneTimeSecret message=flash.text value label/> }),
    })
}

/// The error a plain form's POST came back with (the server function's redirect puts it into
/// the URL), unless it is about fields: the form shows those beside them.
fn form_error() -> Option<AppError> {
    let encoded = use_query().read_untracked().get("__err")?;
    match leptos::server_fn::error::ServerFnUrlError::<AppError>::decode_err(&encoded) {
        AppError::Invalid(_) => None,
        error => Some(error),
    }
}

/// Header and the navigation computed from the policy, for the actor the server just loaded:
/// every page is a fresh load, so a role an admin changed shows at the next click.
#[component]
fn Header(actor: Actor) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let links = nav_items(actor.role)
        .into_iter()
        .map(|item| view! { <li><A href=item.href exact=true>{item.label}</A></li> })
        .collect_view();
    view! {
        <header class="topbar">
            <a class="brand" href="/admin">"Inkwarden"</a>
            <nav aria-label="Dashboard"><ul class="nav">{links}</ul></nav>
            <div class="account">
                <A href="/admin/profile">{actor.username.clone()}</A>
                <span class="role-badge">{actor.role.label()}</span>
                <ActionForm action=logout>
                    <button type="submit" class="link-button">"Sign out"</button>
                </ActionForm>
            </div>
        </header>
    }
}
