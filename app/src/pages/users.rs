//! `/admin/users`: the staff accounts (invitations, roles, status, password resets, sessions)
//! and the sign-in lockouts in force, which an admin can lift.

use super::query_number;
use crate::{
    api::users::{list_lockouts, list_users, CreateUser},
    components::{options_html, use_query, AskFirst, ErrorNotice, FieldMessage, Pager, RowAction, SortHeader},
    domain::{Lockout, Role, UserId, UserSort, UserSummary},
    error::AppError,
    pages::ActorResource,
    policy::may_change_account,
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use leptos_router::components::Form;

/// `/admin/users`: the staff accounts with search, filters, sorting and paging in the URL, an
/// invitation form, and per-account controls. Admins only; others get the 403 page.
#[component]
pub fn UsersPage() -> impl IntoView {
    let query = use_query();
    let text = move |k: &'static str| move || query.read().get(k).filter(|v| !v.is_empty());
    let (q, role, status, sort, dir) = (text("q"), text("role"), text("status"), text("sort"), text("dir"));
    let (page, per_page) = (query_number("page"), query_number("per_page"));
    let invite = ServerAction::<CreateUser>::new();
    let users = Resource::new(
        move || (q(), role(), status(), sort(), dir(), page(), per_page()),
        |(q, r, s, so, d, p, n)| list_users(q, r, s, so, d, p, n),
    );
    let me = expect_context::<ActorResource>();
    view! {
        <Title text="Users"/>
        <h1>"Users"</h1>
        <Invite invite/>
        <UserFilters/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let me = me.await.ok();
                match users.await {
                    Ok(list) => Either::Left(view! {
                        <UserTable rows=list.rows.clone() me/>
                        <Pager page=list.page page_count=list.page_count() total=list.total per_page=list.per_page/>
                    }),
                    Err(error) => Either::Right(view! { <ErrorNotice error/> }),
                }
            })}
        </Suspense>
        <Lockouts/>
    }
}

/// The invitation form: a username and a role. The new member chooses their own password
/// through the one-time link shown after.
#[component]
fn Invite(invite: ServerAction<CreateUser>) -> impl IntoView {
    let error = Signal::derive(move || invite.value().get().and_then(Result::err));
    let options = Role::ALL
        .into_iter()
        .map(|r| view! { <option value=r.as_str() selected=r == Role::Author>{r.label()}</option> })
        .collect_view();
    view! {
        <details class="invite" open=move || error.get().is_some()>
            <summary>"Invite a staff member"</summary>
            <ActionForm action=invite attr:class="inline-form">
                <div>
                    <label for="invite-username">"Username"</label>
                    <input id="invite-username" name="username" required maxlength="32" autocomplete="off"
                        aria-describedby="invite-username-error"/>
                    <FieldMessage error field="username" id="invite-username-error"/>
                </div>
                <div>
                    <label for="invite-role">"Role"</label>
                    <select id="invite-role" name="role">{options}</select>
                </div>
                <button type="submit" disabled=move || invite.pending().get()>"Create invitation"</button>
            </ActionForm>
        </details>
    }
}

/// Search, role and status filters: a GET form that writes the URL, without JavaScript too.
#[component]
fn UserFilters() -> impl IntoView {
    let query = use_query();
    let current = move |k: &str| query.read_untracked().get(k).unwrap_or_default();
    let roles =
        options_html(std::iter::once(("", "Any")).chain(Role::ALL.map(|r| (r.as_str(), r.label()))), &current("role"));
    let statuses =
        options_html([("", "Any"), ("active", "Active"), ("deactivated", "Deactivated")], &current("status"));
    view! {
        <Form method="get" action="" attr:class="filters">
            <div><label for="q">"Search usernames"</label><input id="q" name="q" type="search" value=current("q")/></div>
            <div><label for="role">"Role"</label><select id="role" name="role" inner_html=roles></select></div>
            <div><label for="status">"Status"</label><select id="status" name="status" inner_html=statuses></select></div>
            <input type="hidden" name="sort" value=current("sort")/>
            <input type="hidden" name="dir" value=current("dir")/>
            <input type="hidden" name="per_page" value=current("per_page")/>
            <button type="submit">"Filter"</button>
            <a href="/admin/users">"Clear"</a>
        </Form>
    }
}

#[component]
fn UserTable(rows: Vec<UserSummary>, me: Option<crate::domain::Actor>) -> impl IntoView {
    if rows.is_empty() {
        return Either::Left(view! { <p class="empty">"No accounts match. Try clearing the filters."</p> });
    }
    let rows = rows
        .into_iter()
        .map(|u| {
            let id = u.id.0;
            // One's own row says why it has no controls: the policy refuses self-changes.
            let controls = match me.as_ref() {
                Some(me) if may_change_account(me, u.id) => {
                    Some(Either::Left(view! { <AccountControls user=u.clone()/> }))
                }
                Some(me) if me.id == u.id => Some(Either::Right(view! {
                    <span class="hint">"This is you. Another admin can change your role or status; your password changes on your profile page."</span>
                })),
                _ => None,
            };
            let question = format!("Sign {} out everywhere?", u.username);
            let label = format!("End sessions of {}", u.username);
            let when = |t: Option<crate::domain::Timestamp>| {
                t.map(|t| t.get(..16).unwrap_or(&t).replace('T', " ")).unwrap_or_else(|| "never".into())
            };
            let locked = u.locked_until.map(|t| format!("until {}", t.get(11..16).unwrap_or(&t)));
            view! {
                <tr>
                    <td>{u.username}</td>
                    <td>{u.role.label()}</td>
                    <td>{if u.is_active { "Active" } else { "Deactivated" }}</td>
                    <td>{if u.two_factor { "On" } else { "Off" }}</td>
                    <td>{when(u.last_login_at)}</td>
                    <td>{locked.unwrap_or_else(|| "—".into())}</td>
                    <td>{when(Some(u.created_at))}</td>
                    <td>{controls}</td>
                    <td>
                        <AskFirst question>
                            <form method="post" action="/admin/api/users/end-sessions">
                                <input type="hidden" name="id" value=id/>
                                <button type="submit" class="danger" aria-label=label>"End sessions"</button>
                            </form>
                        </AskFirst>
                    </td>
                </tr>
            }
        })
        .collect_view();
    Either::Right(view! {
        <table class="data">
            <caption class="visually-hidden">"Staff accounts"</caption>
            <thead><tr>
                <SortHeader column=UserSort::Username.key() label="Username"/>
                <SortHeader column=UserSort::Role.key() label="Role"/>
                <SortHeader column=UserSort::Status.key() label="Status"/>
                <th scope="col">"Two-factor"</th>
                <SortHeader column=UserSort::LastLogin.key() label="Last sign-in (UTC)"/>
                <th scope="col">"Locked out"</th>
                <SortHeader column=UserSort::Created.key() label="Created (UTC)"/>
                <th scope="col">"Change"</th>
                <th scope="col"><span class="visually-hidden">"Sessions"</span></th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    })
}

/// The sign-in lockouts in force, each with a button that lifts it (after confirmation).
#[component]
fn Lockouts() -> impl IntoView {
    let lockouts = Resource::new(|| (), |_| list_lockouts());
    view! {
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
                        <LockoutTable rows/>
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
fn LockoutTable(rows: Vec<Lockout>) -> impl IntoView {
    let rows = rows
        .into_iter()
        .map(|l| {
            let id = l.id;
            let what = if l.kind == "address" { "Address" } else { "Username" };
            let label = format!("Lift the lockout of {}", l.subject);
            view! {
                <tr>
                    <td>{what}</td>
                    <td>{l.subject.clone()}</td>
                    <td>{format!("{} min", crate::domain::minutes_to_wait(l.seconds.max(0) as u64))}</td>
                    <td>{l.until.get(..19).unwrap_or(&l.until).replace('T', " ")}</td>
                    <td>
                        <AskFirst question="Lift this lockout now?".to_owned()>
                            <form method="post" action="/admin/api/users/unlock">
                                <input type="hidden" name="id" value=id/>
                                <button type="submit" aria-label=label>"Lift"</button>
                            </form>
                        </AskFirst>
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

/// Role and status controls for one account (never one's own: the policy refuses those).
#[component]
fn AccountControls(user: UserSummary) -> impl IntoView {
    let UserId(id) = user.id;
    let options = Role::ALL
        .into_iter()
        .map(|r| view! { <option value=r.as_str() selected=r == user.role>{r.label()}</option> })
        .collect_view();
    let name = user.username.clone();
    let deactivate_q = format!("Deactivate {name}? They are signed out everywhere and cannot sign in.");
    let reset_q = format!(
        "Reset the password of {name}? Their password stops working and they are signed out everywhere; \
         you get a link with which they choose a new one."
    );
    let reset_label = format!("Reset password of {}", user.username);
    let select_id = format!("role-{id}");
    let (deactivate_label, reactivate_label) =
        (format!("Deactivate {}", user.username), format!("Reactivate {}", user.username));
    let (role_label, change_label) =
        (format!("Role of {}", user.username), format!("Change role of {}", user.username));
    let status = if user.is_active {
        Either::Left(view! {
            <AskFirst question=deactivate_q>
                <RowAction action="/admin/api/users/deactivate" id label="Deactivate" aria_label=deactivate_label danger=true/>
            </AskFirst>
        })
    } else {
        Either::Right(view! {
            <RowAction action="/admin/api/users/reactivate" id label="Reactivate" aria_label=reactivate_label/>
        })
    };
    view! {
        <form method="post" action="/admin/api/users/set-role" class="inline">
            <input type="hidden" name="id" value=id/>
            <label for=select_id.clone() class="visually-hidden">{role_label}</label>
            <select id=select_id name="role">{options}</select>
            <button type="submit" aria-label=change_label>"Change role"</button>
        </form>
        {status}
        <AskFirst question=reset_q>
            <RowAction action="/admin/api/users/reset-password" id label="Reset password" aria_label=reset_label danger=true/>
        </AskFirst>
    }
}
