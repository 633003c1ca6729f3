//! Sortable column headers whose state lives in the URL.

use super::use_query;
use leptos::prelude::*;

/// A column header that sorts a list by `column` (the URL's `sort`), toggling the direction on a
/// second click and going back to page 1.
#[component]
pub fn SortHeader(column: &'static str, label: &'static str) -> impl IntoView {
    let query = use_query();
    let active = move || query.read().get("sort").as_deref() == Some(column);
    let descending = move || active() && query.read().get("dir").as_deref() == Some("desc");
    let href = move || {
        let mut q = query.get();
        q.replace("sort", column.to_owned());
        q.replace("dir", if active() && !descending() { "desc" } else { "asc" }.to_owned());
        q.replace("page", "1".to_owned());
        q.to_query_string()
    };
    let aria = move || match (active(), descending()) {
        (false, _) => "none",
        (true, false) => "ascending",
        (true, true) => "descending",
    };
    let arrow = move || match (active(), descending()) {
        (false, _) => "",
        (true, false) => " ▲",
        (true, true) => " ▼",
    };
    view! { <th scope="col" aria-sort=aria><a href=href>{label}{arrow}</a></th> }
}
