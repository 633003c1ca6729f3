//! The session store on whichever database Inkwarden runs: sessions live beside the data, so
//! every instance on one PostgreSQL sees every session. On SQLite, where one process serves
//! the database, the records it reads are also kept in memory (see [`Recent`]).

use app::ssr::db::Pool;
use async_trait::async_trait;
use sqlx::SqlitePool;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
};
use time::OffsetDateTime;
use tower_sessions::{
    session::{Id, Record},
    session_store, ExpiredDeletion, SessionStore,
};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
    /// `None` on PostgreSQL: another instance may change a record behind this one's back.
    recent: Option<Arc<Mutex<Recent>>>,
}

#[derive(Clone, Debug)]
enum Backend {
    /// With the pool, for [`Store::create_sqlite`].
    Sqlite(SqliteStore, SqlitePool),
    Postgres(PostgresStore),
}

/// Session records recently read from the store, so that a page view reads its session from
/// memory rather than through a database round trip. Only reads fill it, and every write
/// (save, delete) drops the record it wrote: the next read takes it from the database again.
/// A read that raced a write does not fill it either: `writes` counts every write, and a
/// record read from the database is kept only if no write happened while it was being read.
/// Holding at most [`Recent::CAPACITY`] records, it is emptied when full.
///
/// This holds only while every change to the records goes through this process's store, which
/// is true on SQLite (only `serve` writes sessions); authorization never rests on it anyway:
/// every request re-reads the user and their `staff_sessions` row from the database.
#[derive(Debug, Default)]
struct Recent {
    records: HashMap<Id, Record>,
    writes: u64,
}

impl Recent {
    const CAPACITY: usize = 1024;
}

impl Store {
    pub fn new(pool: &Pool) -> Self {
        match pool {
            Pool::Sqlite(pool) => {
                let backend = Backend::Sqlite(SqliteStore::new(pool.clone()), pool.clone());
                Store { backend, recent: Some(Arc::default()) }
            }
            // Its table is created by the app's own PostgreSQL migrations (under sqlx's migration
            // lock), not by `PostgresStore::migrate`, which races when two instances start at once.
            Pool::Postgres(pool) => {
                Store { backend: Backend::Postgres(PostgresStore::new(pool.clone())), recent: None }
            }
        }
    }

    /// Create the SQLite store's table (PostgreSQL's comes with the migrations).
    pub async fn migrate(&self) -> sqlx::Result<()> {
        match &self.backend {
            Backend::Sqlite(store, _) => store.migrate().await,
            Backend::Postgres(_) => Ok(()),
        }
    }

    fn recent(&self) -> Option<MutexGuard<'_, Recent>> {
        // A panic while holding the lock cannot leave the map half-changed in a way that
        // matters: at worst a record is missing, and it is read again.
        self.recent.as_ref().map(|r| r.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    /// Forget `id` after a write to it, whether or not the write succeeded: the database's copy
    /// is the one to read next.
    fn wrote(&self, id: &Id) {
        if let Some(mut recent) = self.recent() {
            recent.writes += 1;
            recent.records.remove(id);
        }
    }

    /// A new record on SQLite in one statement. The store's own `create` wraps its insert in a
    /// transaction (BEGIN, insert, COMMIT: three round trips to the connection's thread, and a
    /// fourth when the connection goes back), which one insert does not need: it is atomic on its
    /// own. It is the store's insert, into the table its `migrate` makes, with its encoding, and
    /// like it never overwrites: an id already taken (a 128-bit random one, so in practice never)
    /// is drawn again.
    async fn create_sqlite(pool: &SqlitePool, record: &mut Record) -> session_store::Result<()> {
        let backend = |e: sqlx::Error| session_store::Error::Backend(e.to_string());
        let mut conn = pool.acquire().await.map_err(backend)?;
        loop {
            // The record carries its id, so it is encoded again whenever the id is drawn again.
            let data = rmp_serde::to_vec(&*record).map_err(|e| session_store::Error::Encode(e.to_string()))?;
            let inserted = sqlx::query("insert or abort into tower_sessions (id, data, expiry_date) values (?, ?, ?)")
                .bind(record.id.to_string())
                .bind(&data)
                .bind(record.expiry_date)
                .execute(&mut *conn)
                .await;
            match inserted {
                Ok(_) => return Ok(()),
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => record.id = Id::default(),
                Err(e) => return Err(backend(e)),
            }
        }
    }

    async fn load_stored(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match &self.backend {
            Backend::Sqlite(s, _) => s.load(id).await,
            Backend::Postgres(s) => s.load(id).await,
        }
    }
}

#[async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let created = match &self.backend {
            Backend::Sqlite(_, pool) => Self::create_sqlite(pool, record).await,
            Backend::Postgres(s) => s.create(record).await,
        };
        self.wrote(&record.id);
        created
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let saved = match &self.backend {
            Backend::Sqlite(s, _) => s.save(record).await,
            Backend::Postgres(s) => s.save(record).await,
        };
        self.wrote(&record.id);
        saved
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some((kept, writes)) = self.recent().map(|recent| {
            let now = OffsetDateTime::now_utc();
            (recent.records.get(id).filter(|r| r.expiry_date > now).cloned(), recent.writes)
        }) else {
            return self.load_stored(id).await;
        };
        if kept.is_some() {
            return Ok(kept);
        }
        let stored = self.load_stored(id).await?;
        if let (Some(record), Some(mut recent)) = (&stored, self.recent()) {
            if recent.writes == writes {
                if recent.records.len() >= Recent::CAPACITY {
                    recent.records.clear();
                }
                recent.records.insert(*id, record.clone());
            }
        }
        Ok(stored)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let deleted = match &self.backend {
            Backend::Sqlite(s, _) => s.delete(id).await,
            Backend::Postgres(s) => s.delete(id).await,
        };
        self.wrote(id);
        deleted
    }
}

#[async_trait]
impl ExpiredDeletion for Store {
    async fn delete_expired(&self) -> session_store::Result<()> {
        // A record kept in memory is used only until its own expiry date.
        match &self.backend {
            Backend::Sqlite(s, _) => s.delete_expired().await,
            Backend::Postgres(s) => s.delete_expired().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    async fn sqlite_store() -> (tempfile::TempDir, Store, sqlx::SqlitePool) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("sessions.db").display());
        let pool = crate::startup::connect(&url, None).await.unwrap();
        let store = Store::new(&pool);
        store.migrate().await.unwrap();
        let Pool::Sqlite(sqlite) = pool else { panic!("an SQLite URL opens SQLite") };
        (dir, store, sqlite)
    }

    fn record(value: &str) -> Record {
        let expiry_date = OffsetDateTime::now_utc() + time::Duration::hours(1);
        let mut record = Record { id: Id::default(), data: Default::default(), expiry_date };
        record.data.insert("auth".into(), json!(value));
        record
    }

    /// A page view reads its session from memory: with the row gone behind the store's back
    /// (nothing but the store writes it on SQLite), a read still finds the record it read before.
    #[tokio::test]
    async fn a_session_read_once_is_read_from_memory() {
        let (_dir, store, pool) = sqlite_store().await;
        let mut first = record("ann");
        store.create(&mut first).await.unwrap();
        assert_eq!(store.load(&first.id).await.unwrap(), Some(first.clone()));
        sqlx::query("delete from tower_sessions").execute(&pool).await.unwrap();
        assert_eq!(store.load(&first.id).await.unwrap(), Some(first.clone()), "kept in memory");
    }

    /// What a request changes, the next one sees, and a session ended stays ended.
    #[tokio::test]
    async fn a_change_or_an_end_is_seen_by_the_next_read() {
        let (_dir, store, _pool) = sqlite_store().await;
        let mut session = record("ann");
        store.create(&mut session).await.unwrap();
        store.load(&session.id).await.unwrap();
        session.data.insert("flash".into(), json!("Saved."));
        store.save(&session).await.unwrap();
        assert_eq!(store.load(&session.id).await.unwrap(), Some(session.clone()));
        store.delete(&session.id).await.unwrap();
        assert_eq!(store.load(&session.id).await.unwrap(), None);
    }

    /// A new record never takes over an existing one: an id already in the table (only a
    /// collision of two 128-bit random ids could do it) is drawn again, and the first session
    /// keeps its data. What the store writes, it reads back whole.
    #[tokio::test]
    async fn a_new_record_never_overwrites_another() {
        let (_dir, store, pool) = sqlite_store().await;
        let mut first = record("ann");
        store.create(&mut first).await.unwrap();
        let mut second = record("bob");
        second.id = first.id;
        store.create(&mut second).await.unwrap();
        assert_ne!(second.id, first.id, "a taken id is drawn again");
        let count: i64 = sqlx::query_scalar("select count(*) from tower_sessions").fetch_one(&pool).await.unwrap();
        assert_eq!(count, 2);
        store.recent().unwrap().records.clear();
        assert_eq!(store.load(&first.id).await.unwrap(), Some(first));
        assert_eq!(store.load(&second.id).await.unwrap(), Some(second));
    }

    /// A record kept in memory is not used past its expiry date.
    #[tokio::test]
    async fn an_expired_record_is_not_read_from_memory() {
        let (_dir, store, pool) = sqlite_store().await;
        let mut session = record("ann");
        store.create(&mut session).await.unwrap();
        store.load(&session.id).await.unwrap();
        let recent = store.recent.clone().unwrap();
        recent.lock().unwrap().records.get_mut(&session.id).unwrap().expiry_date =
            OffsetDateTime::now_utc() - time::Duration::seconds(1);
        sqlx::query("delete from tower_sessions").execute(&pool).await.unwrap();
        assert_eq!(store.load(&session.id).await.unwrap(), None);
    }
}
