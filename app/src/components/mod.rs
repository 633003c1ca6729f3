//! Small building blocks shared by pages.

pub mod background;
mod confirm;
mod escape;
mod options;
mod pager;
mod query;
mod secret;
mod sort;
mod status;

pub use background::SendInBackground;
pub use confirm::{id_boxes, AskFirst, BulkChoice, RowAction};
pub use escape::{escape_html, escape_on_server, push_escaped};
pub use options::options_html;
pub use pager::Pager;
pub use query::{use_query, PageQuery};
pub use secret::OneTimeSecret;
pub use sort::SortHeader;
pub use status::{ErrorNotice, FieldMessage, Forbidden};
