//! Small building blocks shared by pages.

mod pager;
mod status;

pub use pager::Pager;
pub use status::{ErrorNotice, FieldMessage, Forbidden};
