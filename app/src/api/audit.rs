//! Reading the audit log (admins).
// Each filter is its own URL parameter, so the list's server function takes many arguments.
#![allow(clippy::too_many_arguments)]

use crate::{
    domain::{AuditEntry, Page},
    error::AppError,
};
use leptos::prelude::*;

/// The audit log, newest first, filtered by the recorded `actor`, one or several `action`s,
/// `target_type` and `target_id`, `from` and `to` (UTC days, `YYYY-MM-DD`, included) and
/// client `ip`. Admins only; a malformed filter is a 422 on its field.
#[server(prefix = "/admin/api", endpoint = "audit/list")]
pub async fn list_audit_events(
    #[server(default)] actor: Option<String>,
    #[server(default)] action: Vec<String>,
    #[server(default)] target_type: Option<String>,
    #[server(default)] target_id: Option<String>,
    #[server(default)] from: Option<String>,
    #[server(default)] to: Option<String>,
    #[server(default)] ip: Option<String>,
    #[server(default)] page: Option<i64>,
    #[server(default)] per_page: Option<i64>,
) -> Result<Page<AuditEntry>, AppError> {
    use crate::{
        domain::AuditFilter,
        policy::{require, Capability},
        ssr::{audit, auth, context},
    };
    let actor_user = auth::current_actor().await?;
    require(&actor_user, Capability::ReadAuditLog)?;
    let filter = AuditFilter { actor, actions: action, target_type, target_id, from, to, ip };
    let query = audit::AuditQuery::parse(&filter)?;
    let (page, per_page) = super::paging(page, per_page);
    Ok(audit::list(&context()?.pool, &query, page, per_page).await?)
}
