//! Builds the application: database, session store, router. Tests call [`Application::build`]
//! with port 0 to run the real router.

use crate::store::Store;
use crate::{scheduler, security};
use anyhow::{bail, Context};
use app::ssr::db::Pool;
use app::{
    shell,
    ssr::{AppContext, ServerConfig},
    App,
};
use axum::{
    extract::DefaultBodyLimit,
    middleware,
    routing::{get, post},
    Router,
};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::{net::IpAddr, net::SocketAddr, path::Path, str::FromStr, sync::Arc, time::Duration};
use tokio::net::TcpListener;
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};

/// Whether `database_url` names a PostgreSQL database.
pub fn is_postgres(database_url: &str) -> bool {
    database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")
}

/// Open the database `database_url` names: `sqlite://…` (created with its folder when missing,
/// WAL, foreign keys, busy timeout) or `postgres://…` (reached at once, so a wrong address
/// fails at start). Any other scheme is refused.
pub async fn connect(database_url: &str, max_connections: Option<u32>) -> anyhow::Result<Pool> {
    if is_postgres(database_url) {
        let max_connections = max_connections.unwrap_or(8);
        let options = PgConnectOptions::from_str(database_url)
            .with_context(|| format!("invalid database URL {}", redacted(database_url)))?;
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .with_context(|| format!("cannot reach the PostgreSQL database {}", redacted(database_url)))?;
        return Ok(Pool::Postgres(pool));
    }
    if !database_url.starts_with("sqlite:") {
        bail!(
            "DATABASE_URL must start with sqlite:// (e.g. sqlite://data/inkwarden.db) or postgres://; got {}",
            redacted(database_url)
        );
    }
    let options = SqliteConnectOptions::from_str(database_url)
        .with_context(|| format!("invalid database URL {}", redacted(database_url)))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        // 1 MiB of page cache per connection instead of SQLite's 2 MiB: the file's pages stay in
        // the operating system's cache either way, and the process stays small.
        .pragma("cache_size", "-1024")
        // `serve` copies the write-ahead log into the database once a second, off the request
        // path (`scheduler::checkpoint_wal`). SQLite's own checkpoint runs inside whichever
        // commit takes the log past its threshold (1,000 pages by default): that commit then
        // copies and syncs megabytes while holding up its request (measured: a 10,000-row
        // approval's commit went from 3 ms to 41 ms). It stays as a backstop, further out.
        .pragma("wal_autocheckpoint", "10000");
    if let Some(dir) = Path::new(options.get_filename()).parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    // Four connections by default: SQLite writes one transaction at a time and each connection
    // is a thread with its own page cache, so four serve two cores as fast as eight, in less
    // memory. An embedded file has no link that can break while a connection idles, so checking
    // each connection on acquire (sqlx's default ping, a round trip to the connection's worker
    // thread) buys nothing and cost a thread hand-off for every query of a page.
    let pool = SqlitePoolOptions::new()
        .max_connections(max_connections.unwrap_or(4))
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .with_context(|| format!("cannot open database {}", redacted(database_url)))?;
    Ok(Pool::Sqlite(pool))
}

/// Close `pool` and leave an SQLite database whole in its file: the write-ahead log copied into
/// it and emptied. SQLite does that when its last connection closes, but the pool's connections
/// close on their own threads after `close` returns, and one that sees another still open skips
/// it; so one more connection checkpoints the log and truncates it. While another process (a
/// running server) uses the database, that checkpoint gives up after a second and the log stays
/// for that process. Bounded, so that a connection never given back cannot hold up the exit.
pub async fn close(pool: Pool, database_url: &str) {
    use sqlx::ConnectOptions;
    let closing = async {
        pool.close().await;
        let Pool::Sqlite(_) = pool else { return };
        let Ok(options) = SqliteConnectOptions::from_str(database_url) else { return };
        let options = options.journal_mode(SqliteJournalMode::Wal).busy_timeout(Duration::from_secs(1));
        if let Ok(mut last) = options.connect().await {
            let _ = sqlx::query("pragma wal_checkpoint(truncate)").execute(&mut last).await;
            let _ = sqlx::Connection::close(last).await;
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), closing).await;
}

/// Fail unless `database_url` names an SQLite file that exists (commands that read a database
/// must not create an empty one).
pub fn existing_sqlite(database_url: &str) -> anyhow::Result<()> {
    let options = SqliteConnectOptions::from_str(database_url)
        .with_context(|| format!("invalid database URL {}", redacted(database_url)))?;
    let file = options.get_filename();
    if !file.exists() {
        bail!("the database {} does not exist", file.display());
    }
    Ok(())
}

/// The URL without its password, for messages.
pub fn redacted(database_url: &str) -> String {
    let Some((scheme, rest)) = database_url.split_once("://") else { return format!("{database_url:?}") };
    match rest.rsplit_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("\"{scheme}://{user}:***@{host}\"")
        }
        None => format!("{database_url:?}"),
    }
}

/// Apply the embedded migrations, then the session store's own table.
pub async fn migrate(pool: &Pool) -> anyhow::Result<()> {
    match pool {
        Pool::Sqlite(p) => sqlx::migrate!("../migrations/sqlite").run(p).await,
        Pool::Postgres(p) => sqlx::migrate!("../migrations/postgres").run(p).await,
    }
    .context("database migration failed")?;
    Store::new(pool).migrate().await.context("session store migration failed")?;
    Ok(())
}

/// Everything the router needs besides the database.
#[derive(Clone, Debug)]
pub struct Settings {
    pub addr: SocketAddr,
    pub site_root: String,
    pub trusted_proxies: Vec<IpAddr>,
    pub server: ServerConfig,
}

/// The session cookie's name: `__Host-` prefixed (Secure, no Domain, Path=/) unless in
/// explicit plain-HTTP mode.
pub fn session_cookie_name(insecure: bool) -> &'static str {
    if insecure {
        "inkwarden_session"
    } else {
        "__Host-inkwarden_session"
    }
}

pub fn build_router(pool: Pool, settings: &Settings) -> Router {
    let leptos_options = LeptosOptions::builder()
        .output_name(crate::assets::name(&settings.site_root))
        .site_root(settings.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(settings.addr)
        .build();
    let config = settings.server.clone();
    let idle = time::Duration::seconds(config.session_idle.as_secs() as i64);
    let sessions = SessionManagerLayer::new(Store::new(&pool))
        .with_name(session_cookie_name(config.insecure_cookies))
        .with_secure(!config.insecure_cookies)
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle));
    let context = AppContext {
        pool,
        config: Arc::new(config.clone()),
        lockouts: Default::default(),
        pickers: Default::default(),
    };
    let routes = generate_route_list(App);
    let (export_context, comment_context, gate_context) = (context.clone(), context.clone(), context.clone());
    let (audit_context, rest_context) = (context.clone(), context.clone());
    Router::new()
        .merge(crate::rest::routes(rest_context))
        .route(
            "/admin/posts/export.csv",
            get(move |session, query| crate::export::posts_csv(export_context.clone(), session, query)),
        )
        .route(
            "/admin/audit/export.csv",
            get(move |session, query| crate::export::audit_csv(audit_context.clone(), session, query)),
        )
        .route(
            "/posts/{slug}/comments",
            post(move |slug, ip, form| crate::comments::submit(comment_context.clone(), slug, ip, form)),
        )
        .leptos_routes_with_context(&leptos_options, routes, move || provide_context(context.clone()), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler(shell))
        .layer(middleware::from_fn(security::server_fn_error_status))
        .layer(middleware::from_fn_with_state(gate_context, security::gate_staff_pages))
        .layer(sessions)
        .layer(middleware::from_fn(security::same_origin_guard))
        .layer(middleware::from_fn(security::refuse_nul))
        // `limit_body` is the one body limit, per route; axum's blanket 2 MB default would refuse
        // the longest post the editor allows.
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::from_fn(security::limit_body))
        // The sign-in's door holds a flooding address's surplus before anything reads a body.
        .layer(middleware::from_fn_with_state(config.lockout.refusal_delay, security::sign_in_door))
        .layer(middleware::from_fn_with_state(Arc::new(settings.trusted_proxies.clone()), security::resolve_client_ip))
        .layer(middleware::from_fn(crate::assets::caching))
        .layer(middleware::from_fn_with_state(!config.insecure_cookies, security::security_headers))
        .with_state(leptos_options)
}

/// A bound, not yet serving, application.
pub struct Application {
    listener: TcpListener,
    router: Router,
    pool: Pool,
    session_absolute: Duration,
}

impl Application {
    /// Migrate, bind `settings.addr` (port 0 picks a free port) and build the router.
    pub async fn build(pool: Pool, settings: Settings) -> anyhow::Result<Self> {
        migrate(&pool).await?;
        app::ssr::password::warm_up().await.map_err(|e| anyhow::anyhow!("cannot start password hashing: {e}"))?;
        let listener =
            TcpListener::bind(settings.addr).await.with_context(|| format!("cannot listen on {}", settings.addr))?;
        let settings = Settings { addr: listener.local_addr()?, ..settings };
        let router = build_router(pool.clone(), &settings);
        Ok(Self { listener, router, pool, session_absolute: settings.server.session_absolute })
    }

    pub fn addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// Serve until Ctrl-C or SIGTERM, deleting expired sessions in the background.
    pub async fn run(self) -> anyhow::Result<()> {
        use tower_sessions::ExpiredDeletion;
        let store = Store::new(&self.pool);
        let cleanup = tokio::spawn(store.continuously_delete_expired(tokio::time::Duration::from_secs(300)));
        let scheduler = tokio::spawn(scheduler::publish_scheduled_posts(self.pool.clone()));
        let purge = tokio::spawn(scheduler::purge_deleted_comments(self.pool.clone()));
        let stale = tokio::spawn(scheduler::purge_stale_sessions(self.pool.clone(), self.session_absolute));
        let checkpoint = tokio::spawn(scheduler::checkpoint_wal(self.pool.clone()));
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(self.listener, service).with_graceful_shutdown(shutdown_signal()).await;
        cleanup.abort();
        scheduler.abort();
        purge.abort();
        stale.abort();
        checkpoint.abort();
        served.context("server error")
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
