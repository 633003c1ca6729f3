//! `/admin/audit`: the audit log, filtered in the URL, each event's details on demand, and a
//! CSV export with the same filters.

use super::query_number;
use crate::{
    api::audit::list_audit_events,
    components::{use_query, ErrorNotice, Pager},
    domain::{audit_changes, AuditAction, AuditEntry, AuditFilter},
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use leptos_router::components::Form;

/// The filter the current URL describes.
fn filter_from_url() -> impl Fn() -> AuditFilter + Copy + Send + Sync + 'static {
    let query = use_query();
    move || {
        let q = query.read();
        let pairs = ["actor", "target_type", "target_id", "from", "to", "ip"]
            .into_iter()
            .filter_map(|k| q.get_str(k).map(|v| (k, v.to_owned())))
            .chain(q.get_all("action").unwrap_or_default().into_iter().map(|v| ("action", v)))
            .collect::<Vec<_>>();
        AuditFilter::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
    }
}

/// `/admin/audit`: the append-only audit log, newest first. Admins only.
#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query();
    let filter = filter_from_url();
    let (page, per_page) = (query_number("page"), query_number("per_page"));
    let events = Resource::new(
        move || (filter(), page(), per_page()),
        |(f, p, n)| list_audit_events(f.actor, f.actions, f.target_type, f.target_id, f.from, f.to, f.ip, p, n),
    );
    let export = move || {
        let mut q = query.get();
        q.remove("page");
        q.remove("per_page");
        format!("/admin/audit/export.csv{}", q.to_query_string())
    };
    view! {
        <Title text="Audit log"/>
        <div class="page-head">
            <h1>"Audit log"</h1>
            <a href=export download="audit.csv">"Export CSV"</a>
        </div>
        <AuditFilters current=filter()/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(list) => Either::Left(view! {
                        <AuditTable rows=list.rows.clone()/>
                        <Pager page=list.page page_count=list.page_count() total=list.total per_page=list.per_page/>
                    }),
                    Err(error) => Either::Right(view! { <ErrorNotice error/> }),
                }
            })}
        </Suspense>
    }
}

/// The filter form: a GET form that writes the URL and works without JavaScript.
#[component]
fn AuditFilters(current: AuditFilter) -> impl IntoView {
    let actions = AuditAction::ALL
        .iter()
        .map(|a| {
            let selected = current.actions.iter().any(|c| c == a.as_str());
            view! { <option value=a.as_str() selected=selected>{a.as_str()}</option> }
        })
        .collect_view();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    view! {
        <Form method="get" action="" attr:class="filters audit-filters">
            <div><label for="actor">"Actor"</label>
                <input id="actor" name="actor" value=text(&current.actor) placeholder="username, cli, system"/></div>
            <div><label for="action">"Actions"</label>
                <select id="action" name="action" multiple size="4">{actions}</select></div>
            <div><label for="target_type">"Target type"</label>
                <input id="target_type" name="target_type" value=text(&current.target_type) placeholder="post, user …"/></div>
            <div><label for="target_id">"Target id"</label>
                <input id="target_id" name="target_id" value=text(&current.target_id)/></div>
            <div><label for="from">"From (UTC)"</label>
                <input id="from" name="from" type="date" value=text(&current.from)/></div>
            <div><label for="to">"To (UTC)"</label>
                <input id="to" name="to" type="date" value=text(&current.to)/></div>
            <div><label for="ip">"Client IP"</label>
                <input id="ip" name="ip" value=text(&current.ip)/></div>
            <button type="submit">"Filter"</button>
            <a href="/admin/audit">"Clear"</a>
        </Form>
    }
}

#[component]
fn AuditTable(rows: Vec<AuditEntry>) -> impl IntoView {
    if rows.is_empty() {
        return Either::Left(view! { <p class="empty">"No events match. Try clearing the filters."</p> });
    }
    let rows = rows.into_iter().map(|e| view! { <AuditRow e/> }).collect_view();
    Either::Right(view! {
        <table class="data audit">
            <caption class="visually-hidden">"Audit events, newest first"</caption>
            <thead><tr>
                <th scope="col">"Time (UTC)"</th><th scope="col">"Actor"</th><th scope="col">"IP"</th>
                <th scope="col">"Action"</th><th scope="col">"Target"</th><th scope="col">"Details"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    })
}

/// One event; its details open in place: before and after per field, then the rest (the ids
/// of a bulk action, counts, names).
#[component]
fn AuditRow(e: AuditEntry) -> impl IntoView {
    let target = e.target_type.map(|t| format!("{t} {}", e.target_id.unwrap_or_default()));
    let (changes, rest) = audit_changes(&e.details);
    let has_details = !changes.is_empty() || !rest.is_empty();
    let summary = match changes.len() {
        0 => format!("{} detail{}", rest.len(), if rest.len() == 1 { "" } else { "s" }),
        n => format!("{n} change{}", if n == 1 { "" } else { "s" }),
    };
    let diff = (!changes.is_empty()).then(|| {
        let lines = changes
            .into_iter()
            .map(|c| {
                view! {
                    <tr>
                        <th scope="row">{c.field}</th>
                        <td><del>{c.before.unwrap_or_else(|| "—".into())}</del></td>
                        <td><ins>{c.after.unwrap_or_else(|| "—".into())}</ins></td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="diff">
                <thead><tr><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                <tbody>{lines}</tbody>
            </table>
        }
    });
    let others = rest.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd><code>{v}</code></dd> }).collect_view();
    view! {
        <tr>
            <td>{e.occurred_at.get(..19).unwrap_or(&e.occurred_at).replace('T', " ")}</td>
            <td>{e.actor}</td>
            <td>{e.client_ip.unwrap_or_default()}</td>
            <td>{e.action}</td>
            <td>{target.unwrap_or_default()}</td>
            <td>
                {has_details.then(|| view! {
                    <details>
                        <summary>{summary}</summary>
                        {diff}
                        <dl class="event-details">{others}</dl>
                    </details>
                })}
            </td>
        </tr>
    }
}
