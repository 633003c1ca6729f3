//! Categories and tags. Everyone signed in may list them (to assign them to posts); only
//! admins create, rename and delete them.

use crate::{domain::Term, error::AppError};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod run {
    use crate::{
        domain::{is_slug, slugify, AuditAction, Term, MAX_TERM_NAME},
        error::{AppError, FieldError},
        policy::{post_scope, require, Capability, PostAction, Scope},
        ssr::{
            audit::{self, AuditActor, AuditEvent},
            auth, context,
            taxonomy::{self, TermKind},
        },
    };

    pub async fn list(kind: TermKind) -> Result<Vec<Term>, AppError> {
        let actor = auth::current_actor().await?;
        require(&actor, Capability::AssignTaxonomy)?;
        // Usage counts follow the caller's view of posts, like every list.
        let scope = post_scope(&actor, PostAction::View)?;
        Ok(taxonomy::list(&context()?.pool, kind, scope).await?)
    }

    fn validate(name: &str, slug: &str) -> Result<(String, String), AppError> {
        let name = name.trim().to_owned();
        let slug = if slug.trim().is_empty() { slugify(&name) } else { slug.trim().to_owned() };
        let mut errors = Vec::new();
        if name.is_empty() || name.chars().count() > MAX_TERM_NAME {
            errors.push(FieldError {
                field: "name".into(),
                message: format!("Give a name of 1 to {MAX_TERM_NAME} characters."),
            });
        }
        if !is_slug(&slug) {
            errors.push(FieldError {
                field: "slug".into(),
                message: "Use lowercase letters, digits and single dashes.".into(),
            });
        }
        if errors.is_empty() {
            Ok((name, slug))
        } else {
            Err(AppError::Invalid(errors))
        }
    }

    #[derive(Clone, Copy)]
    enum Change {
        Create,
        Update,
        Delete,
    }

    fn action(kind: TermKind, change: Change) -> AuditAction {
        match (kind, change) {
            (TermKind::Category, Change::Create) => AuditAction::CategoryCreated,
            (TermKind::Category, Change::Update) => AuditAction::CategoryUpdated,
            (TermKind::Category, Change::Delete) => AuditAction::CategoryDeleted,
            (TermKind::Tag, Change::Create) => AuditAction::TagCreated,
            (TermKind::Tag, Change::Update) => AuditAction::TagUpdated,
            (TermKind::Tag, Change::Delete) => AuditAction::TagDeleted,
        }
    }

    /// Create (`id: None`) or rename a term, audited in the same transaction.
    pub async fn save(kind: TermKind, id: Option<i64>, name: &str, slug: &str) -> Result<i64, AppError> {
        let actor = auth::current_actor().await?;
        require(&actor, Capability::ManageTaxonomy)?;
        let (name, slug) = validate(name, slug)?;
        let mut tx = context()?.pool.begin().await?;
        let (id, before, verb) = match id {
            None => (taxonomy::insert(&mut tx, kind, &name, &slug).await?, None, Change::Create),
            Some(id) => {
                let before = taxonomy::find(&mut tx, kind, Scope::All, id).await?.ok_or(AppError::NotFound)?;
                taxonomy::update(&mut tx, kind, id, &name, &slug).await?;
                (id, Some(before), Change::Update)
            }
        };
        let after = serde_json::json!({ "name": name, "slug": slug });
        let details = match before {
            Some(t) => serde_json::json!({ "before": { "name": t.name, "slug": t.slug }, "after": after }),
            None => serde_json::json!({ "after": after }),
        };
        let event =
            AuditEvent::new(AuditActor::User(&actor), action(kind, verb)).target(kind.noun(), id).details(details);
        audit::record(&mut tx, event).await?;
        tx.commit().await?;
        context()?.pickers.forget();
        Ok(id)
    }

    pub async fn delete(kind: TermKind, id: i64) -> Result<(), AppError> {
        let actor = auth::current_actor().await?;
        require(&actor, Capability::ManageTaxonomy)?;
        let mut tx = context()?.pool.begin().await?;
        let before = taxonomy::find(&mut tx, kind, Scope::All, id).await?.ok_or(AppError::NotFound)?;
        taxonomy::delete(&mut tx, kind, id).await?;
        let details = serde_json::json!({ "name": before.name, "slug": before.slug, "posts": before.posts });
        let event = AuditEvent::new(AuditActor::User(&actor), action(kind, Change::Delete))
            .target(kind.noun(), id)
            .details(details);
        audit::record(&mut tx, event).await?;
        tx.commit().await?;
        context()?.pickers.forget();
        Ok(())
    }
}

/// All categories (the category picker). Any signed-in user.
#[server(prefix = "/admin/api", endpoint = "categories/list")]
pub async fn list_categories() -> Result<Vec<Term>, AppError> {
    run::list(crate::ssr::taxonomy::TermKind::Category).await
}

/// Admins only.
#[server(prefix = "/admin/api", endpoint = "categories/create")]
pub async fn create_category(name: String, #[server(default)] slug: String) -> Result<i64, AppError> {
    run::save(crate::ssr::taxonomy::TermKind::Category, None, &name, &slug).await
}

/// Admins only.
#[server(prefix = "/admin/api", endpoint = "categories/update")]
pub async fn update_category(id: i64, name: String, #[server(default)] slug: String) -> Result<i64, AppError> {
    run::save(crate::ssr::taxonomy::TermKind::Category, Some(id), &name, &slug).await
}

/// Admins only. Posts in the category keep existing, without a category.
#[server(prefix = "/admin/api", endpoint = "categories/delete")]
pub async fn delete_category(id: i64) -> Result<(), AppError> {
    run::delete(crate::ssr::taxonomy::TermKind::Category, id).await
}

/// All tags (the tag picker). Any signed-in user.
#[server(prefix = "/admin/api", endpoint = "tags/list")]
pub async fn list_tags() -> Result<Vec<Term>, AppError> {
    run::list(crate::ssr::taxonomy::TermKind::Tag).await
}

/// Admins only.
#[server(prefix = "/admin/api", endpoint = "tags/create")]
pub async fn create_tag(name: String, #[server(default)] slug: String) -> Result<i64, AppError> {
    run::save(crate::ssr::taxonomy::TermKind::Tag, None, &name, &slug).await
}

/// Admins only.
#[server(prefix = "/admin/api", endpoint = "tags/update")]
pub async fn update_tag(id: i64, name: String, #[server(default)] slug: String) -> Result<i64, AppError> {
    run::save(crate::ssr::taxonomy::TermKind::Tag, Some(id), &name, &slug).await
}

/// Admins only. Posts lose the tag.
#[server(prefix = "/admin/api", endpoint = "tags/delete")]
pub async fn delete_tag(id: i64) -> Result<(), AppError> {
    run::delete(crate::ssr::taxonomy::TermKind::Tag, id).await
}
