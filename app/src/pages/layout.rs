//! The `/admin` layout: the sign-in check, the header and navigation around every admin page.

use crate::{
    api::auth::{fetch_actor, Logout},
    components::ErrorNotice,
    domain::Actor,
    error::AppError,
    policy::nav_items,
};
use leptos::{either::EitherOf3, prelude::*};
use leptos_router::{
    components::{Outlet, Redirect, A},
    hooks::use_location,
    location::Url,
};

/// The signed-in actor, loaded once by the layout and read by every admin page.
pub type ActorResource = Resource<Result<Actor, AppError>>;

/// Every `/admin` page: signs the visitor in or sends them to the login page, keeping where
/// they wanted to go in `next`.
#[component]
pub fn AdminLayout() -> impl IntoView {
    let location = use_location();
    // Loaded once: re-running the Suspends that read it at every click would rebuild forms
    // mid-submission. The header follows role changes on its own (see `Header`).
    let me: ActorResource = Resource::new_blocking(|| (), |_| fetch_actor());
    provide_context(me);
    // The page (Outlet) stays outside the Suspense: if the header's Suspend runs again, the
    // page and its resources are not created twice (which would desynchronise hydration).
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
        <main id="main"><Outlet/></main>
    }
}

/// Header and the navigation computed from the policy. After each navigation the client asks
/// who is signed in again and redraws only the links and the badge, so a role an admin changed
/// shows at the next click (the server applies it to every request regardless).
#[component]
fn Header(actor: Actor) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let role = RwSignal::new(actor.role);
    let location = use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|p| p != path) {
            leptos::task::spawn_local(async move {
                if let Ok(now) = fetch_actor().await {
                    // The header may be gone by then (signed out): nothing to update.
                    let _ = role.try_set(now.role);
                }
            });
        }
        path
    });
    let links = move || {
        nav_items(role.get())
            .into_iter()
            .map(|item| view! { <li><A href=item.href exact=true>{item.label}</A></li> })
            .collect_view()
    };
    view! {
        <header class="topbar">
            <a class="brand" href="/admin">"Inkwarden"</a>
            <nav aria-label="Dashboard"><ul class="nav">{links}</ul></nav>
            <div class="account">
                <A href="/admin/profile">{actor.username.clone()}</A>
                <span class="role-badge">{move || role.get().label()}</span>
                <ActionForm action=logout>
                    <button type="submit" class="link-button">"Sign out"</button>
                </ActionForm>
            </div>
        </header>
    }
}
