//! One module per page. Admin pages render inside [`AdminLayout`], which signs the user in
//! (or redirects to the login page) and provides the actor to them.

mod audit;
mod comments;
mod layout;
mod login;
mod overview;
mod posts;
mod profile;
mod public;
mod settings;
mod taxonomy;
mod tokens;
mod users;

pub use audit::AuditPage;
pub use comments::CommentsPage;
pub use layout::{ActorResource, AdminLayout};
pub use login::{LoginPage, SetupPage, VerifyPage, WelcomePage};
pub use overview::Overview;
pub use posts::{EditPostPage, NewPostPage, PostsPage};
pub use profile::ProfilePage;
pub use public::{Home, NotFound, PostPage};
pub use settings::SettingsPage;
pub use taxonomy::{CategoriesPage, TagsPage};
pub use tokens::TokensPage;
pub use users::UsersPage;

use crate::components::use_query;
use leptos::prelude::*;

/// A numeric query parameter of the current URL.
pub(crate) fn query_number(name: &'static str) -> impl Fn() -> Option<i64> + Copy + Send + Sync + 'static {
    let query = use_query();
    move || query.read().get(name).and_then(|v| v.parse().ok())
}
