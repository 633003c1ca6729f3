//! The posts list, the author picker and the overview counts, all in the caller's scope.
// Each filter is its own URL parameter, so the list's server function takes many arguments.
#![allow(clippy::too_many_arguments)]

use crate::{
    domain::{AuthorOption, Page, PostCounts, PostPickers, PostRow},
    error::AppError,
};
use leptos::prelude::*;

/// Posts in the caller's scope (authors: their own), filtered, sorted and paged.
/// Any signed-in user.
#[server(prefix = "/admin/api", endpoint = "posts/list")]
pub async fn list_posts(
    #[server(default)] q: Option<String>,
    #[server(default)] status: Option<String>,
    #[server(default)] author: Option<i64>,
    #[server(default)] category: Option<i64>,
    #[server(default)] tag: Option<i64>,
    #[server(default)] sort: Option<String>,
    #[server(default)] dir: Option<String>,
    #[server(default)] page: Option<i64>,
    #[server(default)] per_page: Option<i64>,
) -> Result<Page<PostRow>, AppError> {
    use crate::{
        domain::PostFilter,
        policy::{post_scope, PostAction},
        ssr::{auth, context, posts},
    };
    let actor = auth::current_actor().await?;
    let scope = post_scope(&actor, PostAction::View)?;
    let filter = PostFilter { q, status, author, category, tag, sort, dir };
    let (page, per_page) = crate::api::paging(page, per_page);
    Ok(posts::list(&context()?.pool, scope, &filter, page, per_page).await?)
}

/// The author picker: an author sees only themselves. Any signed-in user.
#[server(prefix = "/admin/api", endpoint = "posts/authors")]
pub async fn list_authors() -> Result<Vec<AuthorOption>, AppError> {
    use crate::{
        policy::{post_scope, PostAction},
        ssr::{auth, context, posts},
    };
    let actor = auth::current_actor().await?;
    let scope = post_scope(&actor, PostAction::View)?;
    Ok(posts::authors(&context()?.pool, scope).await?)
}

/// The posts pickers: authors in the caller's scope (an author sees only themselves), every
/// category and tag (which anyone signed in may assign). Any signed-in user.
#[server(prefix = "/admin/api", endpoint = "posts/pickers")]
pub async fn list_post_pickers() -> Result<PostPickers, AppError> {
    use crate::{
        policy::{post_scope, require, Capability, PostAction},
        ssr::{auth, context, posts},
    };
    let actor = auth::current_actor().await?;
    require(&actor, Capability::AssignTaxonomy)?;
    let scope = post_scope(&actor, PostAction::View)?;
    let ctx = context()?;
    Ok(posts::pickers(&ctx.pool, &ctx.pickers, &actor, scope).await?)
}

/// Overview counts and the weekly publishing chart, in the caller's scope. Any signed-in user.
#[server(prefix = "/admin/api", endpoint = "posts/counts")]
pub async fn fetch_post_counts() -> Result<PostCounts, AppError> {
    use crate::{
        policy::{post_scope, PostAction},
        ssr::{auth, context, posts},
    };
    let actor = auth::current_actor().await?;
    let scope = post_scope(&actor, PostAction::View)?;
    Ok(posts::counts(&context()?.pool, scope, 12).await?)
}
