//! The public site: `/`, `/posts/{slug}` with its comments, and the 404 page.

use super::query_number;
use crate::{
    api::{
        comments::list_approved_comments,
        public::{get_published_post, list_published_posts},
    },
    domain::{PublicComment, PublicPost},
    error::AppError,
};
use leptos::{
    either::{Either, EitherOf3},
    prelude::*,
};
use leptos_meta::{Meta, Title};
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

/// `/`: published posts, newest first, ten to a page.
#[component]
pub fn Home() -> impl IntoView {
    let page = query_number("page");
    let posts = Resource::new(page, list_published_posts);
    view! {
        <Title text="Home"/>
        <main id="main" class="public">
            <h1>"Inkwarden"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let list = posts.await.unwrap_or_else(|_| crate::domain::Page { rows: vec![], total: 0, page: 1, per_page: 10 });
                    if list.rows.is_empty() {
                        return Either::Left(view! { <p>"Nothing has been published yet."</p> });
                    }
                    let (p, pages) = (list.page, list.page_count());
                    let items = list.rows.into_iter().map(|post| view! { <Teaser post/> }).collect_view();
                    Either::Right(view! {
                        <ol class="teasers">{items}</ol>
                        <nav class="pager" aria-label="Pagination">
                            {(p > 1).then(|| view! { <a href=format!("/?page={}", p - 1) rel="prev">"← Newer"</a> })}
                            {(p < pages).then(|| view! { <a href=format!("/?page={}", p + 1) rel="next">"Older →"</a> })}
                        </nav>
                    })
                })}
            </Suspense>
            <footer><A href="/admin">"Staff sign-in"</A></footer>
        </main>
    }
}

#[component]
fn Teaser(post: PublicPost) -> impl IntoView {
    view! {
        <li>
            <h2><a href=format!("/posts/{}", post.slug)>{post.title}</a></h2>
            <p class="hint">{format!("{} · {}", post.author, post.published_at.get(..10).unwrap_or(&post.published_at))}</p>
            <p>{post.excerpt}</p>
        </li>
    }
}

/// `/posts/{slug}`: one published post, its Markdown rendered and sanitised on the server.
#[component]
pub fn PostPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let post = Resource::new(slug, get_published_post);
    let comments = Resource::new(slug, list_approved_comments);
    view! {
        <main id="main" class="public">
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match post.await {
                        Ok(post) => EitherOf3::A(view! {
                            <Article post=post.clone()/>
                            <Comments slug=post.slug comments=comments.await.unwrap_or_default()/>
                        }),
                        Err(AppError::NotFound) => EitherOf3::B(view! { <NotFoundBody/> }),
                        Err(e) => EitherOf3::C(view! { <p role="alert">{e.to_string()}</p> }),
                    }
                })}
            </Suspense>
            <footer><A href="/">"All posts"</A></footer>
        </main>
    }
}

#[component]
fn Article(post: PublicPost) -> impl IntoView {
    let title = if post.seo_title.is_empty() { post.title.clone() } else { post.seo_title.clone() };
    let description = if post.seo_description.is_empty() { post.excerpt.clone() } else { post.seo_description.clone() };
    view! {
        <Title text=title/>
        <Meta name="description" content=description/>
        <article>
            <h1>{post.title}</h1>
            <p class="hint">{format!("{} · {}", post.author, post.published_at.get(..10).unwrap_or(&post.published_at))}
                {post.category.map(|c| format!(" · {c}"))}</p>
            <div class="prose" inner_html=post.html></div>
        </article>
    }
}

/// Approved comments (as plain text: nothing a commenter writes runs) and the comment form,
/// a real form POST that works without JavaScript.
#[component]
fn Comments(slug: String, comments: Vec<PublicComment>) -> impl IntoView {
    let query = use_query_map();
    let received = move || query.read().get("comment").as_deref() == Some("received");
    let count = comments.len();
    let list = comments
        .into_iter()
        .map(|c| {
            view! {
                <li>
                    <p class="hint">{format!("{} · {}", c.author_name, c.created_at.get(..10).unwrap_or(&c.created_at))}</p>
                    <p class="comment-body">{c.body}</p>
                </li>
            }
        })
        .collect_view();
    view! {
        <section id="comments" class="comments" aria-labelledby="comments-title">
            <h2 id="comments-title">{format!("Comments ({count})")}</h2>
            <ol class="comment-list">{list}</ol>
            <Show when=received>
                <p class="toast" role="status">"Thank you! Your comment will appear once a moderator approves it."</p>
            </Show>
            <h3>"Leave a comment"</h3>
            <form method="post" action=format!("/posts/{slug}/comments") class="comment-form">
                <label for="comment-name">"Name"</label>
                <input id="comment-name" name="name" required maxlength="80" autocomplete="name"/>
                <label for="comment-email">"Email (optional, never shown)"</label>
                <input id="comment-email" name="email" type="email" maxlength="254" autocomplete="email"/>
                <label for="comment-body">"Comment"</label>
                <textarea id="comment-body" name="body" required maxlength="5000" rows="5"></textarea>
                <div class="hp" aria-hidden="true">
                    <label for="comment-website">"Leave this field empty"</label>
                    <input id="comment-website" name="website" tabindex="-1" autocomplete="off"/>
                </div>
                <button type="submit">"Post comment"</button>
            </form>
        </section>
    }
}

/// Any path no route matches. Answers 404.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <main id="main" class="public">
            <NotFoundBody/>
            <p><A href="/">"Home"</A></p>
        </main>
    }
}

#[component]
fn NotFoundBody() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found"/>
        <h1>"Not found"</h1>
        <p>"There is nothing at this address."</p>
    }
}
