//! `/admin/posts` (the list) and `/admin/posts/new`, `/admin/posts/{id}` (the editor).

mod editor;
mod history;
mod list;

pub use editor::{EditPostPage, NewPostPage};
pub use list::PostsPage;
