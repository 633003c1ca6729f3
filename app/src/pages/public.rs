//! The public site: `/`, `/posts/{slug}` with its comments, and the 404 page.

use super::query_number;
use crate::{
    api::{
        comments::list_approved_comments,
        public::{get_published_post, list_published_posts, site_info},
    },
    components::escape_on_server,
    domain::{PublicComment, PublicPost, PublicSite},
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

/// The public pages' titles are the site's own, without the dashboard's suffix; escaped on the
/// server like every title (leptos_meta writes the server's `<title>` as it is).
fn public_title(text: String) -> String {
    escape_on_server(text)
}

/// The site settings, or their defaults if they cannot be read (the page still renders).
async fn site() -> PublicSite {
    site_info().await.unwrap_or_default()
}

/// `<title>`, meta description and Open Graph tags of a public page.
#[component]
fn Head(title: String, description: String, kind: &'static str, site_name: String) -> impl IntoView {
    view! {
        <Title formatter=public_title text=title.clone()/>
        <Meta name="description" content=description.clone()/>
        <Meta property="og:title" content=title/>
        <Meta property="og:description" content=description/>
        <Meta property="og:type" content=kind/>
        <Meta property="og:site_name" content=site_name/>
    }
}

/// `/`: published posts, newest first, ten to a page, under the site's title and description.
#[component]
pub fn Home() -> impl IntoView {
    let page = query_number("page");
    let posts = Resource::new(page, list_published_posts);
    let site = Resource::new(|| (), |_| site());
    view! {
        <main id="main" class="public">
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let site = site.await;
                    view! {
                        <Head title=site.home_title description=site.home_description kind="website" site_name=site.title.clone()/>
                        <header class="site-header">
                            <h1>{site.title}</h1>
                            {(!site.description.is_empty()).then(|| view! { <p class="site-description">{site.description}</p> })}
                        </header>
                    }
                })}
            </Suspense>
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
    let site = Resource::new(|| (), |_| site());
    view! {
        <main id="main" class="public">
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let site = site.await;
                    match post.await {
                        Ok(post) => {
                            let (name, open, slug) = (site.title.clone(), site.comments_enabled, post.slug.clone());
                            let comments = comments.await.unwrap_or_default();
                            EitherOf3::A(view! {
                                <p class="site-name"><A href="/">{name}</A></p>
                                <Article post site/>
                                <Comments slug comments open/>
                            })
                        }
                        Err(AppError::NotFound) => EitherOf3::B(view! { <NotFoundBody/> }),
                        Err(e) => EitherOf3::C(view! { <p role="alert">{e.to_string()}</p> }),
                    }
                })}
            </Suspense>
            <footer><A href="/">"All posts"</A></footer>
        </main>
    }
}

/// One post. Its `<title>` is its SEO title, else "title · site"; its description its SEO
/// description, else its excerpt, else the site's default.
#[component]
fn Article(post: PublicPost, site: PublicSite) -> impl IntoView {
    let title =
        if post.seo_title.is_empty() { format!("{} · {}", post.title, site.title) } else { post.seo_title.clone() };
    let description = [&post.seo_description, &post.excerpt, &site.home_description]
        .into_iter()
        .find(|d| !d.is_empty())
        .cloned()
        .unwrap_or_default();
    view! {
        <Head title description kind="article" site_name=site.title/>
        <article>
            <h1>{post.title}</h1>
            <p class="hint">{format!("{} · {}", post.author, post.published_at.get(..10).unwrap_or(&post.published_at))}
                {post.category.map(|c| format!(" · {c}"))}</p>
            <div class="prose" inner_html=post.html></div>
        </article>
    }
}

/// Approved comments (as plain text: nothing a commenter writes runs) and, while comments are
/// open, the comment form, a real form POST that works without JavaScript.
#[component]
fn Comments(slug: String, comments: Vec<PublicComment>, open: bool) -> impl IntoView {
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
            {if open {
                Either::Left(view! {
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
                })
            } else {
                Either::Right(view! { <p class="hint">"Comments are closed."</p> })
            }}
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
