//! The post form shared by the new and edit pages: fields, Markdown preview, form-level errors.

use crate::{
    api::posts::edit::PreviewMarkdown,
    components::{escape_html, escape_on_server, options_html, FieldMessage},
    domain::{slugify, PostDetail, PostStatus, TermOption},
    error::AppError,
};
use leptos::prelude::*;
use std::time::Duration;

/// Messages that belong to no single field.
#[component]
pub(super) fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
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
pub(super) fn PostFields(
    post: Option<PostDetail>,
    categories: Vec<TermOption>,
    tags: Vec<TermOption>,
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
                // Saving navigates away: by then the field may be gone with its page.
                if let Some(body) = body.try_get_untracked() {
                    preview.dispatch(PreviewMarkdown { body });
                }
            },
            Duration::from_millis(350),
        );
        timer.set_value(handle.ok());
    };
    // A preview still pending when the page goes (type, then save at once) is cancelled:
    // its closure would otherwise run against a disposed page.
    on_cleanup(move || {
        if let Some(Some(handle)) = timer.try_get_value() {
            handle.clear();
        }
    });
    // Effects run only in the browser: render the first preview once hydrated.
    Effect::new(move |_| {
        preview.dispatch(PreviewMarkdown { body: body.get_untracked() });
    });
    let html = move || match preview.value().get() {
        Some(Ok(html)) => html,
        Some(Err(e)) => format!("<p>{}</p>", escape_html(&e.to_string())),
        None => "<p class=\"hint\">The preview appears here.</p>".to_owned(),
    };
    view! {
        <div class="body-split">
            <div>
                <label for="body">"Body (Markdown)"</label>
                <textarea id="body" name="body" rows="16" on:input=move |ev| { body.set(event_target_value(&ev)); schedule_preview(); }>{escape_on_server(initial)}</textarea>
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
        created_at: Default::default(),
        updated_at: Default::default(),
        published_at: None,
        scheduled_at: None,
    }
}
