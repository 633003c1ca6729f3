//! `/admin/posts`: search, filters, sorting, paging, bulk actions and CSV export.

use crate::{
    api::posts::list::{list_post_pickers, list_posts},
    components::{options_html, BulkChoice, ErrorNotice, Pager, SortHeader},
    domain::{PostPickers, PostRow, PostSort, PostStatus},
    pages::{query_number, ActorResource},
    policy::{post_scope, PostAction},
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use leptos_router::{
    components::{Form, A},
    hooks::use_query_map,
};

/// `/admin/posts`: search, filters, sortable columns, pages, bulk actions, CSV export; all
/// state in the URL. Authors see their own posts only (the server decides, not this page).
#[component]
pub fn PostsPage() -> impl IntoView {
    let me = expect_context::<ActorResource>();
    let query = use_query_map();
    let text = move |k: &'static str| move || query.read().get(k).filter(|v| !v.is_empty());
    let (q, status, sort, dir) = (text("q"), text("status"), text("sort"), text("dir"));
    let (author, category, tag) = (query_number("author"), query_number("category"), query_number("tag"));
    let (page, per_page) = (query_number("page"), query_number("per_page"));
    let posts = Resource::new(
        move || (q(), status(), author(), category(), tag(), sort(), dir(), page(), per_page()),
        |(q, s, a, c, t, so, d, p, n)| list_posts(q, s, a, c, t, so, d, p, n),
    );
    let pickers = Resource::new(|| (), |_| list_post_pickers());
    let export = move || format!("/admin/posts/export.csv{}", query.read().to_query_string());
    view! {
        <Title text="Posts"/>
        <div class="page-head">
            <h1>"Posts"</h1>
            <A href="/admin/posts/new" attr:class="button">"New post"</A>
            <a href=export download="posts.csv">"Export CSV"</a>
        </div>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let filters = view! { <Filters pickers=pickers.await.unwrap_or_default()/> };
                let can_bulk = me.await.map(|a| post_scope(&a, PostAction::Publish).is_ok()).unwrap_or(false);
                let body = match posts.await {
                    Ok(list) => Either::Left(view! {
                        <BulkTable rows=list.rows.clone() can_bulk/>
                        <Pager page=list.page page_count=list.page_count() total=list.total per_page=list.per_page/>
                    }),
                    Err(error) => Either::Right(view! { <ErrorNotice error/> }),
                };
                view! { {filters} {body} }
            })}
        </Suspense>
    }
}

/// The search and filter form. A GET form: works without JavaScript and writes the URL.
#[component]
fn Filters(pickers: PostPickers) -> impl IntoView {
    let PostPickers { authors, categories, tags } = pickers;
    let query = use_query_map();
    let current = move |k: &str| query.read_untracked().get(k).unwrap_or_default();
    let options = move |key: &'static str, any: &'static str, items: Vec<(String, String)>| {
        let all = std::iter::once((String::new(), any.to_owned())).chain(items).collect::<Vec<_>>();
        options_html(all.iter().map(|(v, l)| (v.as_str(), l.as_str())), &current(key))
    };
    let statuses = options("status", "Any", PostStatus::ALL.map(|s| (s.as_str().into(), s.label().into())).into());
    let authors = options("author", "Anyone", authors.into_iter().map(|a| (a.id.0.to_string(), a.username)).collect());
    let categories = options("category", "Any", categories.into_iter().map(|c| (c.id.to_string(), c.name)).collect());
    let tags = options("tag", "Any", tags.into_iter().map(|t| (t.id.to_string(), t.name)).collect());
    view! {
        <Form method="get" action="" attr:class="filters">
            <div><label for="q">"Search"</label><input id="q" name="q" type="search" value=current("q")/></div>
            <div><label for="status">"Status"</label>
                <select id="status" name="status" inner_html=statuses></select></div>
            <div><label for="author">"Author"</label>
                <select id="author" name="author" inner_html=authors></select></div>
            <div><label for="category">"Category"</label>
                <select id="category" name="category" inner_html=categories></select></div>
            <div><label for="tag">"Tag"</label>
                <select id="tag" name="tag" inner_html=tags></select></div>
            <input type="hidden" name="sort" value=current("sort")/>
            <input type="hidden" name="dir" value=current("dir")/>
            <input type="hidden" name="per_page" value=current("per_page")/>
            <button type="submit">"Filter"</button>
            <a href="/admin/posts">"Clear"</a>
        </Form>
    }
}

/// The table, with checkboxes and bulk actions for those who may use them: a plain form whose
/// POST comes back to this page with what it did; [`BulkChoice`] adds select-all and asks first.
#[component]
fn BulkTable(rows: Vec<PostRow>, can_bulk: bool) -> impl IntoView {
    if rows.is_empty() {
        return Either::Left(
            view! { <p class="empty">"No posts match. Try clearing the filters, or write a new one."</p> },
        );
    }
    let table_rows = rows.into_iter().map(|row| view! { <PostRowView row can_bulk/> }).collect_view();
    let bar = can_bulk.then(|| {
        view! {
            <div class="bulk-bar">
                <label for="bulk-action">"With selected"</label>
                <select id="bulk-action" name="action">
                    <option value="publish">"Publish"</option>
                    <option value="unpublish">"Unpublish"</option>
                    <option value="delete">"Delete"</option>
                </select>
                <button type="submit">"Apply"</button>
            </div>
        }
    });
    let select_all = can_bulk.then(|| {
        view! { <th scope="col"><input type="checkbox" data-select-all aria-label="Select all posts on this page"/></th> }
    });
    Either::Right(view! {
        <BulkChoice noun="post".to_owned()>
            <form method="post" action="/admin/api/posts/bulk" class="bulk">
                {bar}
                <table class="data">
                    <caption class="visually-hidden">"Posts"</caption>
                    <thead><tr>
                        {select_all}
                        <SortHeader column=PostSort::Title.key() label="Title"/>
                        <SortHeader column=PostSort::Author.key() label="Author"/>
                        <SortHeader column=PostSort::Status.key() label="Status"/>
                        <SortHeader column=PostSort::Category.key() label="Category"/>
                        <SortHeader column=PostSort::Updated.key() label="Updated (UTC)"/>
                    </tr></thead>
                    <tbody>{table_rows}</tbody>
                </table>
            </form>
        </BulkChoice>
    })
}

#[component]
fn PostRowView(row: PostRow, can_bulk: bool) -> impl IntoView {
    let id = row.id.0;
    let label = format!("Select “{}”", row.title);
    let status = match (row.status, &row.scheduled_at) {
        (PostStatus::Published, _) | (_, None) => row.status.label().to_owned(),
        (s, Some(at)) => format!("{} · scheduled {}", s.label(), &at[..16.min(at.len())]),
    };
    let select = can_bulk.then(|| view! { <td><input type="checkbox" name="ids[]" value=id aria-label=label/></td> });
    view! {
        <tr>
            {select}
            <td><a href=format!("/admin/posts/{id}")>{row.title.clone()}</a></td>
            <td>{row.author}</td>
            <td><span class=format!("status status-{}", row.status.as_str())>{status}</span></td>
            <td>{row.category.unwrap_or_else(|| "—".into())}</td>
            <td>{row.updated_at.get(..16).unwrap_or(&row.updated_at).replace('T', " ")}</td>
        </tr>
    }
}
