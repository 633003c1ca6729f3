//! `/admin/users`: the list of staff accounts (read-only; the CLI manages them).

use super::query_number;
use crate::{
    api::users::list_users,
    components::{ErrorNotice, Pager},
    domain::UserSummary,
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;

/// `/admin/users`: the staff accounts. Admins only; others get the 403 page.
#[component]
pub fn UsersPage() -> impl IntoView {
    let (page, per_page) = (query_number("page"), query_number("per_page"));
    let users = Resource::new(move || (page(), per_page()), |(p, n)| list_users(p, n));
    view! {
        <Title text="Users"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(list) => Either::Left(view! {
                        <h1>"Users"</h1>
                        <p class="hint">"Accounts are created and changed with " <code>"inkwarden user"</code> " on the server."</p>
                        <UserTable rows=list.rows.clone()/>
                        <Pager page=list.page page_count=list.page_count() total=list.total per_page=list.per_page/>
                    }),
                    Err(error) => Either::Right(view! { <ErrorNotice error/> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UserTable(rows: Vec<UserSummary>) -> impl IntoView {
    let rows = rows
        .into_iter()
        .map(|u| {
            view! {
                <tr>
                    <td>{u.username}</td>
                    <td>{u.role.label()}</td>
                    <td>{if u.is_active { "Active" } else { "Deactivated" }}</td>
                    <td>{u.last_login_at.map(String::from).unwrap_or_else(|| "never".into())}</td>
                    <td>{u.created_at.0}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data">
            <caption class="visually-hidden">"Staff accounts"</caption>
            <thead><tr>
                <th scope="col">"Username"</th><th scope="col">"Role"</th><th scope="col">"Status"</th>
                <th scope="col">"Last sign-in (UTC)"</th><th scope="col">"Created (UTC)"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
