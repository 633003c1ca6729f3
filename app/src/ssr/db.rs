//! The one door to the database. Inkwarden runs on SQLite (embedded, the default) or PostgreSQL
//! (several instances sharing one database). Each data function is written once: [`on_db!`]
//! expands its body for each backend's connection type, so both compile from the same SQL (`$1`
//! placeholders, portable expressions), and the few statements that must differ branch on
//! [`Backend`] in place, next to each other.

use crate::{domain::Timestamp, error::AppError};
use serde::de::DeserializeOwned;
use sqlx::{
    pool::PoolConnection, postgres::PgRow, sqlite::SqliteRow, Database, FromRow, PgPool, Postgres, QueryBuilder,
    Sqlite, SqlitePool, Transaction,
};
use std::{
    future::Future,
    marker::PhantomData,
    ops::{Deref, DerefMut},
};
use time::{format_description::FormatItem, macros::format_description, OffsetDateTime, UtcOffset};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool on either backend.
#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A pooled connection, or one inside a transaction.
pub enum Handle<DB: Database> {
    Tx(Transaction<'static, DB>),
    Pooled(PoolConnection<DB>),
}

impl<DB: Database> Deref for Handle<DB> {
    type Target = DB::Connection;
    fn deref(&self) -> &DB::Connection {
        match self {
            Handle::Tx(tx) => tx,
            Handle::Pooled(conn) => conn,
        }
    }
}

impl<DB: Database> DerefMut for Handle<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        match self {
            Handle::Tx(tx) => tx,
            Handle::Pooled(conn) => conn,
        }
    }
}

/// What every data function takes: a connection on either backend, usually inside the
/// transaction that also writes the audit event.
pub enum Conn {
    Sqlite(Handle<Sqlite>),
    Postgres(Handle<Postgres>),
}

/// Run `$body` with `$c` bound to the backend's own connection (`&mut SqliteConnection` or
/// `&mut PgConnection`). The body is compiled once per backend, so the same query code is
/// type-checked against both drivers.
#[macro_export]
macro_rules! on_db {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::ssr::db::Conn::Sqlite(handle) => {
                let $c: &mut ::sqlx::SqliteConnection = &mut **handle;
                $body
            }
            $crate::ssr::db::Conn::Postgres(handle) => {
                let $c: &mut ::sqlx::PgConnection = &mut **handle;
                $body
            }
        }
    };
}

impl Pool {
    pub fn backend(&self) -> Backend {
        match self {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn acquire(&self) -> Result<Conn, sqlx::Error> {
        Ok(match self {
            Pool::Sqlite(pool) => Conn::Sqlite(Handle::Pooled(pool.acquire().await?)),
            Pool::Postgres(pool) => Conn::Postgres(Handle::Pooled(pool.acquire().await?)),
        })
    }

    pub async fn begin(&self) -> Result<Conn, sqlx::Error> {
        Ok(match self {
            Pool::Sqlite(pool) => Conn::Sqlite(Handle::Tx(pool.begin().await?)),
            Pool::Postgres(pool) => Conn::Postgres(Handle::Tx(pool.begin().await?)),
        })
    }

    /// A transaction that takes SQLite's write lock at once (`BEGIN IMMEDIATE`), so a
    /// read-then-write inside it cannot race another writer. PostgreSQL callers serialise with
    /// row locks or an advisory lock instead.
    pub async fn begin_write(&self) -> Result<Conn, sqlx::Error> {
        Ok(match self {
            Pool::Sqlite(pool) => Conn::Sqlite(Handle::Tx(pool.begin_with("BEGIN IMMEDIATE").await?)),
            Pool::Postgres(pool) => Conn::Postgres(Handle::Tx(pool.begin().await?)),
        })
    }

    /// Close every connection, once the ones in use are given back. On SQLite this does not
    /// promise the write-ahead log is copied into the database file: connections close on their
    /// own threads after this returns, and one that sees another open skips the copy. A caller
    /// that needs the file whole checkpoints it on a connection of its own afterwards.
    pub async fn close(&self) {
        match self {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

impl Conn {
    pub fn backend(&self) -> Backend {
        match self {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Postgres(_) => Backend::Postgres,
        }
    }

    /// Commit the transaction (a plain pooled connection has nothing to commit).
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Conn::Sqlite(Handle::Tx(tx)) => tx.commit().await,
            Conn::Postgres(Handle::Tx(tx)) => tx.commit().await,
            Conn::Sqlite(Handle::Pooled(_)) | Conn::Postgres(Handle::Pooled(_)) => Ok(()),
        }
    }
}

/// Writes sent to the database together. sqlx runs each SQLite connection on a thread of its
/// own, so every statement is a round trip to that thread and back (two thread wake-ups, each
/// of which also takes a core from whatever ran there: under a sign-in flood, argon2's lanes).
/// On SQLite a batch goes as one multi-statement query: its statements run in order, and the
/// first that fails stops the rest and is the batch's error. Run it inside a transaction when
/// it must be all or nothing, as a single statement would be. PostgreSQL's extended protocol
/// takes one statement a query, so there they run one after another, as before.
///
/// Each statement is written as on its own (`$1`, `$2` … numbering its own values), and may
/// hold no `$` but its placeholders: on SQLite they are renumbered to follow the statements
/// before it, since there all of a query's statements share one list of values.
pub struct Batch {
    sql: String,
    bound: usize,
    sqlite: sqlx::sqlite::SqliteArguments<'static>,
    postgres: Vec<(&'static str, sqlx::postgres::PgArguments)>,
    backend: Backend,
    /// The first value that failed to encode, reported by [`Batch::run`].
    failed: Option<sqlx::error::BoxDynError>,
}

impl Batch {
    pub fn new(backend: Backend) -> Self {
        Batch { sql: String::new(), bound: 0, sqlite: Default::default(), postgres: Vec::new(), backend, failed: None }
    }

    /// Add a statement; bind its values, in the order of its placeholders, with [`Batch::bind`].
    pub fn push(&mut self, sql: &'static str) -> &mut Self {
        match self.backend {
            Backend::Sqlite => {
                self.sql.push_str(&renumber(sql, self.bound));
                self.sql.push_str(";\n");
            }
            Backend::Postgres => self.postgres.push((sql, Default::default())),
        }
        self
    }

    /// Bind the next value of the statement pushed last.
    pub fn bind<T>(&mut self, value: T) -> &mut Self
    where
        T: 'static
            + Send
            + sqlx::Encode<'static, Sqlite>
            + sqlx::Type<Sqlite>
            + for<'q> sqlx::Encode<'q, Postgres>
            + sqlx::Type<Postgres>,
    {
        use sqlx::Arguments;
        let added = match (self.backend, self.postgres.last_mut()) {
            (Backend::Sqlite, _) if !self.sql.is_empty() => self.sqlite.add(value),
            (Backend::Postgres, Some((_, args))) => args.add(value),
            _ => Err("a value bound before any statement".into()),
        };
        self.bound += 1;
        if let (Err(e), None) = (added, &self.failed) {
            self.failed = Some(e);
        }
        self
    }

    /// Run every statement, in order, on `conn`.
    pub async fn run(self, conn: &mut Conn) -> Result<(), sqlx::Error> {
        if let Some(e) = self.failed {
            return Err(sqlx::Error::Encode(e));
        }
        match conn {
            Conn::Sqlite(c) => {
                if !self.sql.is_empty() {
                    sqlx::query_with(&self.sql, self.sqlite).execute(&mut **c).await?;
                }
            }
            Conn::Postgres(c) => {
                for (sql, args) in self.postgres {
                    sqlx::query_with(sql, args).execute(&mut **c).await?;
                }
            }
        }
        Ok(())
    }
}

/// `sql` with each placeholder `$n` moved on by `by` (`$1` → `$4` for `by` = 3).
fn renumber(sql: &str, by: usize) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        match rest[..digits].parse::<usize>() {
            Ok(n) => out.push_str(&(n + by).to_string()),
            Err(_) => out.push_str(&rest[..digits]),
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

/// Lists read in one piece. sqlx runs each SQLite connection on a thread of its own and hands
/// every row of a result to the waiting task as a message of its own, each value copied and each
/// hand-over a thread wake-up: for the posts list's 50 rows that cost several times what SQLite
/// spent on the query (profiled on the release build). So on SQLite a list query is wrapped to
/// return one JSON array, built inside SQLite from the rows in the query's order, which crosses
/// once and is read with serde. Each row is a JSON array of its values in the order of the row
/// type's fields, which serde reads as that struct: half SQLite's work of an object per row,
/// whose keys it writes out and then parses again inside the aggregate (timed on the bundled
/// SQLite, 50 posts: 50 µs against 119 µs). PostgreSQL's rows arrive together in the
/// connection's buffer and are decoded as they are.
pub trait Rows {
    type Db: Database;

    /// A query builder for rows of type `T` ([`Rows::fetch_rows`]): push the select list after
    /// it, naming each column as its field in `T` (`u.username as author`), then the rest of the
    /// query. The field names come from `T`'s `Deserialize` (declaration order), so the JSON
    /// arrays line up with the struct whatever order the select lists its columns in; that
    /// needs a derived `Deserialize` without `flatten`, which hides the field names. SQLite's
    /// JSON has no booleans (a `bool` column arrives as 0 or 1, which serde's `bool` refuses), so
    /// row types with a `bool` field are not read this way.
    fn rows_query<'q, T: DeserializeOwned>(&self) -> RowsQuery<'q, Self::Db, T>;

    /// The rows of a query opened by [`Rows::rows_query`], in its order.
    fn fetch_rows<'q, T>(
        &mut self,
        query: RowsQuery<'q, Self::Db, T>,
    ) -> impl Future<Output = Result<Vec<T>, sqlx::Error>> + Send
    where
        T: DeserializeOwned + for<'r> FromRow<'r, <Self::Db as Database>::Row> + Send + Unpin;

    /// Like [`Rows::rows_query`], for one page of a list that also needs the number of every
    /// matching row: `count` pushes the query that counts them (`select count(*) from …`).
    /// Read with [`Rows::fetch_counted_rows`]. On SQLite the count is a scalar subquery of the
    /// same statement (one round trip to the connection's thread, not two); on PostgreSQL it
    /// is a statement of its own.
    fn counted_rows_query<'q, T: DeserializeOwned>(
        &self,
        count: impl FnOnce(&mut QueryBuilder<'q, Self::Db>),
    ) -> RowsQuery<'q, Self::Db, T>;

    /// The count and the rows of a query opened by [`Rows::counted_rows_query`].
    fn fetch_counted_rows<'q, T>(
        &mut self,
        query: RowsQuery<'q, Self::Db, T>,
    ) -> impl Future<Output = Result<(i64, Vec<T>), sqlx::Error>> + Send
    where
        T: DeserializeOwned + for<'r> FromRow<'r, <Self::Db as Database>::Row> + Send + Unpin;
}

/// A query for a list of `T` being built: a [`QueryBuilder`] that remembers its row type.
pub struct RowsQuery<'q, DB: Database, T> {
    query: QueryBuilder<'q, DB>,
    /// The count run before the rows, where it is not part of `query` (PostgreSQL).
    count: Option<QueryBuilder<'q, DB>>,
    row: PhantomData<fn() -> T>,
}

impl<'q, DB: Database, T> Deref for RowsQuery<'q, DB, T> {
    type Target = QueryBuilder<'q, DB>;
    fn deref(&self) -> &Self::Target {
        &self.query
    }
}

impl<DB: Database, T> DerefMut for RowsQuery<'_, DB, T> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.query
    }
}

impl Rows for sqlx::SqliteConnection {
    type Db = Sqlite;

    fn rows_query<'q, T: DeserializeOwned>(&self) -> RowsQuery<'q, Sqlite, T> {
        // SQLite keeps a FROM-clause subquery's `order by` under an order-sensitive aggregate
        // such as this one, and feeds it the rows in that order (the group_concat idiom).
        let query = QueryBuilder::new(format!("select {} from (select ", json_rows::<T>()));
        RowsQuery { query, count: None, row: PhantomData }
    }

    fn counted_rows_query<'q, T: DeserializeOwned>(
        &self,
        count: impl FnOnce(&mut QueryBuilder<'q, Sqlite>),
    ) -> RowsQuery<'q, Sqlite, T> {
        // The subquery is uncorrelated, so SQLite runs it once; alone in its `select`, a count
        // without a `where` is still read from the b-tree's page counts.
        let mut query = QueryBuilder::new("select (");
        count(&mut query);
        query.push(format_args!("), {} from (select ", json_rows::<T>()));
        RowsQuery { query, count: None, row: PhantomData }
    }

    async fn fetch_counted_rows<'q, T>(
        &mut self,
        mut query: RowsQuery<'q, Sqlite, T>,
    ) -> Result<(i64, Vec<T>), sqlx::Error>
    where
        T: DeserializeOwned + for<'r> FromRow<'r, SqliteRow> + Send + Unpin,
    {
        query.push(")");
        let (total, json): (i64, String) = query.query.build_query_as().fetch_one(self).await?;
        Ok((total, serde_json::from_str(&json).map_err(|e| sqlx::Error::Decode(Box::new(e)))?))
    }

    async fn fetch_rows<'q, T>(&mut self, mut query: RowsQuery<'q, Sqlite, T>) -> Result<Vec<T>, sqlx::Error>
    where
        T: DeserializeOwned + for<'r> FromRow<'r, SqliteRow> + Send + Unpin,
    {
        query.push(")");
        let json: String = query.build_query_scalar().fetch_one(self).await?;
        serde_json::from_str(&json).map_err(|e| sqlx::Error::Decode(Box::new(e)))
    }
}

impl Rows for sqlx::PgConnection {
    type Db = Postgres;

    fn rows_query<'q, T: DeserializeOwned>(&self) -> RowsQuery<'q, Postgres, T> {
        RowsQuery { query: QueryBuilder::new("select "), count: None, row: PhantomData }
    }

    fn counted_rows_query<'q, T: DeserializeOwned>(
        &self,
        count: impl FnOnce(&mut QueryBuilder<'q, Postgres>),
    ) -> RowsQuery<'q, Postgres, T> {
        let mut counting = QueryBuilder::new("");
        count(&mut counting);
        RowsQuery { query: QueryBuilder::new("select "), count: Some(counting), row: PhantomData }
    }

    async fn fetch_counted_rows<'q, T>(
        &mut self,
        mut query: RowsQuery<'q, Postgres, T>,
    ) -> Result<(i64, Vec<T>), sqlx::Error>
    where
        T: DeserializeOwned + for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        // A query opened by `rows_query` has no count: an error, never a silent total of 0.
        let Some(count) = query.count.as_mut() else {
            return Err(sqlx::Error::Protocol("fetch_counted_rows needs a query from counted_rows_query".into()));
        };
        let total = count.build_query_scalar().fetch_one(&mut *self).await?;
        let rows = query.query.build_query_as().fetch_all(self).await?;
        Ok((total, rows))
    }

    async fn fetch_rows<'q, T>(&mut self, mut query: RowsQuery<'q, Postgres, T>) -> Result<Vec<T>, sqlx::Error>
    where
        T: DeserializeOwned + for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        query.build_query_as().fetch_all(self).await
    }
}

/// The select list that folds the rows of a subquery into one JSON array of arrays (see [`Rows`]).
pub(crate) fn json_rows<T: DeserializeOwned>() -> String {
    let fields = serde_aux::serde_introspection::serde_introspect::<T>().join(", ");
    format!("coalesce(json_group_array(json_array({fields})), '[]')")
}

const STAMP: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

fn format_utc(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC).format(STAMP).expect("a UTC date formats")
}

/// A moment bound into a query: text in SQLite's stored form, `timestamptz` on PostgreSQL.
/// Times are computed here rather than in SQL, so both backends compare the same instants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stamp(pub OffsetDateTime);

impl Stamp {
    pub fn now() -> Self {
        Stamp(OffsetDateTime::now_utc())
    }

    /// `seconds` from now (negative: in the past).
    pub fn from_now(seconds: i64) -> Self {
        Stamp(OffsetDateTime::now_utc() + time::Duration::seconds(seconds))
    }

    pub fn text(self) -> Timestamp {
        Timestamp(format_utc(self.0))
    }
}

impl sqlx::Type<Sqlite> for Stamp {
    fn type_info() -> sqlx::sqlite::SqliteTypeInfo {
        <String as sqlx::Type<Sqlite>>::type_info()
    }
}

impl<'q> sqlx::Encode<'q, Sqlite> for Stamp {
    fn encode_by_ref(
        &self,
        buf: &mut Vec<sqlx::sqlite::SqliteArgumentValue<'q>>,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        <String as sqlx::Encode<'q, Sqlite>>::encode(format_utc(self.0), buf)
    }
}

impl sqlx::Type<Postgres> for Stamp {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        <OffsetDateTime as sqlx::Type<Postgres>>::type_info()
    }
}

impl sqlx::Encode<'_, Postgres> for Stamp {
    fn encode_by_ref(
        &self,
        buf: &mut sqlx::postgres::PgArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        <OffsetDateTime as sqlx::Encode<'_, Postgres>>::encode_by_ref(&self.0, buf)
    }
}

/// The last `count` calendar weeks (Monday 00:00 UTC to the next Monday), oldest first, each
/// as its `YYYY-MM-DD` label and its bounds.
pub fn last_weeks(count: i64) -> Vec<(String, Stamp, Stamp)> {
    let today = OffsetDateTime::now_utc().date();
    let monday = today - time::Duration::days(i64::from(today.weekday().number_days_from_monday()));
    (0..count.clamp(0, 520))
        .rev()
        .map(|back| {
            let start = monday - time::Duration::weeks(back);
            let end = start + time::Duration::weeks(1);
            (start.to_string(), Stamp(start.midnight().assume_utc()), Stamp(end.midnight().assume_utc()))
        })
        .collect()
}

/// One statement that counts, for each week of [`last_weeks`], the rows of `from_where` (a
/// `from … where …` clause) whose `column` falls in it: one indexed range count per week,
/// joined with `union all`. The week bounds are parameters `$first`, `$first + 1`, … in order.
pub fn weekly_counts_sql(from_where: &str, column: &str, first: usize, weeks: usize) -> String {
    (0..weeks)
        .map(|i| {
            let (lo, hi) = (first + 2 * i, first + 2 * i + 1);
            format!("select cast({i} as bigint) as week, count(*) as n {from_where} and {column} >= ${lo} and {column} < ${hi}")
        })
        .collect::<Vec<_>>()
        .join(" union all ")
}

/// A list of ids bound as one parameter, matched with [`IdList::matches`]: a JSON array read
/// by `json_each` on SQLite, a `bigint[]` compared with `= any` on PostgreSQL. One statement
/// however long the list, and the statement text stays the same for every length.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdList(pub Vec<i64>);

impl IdList {
    /// `column` is one of the ids bound as parameter `$n`.
    pub fn matches(backend: Backend, column: &str, n: usize) -> String {
        match backend {
            Backend::Sqlite => format!("{column} in (select value from json_each(${n}))"),
            Backend::Postgres => format!("{column} = any(${n})"),
        }
    }
}

impl IdList {
    /// Append ` and column <matches this list>` to a query being built.
    pub fn push_match<'a, DB: Database>(self, b: &mut sqlx::QueryBuilder<'a, DB>, backend: Backend, column: &str)
    where
        IdList: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    {
        match backend {
            Backend::Sqlite => {
                b.push(format_args!(" and {column} in (select value from json_each(")).push_bind(self).push("))")
            }
            Backend::Postgres => b.push(format_args!(" and {column} = any(")).push_bind(self).push(")"),
        };
    }
}

impl sqlx::Type<Sqlite> for IdList {
    fn type_info() -> sqlx::sqlite::SqliteTypeInfo {
        <String as sqlx::Type<Sqlite>>::type_info()
    }
}

impl<'q> sqlx::Encode<'q, Sqlite> for IdList {
    fn encode_by_ref(
        &self,
        buf: &mut Vec<sqlx::sqlite::SqliteArgumentValue<'q>>,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        <String as sqlx::Encode<'q, Sqlite>>::encode(serde_json::to_string(&self.0)?, buf)
    }
}

impl sqlx::Type<Postgres> for IdList {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        <Vec<i64> as sqlx::Type<Postgres>>::type_info()
    }
}

impl sqlx::Encode<'_, Postgres> for IdList {
    fn encode_by_ref(
        &self,
        buf: &mut sqlx::postgres::PgArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        <Vec<i64> as sqlx::Encode<'_, Postgres>>::encode_by_ref(&self.0, buf)
    }
}

impl sqlx::Type<Sqlite> for Timestamp {
    fn type_info() -> sqlx::sqlite::SqliteTypeInfo {
        <String as sqlx::Type<Sqlite>>::type_info()
    }
    fn compatible(ty: &sqlx::sqlite::SqliteTypeInfo) -> bool {
        <String as sqlx::Type<Sqlite>>::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, Sqlite> for Timestamp {
    fn decode(value: sqlx::sqlite::SqliteValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        Ok(Timestamp(<String as sqlx::Decode<'r, Sqlite>>::decode(value)?))
    }
}

impl sqlx::Type<Postgres> for Timestamp {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        <OffsetDateTime as sqlx::Type<Postgres>>::type_info()
    }
}

impl<'r> sqlx::Decode<'r, Postgres> for Timestamp {
    fn decode(value: sqlx::postgres::PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        Ok(Timestamp(format_utc(<OffsetDateTime as sqlx::Decode<'r, Postgres>>::decode(value)?)))
    }
}

/// Whether `err` is a unique-constraint violation on `column` (`table.column`), so a violation
/// of some other unique index is never mistaken for this one. SQLite names the columns in its
/// message ("UNIQUE constraint failed: posts.slug"); PostgreSQL names the constraint, which
/// the migrations leave at its default `table_column_key`.
pub fn violates_unique(err: &sqlx::Error, column: &str) -> bool {
    let sqlx::Error::Database(db) = err else { return false };
    let constraint = column.replace('.', "_") + "_key";
    db.is_unique_violation()
        && (db.constraint() == Some(constraint.as_str())
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

/// A `like` pattern matching `text` anywhere, with backslash, `%` and `_` escaped (use with
/// `escape` and a backslash), so what someone types is searched for literally.
fn contains_pattern(text: &str) -> String {
    format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

/// Append `(` one of `columns` contains `text` literally, ignoring case `)` to a query being
/// built. SQLite's `like` already ignores ASCII case, the only case its `lower()` knows,
/// so each row is matched as it is stored (lowering every row first made a search over 50,000
/// comments more than twice as slow); PostgreSQL's `ilike` ignores case as its `lower()` does.
pub fn push_contains<'a, DB: Database>(b: &mut sqlx::QueryBuilder<'a, DB>, columns: &[&str], text: &str)
where
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    let like = if DB::NAME == <Sqlite as Database>::NAME { "like" } else { "ilike" };
    let pattern = contains_pattern(text);
    b.push("(");
    for (i, column) in columns.iter().enumerate() {
        let or = if i == 0 { "" } else { " or " };
        b.push(format_args!("{or}{column} {like} ")).push_bind(pattern.clone()).push(" escape '\\'");
    }
    b.push(")");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_move_on_past_the_values_before_them() {
        assert_eq!(renumber("update t set a = $2 where id = $1", 0), "update t set a = $2 where id = $1");
        assert_eq!(
            renumber("update t set a = $2, b = $2 where id = $1", 3),
            "update t set a = $5, b = $5 where id = $4"
        );
        assert_eq!(renumber("insert into t values ($9, $10, $11)", 10), "insert into t values ($19, $20, $21)");
        assert_eq!(renumber("select 1", 7), "select 1");
    }

    async fn sqlite() -> (SqlitePool, Conn) {
        let pool = SqlitePool::connect("sqlite::memory:").await.unwrap();
        sqlx::query("create table t (k text primary key, n integer, at text)").execute(&pool).await.unwrap();
        let conn = Conn::Sqlite(Handle::Pooled(pool.acquire().await.unwrap()));
        (pool, conn)
    }

    /// Each statement gets its own values, on SQLite where they share one list.
    #[tokio::test]
    async fn each_statement_of_a_batch_binds_its_own_values() {
        let (pool, mut conn) = sqlite().await;
        let mut batch = Batch::new(Backend::Sqlite);
        batch.push("insert into t (k, n) values ($1, $2)").bind("a").bind(1_i64);
        batch.push("insert into t (n, k, at) values ($2, $1, $3)").bind("b".to_owned()).bind(2_i64).bind(Some("x"));
        batch.push("update t set n = n + $2 where k = $1").bind("a").bind(40_i64);
        batch.push("delete from t where k = $1").bind("nobody");
        batch.run(&mut conn).await.unwrap();
        let rows: Vec<(String, i64, Option<String>)> =
            sqlx::query_as("select k, n, at from t order by k").fetch_all(&pool).await.unwrap();
        assert_eq!(rows, [("a".into(), 41, None), ("b".into(), 2, Some("x".into()))]);
    }

    /// A value bound before any statement is a mistake on either backend, reported when the
    /// batch runs, and nothing is written.
    #[tokio::test]
    async fn a_value_bound_before_any_statement_fails_the_batch() {
        let (pool, mut conn) = sqlite().await;
        let mut batch = Batch::new(Backend::Sqlite);
        batch.bind("stray");
        batch.push("insert into t (k, n) values ($1, $2)").bind("a").bind(1_i64);
        let err = batch.run(&mut conn).await.unwrap_err();
        assert!(matches!(err, sqlx::Error::Encode(_)), "{err}");
        let count: i64 = sqlx::query_scalar("select count(*) from t").fetch_one(&pool).await.unwrap();
        assert_eq!(count, 0);
    }

    /// A statement that fails stops the batch and is its error; inside a transaction nothing
    /// of it stays.
    #[tokio::test]
    async fn a_failing_statement_stops_the_batch_and_its_transaction_keeps_nothing() {
        let (pool, conn) = sqlite().await;
        drop(conn);
        let mut tx = Conn::Sqlite(Handle::Tx(pool.begin().await.unwrap()));
        let mut batch = Batch::new(Backend::Sqlite);
        batch.push("insert into t (k, n) values ($1, $2)").bind("a").bind(1_i64);
        batch.push("insert into t (k, n) values ($1, $2)").bind("a").bind(2_i64);
        batch.push("insert into t (k, n) values ($1, $2)").bind("c").bind(3_i64);
        let err = batch.run(&mut tx).await.unwrap_err();
        assert!(err.as_database_error().is_some_and(|e| e.is_unique_violation()), "{err}");
        drop(tx);
        let count: i64 = sqlx::query_scalar("select count(*) from t").fetch_one(&pool).await.unwrap();
        assert_eq!(count, 0);
    }
}
