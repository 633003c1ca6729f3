//! `/admin/profile`: the signed-in user's own account: changing the password, and the list of
//! their signed-in sessions, any of which they can end.

use crate::{
    api::{
        profile::{list_sessions, ChangePassword},
        two_factor::{fetch_two_factor_status, DisableTotp, RegenerateRecoveryCodes, TotpEnrolment},
    },
    components::{
        background::{follow, post, send, Sent},
        AskFirst, ErrorNotice, FieldMessage, SendInBackground,
    },
    domain::SessionInfo,
    error::AppError,
};
use leptos::{either::Either, prelude::*, wasm_bindgen::JsCast, web_sys::HtmlFormElement};
use leptos_meta::Title;

/// `/admin/profile`: change one's own password. Other sessions end when it changes.
#[component]
pub fn ProfilePage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
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
        </section>
        <TwoFactor/>
        <Sessions/>
    }
}

/// Two-factor sign-in: set it up (QR code and secret, then a first code: [`TotpSetup`]), see the
/// recovery codes once, make new ones, or turn it off.
#[component]
fn TwoFactor() -> impl IntoView {
    let (disable, regenerate) = (ServerAction::<DisableTotp>::new(), ServerAction::<RegenerateRecoveryCodes>::new());
    let status = Resource::new(|| (), |_| fetch_two_factor_status());
    // Without JavaScript a refused form comes back with its error in the URL.
    let disable_error = Signal::derive(move || disable.value().get().and_then(Result::err));
    let regenerate_error = Signal::derive(move || regenerate.value().get().and_then(Result::err));
    #[cfg(feature = "ssr")]
    let codes = crate::ssr::auth::flash().map(|f| f.codes).filter(|c| !c.is_empty());
    #[cfg(not(feature = "ssr"))]
    let codes: Option<Vec<String>> = None;
    view! {
        <section class="card">
            <h2 id="two-factor">"Two-factor sign-in"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(s) if s.enabled => Either::Left(Either::Left(view! {
                            <p>{format!("Two-factor sign-in is on. {} unused recovery codes left.", s.recovery_codes_left)}</p>
                            <SendInBackground>
                                <ActionForm action=regenerate>
                                    <label for="regenerate_code">"Code from your app"</label>
                                    <input id="regenerate_code" name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength="6"/>
                                    <FieldMessage error=regenerate_error field="code" id="regenerate-code-error"/>
                                    <button type="submit">"Make new recovery codes"</button>
                                </ActionForm>
                            </SendInBackground>
                            <h3>"Turn it off"</h3>
                            <SendInBackground>
                                <ActionForm action=disable>
                                    <label for="disable_password">"Current password"</label>
                                    <input id="disable_password" name="current_password" type="password" autocomplete="current-password" required/>
                                    <FieldMessage error=disable_error field="current_password"/>
                                    <label for="disable_code">"Code from your app"</label>
                                    <input id="disable_code" name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength="6"/>
                                    <FieldMessage error=disable_error field="code"/>
                                    <button type="submit" class="danger">"Turn off two-factor sign-in"</button>
                                </ActionForm>
                            </SendInBackground>
                        })),
                        Ok(s) => Either::Left(Either::Right(view! {
                            {s.required.then_some(view! {
                                <p class="notice notice-error" role="alert">
                                    "This site requires two-factor sign-in for your role. Set it up to use the dashboard."
                                </p>
                            })}
                            <p>"Sign in with a code from an authenticator app as well as your password."</p>
                            <TotpSetup/>
                        })),
                        Err(error) => Either::Right(view! { <ErrorNotice error/> }),
                    }
                })}
            </Suspense>
            {codes.map(|codes| view! { <RecoveryCodes codes/> })}
        </section>
    }
}

/// Setting up two-factor sign-in needs the browser: the button asks the server for a fresh
/// secret, shown here once as a QR code and as text; the first code from the app turns it on,
/// and the page reloads with the recovery codes.
#[island]
fn TotpSetup() -> impl IntoView {
    let enrolment = RwSignal::new(None::<TotpEnrolment>);
    let refused = RwSignal::new(None::<String>);
    let code_error = RwSignal::new(None::<String>);
    let begin = move |_| {
        leptos::task::spawn_local(async move {
            match post("/admin/api/profile/totp/begin", String::new()).await {
                Sent::Done { answer, .. } => match serde_json::from_str::<TotpEnrolment>(&answer) {
                    Ok(e) => enrolment.set(Some(e)),
                    Err(_) => refused.set(Some(AppError::Internal.to_string())),
                },
                Sent::Refused(error) => refused.set(Some(error.to_string())),
            }
        });
    };
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        let Some(form) = ev.target().and_then(|t| t.dyn_into::<HtmlFormElement>().ok()) else { return };
        ev.prevent_default();
        leptos::task::spawn_local(async move {
            match send(&form).await {
                Sent::Done { location, .. } => follow(location),
                Sent::Refused(AppError::Invalid(fields)) => {
                    code_error.set(fields.into_iter().next().map(|f| f.message));
                }
                Sent::Refused(error) => refused.set(Some(error.to_string())),
            }
        });
    };
    let shown = move || {
        enrolment.get().map(|e| {
            let svg = e.qr_svg.find("<svg").map_or(String::new(), |at| e.qr_svg[at..].to_owned());
            view! {
                <div class="qr" role="img" aria-label="QR code of your two-factor secret" inner_html=svg></div>
                <p>"Can't scan it? Type this secret into your app: " <code id="totp-secret">{e.secret}</code></p>
                <form method="post" action="/admin/api/profile/totp/confirm" on:submit=confirm>
                    <label for="totp_code">"Code from your app"</label>
                    <input id="totp_code" name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength="6"/>
                    <p class="field-error" id="confirm-code-error" hidden=move || code_error.get().is_none()>{move || code_error.get()}</p>
                    <button type="submit">"Turn on two-factor sign-in"</button>
                </form>
            }
        })
    };
    view! {
        <button type="button" on:click=begin>"Set up two-factor sign-in"</button>
        {shown}
        {move || refused.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
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
    let sessions = Resource::new(|| (), |_| list_sessions());
    view! {
        <section class="card">
            <h2 id="sessions">"Where you are signed in"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Ok(rows) => Either::Left(view! { <SessionTable rows/> }),
                        Err(error) => Either::Right(view! { <ErrorNotice error/> }),
                    }
                })}
            </Suspense>
            <AskFirst question="Sign out every other browser?".to_owned()>
                <form method="post" action="/admin/api/profile/sessions/end-others">
                    <button type="submit" class="danger">"Sign out all other sessions"</button>
                </form>
            </AskFirst>
        </section>
    }
}

#[component]
fn SessionTable(rows: Vec<SessionInfo>) -> impl IntoView {
    let when = |t: &str| t.get(..16).unwrap_or(t).replace('T', " ");
    let rows = rows
        .into_iter()
        .map(|s| {
            let this = if s.current { " (this browser)" } else { "" };
            let label = format!("End the session of {}{this}, signed in at {}", s.device, when(&s.signed_in_at));
            view! {
                <tr>
                    <td>{s.device.clone()} {s.current.then_some(view! { <strong>" (this browser)"</strong> })}</td>
                    <td>{s.ip.clone().unwrap_or_else(|| "unknown".into())}</td>
                    <td>{when(&s.signed_in_at)}</td>
                    <td>{when(&s.last_seen_at)}</td>
                    <td>
                        <AskFirst question="End this session? That browser is signed out.".to_owned()>
                            <form method="post" action="/admin/api/profile/sessions/end">
                                <input type="hidden" name="id" value=s.handle.clone()/>
                                <button type="submit" aria-label=label>"End"</button>
                            </form>
                        </AskFirst>
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
