//! `/admin/settings`: the site's title, description and default SEO metadata, comments on or
//! off, and the two-factor requirement. Admins only.

use crate::{
    api::settings::{get_settings, UpdateSettings},
    components::{ErrorNotice, FieldMessage},
    domain::{SiteSettings, MAX_SEO_DESCRIPTION, MAX_SEO_TITLE, MAX_SITE_DESCRIPTION, MAX_SITE_TITLE},
    error::AppError,
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;

/// `/admin/settings`. One form, every setting at once; it works without JavaScript.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let save = ServerAction::<UpdateSettings>::new();
    let settings = Resource::new(|| (), |_| get_settings());
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    // Other errors and the success show at the top of every page (see the layout).
    let outcome = move || {
        matches!(error.get(), Some(AppError::Invalid(_))).then(|| {
            view! { <p class="notice notice-error" role="alert">"Please correct the highlighted fields."</p> }
        })
    };
    view! {
        <Title text="Settings"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(current) => Either::Left(view! {
                        <h1>"Settings"</h1>
                        {outcome}
                        <ActionForm action=save attr:class="fields settings-form">
                            <SettingsFields current error/>
                            <button type="submit" disabled=move || save.pending().get()>"Save settings"</button>
                        </ActionForm>
                    }),
                    Err(error) => Either::Right(view! { <ErrorNotice error/> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SettingsFields(current: SiteSettings, error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <fieldset>
            <legend>"Site"</legend>
            <label for="site_title">"Site title"</label>
            <input id="site_title" name="site_title" required maxlength=MAX_SITE_TITLE value=current.site_title/>
            <FieldMessage error field="site_title"/>
            <label for="site_description">"Site description"</label>
            <textarea id="site_description" name="site_description" maxlength=MAX_SITE_DESCRIPTION rows="2">
                {current.site_description}
            </textarea>
            <FieldMessage error field="site_description"/>
        </fieldset>
        <fieldset>
            <legend>"Search engines and sharing"</legend>
            <p class="hint">"Used on the home page, and on posts without their own SEO title or description. Empty: the site title and description."</p>
            <label for="seo_title">"Default SEO title"</label>
            <input id="seo_title" name="seo_title" maxlength=MAX_SEO_TITLE value=current.seo_title/>
            <FieldMessage error field="seo_title"/>
            <label for="seo_description">"Default SEO description"</label>
            <textarea id="seo_description" name="seo_description" maxlength=MAX_SEO_DESCRIPTION rows="2">
                {current.seo_description}
            </textarea>
            <FieldMessage error field="seo_description"/>
        </fieldset>
        <fieldset>
            <legend>"Readers and staff"</legend>
            <label class="checkbox">
                <input type="checkbox" name="comments_enabled" checked=current.comments_enabled/>
                " Readers may comment on published posts"
            </label>
            <label class="checkbox">
                <input type="checkbox" name="require_two_factor" checked=current.require_two_factor/>
                " Require two-factor sign-in for editors and admins"
            </label>
            <p class="hint">"Editors and admins without it can only set it up (on their profile page) or sign out until they do, you included."</p>
        </fieldset>
    }
}
