use crate::{
    domain::{PostDetail, PostForm},
    error::AppError,
};
use leptos::prelude::*;

/// One post for the editor. Authors: own posts only (others answer 404).
#[server(prefix = "/admin/api", endpoint = "posts/get")]
pub async fn get_post(id: i64) -> Result<PostDetail, AppError> {
    use crate::{
        domain::PostId,
        policy::{post_scope, PostAction},
        ssr::{auth, context, posts},
    };
    let actor = auth::current_actor().await?;
    let scope = post_scope(&actor, PostAction::View)?;
    let mut conn = context()?.pool.acquire().await?;
    posts::get(&mut conn, scope, PostId(id)).await?.ok_or(AppError::NotFound)
}

/// Create a draft owned by the caller and open it in the editor. Any signed-in user.
/// The author is always the caller and the status always draft, whatever the body says.
#[server(prefix = "/admin/api", endpoint = "posts/create")]
pub async fn create_post(#[server(flatten)] form: PostForm) -> Result<i64, AppError> {
    use crate::{
        policy::{require, Capability},
        ssr::{auth, context, posts},
    };
    let actor = auth::current_actor().await?;
    require(&actor, Capability::CreatePost)?;
    let input = form.validate().map_err(AppError::Invalid)?;
    let mut tx = context()?.pool.begin().await?;
    let id = posts::insert(&mut tx, &actor, &input).await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/admin/posts/{}", id.0));
    Ok(id.0)
}

/// Save a post's text, slug, category, tags and SEO fields, keeping a revision. Authors: own
/// posts while draft or in review. Status and author never change here.
#[server(prefix = "/admin/api", endpoint = "posts/update")]
pub async fn update_post(id: i64, #[server(flatten)] form: PostForm) -> Result<(), AppError> {
    use crate::{
        domain::PostId,
        policy::{post_scope, post_status_allows, PostAction},
        ssr::{auth, context, posts},
    };
    let actor = auth::current_actor().await?;
    let scope = post_scope(&actor, PostAction::Edit)?;
    let id = PostId(id);
    let mut tx = context()?.pool.begin().await?;
    let status = posts::status_of(&mut tx, scope, id).await?.ok_or(AppError::NotFound)?;
    if !post_status_allows(actor.role, PostAction::Edit, status) {
        return Err(AppError::Forbidden);
    }
    let input = form.validate().map_err(AppError::Invalid)?;
    if !posts::update(&mut tx, scope, id, &actor, &input).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// Render Markdown the way the public site will (sanitised), for the editor's live preview.
/// Any signed-in user.
#[server(prefix = "/admin/api", endpoint = "posts/preview")]
pub async fn preview_markdown(body: String) -> Result<String, AppError> {
    use crate::{
        domain::MAX_BODY,
        policy::{require, Capability},
        ssr::{auth, markdown},
    };
    let actor = auth::current_actor().await?;
    require(&actor, Capability::CreatePost)?;
    if body.chars().count() > MAX_BODY {
        return Err(AppError::invalid("body", format!("At most {MAX_BODY} characters.")));
    }
    Ok(markdown::render(&body))
}
