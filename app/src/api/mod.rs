//! Server functions, grouped by resource. Every one is a public POST endpoint under
//! `/admin/api/…` whatever the UI shows, so every one loads the actor and asks the policy
//! before it touches the database.

pub mod audit;
pub mod auth;
pub mod comments;
pub mod posts;
pub mod profile;
pub mod public;
pub mod settings;
pub mod setup;
pub mod taxonomy;
pub mod tokens;
pub mod two_factor;
pub mod users;
pub mod welcome;

/// Page sizes a list view offers; anything else falls back to the first.
pub const PAGE_SIZES: [i64; 3] = [25, 50, 100];

/// Clamp list paging arguments from the URL to sane values.
pub fn paging(page: Option<i64>, per_page: Option<i64>) -> (i64, i64) {
    let per_page = per_page.filter(|n| PAGE_SIZES.contains(n)).unwrap_or(PAGE_SIZES[0]);
    (page.unwrap_or(1).clamp(1, 1_000_000), per_page)
}
