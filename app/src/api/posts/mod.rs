//! Posts: list and pickers, the editor's load and save, the editorial workflow, history.

#[cfg(feature = "ssr")]
mod access;
pub mod edit;
pub mod history;
pub mod list;
pub mod workflow;

/// Most ids one bulk request may name.
pub const MAX_BULK_IDS: usize = 1_000;
