use super::ActorResource;
use crate::policy::{allows, Capability};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/admin`: who is signed in and what their role allows.
#[component]
pub fn Overview() -> impl IntoView {
    let me = expect_context::<ActorResource>();
    view! {
        <Title text="Overview"/>
        <h1>"Overview"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                me.await.ok().map(|actor| {
                    let rights = Capability::ALL
                        .into_iter()
                        .filter(|c| allows(actor.role, *c))
                        .map(|c| view! { <li>{c.describe()}</li> })
                        .collect_view();
                    view! {
                        <p>"Signed in as " <strong>{actor.username.clone()}</strong> ", " {actor.role.label()} "."</p>
                        <section class="card">
                            <h2>"What your role can do"</h2>
                            <ul>{rights}</ul>
                        </section>
                    }
                })
            })}
        </Suspense>
    }
}
