use super::query_number;
use crate::{
    api::public::{get_published_post, list_published_posts},
    domain::PublicPost,
    error::AppError,
};
use leptos::{
    either::{Either, EitherOf3},
    prelude::*,
};
use leptos_meta::{Meta, Title};
use leptos_router::{components::A, hooks::use_params_map};

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
    let post = Resource::new(move || params.read().get("slug").unwrap_or_default(), get_published_post);
    view! {
        <main id="main" class="public">
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match post.await {
                        Ok(post) => EitherOf3::A(view! { <Article post/> }),
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
