//! `/admin/profile`: the signed-in user's own account: changing the password, and the list of
//! their signed-in sessions, any of which they can end.

use crate::{
    api::profile::{list_sessions, ChangePassword, EndOtherSessions, EndSession},
    components::{ErrorNotice, FieldMessage},
    domain::SessionInfo,
    error::AppError,
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;

/// `/admin/profile`: change one's own password. Other sessions end when it changes.
#[component]
pub fn ProfilePage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    let done = move || matches!(change.value().get(), Some(Ok(())));
    let general = move || error.get().filter(|e| !matches!(e, AppError::Invalid(_)));
    view! {
        <Title text="Profile"/>
        <h1>"Profile"</h1>
        <section class="card">
            <h2>"Change password"</h2>
            <p>"Changing your password signs you out everywhere else."</p>
            <ActionForm action=change>
                <label for="current_password">"Current password"</label>
                <input id="current_password" name="current_password" type="password" autocomplete="current-password" required/>
                <FieldMessage error field="current_password"/>
                <label for="new_password">"New password"</label>
                <input id="new_password" name="new_password" type="password" autocomplete="new-password" required minlength="12"/>
                <FieldMessage error field="new_password"/>
                <label for="confirm_password">"Repeat new password"</label>
                <input id="confirm_password" name="confirm_password" type="password" autocomplete="new-password" required/>
                <FieldMessage error field="confirm_password"/>
                <button type="submit" disabled=move || change.pending().get()>"Change password"</button>
            </ActionForm>
            <Show when=done>
                <p class="toast" role="status">"Password changed. Your other sessions have ended."</p>
            </Show>
            {move || general().map(|e| view! { <p class="notice notice-error" role="alert">{e.to_string()}</p> })}
        </section>
        <Sessions/>
    }
}

/// Where one is signed in, with a way to end any of those sessions.
#[component]
fn Sessions() -> impl IntoView {
    let end = ServerAction::<EndSession>::new();
    let end_others = ServerAction::<EndOtherSessions>::new();
    let sessions = Resource::new(move || (end.version().get(), end_others.version().get()), |_| list_sessions());
    let message = move || match (end.value().get(), end_others.value().get()) {
        (Some(Err(error)), _) | (_, Some(Err(error))) => Some(Either::Left(view! { <ErrorNotice error/> })),
        (_, Some(Ok(n))) => Some(Either::Right(view! {
            <p class="toast" role="status">{format!("Ended {n} other session{}.", if n == 1 { "" } else { "s" })}</p>
        })),
        (Some(Ok(())), None) => {
            Some(Either::Right(view! { <p class="toast" role="status">{"Session ended.".to_owned()}</p> }))
        }
        (None, None) => None,
    };
    let confirm_others = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if window().confirm_with_message("Sign out every other browser?").unwrap_or(false) {
            end_others.dispatch(EndOtherSessions {});
        }
    };
    view! {
        <section class="card">
            <h2 id="sessions">"Where you are signed in"</h2>
            {message}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Ok(rows) => Either::Left(view! { <SessionTable rows end/> }),
                        Err(error) => Either::Right(view! { <ErrorNotice error/> }),
                    }
                })}
            </Suspense>
            <form method="post" action="/admin/api/profile/sessions/end-others" on:submit=confirm_others>
                <button type="submit" class="danger">"Sign out all other sessions"</button>
            </form>
        </section>
    }
}

#[component]
fn SessionTable(rows: Vec<SessionInfo>, end: ServerAction<EndSession>) -> impl IntoView {
    let when = |t: &str| t.get(..16).unwrap_or(t).replace('T', " ");
    let rows = rows
        .into_iter()
        .map(|s| {
            let handle = s.handle.clone();
            let confirm = move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                if window().confirm_with_message("End this session? That browser is signed out.").unwrap_or(false) {
                    end.dispatch(EndSession { id: handle.clone() });
                }
            };
            let label = format!("End the session of {} signed in at {}", s.device, when(&s.signed_in_at));
            view! {
                <tr>
                    <td>{s.device.clone()} {s.current.then_some(view! { <strong>" (this browser)"</strong> })}</td>
                    <td>{s.ip.clone().unwrap_or_else(|| "unknown".into())}</td>
                    <td>{when(&s.signed_in_at)}</td>
                    <td>{when(&s.last_seen_at)}</td>
                    <td>
                        <form method="post" action="/admin/api/profile/sessions/end" on:submit=confirm>
                            <input type="hidden" name="id" value=s.handle.clone()/>
                            <button type="submit" aria-label=label>"End"</button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data">
            <caption class="visually-hidden">"Your signed-in sessions"</caption>
            <thead><tr>
                <th scope="col">"Device"</th><th scope="col">"Address"</th><th scope="col">"Signed in (UTC)"</th>
                <th scope="col">"Last seen (UTC)"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
