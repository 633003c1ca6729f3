//! Test scaffolding: the real router on port 0 over a fresh SQLite file, and cookie-keeping clients.

use app::ssr::db::Pool;
use app::{
    domain::{Role, UserId},
    ssr::{password, users, ServerConfig},
};
use reqwest::{header, redirect, Client, Response};
use server::startup::{connect, Application, Settings};
use std::net::SocketAddr;
use tempfile::TempDir;

/// Run sqlx code on the test app's database, whichever backend it is: `c` is the backend's own
/// connection inside the block.
#[macro_export]
macro_rules! sql {
    ($app:expr, |$c:ident| $body:expr) => {{
        let mut conn = $app.pool.acquire().await.expect("a database connection");
        app::on_db!(&mut conn, |$c| $body)
    }};
}

pub const PASSWORD: &str = "a long test passphrase";

pub struct TestApp {
    pub addr: SocketAddr,
    pub pool: Pool,
    url: String,
    _dir: TempDir,
}

impl Drop for TestApp {
    /// A PostgreSQL test database goes with its test (SQLite's file goes with the temp dir).
    fn drop(&mut self) {
        let (Ok(admin), Some((_, name))) = (std::env::var("INKWARDEN_TEST_POSTGRES"), self.url.rsplit_once('/')) else {
            return;
        };
        if !self.url.starts_with("postgres") {
            return;
        }
        let name = name.to_owned();
        // Its own thread and runtime: the test's runtime may be shutting down.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            rt.block_on(async {
                use sqlx::Connection;
                let mut conn = sqlx::PgConnection::connect(&admin).await.ok()?;
                sqlx::query(&format!("drop database if exists {name} with (force)")).execute(&mut conn).await.ok()
            })
        });
        let _ = dropped.join();
    }
}

#[derive(Clone, Debug)]
pub struct TestUser {
    pub id: UserId,
    pub username: String,
    pub password: String,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(true).await
    }

    /// `insecure_cookies = false` is the production cookie mode (`__Host-`, `Secure`).
    pub async fn spawn_with(insecure_cookies: bool) -> TestApp {
        Self::spawn_configured(insecure_cookies, vec![]).await
    }

    /// An app that believes `X-Forwarded-For` from these proxy addresses.
    pub async fn spawn_trusting(trusted_proxies: Vec<std::net::IpAddr>) -> TestApp {
        Self::spawn_configured(true, trusted_proxies).await
    }

    async fn spawn_configured(insecure_cookies: bool, trusted_proxies: Vec<std::net::IpAddr>) -> TestApp {
        Self::spawn_server(ServerConfig { insecure_cookies, ..ServerConfig::default() }, trusted_proxies).await
    }

    /// An app with these server settings (e.g. a lockout of a few seconds).
    pub async fn spawn_server(server: ServerConfig, trusted_proxies: Vec<std::net::IpAddr>) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = database_url(dir.path()).await;
        let pool = connect(&url, None).await.expect("database");
        let settings = Settings {
            addr: "127.0.0.1:0".parse().unwrap(),
            site_root: dir.path().display().to_string(),
            trusted_proxies,
            server,
        };
        let app = Application::build(pool.clone(), settings).await.expect("application");
        let addr = app.addr();
        tokio::spawn(app.run());
        TestApp { addr, pool, url, _dir: dir }
    }

    /// The folder of the test's SQLite file.
    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn create_user(&self, username: &str, role: Role) -> TestUser {
        let hash = password::hash(PASSWORD.into()).await.unwrap();
        let id = users::insert(&mut self.pool.acquire().await.unwrap(), username, &hash, role).await.unwrap();
        TestUser { id, username: username.into(), password: PASSWORD.into() }
    }

    /// A cookie-keeping client that does not follow redirects, so tests see them.
    pub fn client(&self) -> Client {
        Client::builder().cookie_store(true).redirect(redirect::Policy::none()).build().unwrap()
    }

    pub async fn post(&self, client: &Client, path: &str, form: &[(&str, &str)]) -> Response {
        client.post(self.url(path)).form(form).send().await.expect("request")
    }

    pub async fn login_response(&self, client: &Client, username: &str, password: &str) -> Response {
        self.post(client, "/admin/api/auth/login", &[("username", username), ("password", password), ("next", "")])
            .await
    }

    /// A client signed in as `user`.
    pub async fn signed_in(&self, user: &TestUser) -> Client {
        let client = self.client();
        let res = self.login_response(&client, &user.username, &user.password).await;
        assert_eq!(res.status(), 200, "login of {} failed", user.username);
        client
    }

    /// The status line the server answers to a POST whose headers declare a `length`-byte body,
    /// sent over a raw connection without the body.
    pub async fn declared_body_status(&self, path: &str, length: usize) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(self.addr).await.expect("connect");
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {length}\r\n\r\n",
            self.addr
        );
        stream.write_all(head.as_bytes()).await.expect("write");
        let mut answer = vec![0; 64];
        let n = stream.read(&mut answer).await.expect("read");
        String::from_utf8_lossy(&answer[..n]).lines().next().unwrap_or_default().to_owned()
    }

    pub async fn count(&self, query: &str) -> i64 {
        let query = format!("select cast(({query}) as bigint)");
        sql!(self, |c| sqlx::query_scalar(&query).fetch_one(c).await).unwrap()
    }

    /// Every value of a one-column text query.
    pub async fn texts(&self, query: &str) -> Vec<String> {
        sql!(self, |c| sqlx::query_scalar(query).fetch_all(c).await).unwrap()
    }

    pub async fn audit_count(&self, action: &str) -> i64 {
        sql!(self, |c| sqlx::query_scalar("select count(*) from audit_events where action = $1")
            .bind(action)
            .fetch_one(c)
            .await)
        .unwrap()
    }

    /// Everything about accounts a request could change, as one comparable string.
    pub async fn users_fingerprint(&self) -> String {
        let rows: Vec<(i64, String, String, String, bool, i64)> = sql!(self, |c| sqlx::query_as(
            "select id, username, password_hash, role, is_active, session_epoch from users order by id"
        )
        .fetch_all(c)
        .await)
        .unwrap();
        rows.iter().map(|r| format!("{r:?}")).collect::<Vec<_>>().join("|")
    }
}

/// A fresh database for one test: an SQLite file in `dir`, or, when `INKWARDEN_TEST_POSTGRES`
/// names a PostgreSQL server (a URL whose user may create databases), a new database there.
pub async fn database_url(dir: &std::path::Path) -> String {
    match std::env::var("INKWARDEN_TEST_POSTGRES") {
        Ok(admin) if !admin.is_empty() => {
            use sqlx::Connection;
            let name = format!("t_{}", fastrand::u64(..));
            let mut conn = sqlx::PgConnection::connect(&admin).await.expect("the PostgreSQL test server");
            sqlx::query(&format!("create database {name}")).execute(&mut conn).await.expect("create database");
            let (base, _) = admin.rsplit_once('/').expect("a PostgreSQL URL ends in /database");
            format!("{base}/{name}")
        }
        _ => format!("sqlite://{}", dir.join("inkwarden.db").display()),
    }
}

/// The value of the session cookie a response sets, if any.
pub fn session_cookie(res: &Response) -> Option<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.contains("inkwarden_session="))
        .map(str::to_owned)
}

/// Run `tasks` at the same time (each on the runtime, as separate clients would) and collect
/// their results in order.
pub async fn concurrently<T, F>(tasks: impl IntoIterator<Item = F>) -> Vec<T>
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = tasks.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        out.push(handle.await.expect("task"));
    }
    out
}

/// A real `inkwarden serve` process on `database_url`, stopped when dropped. Its address comes
/// from the line it prints; its output keeps being drained so it never blocks on a full pipe.
pub struct Served {
    child: std::process::Child,
    pub base: String,
}

impl Served {
    pub fn start(database_url: &str, extra: &[&str]) -> Served {
        use std::io::{BufRead, BufReader};
        use std::process::{Command, Stdio};
        let mut child = Command::new(env!("CARGO_BIN_EXE_inkwarden"))
            .args(["serve", "--addr", "127.0.0.1:0", "--insecure-cookies"])
            .args(extra)
            .env("DATABASE_URL", database_url)
            .env("RUST_LOG", "warn")
            .env("INKWARDEN_SECRET_KEY_FILE", std::env::temp_dir().join(format!("inkwarden-{}.key", fastrand::u64(..))))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the inkwarden binary");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("Inkwarden is listening on ") {
                    let _ = tx.send(addr.to_owned());
                }
            }
        });
        let base = rx.recv_timeout(std::time::Duration::from_secs(60)).expect("the server starts");
        Served { child, base }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A published post by a fresh author, with this slug; returns its id.
pub async fn published_post(app: &TestApp, slug: &str) -> i64 {
    let author = app.create_user(&format!("w-{slug}"), Role::Author).await;
    sql!(app, |c| sqlx::query_scalar(
        "insert into posts (title, slug, body, status, author_id, published_at)
         values ('A post', $1, 'Body', 'published', $2, $3) returning id",
    )
    .bind(slug)
    .bind(author.id.0)
    .bind(app::ssr::db::Stamp::now())
    .fetch_one(c)
    .await)
    .unwrap()
}
