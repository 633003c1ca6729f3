//! The current URL's query, read by a page and its parts from one memo.

use leptos::prelude::*;
use leptos_router::{hooks::use_query_map, params::ParamsMap};

/// The query memo a layout shares with everything inside it.
#[derive(Clone, Copy)]
pub struct PageQuery(pub Memo<ParamsMap>);

/// The current URL's query: the memo the enclosing layout provides ([`PageQuery`]), or a new
/// one outside it. Leptos makes a memo, and a copy of the query, for every `use_query_map` call;
/// a list page with its filters, sort headers and pager asked for thirteen.
pub fn use_query() -> Memo<ParamsMap> {
    use_context::<PageQuery>().map_or_else(use_query_map, |PageQuery(query)| query)
}
