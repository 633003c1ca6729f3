//! `/admin/posts` (the list) and `/admin/posts/new`, `/admin/posts/{id}` (the editor), split by
//! job like `api/posts/`.

mod edit;
mod fields;
mod history;
mod list;
mod workflow;

pub use edit::{EditPostPage, NewPostPage};
pub use list::PostsPage;
