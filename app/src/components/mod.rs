//! Small building blocks shared by pages.

mod escape;
mod options;
mod pager;
mod status;

pub use escape::{escape_html, escape_on_server};
pub use options::options_html;
pub use pager::Pager;
pub use status::{ErrorNotice, FieldMessage, Forbidden};
