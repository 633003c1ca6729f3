//! Small building blocks shared by pages.

mod options;
mod pager;
mod status;

pub use options::{escape_html, options_html};
pub use pager::Pager;
pub use status::{ErrorNotice, FieldMessage, Forbidden};
