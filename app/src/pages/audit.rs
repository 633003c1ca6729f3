//! `/admin/audit`: the audit log, filtered by action.

use super::query_number;
use crate::{
    api::audit::list_audit_events,
    components::{options_html, ErrorNotice, Pager},
    domain::{AuditAction, AuditEntry},
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use leptos_router::{components::Form, hooks::use_query_map};

/// `/admin/audit`: the append-only audit log with an action filter. Admins only.
#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let action = move || query.read().get("action").filter(|a| !a.is_empty());
    let (page, per_page) = (query_number("page"), query_number("per_page"));
    let events = Resource::new(move || (action(), page(), per_page()), |(a, p, n)| list_audit_events(a, p, n));
    view! {
        <Title text="Audit log"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(list) => Either::Left(view! {
                        <h1>"Audit log"</h1>
                        <ActionFilter selected=action()/>
                        <AuditTable rows=list.rows.clone()/>
                        <Pager page=list.page page_count=list.page_count() total=list.total per_page=list.per_page/>
                    }),
                    Err(error) => Either::Right(view! { <ErrorNotice error/> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ActionFilter(selected: Option<String>) -> impl IntoView {
    let options = options_html(
        std::iter::once(("", "All actions")).chain(AuditAction::ALL.iter().map(|a| (a.as_str(), a.as_str()))),
        selected.as_deref().unwrap_or(""),
    );
    view! {
        <Form method="get" action="">
            <label for="action">"Action"</label>
            <select id="action" name="action" inner_html=options></select>
            <button type="submit">"Filter"</button>
        </Form>
    }
}

#[component]
fn AuditTable(rows: Vec<AuditEntry>) -> impl IntoView {
    if rows.is_empty() {
        return Either::Left(view! { <p class="empty">"No events match."</p> });
    }
    let rows = rows
        .into_iter()
        .map(|e| {
            let target = e.target_type.map(|t| format!("{t} {}", e.target_id.unwrap_or_default()));
            view! {
                <tr>
                    <td>{e.occurred_at.0}</td>
                    <td>{e.actor}</td>
                    <td>{e.client_ip.unwrap_or_default()}</td>
                    <td>{e.action}</td>
                    <td>{target.unwrap_or_default()}</td>
                    <td><code>{e.details}</code></td>
                </tr>
            }
        })
        .collect_view();
    Either::Right(view! {
        <table class="data">
            <caption class="visually-hidden">"Audit events, newest first"</caption>
            <thead><tr>
                <th scope="col">"Time (UTC)"</th><th scope="col">"Actor"</th><th scope="col">"IP"</th>
                <th scope="col">"Action"</th><th scope="col">"Target"</th><th scope="col">"Details"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    })
}
