//! `/admin/profile`: the signed-in user's own account (changing the password).

use crate::{api::profile::ChangePassword, components::FieldMessage, error::AppError};
use leptos::prelude::*;
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
    }
}
