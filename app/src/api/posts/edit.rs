//! The editor's load and save: one post, a new draft, an edit, the Markdown preview.

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
    use crate::ssr::{audit::Caller, auth, context};
    let caller = Caller::session(auth::current_actor().await?);
    let id = shared::create(&context()?.pool, &caller, &form).await?;
    leptos_axum::redirect(&format!("/admin/posts/{}", id.0));
    Ok(id.0)
}

/// Save a post's text, slug, category, tags and SEO fields, keeping a revision. Authors: own
/// posts while draft or in review; their save cancels a publication schedule (an editor
/// reviews the new text first). Status and author never change here.
#[server(prefix = "/admin/api", endpoint = "posts/update")]
pub async fn update_post(id: i64, #[server(flatten)] form: PostForm) -> Result<(), AppError> {
    use crate::ssr::{audit::Caller, auth, context};
    let caller = Caller::session(auth::current_actor().await?);
    shared::update(&context()?.pool, &caller, crate::domain::PostId(id), &form).await?;
    crate::ssr::flash::notice("Saved.").await;
    Ok(())
}

/// Creating and saving posts for the dashboard and the REST API alike: one policy, one scope,
/// one set of field rules, one audit trail.
#[cfg(feature = "ssr")]
pub mod shared {
    use crate::{
        domain::{AuditAction, PostForm, PostId},
        error::AppError,
        policy::{require, Capability, PostAction},
        ssr::{audit, audit::Caller, db::Pool, posts},
    };

    /// A draft owned by the caller (never another author, never another status).
    pub async fn create(pool: &Pool, caller: &Caller, form: &PostForm) -> Result<PostId, AppError> {
        require(&caller.actor, Capability::CreatePost)?;
        let input = form.validate().map_err(AppError::Invalid)?;
        let mut tx = pool.begin_write().await?;
        let id = posts::insert(&mut tx, &caller.actor, &input).await?;
        let event = caller
            .event(AuditAction::PostCreated)
            .target("post", id.0)
            .details(serde_json::json!({ "title": input.title, "slug": input.slug }));
        audit::record(&mut tx, event).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Save post `id` as the caller may (their scope in the `WHERE`, the policy on its status).
    pub async fn update(pool: &Pool, caller: &Caller, id: PostId, form: &PostForm) -> Result<(), AppError> {
        let mut tx = pool.begin_write().await?;
        let (scope, state) = super::super::access::authorize(&mut tx, &caller.actor, PostAction::Edit, id).await?;
        let input = form.validate().map_err(AppError::Invalid)?;
        let before = posts::get(&mut tx, scope, id).await?.ok_or(AppError::NotFound)?;
        if !posts::update(&mut tx, scope, id, &caller.actor, &input).await? {
            return Err(AppError::NotFound);
        }
        super::super::access::settle_schedule(&mut tx, caller, PostAction::Edit, scope, id, state).await?;
        let event =
            caller.event(AuditAction::PostUpdated).target("post", id.0).details(super::changes(&before, &input));
        audit::record(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The fields a save changed, each as `{before, after}`. The body is summarised by its length:
/// both texts are kept whole in the post's revisions.
#[cfg(feature = "ssr")]
fn changes(before: &crate::domain::PostDetail, after: &crate::domain::PostInput) -> serde_json::Value {
    use serde_json::{json, Map, Value};
    let mut changed = Map::new();
    let mut compare = |field: &str, old: Value, new: Value| {
        if old != new {
            changed.insert(field.to_owned(), json!({ "before": old, "after": new }));
        }
    };
    compare("title", json!(before.title), json!(after.title));
    compare("slug", json!(before.slug), json!(after.slug));
    compare("excerpt", json!(before.excerpt), json!(after.excerpt));
    compare("category_id", json!(before.category_id), json!(after.category_id));
    let mut old_tags = before.tag_ids.clone();
    let mut new_tags = after.tag_ids.clone();
    old_tags.sort_unstable();
    new_tags.sort_unstable();
    compare("tag_ids", json!(old_tags), json!(new_tags));
    compare("seo_title", json!(before.seo_title), json!(after.seo_title));
    compare("seo_description", json!(before.seo_description), json!(after.seo_description));
    if before.body != after.body {
        let chars = |s: &str| s.chars().count();
        changed
            .insert("body".into(), json!({ "before_chars": chars(&before.body), "after_chars": chars(&after.body) }));
    }
    Value::Object(changed)
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
