//! `/admin/login` and `/admin/setup`: signing in, and creating the first admin.

use crate::{
    api::{
        auth::Login,
        setup::CreateFirstAdmin,
        two_factor::Verify,
        welcome::{open_link, ChoosePassword},
    },
    components::{FieldMessage, SendInBackground},
    error::AppError,
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/admin/login`: a plain form that posts without JavaScript and better with it.
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = Signal::derive(move || login.value().get().and_then(Result::err));
    let password_set = move || query.read().get("password").as_deref() == Some("set");
    view! {
        <Title text="Sign in"/>
        <main id="main" class="auth-page">
            <h1>"Sign in to Inkwarden"</h1>
            <Show when=password_set>
                <p class="toast" role="status">"Your password is set. Sign in with it."</p>
            </Show>
            <SendInBackground>
                <ActionForm action=login>
                    <input type="hidden" name="next" value=next/>
                    <label for="username">"Username"</label>
                    <input id="username" name="username" autocomplete="username" required maxlength="64"/>
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required/>
                    <button type="submit" disabled=move || login.pending().get()>"Sign in"</button>
                </ActionForm>
            </SendInBackground>
            {move || error.get().map(|e| view! { <p class="notice notice-error" role="alert">{e.to_string()}</p> })}
        </main>
    }
}

/// `/admin/login/verify`: the second step of signing in with two-factor on. Works without
/// JavaScript like the login form.
#[component]
pub fn VerifyPage() -> impl IntoView {
    let verify = ServerAction::<Verify>::new();
    let error = Signal::derive(move || verify.value().get().and_then(Result::err));
    let general = move || {
        error.get().filter(|e| !matches!(e, AppError::Invalid(_))).map(|e| match e {
            AppError::Unauthenticated => {
                "This sign-in expired or was ended after too many wrong codes. Sign in again.".to_owned()
            }
            other => other.to_string(),
        })
    };
    view! {
        <Title text="Two-factor sign-in"/>
        <main id="main" class="auth-page">
            <h1>"Enter your code"</h1>
            <p>"Open your authenticator app and enter the 6-digit code for Inkwarden, or one of your recovery codes."</p>
            <SendInBackground>
                <ActionForm action=verify>
                    <label for="code">"Code"</label>
                    <input id="code" name="code" autocomplete="one-time-code" required maxlength="32" autofocus/>
                    <FieldMessage error field="code"/>
                    <button type="submit" disabled=move || verify.pending().get()>"Verify"</button>
                </ActionForm>
            </SendInBackground>
            {move || general().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
            <p><a href="/admin/login">"Start over"</a></p>
        </main>
    }
}

/// `/admin/setup?token=…`: creates the first admin from the one-time link `serve` printed.
#[component]
pub fn SetupPage() -> impl IntoView {
    let setup = ServerAction::<CreateFirstAdmin>::new();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let error = Signal::derive(move || setup.value().get().and_then(Result::err));
    let general = move || error.get().filter(|e| !matches!(e, crate::error::AppError::Invalid(_)));
    view! {
        <Title text="Create the first admin"/>
        <main id="main" class="auth-page">
            <h1>"Create the first admin"</h1>
            <p>"This one-time link creates the administrator account of this Inkwarden install."</p>
            <SendInBackground>
                <ActionForm action=setup>
                    <input type="hidden" name="token" value=token/>
                    <label for="username">"Username"</label>
                    <input id="username" name="username" autocomplete="username" required maxlength="32"/>
                    <FieldMessage error field="username"/>
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" autocomplete="new-password" required minlength="12"/>
                    <FieldMessage error field="password"/>
                    <label for="password_confirm">"Repeat password"</label>
                    <input id="password_confirm" name="password_confirm" type="password" autocomplete="new-password" required/>
                    <FieldMessage error field="password_confirm"/>
                    <button type="submit">"Create admin"</button>
                </ActionForm>
            </SendInBackground>
            {move || general().map(|e| view! { <p class="notice notice-error" role="alert">{e.to_string()}</p> })}
        </main>
    }
}

/// `/admin/welcome?token=…`: an invited or reset staff member chooses their password. A used,
/// replaced or expired link answers 410 and says so; an unknown one 404.
#[component]
pub fn WelcomePage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let link = Resource::new(token, open_link);
    view! {
        <Title text="Choose your password"/>
        <main id="main" class="auth-page">
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match link.await {
                        Ok(info) => Either::Left(view! { <ChoosePasswordForm info token=token()/> }),
                        Err(error) => {
                            #[cfg(feature = "ssr")]
                            if let (Some(response), Ok(status)) = (
                                use_context::<leptos_axum::ResponseOptions>(),
                                http::StatusCode::from_u16(error.status()),
                            ) {
                                response.set_status(status);
                            }
                            let message = match error {
                                AppError::NotFound => "This link is not valid. Check that you copied all of it.".to_owned(),
                                other => other.to_string(),
                            };
                            Either::Right(view! {
                                <h1>"This link does not work"</h1>
                                <p class="notice notice-error" role="alert">{message}</p>
                                <p><a href="/admin/login">"Go to the sign-in page"</a></p>
                            })
                        }
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn ChoosePasswordForm(info: crate::domain::LinkInfo, token: String) -> impl IntoView {
    let choose = ServerAction::<ChoosePassword>::new();
    let error = Signal::derive(move || choose.value().get().and_then(Result::err));
    let general = move || error.get().filter(|e| !matches!(e, AppError::Invalid(_)));
    let heading = match info.purpose {
        crate::domain::LinkPurpose::Invite => "Welcome to Inkwarden",
        crate::domain::LinkPurpose::Reset => "Choose a new password",
    };
    view! {
        <h1>{heading}</h1>
        <p>"Choose the password for the account " <strong>{info.username.clone()}</strong>
            ". It must be at least 12 characters long. This link works once."</p>
        <SendInBackground>
            <ActionForm action=choose>
                <input type="hidden" name="token" value=token/>
                // For password managers: the account the new password belongs to.
                <input type="text" value=info.username autocomplete="username" aria-hidden="true" hidden/>
                <label for="password">"New password"</label>
                <input id="password" name="password" type="password" autocomplete="new-password" required minlength="12"/>
                <FieldMessage error field="password"/>
                <label for="password_confirm">"Repeat password"</label>
                <input id="password_confirm" name="password_confirm" type="password" autocomplete="new-password" required/>
                <FieldMessage error field="password_confirm"/>
                <button type="submit" disabled=move || choose.pending().get()>"Set password"</button>
            </ActionForm>
        </SendInBackground>
        {move || general().map(|e| view! { <p class="notice notice-error" role="alert">{e.to_string()}</p> })}
    }
}
