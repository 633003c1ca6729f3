//! `/admin/users`: the staff accounts (the CLI manages them) and the sign-in lockouts in force,
//! which an admin can lift.

use super::query_number;
use crate::{
    api::users::{list_lockouts, list_users, EndUserSessions, Unlock},
    components::{ErrorNotice, Pager},
    domain::{Lockout, UserSummary},
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;

/// `/admin/users`: the staff accounts. Admins only; others get the 403 page.
#[component]
pub fn UsersPage() -> impl IntoView {
    let (page, per_page) = (query_number("page"), query_number("per_page"));
    let users = Resource::new(move || (page(), per_page()), |(p, n)| list_users(p, n));
    let end_sessions = ServerAction::<EndUserSessions>::new();
    let ended = move || {
        end_sessions.value().get().map(|result| match result {
            Ok(n) => Either::Left(view! {
                <p class="toast" role="status">{format!("Ended {n} session{}.", if n == 1 { "" } else { "s" })}</p>
            }),
            Err(error) => Either::Right(view! { <ErrorNotice error/> }),
        })
    };
    view! {
        <Title text="Users"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(list) => Either::Left(view! {
                        <h1>"Users"</h1>
                        <p class="hint">"Accounts are created and changed with " <code>"inkwarden user"</code> " on the server."</p>
                        {ended}
                        <UserTable rows=list.rows.clone() end_sessions/>
                        <Pager page=list.page page_count=list.page_count() total=list.total per_page=list.per_page/>
                        <Lockouts/>
                    }),
                    Err(error) => Either::Right(view! { <ErrorNotice error/> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UserTable(rows: Vec<UserSummary>, end_sessions: ServerAction<EndUserSessions>) -> impl IntoView {
    let rows = rows
        .into_iter()
        .map(|u| {
            let id = u.id.0;
            let question = format!("Sign {} out everywhere?", u.username);
            let confirm = move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                if window().confirm_with_message(&question).unwrap_or(false) {
                    end_sessions.dispatch(EndUserSessions { id });
                }
            };
            let label = format!("End sessions of {}", u.username);
            view! {
                <tr>
                    <td>{u.username}</td>
                    <td>{u.role.label()}</td>
                    <td>{if u.is_active { "Active" } else { "Deactivated" }}</td>
                    <td>{u.last_login_at.map(String::from).unwrap_or_else(|| "never".into())}</td>
                    <td>{u.created_at.0}</td>
                    <td>
                        <form method="post" action="/admin/api/users/end-sessions" on:submit=confirm>
                            <input type="hidden" name="id" value=id/>
                            <button type="submit" class="danger" aria-label=label>"End sessions"</button>
                        </form>
                    </td>
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
                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// The sign-in lockouts in force, each with a button that lifts it (after confirmation).
#[component]
fn Lockouts() -> impl IntoView {
    let unlock = ServerAction::<Unlock>::new();
    let lockouts = Resource::new(move || unlock.version().get(), |_| list_lockouts());
    let done = move || {
        unlock.value().get().map(|result| match result {
            Ok(l) => Either::Left(view! {
                <p class="toast" role="status">{format!("Lifted the lockout of {}.", l.subject)}</p>
            }),
            Err(error) => Either::Right(view! { <ErrorNotice error/> }),
        })
    };
    view! {
        <h2 id="lockouts">"Sign-in lockouts"</h2>
        {done}
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match lockouts.await {
                    Ok(rows) if rows.is_empty() => {
                        Either::Left(Either::Left(view! { <p class="empty">"No username or address is locked out."</p> }))
                    }
                    Ok(rows) => Either::Left(Either::Right(view! { <LockoutTable rows unlock/> })),
                    Err(error) => Either::Right(view! { <ErrorNotice error/> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn LockoutTable(rows: Vec<Lockout>, unlock: ServerAction<Unlock>) -> impl IntoView {
    let rows = rows
        .into_iter()
        .map(|l| {
            let id = l.id;
            let confirm = move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                if window().confirm_with_message("Lift this lockout now?").unwrap_or(false) {
                    unlock.dispatch(Unlock { id });
                }
            };
            let what = if l.kind == "address" { "Address" } else { "Username" };
            let label = format!("Lift the lockout of {}", l.subject);
            view! {
                <tr>
                    <td>{what}</td>
                    <td>{l.subject.clone()}</td>
                    <td>{format!("{} min", crate::domain::minutes_to_wait(l.seconds.max(0) as u64))}</td>
                    <td>{l.until.get(..19).unwrap_or(&l.until).replace('T', " ")}</td>
                    <td>
                        <form method="post" action="/admin/api/users/unlock" on:submit=confirm>
                            <input type="hidden" name="id" value=id/>
                            <button type="submit" aria-label=label>"Lift"</button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data">
            <caption class="visually-hidden">"Sign-in lockouts in force"</caption>
            <thead><tr>
                <th scope="col">"Locked"</th><th scope="col">"Who"</th><th scope="col">"Length"</th>
                <th scope="col">"Until (UTC)"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
