//! Reading the audit log (admins).

use crate::{
    domain::{AuditEntry, Page},
    error::AppError,
};
use leptos::prelude::*;

/// The audit log, newest first, optionally one action only. Admins only.
#[server(prefix = "/admin/api", endpoint = "audit/list")]
pub async fn list_audit_events(
    #[server(default)] action: Option<String>,
    #[server(default)] page: Option<i64>,
    #[server(default)] per_page: Option<i64>,
) -> Result<Page<AuditEntry>, AppError> {
    use crate::{
        domain::AuditAction,
        policy::{require, Capability},
        ssr::{audit, auth, context},
    };
    let actor = auth::current_actor().await?;
    require(&actor, Capability::ReadAuditLog)?;
    let action = match action.as_deref().filter(|a| !a.is_empty()) {
        None => None,
        Some(a) => Some(AuditAction::parse(a).ok_or_else(|| AppError::invalid("action", "Unknown action."))?),
    };
    let (page, per_page) = super::paging(page, per_page);
    Ok(audit::list(&context()?.pool, action, page, per_page).await?)
}
