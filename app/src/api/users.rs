//! The staff list (admins).

use crate::{
    domain::{Page, UserSummary},
    error::AppError,
};
use leptos::prelude::*;

/// Staff accounts, by username. Admins only.
#[server(prefix = "/admin/api", endpoint = "users/list")]
pub async fn list_users(
    #[server(default)] page: Option<i64>,
    #[server(default)] per_page: Option<i64>,
) -> Result<Page<UserSummary>, AppError> {
    use crate::{
        policy::{require, Capability},
        ssr::{auth, context, users},
    };
    let actor = auth::current_actor().await?;
    require(&actor, Capability::ManageUsers)?;
    let (page, per_page) = super::paging(page, per_page);
    Ok(users::list(&context()?.pool, page, per_page).await?)
}
