//! `/admin/profile`: the signed-in user's own account: changing the password, and the list of
//! their signed-in sessions, any of which they can end.

use crate::{
    api::{
        profile::{list_sessions, ChangePassword, EndOtherSessions, EndSession},
        two_factor::{fetch_two_factor_status, BeginTotp, ConfirmTotp, DisableTotp, RegenerateRecoveryCodes},
    },
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
        <TwoFactor/>
        <Sessions/>
    }
}

/// Two-factor sign-in: set it up (QR code and secret, then a first code), see the recovery codes
/// once, make new ones, or turn it off.
#[component]
fn TwoFactor() -> impl IntoView {
    let begin = ServerAction::<BeginTotp>::new();
    let confirm = ServerAction::<ConfirmTotp>::new();
    let disable = ServerAction::<DisableTotp>::new();
    let regenerate = ServerAction::<RegenerateRecoveryCodes>::new();
    let status = Resource::new(
        move || (confirm.version().get(), disable.version().get(), regenerate.version().get()),
        |_| fetch_two_factor_status(),
    );
    let confirm_error = Signal::derive(move || confirm.value().get().and_then(Result::err));
    let disable_error = Signal::derive(move || disable.value().get().and_then(Result::err));
    let regenerate_error = Signal::derive(move || regenerate.value().get().and_then(Result::err));
    let codes = move || match (confirm.value().get(), regenerate.value().get()) {
        (Some(Ok(codes)), _) | (_, Some(Ok(codes))) => Some(view! { <RecoveryCodes codes/> }),
        _ => None,
    };
    let enrolment = move || {
        begin.value().get().map(|result| match result {
            Ok(e) => {
                let svg = e.qr_svg.find("<svg").map_or(String::new(), |at| e.qr_svg[at..].to_owned());
                Either::Left(view! {
                    <div class="qr" role="img" aria-label="QR code of your two-factor secret" inner_html=svg></div>
                    <p>"Can't scan it? Type this secret into your app: " <code id="totp-secret">{e.secret}</code></p>
                    <ActionForm action=confirm>
                        <label for="totp_code">"Code from your app"</label>
                        <input id="totp_code" name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength="6"/>
                        <FieldMessage error=confirm_error field="code" id="confirm-code-error"/>
                        <button type="submit">"Turn on two-factor sign-in"</button>
                    </ActionForm>
                })
            }
            Err(error) => Either::Right(view! { <ErrorNotice error/> }),
        })
    };
    view! {
        <section class="card">
            <h2 id="two-factor">"Two-factor sign-in"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(s) if s.enabled => Either::Left(Either::Left(view! {
                            <p>{format!("Two-factor sign-in is on. {} unused recovery codes left.", s.recovery_codes_left)}</p>
                            <ActionForm action=regenerate>
                                <label for="regenerate_code">"Code from your app"</label>
                                <input id="regenerate_code" name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength="6"/>
                                <FieldMessage error=regenerate_error field="code" id="regenerate-code-error"/>
                                <button type="submit">"Make new recovery codes"</button>
                            </ActionForm>
                            <h3>"Turn it off"</h3>
                            <ActionForm action=disable>
                                <label for="disable_password">"Current password"</label>
                                <input id="disable_password" name="current_password" type="password" autocomplete="current-password" required/>
                                <FieldMessage error=disable_error field="current_password"/>
                                <label for="disable_code">"Code from your app"</label>
                                <input id="disable_code" name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength="6"/>
                                <FieldMessage error=disable_error field="code" id="disable-code-error"/>
                                <button type="submit" class="danger">"Turn off two-factor sign-in"</button>
                            </ActionForm>
                        })),
                        Ok(s) => Either::Left(Either::Right(view! {
                            {s.required.then_some(view! {
                                <p class="notice notice-error" role="alert">
                                    "This site requires two-factor sign-in for your role. Set it up to use the dashboard."
                                </p>
                            })}
                            <p>"Sign in with a code from an authenticator app as well as your password."</p>
                            <ActionForm action=begin>
                                <button type="submit">"Set up two-factor sign-in"</button>
                            </ActionForm>
                            {enrolment}
                        })),
                        Err(error) => Either::Right(view! { <ErrorNotice error/> }),
                    }
                })}
            </Suspense>
            {codes}
        </section>
    }
}

/// Recovery codes, shown once right after they are made.
#[component]
fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    view! {
        <div class="notice" role="status">
            <p><strong>"Save these recovery codes now. They are shown only this once; each works one time."</strong></p>
            <ul class="recovery-codes">{codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}</ul>
        </div>
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
            let this = if s.current { " (this browser)" } else { "" };
            let label = format!("End the session of {}{this}, signed in at {}", s.device, when(&s.signed_in_at));
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
