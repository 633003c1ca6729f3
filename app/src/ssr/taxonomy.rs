//! Categories and tags: the same shape (name + unique slug) in two tables.

use crate::{domain::Term, error::AppError};
use sqlx::{sqlite::SqliteRow, Row, SqliteConnection, SqlitePool};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TermKind {
    Category,
    Tag,
}

impl TermKind {
    /// The table, and how posts count their use of a term.
    fn sql(self) -> (&'static str, &'static str) {
        match self {
            TermKind::Category => ("categories", "(select count(*) from posts p where p.category_id = t.id)"),
            TermKind::Tag => ("tags", "(select count(*) from post_tags pt where pt.tag_id = t.id)"),
        }
    }

    pub fn noun(self) -> &'static str {
        match self {
            TermKind::Category => "category",
            TermKind::Tag => "tag",
        }
    }
}

fn term(row: SqliteRow) -> Result<Term, sqlx::Error> {
    Ok(Term {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        slug: row.try_get("slug")?,
        posts: row.try_get("posts")?,
    })
}

pub async fn list(pool: &SqlitePool, kind: TermKind) -> Result<Vec<Term>, sqlx::Error> {
    let (table, uses) = kind.sql();
    sqlx::query(&format!("select t.id, t.name, t.slug, {uses} as posts from {table} t order by t.name collate nocase"))
        .try_map(term)
        .fetch_all(pool)
        .await
}

pub async fn find(conn: &mut SqliteConnection, kind: TermKind, id: i64) -> Result<Option<Term>, sqlx::Error> {
    let (table, uses) = kind.sql();
    sqlx::query(&format!("select t.id, t.name, t.slug, {uses} as posts from {table} t where t.id = ?"))
        .bind(id)
        .try_map(term)
        .fetch_optional(conn)
        .await
}

fn taken(kind: TermKind, e: sqlx::Error) -> AppError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            AppError::invalid("slug", format!("Another {} already uses this slug.", kind.noun()))
        }
        _ => e.into(),
    }
}

pub async fn insert(conn: &mut SqliteConnection, kind: TermKind, name: &str, slug: &str) -> Result<i64, AppError> {
    let (table, _) = kind.sql();
    sqlx::query(&format!("insert into {table} (name, slug) values (?, ?)"))
        .bind(name)
        .bind(slug)
        .execute(conn)
        .await
        .map(|d| d.last_insert_rowid())
        .map_err(|e| taken(kind, e))
}

/// `false` when there is no such term.
pub async fn update(
    conn: &mut SqliteConnection,
    kind: TermKind,
    id: i64,
    name: &str,
    slug: &str,
) -> Result<bool, AppError> {
    let (table, _) = kind.sql();
    sqlx::query(&format!("update {table} set name = ?, slug = ? where id = ?"))
        .bind(name)
        .bind(slug)
        .bind(id)
        .execute(conn)
        .await
        .map(|d| d.rows_affected() == 1)
        .map_err(|e| taken(kind, e))
}

/// Posts lose the category (set null) or the tag (link removed) through foreign keys.
pub async fn delete(conn: &mut SqliteConnection, kind: TermKind, id: i64) -> Result<bool, sqlx::Error> {
    let (table, _) = kind.sql();
    sqlx::query(&format!("delete from {table} where id = ?"))
        .bind(id)
        .execute(conn)
        .await
        .map(|d| d.rows_affected() == 1)
}
