//! Database error mapping shared by every data module.

use crate::error::AppError;

/// Whether `err` is a unique-constraint violation on `column` (`table.column`). SQLite names
/// the columns in its message ("UNIQUE constraint failed: posts.slug"), so a violation of
/// some other unique index is never mistaken for this one.
pub fn violates_unique(err: &sqlx::Error, column: &str) -> bool {
    let sqlx::Error::Database(db) = err else { return false };
    db.is_unique_violation()
        && (db.constraint() == Some(column)
            || db.message().rsplit_once(": ").is_some_and(|(_, columns)| columns.split(", ").any(|c| c == column)))
}

/// `on_violation` when `err` violates the unique constraint on `column`; otherwise the logged
/// generic internal error.
pub fn unique_or_internal(err: sqlx::Error, column: &str, on_violation: impl FnOnce() -> AppError) -> AppError {
    if violates_unique(&err, column) {
        on_violation()
    } else {
        err.into()
    }
}
