//! Types shared by the server and the WebAssembly client. Nothing here does I/O.

mod audit;
mod comment;
mod post;
mod post_form;
mod role;
mod settings;
mod time;
mod token;
mod user;

pub use audit::*;
pub use comment::*;
pub use post::*;
pub use post_form::*;
pub use role::Role;
pub use settings::*;
pub use time::Timestamp;
pub use token::*;
pub use user::*;

use serde::{Deserialize, Serialize};

/// Whether `text` holds control characters: none at all on one line (`multiline` false), only
/// tab, line feed and carriage return in a text area. A NUL would also fail on PostgreSQL,
/// whose `text` cannot store it.
pub fn has_control_chars(text: &str, multiline: bool) -> bool {
    text.chars().any(|c| c.is_control() && !(multiline && matches!(c, '\t' | '\n' | '\r')))
}

/// A page of rows plus the total count of rows matching the same filter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    pub fn page_count(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page.max(1)).max(1)
    }
}

/// What a form's POST did, shown on the next page: a sentence, and maybe a secret shown this
/// once (its label and value) or new recovery codes (shown by the profile page).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Flash {
    pub text: String,
    pub secret: Option<(String, String)>,
    #[serde(default)]
    pub codes: Vec<String>,
}
