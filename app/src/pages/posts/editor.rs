use super::history::PostHistory;
use crate::{
    api::{
        posts::{
            edit::{get_post, CreatePost, PreviewMarkdown, UpdatePost},
            history::{list_revisions, publish_history, RestoreRevision},
            workflow::{DeletePost, PublishPost, SchedulePost, SubmitPost, UnpublishPost, WithdrawPost},
        },
        taxonomy::{list_categories, list_tags},
    },
    components::{options_html, ErrorNotice, FieldMessage},
    domain::{slugify, Actor, PostDetail, PostStatus, PublishEvent, Revision, Term},
    error::AppError,
    pages::ActorResource,
    policy::{post_scope, post_status_allows, PostAction},
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use std::time::Duration;

/// `/admin/posts/new`: a blank draft. Saving creates it and opens it in the editor.
#[component]
pub fn NewPostPage() -> impl IntoView {
    let terms = Resource::new(|| (), |_| async { (list_categories().await, list_tags().await) });
    let create = ServerAction::<CreatePost>::new();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    view! {
        <Title text="New post"/>
        <h1>"New post"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let (categories, tags) = terms.await;
                view! {
                    <ActionForm action=create attr:class="editor">
                        <PostFields post=None categories=categories.unwrap_or_default() tags=tags.unwrap_or_default() error/>
                        <button type="submit" disabled=move || create.pending().get()>"Save draft"</button>
                    </ActionForm>
                }
            })}
        </Suspense>
        <FormError error/>
    }
}

/// The workflow actions of one post, created once per page so that every one refreshes it.
#[derive(Clone, Copy)]
struct Steps {
    update: ServerAction<UpdatePost>,
    submit: ServerAction<SubmitPost>,
    withdraw: ServerAction<WithdrawPost>,
    publish: ServerAction<PublishPost>,
    unpublish: ServerAction<UnpublishPost>,
    schedule: ServerAction<SchedulePost>,
    delete: ServerAction<DeletePost>,
    restore: ServerAction<RestoreRevision>,
}

impl Steps {
    fn new() -> Self {
        Self {
            update: ServerAction::new(),
            submit: ServerAction::new(),
            withdraw: ServerAction::new(),
            publish: ServerAction::new(),
            unpublish: ServerAction::new(),
            schedule: ServerAction::new(),
            delete: ServerAction::new(),
            restore: ServerAction::new(),
        }
    }

    fn versions(&self) -> [usize; 8] {
        [
            self.update.version().get(),
            self.submit.version().get(),
            self.withdraw.version().get(),
            self.publish.version().get(),
            self.unpublish.version().get(),
            self.schedule.version().get(),
            self.delete.version().get(),
            self.restore.version().get(),
        ]
    }

    /// The error of whichever workflow step last failed.
    fn step_error(&self) -> Option<AppError> {
        let err = |v: Option<Result<(), AppError>>| v.and_then(Result::err);
        err(self.submit.value().get())
            .or_else(|| err(self.withdraw.value().get()))
            .or_else(|| err(self.publish.value().get()))
            .or_else(|| err(self.unpublish.value().get()))
            .or_else(|| err(self.schedule.value().get()))
            .or_else(|| err(self.delete.value().get()))
            .or_else(|| err(self.restore.value().get()))
    }
}

/// `/admin/posts/{id}`: edit, move through the workflow, compare and restore revisions.
/// Another author's post answers 404 exactly like a missing one.
#[component]
pub fn EditPostPage() -> impl IntoView {
    let me = expect_context::<ActorResource>();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let steps = Steps::new();
    let post = Resource::new(
        move || (id(), steps.versions()),
        |(id, _)| async move {
            match id {
                Some(id) => get_post(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let terms = Resource::new(|| (), |_| async { (list_categories().await, list_tags().await) });
    // Created here, not inside the Suspense below, so each exists once per page.
    let revisions = Resource::new(move || (id(), steps.versions()), |(id, _)| list_revisions(id.unwrap_or(0)));
    let published = Resource::new(move || (id(), steps.versions()), |(id, _)| publish_history(id.unwrap_or(0)));
    let history = (revisions, published);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let actor = me.await;
                let (categories, tags) = terms.await;
                match (post.await, actor) {
                    (Ok(post), Ok(actor)) => Either::Left(view! {
                        <Editor post actor categories=categories.unwrap_or_default() tags=tags.unwrap_or_default() steps history/>
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
    categories: Vec<Term>,
    tags: Vec<Term>,
    steps: Steps,
    history: (Resource<Result<Vec<Revision>, AppError>>, Resource<Result<Vec<PublishEvent>, AppError>>),
) -> impl IntoView {
    let editable =
        post_scope(&actor, PostAction::Edit).is_ok() && post_status_allows(actor.role, PostAction::Edit, post.status);
    let update = steps.update;
    let error = Signal::derive(move || update.value().get().and_then(Result::err));
    let saved = move || matches!(update.value().get(), Some(Ok(())));
    let step_error = Signal::derive(move || steps.step_error());
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
        <Workflow post=post.clone() actor=actor.clone() steps/>
        <FormError error=step_error/>
        {if editable {
            Either::Left(view! {
                <ActionForm action=update attr:class="editor">
                    <input type="hidden" name="id" value=id/>
                    <PostFields post=Some(form_post) categories tags error/>
                    <button type="submit" disabled=move || update.pending().get()>"Save"</button>
                    <Show when=saved><span class="toast" role="status">"Saved."</span></Show>
                </ActionForm>
                <FormError error/>
            })
        } else {
            Either::Right(view! {
                <p class="notice">"This post is published: only an editor or an admin can change it now."</p>
                <pre class="source">{body.clone()}</pre>
            })
        }}
        <PostHistory id body can_restore=editable restore=steps.restore revisions=history.0 published=history.1/>
    }
}

/// Messages that belong to no single field.
#[component]
fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let general = move || error.get().filter(|e| !matches!(e, AppError::Invalid(_)));
    let fields = move || match error.get() {
        Some(AppError::Invalid(list)) => {
            Some(format!("Please correct: {}.", list.iter().map(|f| f.field.as_str()).collect::<Vec<_>>().join(", ")))
        }
        _ => None,
    };
    view! {
        {move || general().map(|e| view! { <p class="notice notice-error" role="alert">{e.to_string()}</p> })}
        {move || fields().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
    }
}

/// Every field of the post form, with inline server messages, slug-from-title, live preview
/// and a warning before leaving with unsaved changes.
#[component]
fn PostFields(
    post: Option<PostDetail>,
    categories: Vec<Term>,
    tags: Vec<Term>,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let p = post.clone().unwrap_or_else(blank);
    let slug = RwSignal::new(p.slug.clone());
    let slug_touched = RwSignal::new(post.is_some());
    let dirty = RwSignal::new(false);
    let on_title = move |ev: leptos::ev::Event| {
        if !slug_touched.get_untracked() {
            slug.set(slugify(&event_target_value(&ev)));
        }
    };
    guard_unsaved_changes(dirty);
    let category_options = {
        let items: Vec<(String, String)> = std::iter::once((String::new(), "None".to_owned()))
            .chain(categories.into_iter().map(|c| (c.id.to_string(), c.name)))
            .collect();
        let selected = p.category_id.map(|c| c.to_string()).unwrap_or_default();
        options_html(items.iter().map(|(v, l)| (v.as_str(), l.as_str())), &selected)
    };
    let tag_boxes = tags
        .into_iter()
        .map(|t| {
            let id = format!("tag-{}", t.id);
            view! {
                <span class="tag-choice">
                    <input type="checkbox" id=id.clone() name="tags[]" value=t.id checked=p.tag_ids.contains(&t.id)/>
                    <label for=id>{t.name}</label>
                </span>
            }
        })
        .collect_view();
    view! {
        <div class="fields" on:input=move |_| dirty.set(true)>
            <label for="title">"Title"</label>
            <input id="title" name="title" required maxlength="200" value=p.title.clone() on:input=on_title/>
            <FieldMessage error field="title"/>
            <label for="slug">"Slug"</label>
            <input id="slug" name="slug" maxlength="120" value=p.slug.clone() prop:value=slug
                on:input=move |ev| { slug_touched.set(true); slug.set(event_target_value(&ev)); }/>
            <FieldMessage error field="slug"/>
            <MarkdownBody initial=p.body.clone() error/>
            <label for="excerpt">"Excerpt"</label>
            <textarea id="excerpt" name="excerpt" rows="2" maxlength="1000">{p.excerpt.clone()}</textarea>
            <FieldMessage error field="excerpt"/>
            <label for="category_id">"Category"</label>
            <select id="category_id" name="category_id" inner_html=category_options></select>
            <FieldMessage error field="category_id"/>
            <fieldset class="tags"><legend>"Tags"</legend>{tag_boxes}</fieldset>
            <FieldMessage error field="tags"/>
            <details class="seo">
                <summary>"Search engines"</summary>
                <label for="seo_title">"SEO title"</label>
                <input id="seo_title" name="seo_title" maxlength="120" value=p.seo_title.clone()/>
                <FieldMessage error field="seo_title"/>
                <label for="seo_description">"SEO description"</label>
                <textarea id="seo_description" name="seo_description" rows="2" maxlength="320">{p.seo_description.clone()}</textarea>
                <FieldMessage error field="seo_description"/>
            </details>
        </div>
    }
}

/// The Markdown body with a preview rendered by the server (the same sanitiser as the site).
#[component]
fn MarkdownBody(initial: String, #[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let preview = ServerAction::<PreviewMarkdown>::new();
    let body = RwSignal::new(initial.clone());
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let schedule_preview = move || {
        if let Some(handle) = timer.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                preview.dispatch(PreviewMarkdown { body: body.get_untracked() });
            },
            Duration::from_millis(350),
        );
        timer.set_value(handle.ok());
    };
    // Effects run only in the browser: render the first preview once hydrated.
    Effect::new(move |_| {
        preview.dispatch(PreviewMarkdown { body: body.get_untracked() });
    });
    let html = move || match preview.value().get() {
        Some(Ok(html)) => html,
        Some(Err(e)) => format!("<p>{}</p>", e),
        None => "<p class=\"hint\">The preview appears here.</p>".to_owned(),
    };
    view! {
        <div class="body-split">
            <div>
                <label for="body">"Body (Markdown)"</label>
                <textarea id="body" name="body" rows="16" on:input=move |ev| { body.set(event_target_value(&ev)); schedule_preview(); }>{initial}</textarea>
                <FieldMessage error field="body"/>
            </div>
            <section class="preview" aria-label="Preview" aria-live="polite" inner_html=html></section>
        </div>
    }
}

/// Warn before the page unloads while the form has unsaved changes; a successful save clears it.
fn guard_unsaved_changes(dirty: RwSignal<bool>) {
    let handle = window_event_listener(leptos::ev::beforeunload, move |ev| {
        if dirty.get_untracked() {
            ev.prevent_default();
            ev.set_return_value("You have unsaved changes.");
        }
    });
    on_cleanup(move || handle.remove());
    // A form submission is leaving on purpose.
    let submit = window_event_listener(leptos::ev::submit, move |_| dirty.set(false));
    on_cleanup(move || submit.remove());
}

fn blank() -> PostDetail {
    PostDetail {
        id: crate::domain::PostId(0),
        title: String::new(),
        slug: String::new(),
        body: String::new(),
        excerpt: String::new(),
        status: PostStatus::Draft,
        author_id: crate::domain::UserId(0),
        author: String::new(),
        category_id: None,
        tag_ids: vec![],
        seo_title: String::new(),
        seo_description: String::new(),
        created_at: String::new(),
        updated_at: String::new(),
        published_at: None,
        scheduled_at: None,
    }
}

/// The workflow buttons this actor may use on this post, each a small form of its own.
#[component]
fn Workflow(post: PostDetail, actor: Actor, steps: Steps) -> impl IntoView {
    let may =
        |action: PostAction| post_scope(&actor, action).is_ok() && post_status_allows(actor.role, action, post.status);
    let [submit, withdraw, publish, unpublish, schedule, delete] = [
        PostAction::Submit,
        PostAction::Withdraw,
        PostAction::Publish,
        PostAction::Unpublish,
        PostAction::Schedule,
        PostAction::Delete,
    ]
    .map(may);
    let id = post.id.0;
    let status = post.status;
    let confirm_delete = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if window().confirm_with_message("Delete this post and its history? This cannot be undone.").unwrap_or(false) {
            steps.delete.dispatch(DeletePost { id });
        }
    };
    let at_value = StoredValue::new(post.scheduled_at.clone().unwrap_or_default().chars().take(16).collect::<String>());
    view! {
        <div class="workflow">
            <Show when=move || status == PostStatus::Draft && submit>
                <ActionForm action=steps.submit><input type="hidden" name="id" value=id/><button type="submit">"Submit for review"</button></ActionForm>
            </Show>
            <Show when=move || status == PostStatus::Review && withdraw>
                <ActionForm action=steps.withdraw><input type="hidden" name="id" value=id/><button type="submit" class="secondary">"Withdraw to draft"</button></ActionForm>
            </Show>
            <Show when=move || status != PostStatus::Published && publish>
                <ActionForm action=steps.publish><input type="hidden" name="id" value=id/><button type="submit">"Publish"</button></ActionForm>
            </Show>
            <Show when=move || status == PostStatus::Published && unpublish>
                <ActionForm action=steps.unpublish><input type="hidden" name="id" value=id/><button type="submit" class="secondary">"Unpublish"</button></ActionForm>
            </Show>
            <Show when=move || status != PostStatus::Published && schedule>
                <ActionForm action=steps.schedule attr:class="inline">
                    <input type="hidden" name="id" value=id/>
                    <label for="at">"Publish at (UTC)"</label>
                    <input id="at" name="at" type="datetime-local" value=at_value.get_value()/>
                    <button type="submit" class="secondary">"Schedule"</button>
                </ActionForm>
            </Show>
            <Show when=move || delete>
                <form method="post" action="/admin/api/posts/delete" on:submit=confirm_delete>
                    <input type="hidden" name="id" value=id/><button type="submit" class="danger">"Delete"</button>
                </form>
            </Show>
        </div>
        {post.scheduled_at.map(|at| view! { <p class="hint">{format!("Scheduled to publish at {} UTC.", at.get(..16).unwrap_or(&at).replace('T', " "))}</p> })}
    }
}
