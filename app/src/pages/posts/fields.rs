//! The post form shared by the new and edit pages: fields, Markdown preview, form-level errors.

use crate::{
    api::posts::edit::{CreatePost, UpdatePost},
    components::{
        background::{follow, post, send, show_refusal, Sent},
        escape_html, escape_on_server, options_html, FieldMessage,
    },
    domain::{slugify, PostDetail, PostStatus, TermOption},
    error::AppError,
};
use leptos::{
    ev::{Event, SubmitEvent},
    prelude::*,
    wasm_bindgen::JsCast,
    web_sys::{Element, HtmlFormElement, HtmlInputElement, HtmlTextAreaElement, UrlSearchParams},
};
use std::time::Duration;

/// The post form of the new and edit pages: a plain form that posts (a new draft opens in the
/// editor, a saved edit comes back with "Saved." on top), made better by [`Editing`].
#[component]
pub(super) fn PostForm(post: Option<PostDetail>, categories: Vec<TermOption>, tags: Vec<TermOption>) -> impl IntoView {
    let (create, update) = (ServerAction::<CreatePost>::new(), ServerAction::<UpdatePost>::new());
    // Without JavaScript a refused save comes back with its error in the URL.
    let error = Signal::derive(move || {
        create.value().get().and_then(Result::err).or_else(|| update.value().get().and_then(Result::err))
    });
    let (action, label) = match &post {
        Some(_) => ("/admin/api/posts/update", "Save"),
        None => ("/admin/api/posts/create", "Save draft"),
    };
    let id = post.as_ref().map(|p| p.id.0);
    view! {
        <Editing>
            <form method="post" action=action class="editor">
                {id.map(|id| view! { <input type="hidden" name="id" value=id/> })}
                <PostFields post categories tags error/>
                <button type="submit">{label}</button>
            </form>
            <FormError error/>
        </Editing>
    }
}

/// The editor's behaviour in the browser: the slug follows the title until edited, the preview
/// follows the body, leaving with unsaved changes asks first, and saving sends the form in the
/// background, so that a refused save keeps everything typed and lists what to correct.
#[island]
fn Editing(children: Children) -> impl IntoView {
    let root = NodeRef::<leptos::html::Div>::new();
    let dirty = StoredValue::new(false);
    let slug_touched = StoredValue::new(None::<bool>);
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let refused = RwSignal::new(None::<String>);
    let sending = RwSignal::new(false);
    let field = move |id: &str| -> Option<HtmlInputElement> {
        root.get_untracked()?.query_selector(&format!("#{id}")).ok()??.dyn_into().ok()
    };
    let preview = move || {
        let Some(root) = root.get_untracked() else { return };
        let (Ok(Some(body)), Ok(Some(pane))) = (root.query_selector("#body"), root.query_selector(".preview")) else {
            return;
        };
        let Ok(body) = body.dyn_into::<HtmlTextAreaElement>() else { return };
        leptos::task::spawn_local(async move {
            let Ok(params) = UrlSearchParams::new() else { return };
            params.append("body", &body.value());
            let html = match post("/admin/api/posts/preview", params.to_string().into()).await {
                Sent::Done { answer, .. } => serde_json::from_str::<String>(&answer).unwrap_or_default(),
                Sent::Refused(error) => format!("<p>{}</p>", escape_html(&error.to_string())),
            };
            pane.set_inner_html(&html);
        });
    };
    let on_input = move |ev: Event| {
        dirty.set_value(true);
        let Some(target) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
        match target.id().as_str() {
            "title" => {
                let touched =
                    slug_touched.get_value().unwrap_or_else(|| field("slug").is_some_and(|s| !s.value().is_empty()));
                slug_touched.set_value(Some(touched));
                if let (false, Some(title), Some(slug)) = (touched, field("title"), field("slug")) {
                    slug.set_value(&slugify(&title.value()));
                }
            }
            "slug" => slug_touched.set_value(Some(true)),
            "body" => {
                if let Some(handle) = timer.get_value() {
                    handle.clear();
                }
                timer.set_value(set_timeout_with_handle(preview, Duration::from_millis(350)).ok());
            }
            _ => {}
        }
    };
    let on_submit = move |ev: SubmitEvent| {
        let Some(form) = ev.target().and_then(|t| t.dyn_into::<HtmlFormElement>().ok()) else { return };
        ev.prevent_default();
        if sending.get_untracked() {
            return;
        }
        sending.set(true);
        leptos::task::spawn_local(async move {
            let sent = send(&form).await;
            sending.set(false);
            match sent {
                // A new draft opens in the editor; a saved edit reloads (its history up to date).
                Sent::Done { location, .. } => {
                    dirty.set_value(false);
                    follow(location);
                }
                Sent::Refused(error) => refused.set(root.get_untracked().and_then(|r| show_refusal(&r, &error))),
            }
        });
    };
    Effect::new(move |_| preview());
    let leave = window_event_listener(leptos::ev::beforeunload, move |ev| {
        if dirty.get_value() {
            ev.prevent_default();
            ev.set_return_value("You have unsaved changes.");
        }
    });
    on_cleanup(move || leave.remove());
    let problems = move || refused.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> });
    view! {
        <div class="editing" node_ref=root on:input=on_input on:submit=on_submit>
            {children()}
            {problems}
            <Show when=move || sending.get()><p class="loading" role="status">"Saving…"</p></Show>
        </div>
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
    categories: Vec<TermOption>,
    tags: Vec<TermOption>,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let p = post.clone().unwrap_or_else(blank);
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
        <div class="fields">
            <label for="title">"Title"</label>
            <input id="title" name="title" required maxlength="200" value=p.title.clone()/>
            <FieldMessage error field="title"/>
            <label for="slug">"Slug"</label>
            <input id="slug" name="slug" maxlength="120" value=p.slug.clone()/>
            <FieldMessage error field="slug"/>
            <MarkdownBody initial=p.body.clone() error/>
            <label for="excerpt">"Excerpt"</label>
            <textarea id="excerpt" name="excerpt" rows="2" maxlength="1000">{escape_on_server(p.excerpt.clone())}</textarea>
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
                <textarea id="seo_description" name="seo_description" rows="2" maxlength="320">{escape_on_server(p.seo_description.clone())}</textarea>
                <FieldMessage error field="seo_description"/>
            </details>
        </div>
    }
}

/// The Markdown body beside its preview, rendered by the server with the public site's
/// sanitiser (and again as the body changes, by [`Editing`]).
#[component]
fn MarkdownBody(initial: String, #[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let html = if initial.trim().is_empty() {
        "<p class=\"hint\">The preview appears here.</p>".to_owned()
    } else {
        crate::ssr::markdown::render(&initial)
    };
    #[cfg(not(feature = "ssr"))]
    let html = String::new();
    view! {
        <div class="body-split">
            <div>
                <label for="body">"Body (Markdown)"</label>
                <textarea id="body" name="body" rows="16">{escape_on_server(initial)}</textarea>
                <FieldMessage error field="body"/>
            </div>
            <section class="preview" aria-label="Preview" aria-live="polite" inner_html=html></section>
        </div>
    }
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
        created_at: Default::default(),
        updated_at: Default::default(),
        published_at: None,
        scheduled_at: None,
    }
}
