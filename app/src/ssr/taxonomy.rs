//! Categories and tags: the same shape (name + unique slug) in two tables.

use super::posts::owner;
use crate::ssr::db::{Conn, Pool};
use crate::{domain::Term, error::AppError, policy::Scope};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TermKind {
    Category,
    Tag,
}

impl TermKind {
    /// The table, and how posts count their use of a term: only posts inside the caller's
    /// scope, so an author learns nothing about other people's posts. The owner is bound as
    /// `$1`; the unrestricted count reads the link index alone (a join per use would cost
    /// milliseconds on every page with a picker).
    fn sql(self, scope: Scope) -> (&'static str, &'static str) {
        match (self, scope) {
            (TermKind::Category, Scope::All) => {
                ("categories", "(select count(*) from posts p where p.category_id = t.id and $1 is null)")
            }
            (TermKind::Category, Scope::OwnedBy(_)) => {
                ("categories", "(select count(*) from posts p where p.category_id = t.id and p.author_id = $1)")
            }
            (TermKind::Tag, Scope::All) => {
                ("tags", "(select count(*) from post_tags pt where pt.tag_id = t.id and $1 is null)")
            }
            (TermKind::Tag, Scope::OwnedBy(_)) => (
                "tags",
                "(select count(*) from post_tags pt join posts p on p.id = pt.post_id
                  where pt.tag_id = t.id and p.author_id = $1)",
            ),
        }
    }

    fn table(self) -> &'static str {
        self.sql(Scope::All).0
    }

    pub fn noun(self) -> &'static str {
        match self {
            TermKind::Category => "category",
            TermKind::Tag => "tag",
        }
    }
}

/// Every term, with how many posts inside `scope` use it.
pub async fn list(pool: &Pool, kind: TermKind, scope: Scope) -> Result<Vec<Term>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    crate::on_db!(&mut conn, |conn| {
        let (table, uses) = kind.sql(scope);
        sqlx::query_as(&format!(
            "select t.id, t.name, t.slug, {uses} as posts from {table} t order by lower(t.name), t.id"
        ))
        .bind(owner(scope))
        .fetch_all(&mut *conn)
        .await
    })
}

pub async fn find(conn: &mut Conn, kind: TermKind, scope: Scope, id: i64) -> Result<Option<Term>, sqlx::Error> {
    crate::on_db!(conn, |conn| {
        let (table, uses) = kind.sql(scope);
        sqlx::query_as(&format!("select t.id, t.name, t.slug, {uses} as posts from {table} t where t.id = $2"))
            .bind(owner(scope))
            .bind(id)
            .fetch_optional(conn)
            .await
    })
}

fn taken(kind: TermKind, e: sqlx::Error) -> AppError {
    let column = format!("{}.slug", kind.table());
    super::db::unique_or_internal(e, &column, || {
        AppError::invalid("slug", format!("Another {} already uses this slug.", kind.noun()))
    })
}

pub async fn insert(conn: &mut Conn, kind: TermKind, name: &str, slug: &str) -> Result<i64, AppError> {
    crate::on_db!(conn, |conn| {
        let table = kind.table();
        sqlx::query_scalar(&format!("insert into {table} (name, slug) values ($1, $2) returning id"))
            .bind(name)
            .bind(slug)
            .fetch_one(conn)
            .await
            .map_err(|e| taken(kind, e))
    })
}

/// `false` when there is no such term.
pub async fn update(conn: &mut Conn, kind: TermKind, id: i64, name: &str, slug: &str) -> Result<bool, AppError> {
    crate::on_db!(conn, |conn| {
        let table = kind.table();
        sqlx::query(&format!("update {table} set name = $1, slug = $2 where id = $3"))
            .bind(name)
            .bind(slug)
            .bind(id)
            .execute(conn)
            .await
            .map(|d| d.rows_affected() == 1)
            .map_err(|e| taken(kind, e))
    })
}

/// Posts lose the category (set null) or the tag (link removed) through foreign keys.
pub async fn delete(conn: &mut Conn, kind: TermKind, id: i64) -> Result<bool, sqlx::Error> {
    crate::on_db!(conn, |conn| {
        let table = kind.table();
        sqlx::query(&format!("delete from {table} where id = $1"))
            .bind(id)
            .execute(conn)
            .await
            .map(|d| d.rows_affected() == 1)
    })
}
