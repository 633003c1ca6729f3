//! The session store on whichever database Inkwarden runs: sessions live beside the data, so
//! every instance on one PostgreSQL sees every session.

use app::ssr::db::Pool;
use async_trait::async_trait;
use tower_sessions::{
    session::{Id, Record},
    session_store, ExpiredDeletion, SessionStore,
};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Store {
    pub fn new(pool: &Pool) -> Self {
        match pool {
            Pool::Sqlite(pool) => Store::Sqlite(SqliteStore::new(pool.clone())),
            // Its table is created by the app's own PostgreSQL migrations (under sqlx's migration
            // lock), not by `PostgresStore::migrate`, which races when two instances start at once.
            Pool::Postgres(pool) => Store::Postgres(PostgresStore::new(pool.clone())),
        }
    }

    /// Create the SQLite store's table (PostgreSQL's comes with the migrations).
    pub async fn migrate(&self) -> sqlx::Result<()> {
        match self {
            Store::Sqlite(store) => store.migrate().await,
            Store::Postgres(_) => Ok(()),
        }
    }
}

#[async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Store::Sqlite(s) => s.create(record).await,
            Store::Postgres(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Store::Sqlite(s) => s.save(record).await,
            Store::Postgres(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Store::Sqlite(s) => s.load(id).await,
            Store::Postgres(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Store::Sqlite(s) => s.delete(id).await,
            Store::Postgres(s) => s.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for Store {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Store::Sqlite(s) => s.delete_expired().await,
            Store::Postgres(s) => s.delete_expired().await,
        }
    }
}
