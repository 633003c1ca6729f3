//! Two real `inkwarden serve` processes on one PostgreSQL database: whatever one instance
//! decides holds on the other, and work both could do happens once. Runs when
//! `INKWARDEN_TEST_POSTGRES` is set (the test command's PostgreSQL pass); SQLite has one process.

use crate::helpers::Served;
use app::ssr::db::{Pool, Stamp};
use reqwest::Client;
use serde_json::Value;
use std::{
    collections::HashMap,
    process::Command,
    time::{Duration, Instant},
};

/// One instance: a real `inkwarden serve` process.
struct Instance(Served);

impl Instance {
    fn start(database_url: &str) -> Instance {
        Instance(Served::start(database_url, &["--db-max-connections", "6"]))
    }

    fn base(&self) -> &str {
        &self.0.base
    }

    async fn post(&self, client: &Client, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        client.post(format!("{}{path}", self.base())).form(form).send().await.unwrap()
    }

    async fn me(&self, client: &Client) -> u16 {
        self.post(client, "/admin/api/auth/me", &[]).await.status().as_u16()
    }

    async fn sign_in(&self, client: &Client, username: &str, password: &str) {
        let res = self.post(client, "/admin/api/auth/login", &[("username", username), ("password", password)]).await;
        assert_eq!(res.status(), 200, "sign-in of {username}");
    }
}

/// `seed-demo` on the database: the staff it created, by name, with their passwords.
fn seed(database_url: &str, comments: u32) -> HashMap<String, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_inkwarden"))
        .args(["seed-demo", "--posts", "40", "--comments", &comments.to_string()])
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let parts: Vec<&str> = l.split_whitespace().collect();
            (parts.len() == 3 && l.starts_with("  ")).then(|| (parts[1].to_owned(), parts[2].to_owned()))
        })
        .collect()
}

async fn int(pool: &Pool, sql: &str) -> i64 {
    let sql = format!("select cast(({sql}) as bigint)");
    app::on_db!(&mut pool.acquire().await.unwrap(), |c| sqlx::query_scalar(&sql).fetch_one(c).await.unwrap())
}

fn client() -> Client {
    Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// A fresh, migrated database on the test PostgreSQL, or `None` (the test is skipped) without one.
async fn shared_database() -> Option<(String, Pool)> {
    if std::env::var("INKWARDEN_TEST_POSTGRES").map_or(true, |v| v.is_empty()) {
        eprintln!("skipped: set INKWARDEN_TEST_POSTGRES to run two instances on one PostgreSQL");
        return None;
    }
    let url = crate::helpers::database_url(&std::env::temp_dir()).await; // a new database; no folder used
    let pool = server::startup::connect(&url, Some(2)).await.unwrap();
    server::startup::migrate(&pool).await.unwrap();
    Some((url, pool))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgresql_share_sessions_decisions_and_work() {
    let Some((url, _pool)) = shared_database().await else { return };
    // 12,500 reader comments, of which 10,000 pending.
    let staff = seed(&url, 12_500);
    let pool = server::startup::connect(&url, Some(4)).await.unwrap();
    let review = |n: i64| format!("select id from posts where status = 'review' order by id limit 1 offset {n}");
    let (due, contested) = (int(&pool, &review(0)).await, int(&pool, &review(1)).await);
    // Due before either instance starts: both schedulers find it on their first tick.
    app::on_db!(&mut pool.acquire().await.unwrap(), |c| sqlx::query(
        "update posts set scheduled_at = $1 where id = $2"
    )
    .bind(Stamp::from_now(-60))
    .bind(due)
    .execute(c)
    .await
    .unwrap()
    .rows_affected());

    let (a, b) = (Instance::start(&url), Instance::start(&url));

    // The scheduler runs on both instances and publishes the post once.
    let published = format!("select count(*) from publish_events where post_id = {due} and action = 'published'");
    let started = Instant::now();
    while int(&pool, &published).await == 0 && started.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(int(&pool, &published).await, 1, "one scheduled publication");
    let audited = format!("select count(*) from audit_events where action = 'post.published' and target_id = '{due}'");
    assert_eq!(int(&pool, &audited).await, 1);

    // A session started on A works on B; signing out on B ends it on A.
    let editor = client();
    a.sign_in(&editor, "editor", &staff["editor"]).await;
    assert_eq!((a.me(&editor).await, b.me(&editor).await), (200, 200));
    assert_eq!(b.post(&editor, "/admin/api/auth/logout", &[]).await.status(), 200);
    assert_eq!(a.me(&editor).await, 401, "signed out on B, so out on A");

    // Deactivating a user (the CLI and, later, the dashboard share one code path) refuses their
    // next request on either instance.
    let writer = client();
    a.sign_in(&writer, "writer", &staff["writer"]).await;
    assert_eq!(b.me(&writer).await, 200);
    let out = Command::new(env!("CARGO_BIN_EXE_inkwarden"))
        .args(["user", "deactivate", "writer"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!((a.me(&writer).await, b.me(&writer).await), (401, 401));

    // A sign-in lockout reached through A holds on B, even with the right password.
    for _ in 0..5 {
        let res = a
            .post(&client(), "/admin/api/auth/login", &[("username", "author"), ("password", "not the password")])
            .await;
        assert_eq!(res.status(), 401);
    }
    let res =
        b.post(&client(), "/admin/api/auth/login", &[("username", "author"), ("password", &staff["author"])]).await;
    assert_eq!(res.status(), 429, "locked on A, so locked on B");
    assert!(res.headers().contains_key("retry-after"));

    // Two editors publish the same post at the same moment, one through each instance.
    let admin = client();
    a.sign_in(&admin, "admin", &staff["admin"]).await;
    b.sign_in(&editor, "editor", &staff["editor"]).await;
    let id = contested.to_string();
    let form = [("id", id.as_str())];
    let (first, second) = tokio::join!(
        a.post(&admin, "/admin/api/posts/publish", &form),
        b.post(&editor, "/admin/api/posts/publish", &form),
    );
    assert!(first.status().is_success() || second.status().is_success(), "{first:?} {second:?}");
    let events = format!("select count(*) from publish_events where post_id = {contested}");
    assert_eq!(int(&pool, &events).await, 1, "one publish, not two");
    let audited = format!("select count(*) from audit_events where action = 'post.published' and target_id = '{id}'");
    assert_eq!(int(&pool, &audited).await, 1);

    // One bulk approval of 10,000 comments through A while B serves the queue.
    let queue: Value = serde_json::from_str(
        &a.post(&admin, "/admin/api/comments/list", &[("status", "pending")]).await.text().await.unwrap(),
    )
    .unwrap();
    let through = queue["latest_id"].as_i64().unwrap().to_string();
    let reader = tokio::spawn({
        let (base, editor) = (b.base().to_owned(), editor.clone());
        async move {
            let mut pages = 0;
            let deadline = Instant::now() + Duration::from_secs(3);
            while Instant::now() < deadline {
                let res =
                    editor.post(format!("{base}/admin/api/comments/list")).form(&[("status", "pending")]).send().await;
                assert_eq!(res.unwrap().status(), 200, "B keeps serving the queue");
                pages += 1;
            }
            pages
        }
    });
    let form = [("action", "approve"), ("all_matching", "true"), ("status", "pending"), ("through_id", &through)];
    let res = a.post(&admin, "/admin/api/comments/moderate", &form).await;
    assert_eq!(res.status(), 200);
    let outcome: Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert_eq!(outcome["changed"].as_i64(), Some(10_000));
    assert!(reader.await.unwrap() > 0);
    assert_eq!(int(&pool, "select count(*) from comment_states where status = 'approved'").await, 10_000 + 1_250);
    assert_eq!(int(&pool, "select count(*) from comment_states where status = 'pending'").await, 0);
    assert_eq!(int(&pool, "select count(*) from comments").await, 12_500, "nothing lost");
    assert_eq!(int(&pool, "select count(*) from audit_events where action = 'comments.moderated'").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tokens_rate_limit_holds_across_two_instances() {
    use app::{domain::Role, ssr::accounts::By};
    let Some((url, pool)) = shared_database().await else { return };
    let owner = app::ssr::accounts::create(&pool, By::Cli, "owner", Role::Admin, None).await.unwrap();
    let issued =
        app::ssr::tokens::create(&pool, By::Cli, owner.id, "shared", &["posts:read".into()], None).await.unwrap();
    let limit = ["--api-rate-limit", "4", "--db-max-connections", "4"];
    let (a, b) = (Instance(Served::start(&url, &limit)), Instance(Served::start(&url, &limit)));
    // The count is per minute: start well inside one, so all six requests share it.
    let second = time::OffsetDateTime::now_utc().second();
    if second >= 45 {
        tokio::time::sleep(Duration::from_secs(u64::from(61 - second))).await;
    }
    let client = Client::new();
    let mut statuses = vec![];
    for instance in [&a, &b, &a, &b, &a, &b] {
        let res =
            client.get(format!("{}/api/v1/posts", instance.base())).bearer_auth(&issued.secret).send().await.unwrap();
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 200, 429, 429], "four a minute in all, whichever instance answers");
}
