//! A moment in UTC as the dashboard shows it: `2026-12-01T09:30:00.000Z`.

use serde::{Deserialize, Serialize};
use std::{fmt, ops::Deref};

/// A UTC timestamp in ISO 8601 with milliseconds. Both database backends produce this same text
/// (SQLite stores it; PostgreSQL's `timestamptz` is formatted to it when read), so pages and
/// the client never see a difference. Ordering the text orders the moments.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ssr",
    derive(utoipa::ToSchema),
    schema(value_type = String, format = DateTime, example = "2026-12-01T09:30:00.000Z")
)]
#[serde(transparent)]
pub struct Timestamp(pub String);

impl Deref for Timestamp {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Timestamp> for String {
    fn from(t: Timestamp) -> String {
        t.0
    }
}
