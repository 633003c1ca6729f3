//! The session store on whichever database Inkwarden runs: sessions live beside the data, so
//! every instance on one PostgreSQL sees every session. On SQLite, where one process serves
//! the database, the records it reads are also kept in memory (see [`Recent`]).

use app::ssr::db::Pool;
use async_trait::async_trait;
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
    Sqlite(SqliteStore),
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
                Store { backend: Backend::Sqlite(SqliteStore::new(pool.clone())), recent: Some(Arc::default()) }
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
            Backend::Sqlite(store) => store.migrate().await,
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

    async fn load_stored(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match &self.backend {
            Backend::Sqlite(s) => s.load(id).await,
            Backend::Postgres(s) => s.load(id).await,
        }
    }
}

#[async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let created = match &self.backend {
            Backend::Sqlite(s) => s.create(record).await,
            Backend::Postgres(s) => s.create(record).await,
        };
        self.wrote(&record.id);
        created
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let saved = match &self.backend {
            Backend::Sqlite(s) => s.save(record).await,
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
            Backend::Sqlite(s) => s.delete(id).await,
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
            Backend::Sqlite(s) => s.delete_expired().await,
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
