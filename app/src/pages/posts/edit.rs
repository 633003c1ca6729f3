//! The post editor pages: `/admin/posts/new` and `/admin/posts/{id}` (text, workflow, history).

use super::{fields::PostForm, history::PostHistory, workflow::Workflow};
use crate::{
    api::posts::{history::fetch_post_editor, list::list_post_pickers},
    components::ErrorNotice,
    domain::{Actor, PostDetail, PostEditor, PostPast, TermOption},
    error::AppError,
    pages::ActorResource,
    policy::{post_scope, post_status_allows, PostAction},
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// `/admin/posts/new`: a blank draft. Saving creates it and opens it in the editor.
#[component]
pub fn NewPostPage() -> impl IntoView {
    let terms = Resource::new(|| (), |_| list_post_pickers());
    view! {
        <Title text="New post"/>
        <h1>"New post"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let pickers = terms.await.unwrap_or_default();
                view! { <PostForm post=None categories=pickers.categories tags=pickers.tags/> }
            })}
        </Suspense>
    }
}

/// `/admin/posts/{id}`: edit, move through the workflow, compare and restore revisions.
/// Another author's post answers 404 exactly like a missing one.
#[component]
pub fn EditPostPage() -> impl IntoView {
    let me = expect_context::<ActorResource>();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    // The post and its past in one call: one connection, one entry in the page's data.
    let editor = Resource::new(id, |id| async move {
        match id {
            Some(id) => fetch_post_editor(id).await,
            None => Err(AppError::NotFound),
        }
    });
    let terms = Resource::new(|| (), |_| list_post_pickers());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let actor = me.await;
                let pickers = terms.await.unwrap_or_default();
                match (editor.await, actor) {
                    (Ok(PostEditor { post, past }), Ok(actor)) => Either::Left(view! {
                        <Editor post actor categories=pickers.categories tags=pickers.tags past/>
                    }),
                    (Err(error), _) | (_, Err(error)) => Either::Right(view! { <NotFoundOr error/> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NotFoundOr(error: AppError) -> impl IntoView {
    if error == AppError::NotFound {
        #[cfg(feature = "ssr")]
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::NOT_FOUND);
        }
        return Either::Left(view! {
            <Title text="Post not found"/>
            <h1>"Post not found"</h1>
            <p>"There is no such post, or it is not yours to see."</p>
            <p><a href="/admin/posts">"Back to posts"</a></p>
        });
    }
    Either::Right(view! { <ErrorNotice error/> })
}

#[component]
fn Editor(
    post: PostDetail,
    actor: Actor,
    categories: Vec<TermOption>,
    tags: Vec<TermOption>,
    past: PostPast,
) -> impl IntoView {
    let editable =
        post_scope(&actor, PostAction::Edit).is_ok() && post_status_allows(actor.role, PostAction::Edit, post.status);
    let title = post.title.clone();
    let id = post.id.0;
    let body = post.body.clone();
    let form_post = post.clone();
    view! {
        <Title text=format!("Edit: {title}")/>
        <div class="page-head">
            <h1>{title.clone()}</h1>
            <span class=format!("status status-{}", post.status.as_str())>{post.status.label()}</span>
        </div>
        <p class="hint">{format!("By {} · created {} · updated {}", post.author, &post.created_at[..16], &post.updated_at[..16]).replace('T', " ")}</p>
        <Workflow post=post.clone() actor=actor.clone()/>
        {if editable {
            Either::Left(view! { <PostForm post=Some(form_post) categories tags/> })
        } else {
            Either::Right(view! {
                <p class="notice">"This post is published: only an editor or an admin can change it now."</p>
                <pre class="source">{body.clone()}</pre>
            })
        }}
        <PostHistory id body can_restore=editable past/>
    }
}
