//! `/admin`: the overview, with counts, weekly charts and what the role allows.

use super::ActorResource;
use crate::{
    api::{comments::fetch_comment_counts, posts::list::fetch_post_counts},
    domain::PostCounts,
    policy::{allows, Capability},
};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/admin`: counts in the viewer's scope, posts published per week, and what the role allows.
#[component]
pub fn Overview() -> impl IntoView {
    let me = expect_context::<ActorResource>();
    let counts = Resource::new(|| (), |_| fetch_post_counts());
    // Authors are refused (403) and simply see no comment figures.
    let comment_counts = Resource::new(|| (), |_| fetch_comment_counts());
    view! {
        <Title text="Overview"/>
        <h1>"Overview"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let counts = counts.await.unwrap_or_default();
                let comments = comment_counts.await.ok();
                me.await.ok().map(|actor| {
                    let rights = Capability::ALL
                        .into_iter()
                        .filter(|c| allows(actor.role, *c))
                        .map(|c| view! { <li>{c.describe()}</li> })
                        .collect_view();
                    view! {
                        <p>"Signed in as " <strong>{actor.username.clone()}</strong> ", " {actor.role.label()} "."</p>
                        <Counts counts=counts.clone() pending=comments.as_ref().map(|c| c.0)/>
                        <section class="card">
                            <h2>"Posts published per week"</h2>
                            <WeeklyChart weeks=counts.weekly label="Posts published"/>
                        </section>
                        {comments.map(|(_, weekly)| view! {
                            <section class="card">
                                <h2>"Comments received per week"</h2>
                                <WeeklyChart weeks=weekly label="Comments received"/>
                            </section>
                        })}
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

#[component]
fn Counts(counts: PostCounts, pending: Option<i64>) -> impl IntoView {
    let tile = |label: &'static str, n: i64, href: &'static str| {
        view! { <a class="tile" href=href><span class="tile-n">{n}</span><span>{label}</span></a> }
    };
    view! {
        <div class="tiles">
            {tile("Drafts", counts.drafts, "/admin/posts?status=draft")}
            {tile("In review", counts.in_review, "/admin/posts?status=review")}
            {tile("Published", counts.published, "/admin/posts?status=published")}
            {pending.map(|n| tile("Pending comments", n, "/admin/comments?status=pending"))}
        </div>
    }
}

/// A bar chart drawn as SVG, with a text alternative listing every bar.
#[component]
pub fn WeeklyChart(weeks: Vec<(String, i64)>, label: &'static str) -> impl IntoView {
    const W: f64 = 640.0;
    const H: f64 = 160.0;
    let max = weeks.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1) as f64;
    let slot = W / weeks.len().max(1) as f64;
    let summary = weeks.iter().map(|(w, n)| format!("week of {w}: {n}")).collect::<Vec<_>>().join("; ");
    let bars = weeks
        .iter()
        .enumerate()
        .map(|(i, (week, n))| {
            let h = (*n as f64 / max) * (H - 30.0);
            let x = i as f64 * slot + slot * 0.15;
            view! {
                <g>
                    <rect class="bar" x=x y=H - 20.0 - h width=slot * 0.7 height=h><title>{format!("Week of {week}: {n}")}</title></rect>
                    <text class="bar-label" x=x + slot * 0.35 y=H - 5.0 text-anchor="middle">{week.get(5..).unwrap_or(week).to_owned()}</text>
                    <text class="bar-value" x=x + slot * 0.35 y=H - 24.0 - h text-anchor="middle">{*n}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 {W} {H}") role="img" aria-label=format!("{label} per week. {summary}")>
            {bars}
        </svg>
    }
}
