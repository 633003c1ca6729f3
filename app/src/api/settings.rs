//! Site settings (admins): the title, description and default SEO metadata the public site
//! shows, whether readers may comment, and whether editors and admins need a second factor.

use crate::{
    domain::{SettingsForm, SiteSettings},
    error::AppError,
};
use leptos::prelude::*;

/// The settings in force. Admins only.
#[server(prefix = "/admin/api", endpoint = "settings/get")]
pub async fn get_settings() -> Result<SiteSettings, AppError> {
    use crate::{
        policy::{require, Capability},
        ssr::{auth, context, settings},
    };
    let actor = auth::current_actor().await?;
    require(&actor, Capability::ManageSettings)?;
    Ok(settings::current(&context()?.pool).await?)
}

/// Replace every setting at once (a checkbox left out is off, as an HTML form sends it; a
/// field that is not a setting is refused). Admins only; audited as `settings.changed` with the
/// changed fields only, before and after. The public site uses them from its next request.
#[server(prefix = "/admin/api", endpoint = "settings/update")]
pub async fn update_settings(#[server(flatten)] form: SettingsForm) -> Result<SiteSettings, AppError> {
    use crate::{
        domain::AuditAction,
        policy::{require, Capability},
        ssr::{
            audit::{self, AuditActor, AuditEvent},
            auth, context, settings,
        },
    };
    let actor = auth::current_actor().await?;
    require(&actor, Capability::ManageSettings)?;
    let after = form.validate().map_err(AppError::Invalid)?;
    let mut tx = context()?.pool.begin_write().await?;
    let before = settings::load(&mut tx).await?;
    let changes = after.changes_from(&before);
    if !changes.is_empty() {
        settings::save(&mut tx, &before, &after).await?;
        let (mut was, mut now) = (serde_json::Map::new(), serde_json::Map::new());
        for (key, old, new) in &changes {
            was.insert((*key).to_owned(), old.clone().into());
            now.insert((*key).to_owned(), new.clone().into());
        }
        let details = serde_json::json!({ "before": was, "after": now });
        let event = AuditEvent::new(AuditActor::User(&actor), AuditAction::SettingsChanged).details(details);
        audit::record(&mut tx, event).await?;
    }
    tx.commit().await?;
    crate::ssr::flash::notice("Settings saved. The public site uses them now.").await;
    Ok(after)
}
