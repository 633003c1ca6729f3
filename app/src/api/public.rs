//! The public site's data: published posts only, no sign-in. These live outside `/admin/`
//! so the proxy's staff gate does not cover them, and they never reveal unpublished work.

use crate::{
    domain::{Page, PublicPost},
    error::AppError,
};
use leptos::prelude::*;

/// Published posts, newest first.
#[server(prefix = "/api/public", endpoint = "posts/list")]
pub async fn list_published_posts(#[server(default)] page: Option<i64>) -> Result<Page<PublicPost>, AppError> {
    use crate::ssr::{context, posts};
    let (page, _) = super::paging(page, None);
    Ok(posts::published(&context()?.pool, page, 10).await?)
}

/// One published post by slug; drafts, posts in review and scheduled posts are 404.
#[server(prefix = "/api/public", endpoint = "posts/get")]
pub async fn get_published_post(slug: String) -> Result<PublicPost, AppError> {
    use crate::ssr::{context, posts};
    if slug.len() > crate::domain::MAX_SLUG {
        return Err(AppError::NotFound);
    }
    posts::published_by_slug(&context()?.pool, &slug).await?.ok_or(AppError::NotFound)
}

/// What the public pages show of the site settings: title, description, default SEO
/// metadata, and whether the comment form is open.
#[server(prefix = "/api/public", endpoint = "site")]
pub async fn site_info() -> Result<crate::domain::PublicSite, AppError> {
    let s = crate::ssr::settings::current(&crate::ssr::context()?.pool).await?;
    Ok(crate::domain::PublicSite {
        title: s.site_title.clone(),
        description: s.site_description.clone(),
        home_title: s.home_title().to_owned(),
        home_description: s.home_description().to_owned(),
        comments_enabled: s.comments_enabled,
    })
}
