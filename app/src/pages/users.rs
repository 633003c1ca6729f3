//! `/admin/users`: the staff accounts (the CLI manages them) and the sign-in lockouts in force,
//! which an admin can lift.

use super::query_number;
use crate::{
    api::users::{list_lockouts, list_users, Deactivate, EndUserSessions, Reactivate, SetRole, Unlock},
    components::{ErrorNotice, Pager},
    domain::{Lockout, Role, UserId, UserSummary},
    error::AppError,
    pages::ActorResource,
    policy::may_change_account,
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;

/// `/admin/users`: the staff accounts. Admins only; others get the 403 page.
#[component]
pub fn UsersPage() -> impl IntoView {
    let (page, per_page) = (query_number("page"), query_number("per_page"));
    let actions = AccountActions::new();
    let users = Resource::new(move || (page(), per_page(), actions.version()), |(p, n, _)| list_users(p, n));
    let me = expect_context::<ActorResource>();
    let end_sessions = actions.end_sessions;
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
                let me = me.await.ok();
                match users.await {
                    Ok(list) => Either::Left(view! {
                        <h1>"Users"</h1>
                        <p class="hint">"New accounts are created with " <code>"inkwarden user create"</code> " on the server."</p>
                        {ended}
                        {move || actions.outcome()}
                        <UserTable rows=list.rows.clone() me actions/>
                        <Pager page=list.page page_count=list.page_count() total=list.total per_page=list.per_page/>
                    }),
                    Err(error) => Either::Right(view! { <ErrorNotice error/> }),
                }
            })}
        </Suspense>
        // Outside the list's Suspend: a resource must be created when the page renders, not
        // after an await, or the client and the server disagree when the page hydrates.
        <Lockouts/>
    }
}

#[component]
fn UserTable(rows: Vec<UserSummary>, me: Option<crate::domain::Actor>, actions: AccountActions) -> impl IntoView {
    let end_sessions = actions.end_sessions;
    let rows = rows
        .into_iter()
        .map(|u| {
            let id = u.id.0;
            let controls = me
                .as_ref()
                .filter(|me| may_change_account(me, u.id))
                .map(|_| view! { <AccountControls user=u.clone() actions/> });
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
                    <td>{controls}</td>
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
                <th scope="col">"Change"</th>
                <th scope="col"><span class="visually-hidden">"Sessions"</span></th>
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
        {done}
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match lockouts.await {
                    Ok(rows) if rows.is_empty() => {
                        Either::Left(Either::Left(view! {
                            <h2 id="lockouts">"Sign-in lockouts"</h2>
                            <p class="empty">"No username or address is locked out."</p>
                        }))
                    }
                    Ok(rows) => Either::Left(Either::Right(view! {
                        <h2 id="lockouts">"Sign-in lockouts"</h2>
                        <LockoutTable rows unlock/>
                    })),
                    // Not an admin: the page's own notice already says so.
                    Err(AppError::Forbidden | AppError::Unauthenticated | AppError::SecondFactorRequired) => {
                        Either::Right(Either::Left(()))
                    }
                    Err(error) => Either::Right(Either::Right(view! { <ErrorNotice error/> })),
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

/// The account changes an admin can make on the Users page, shared by every row.
#[derive(Clone, Copy)]
struct AccountActions {
    set_role: ServerAction<SetRole>,
    deactivate: ServerAction<Deactivate>,
    reactivate: ServerAction<Reactivate>,
    end_sessions: ServerAction<EndUserSessions>,
}

impl AccountActions {
    fn new() -> Self {
        Self {
            set_role: ServerAction::new(),
            deactivate: ServerAction::new(),
            reactivate: ServerAction::new(),
            end_sessions: ServerAction::new(),
        }
    }

    /// Changes so far, so the list reloads after each.
    fn version(self) -> usize {
        self.set_role.version().get() + self.deactivate.version().get() + self.reactivate.version().get()
    }

    /// A toast for the last change that worked, or its error.
    fn outcome(self) -> Option<impl IntoView> {
        let results = [
            self.set_role.value().get().map(|r| r.map(|()| "Role changed. It applies at their next request.")),
            self.deactivate.value().get().map(|r| r.map(|()| "Account deactivated; its sessions have ended.")),
            self.reactivate.value().get().map(|r| r.map(|()| "Account reactivated.")),
        ];
        results.into_iter().flatten().last().map(|result| match result {
            Ok(message) => Either::Left(view! { <p class="toast" role="status">{message}</p> }),
            Err(error) => Either::Right(view! { <ErrorNotice error/> }),
        })
    }
}

/// Role and status controls for one account (never one's own: the policy refuses those).
#[component]
fn AccountControls(user: UserSummary, actions: AccountActions) -> impl IntoView {
    let UserId(id) = user.id;
    let options = Role::ALL
        .into_iter()
        .map(|r| view! { <option value=r.as_str() selected=r == user.role>{r.label()}</option> })
        .collect_view();
    let name = user.username.clone();
    let confirm_deactivate = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let question = format!("Deactivate {name}? They are signed out everywhere and cannot sign in.");
        if window().confirm_with_message(&question).unwrap_or(false) {
            actions.deactivate.dispatch(Deactivate { id });
        }
    };
    let select_id = format!("role-{id}");
    let (deactivate_label, reactivate_label) =
        (format!("Deactivate {}", user.username), format!("Reactivate {}", user.username));
    let (role_label, change_label) =
        (format!("Role of {}", user.username), format!("Change role of {}", user.username));
    let status = if user.is_active {
        Either::Left(view! {
            <form method="post" action="/admin/api/users/deactivate" on:submit=confirm_deactivate class="inline">
                <input type="hidden" name="id" value=id/>
                <button type="submit" class="danger" aria-label=deactivate_label>"Deactivate"</button>
            </form>
        })
    } else {
        Either::Right(view! {
            <ActionForm action=actions.reactivate attr:class="inline">
                <input type="hidden" name="id" value=id/>
                <button type="submit" aria-label=reactivate_label>"Reactivate"</button>
            </ActionForm>
        })
    };
    view! {
        <ActionForm action=actions.set_role attr:class="inline">
            <input type="hidden" name="id" value=id/>
            <label for=select_id.clone() class="visually-hidden">{role_label}</label>
            <select id=select_id name="role">{options}</select>
            <button type="submit" aria-label=change_label>"Change role"</button>
        </ActionForm>
        {status}
    }
}
