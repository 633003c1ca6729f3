//! The pager under every paged list: previous / next and the page size, kept in the URL.

use super::use_query;
use crate::api::PAGE_SIZES;
use leptos::prelude::*;

/// Previous / next links and a page-size choice that keep every other query parameter,
/// so filters survive paging and the back button works.
#[component]
pub fn Pager(page: i64, page_count: i64, total: i64, per_page: i64) -> impl IntoView {
    let query = use_query();
    let href = move |changes: &[(&'static str, String)]| {
        let mut q = query.get_untracked();
        for (k, v) in changes {
            q.replace(*k, v.clone());
        }
        q.to_query_string()
    };
    let prev = (page > 1).then(|| href(&[("page", (page - 1).to_string())]));
    let next = (page < page_count).then(|| href(&[("page", (page + 1).to_string())]));
    let sizes = PAGE_SIZES.map(|n| (n, href(&[("per_page", n.to_string()), ("page", "1".into())])));
    view! {
        <nav class="pager" aria-label="Pagination">
            <span>{format!("Page {page} of {page_count} · {total} in all")}</span>
            {prev.map(|h| view! { <a href=h rel="prev">"← Previous"</a> })}
            {next.map(|h| view! { <a href=h rel="next">"Next →"</a> })}
            <span class="page-sizes">
                "Per page: "
                {sizes
                    .into_iter()
                    .map(|(n, h)| view! { <a href=h aria-current=(n == per_page).then_some("true")>{n}</a> " " })
                    .collect_view()}
            </span>
        </nav>
    }
}
