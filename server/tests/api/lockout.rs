//! Sign-in throttling against the real server: lockouts per username and per address, with the
//! lockout period shortened by configuration so the tests can watch one end and the next double.
//! That a locked attempt runs no argon2 is shown in `flood`, against a server process of its own.

use crate::helpers::*;
use app::{
    domain::Role,
    ssr::{password, LockoutPolicy, ServerConfig},
};
use reqwest::Client;
use std::time::{Duration, Instant};

/// An app whose first lockout lasts `seconds`, after 5 failures of a username or 8 of an address.
/// Refusals are answered at once here, so a refusal's time is its work (the delay has its own
/// test below).
async fn spawn(seconds: u64, trusted: Vec<std::net::IpAddr>) -> TestApp {
    spawn_delaying(seconds, trusted, Duration::ZERO).await
}

async fn spawn_delaying(seconds: u64, trusted: Vec<std::net::IpAddr>, refusal_delay: Duration) -> TestApp {
    let lockout =
        LockoutPolicy { username_failures: 5, address_failures: 8, first: Duration::from_secs(seconds), refusal_delay };
    TestApp::spawn_server(ServerConfig { insecure_cookies: true, lockout, ..ServerConfig::default() }, trusted).await
}

async fn attempt(
    app: &TestApp,
    client: &Client,
    username: &str,
    password: &str,
    from: Option<&str>,
) -> (u16, Option<u64>, String) {
    let mut req = client.post(app.url("/admin/api/auth/login")).form(&[
        ("username", username),
        ("password", password),
        ("next", ""),
    ]);
    if let Some(ip) = from {
        req = req.header("x-forwarded-for", ip);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let retry = res.headers().get("retry-after").map(|v| v.to_str().unwrap().parse().unwrap());
    (status, retry, res.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_failures_lock_a_username_even_against_the_right_password_and_the_next_lockout_doubles() {
    let app = spawn(3, vec![]).await;
    let ann = app.create_user("ann", Role::Author).await;
    let client = app.client();
    for _ in 0..4 {
        assert_eq!(attempt(&app, &client, "Ann", "wrong password!", None).await.0, 401);
    }
    assert_eq!(app.audit_count("login.locked").await, 0);
    assert_eq!(
        attempt(&app, &client, "ann", "wrong password!", None).await.0,
        401,
        "the fifth failure itself is judged"
    );
    assert_eq!(app.audit_count("login.locked").await, 1, "the lockout starts, audited once");

    let (status, retry, body) = attempt(&app, &client, "ann", &ann.password, None).await;
    assert_eq!(status, 429, "locked even with the right password");
    assert!(matches!(retry, Some(1..=3)), "Retry-After {retry:?}");
    assert!(body.contains("LockedOut"), "{body}");
    for _ in 0..3 {
        assert_eq!(attempt(&app, &client, "ann", "wrong password!", None).await.0, 429);
    }
    assert_eq!(app.audit_count("login.locked").await, 1, "refused attempts neither lock again nor lengthen it");
    assert_eq!(app.count("select count(*) from lockouts").await, 1);
    assert_eq!(app.audit_count("auth.login").await, 0);

    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(attempt(&app, &client, "ann", &ann.password, None).await.0, 200, "over after its length");
    // The success cleared the username's count: four more failures do not lock it again.
    for _ in 0..4 {
        assert_eq!(attempt(&app, &app.client(), "ann", "wrong password!", None).await.0, 401);
    }
    assert_eq!(app.audit_count("login.locked").await, 1);
    // The fifth does, for twice as long (a second lockout within a day).
    assert_eq!(attempt(&app, &app.client(), "ann", "wrong password!", None).await.0, 401);
    let (status, retry, _) = attempt(&app, &app.client(), "ann", &ann.password, None).await;
    assert_eq!(status, 429);
    assert!(matches!(retry, Some(4..=6)), "the second lockout doubles: Retry-After {retry:?}");
    assert_eq!(app.count("select count(*) from lockouts where seconds = 6").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_username_locks_the_same_way_so_a_lockout_tells_nothing() {
    let app = spawn(60, vec![]).await;
    app.create_user("ann", Role::Author).await;
    let mut answers = Vec::new();
    for name in ["ann", "ghost"] {
        for _ in 0..5 {
            attempt(&app, &app.client(), name, "wrong password!", None).await;
        }
        let (status, retry, body) = attempt(&app, &app.client(), name, "wrong password!", None).await;
        answers.push((status, retry.map(|r| r > 50), body));
    }
    assert_eq!(answers[0], answers[1], "existing and unknown usernames answer alike");
    assert_eq!(answers[0].0, 429);
}

/// A locked-out sign-in is answered only after the refusal delay (a guessing script that waits
/// for answers slows to its pace), still 429 with `Retry-After`, and judged attempts are not
/// delayed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_sign_in_is_answered_after_the_refusal_delay() {
    let delay = Duration::from_secs(2);
    let app = spawn_delaying(60, vec![], delay).await;
    app.create_user("ann", Role::Author).await;
    let client = app.client();
    for _ in 0..5 {
        let started = Instant::now();
        assert_eq!(attempt(&app, &client, "ann", "wrong password!", None).await.0, 401);
        assert!(started.elapsed() < delay, "a judged attempt is answered when judged");
    }
    let started = Instant::now();
    let (status, retry, body) = attempt(&app, &client, "ann", "wrong password!", None).await;
    assert!(started.elapsed() >= delay, "refused after {:?}", started.elapsed());
    assert_eq!(status, 429);
    assert!(matches!(retry, Some(50..=60)), "Retry-After {retry:?}");
    assert!(body.contains("LockedOut"), "{body}");
    assert_eq!(app.audit_count("login.locked").await, 1, "the late refusal changed nothing");
}

/// A flooding address's attempts beyond its limit wait out the refusal delay at the server's door
/// rather than inside the sign-in, and only once: an attempt sent while a locked address has as
/// many refusals under way as it may, each waiting out its delay, is held, then judged like any
/// other (429, the address is locked, not 503), and answered after one delay, not two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_s_surplus_sign_in_is_held_once_at_the_door_and_then_judged() {
    let delay = Duration::from_secs(2);
    let app = spawn_delaying(60, vec!["127.0.0.1".parse().unwrap()], delay).await;
    // An address of its own: the count of attempts under way is one per process.
    let from = Some("198.51.100.201");
    for i in 0..8 {
        assert_eq!(attempt(&app, &app.client(), &format!("user{i}"), "wrong password!", from).await.0, 401);
    }
    let inside = futures_util::future::join_all((0..password::MAX_ATTEMPTS_PER_ADDRESS).map(|i| {
        let app = &app;
        async move { attempt(app, &app.client(), &format!("user{i}"), "wrong password!", from).await.0 }
    }));
    let surplus = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let started = Instant::now();
        let (status, retry, _) = attempt(&app, &app.client(), "ann", "wrong password!", from).await;
        (status, retry, started.elapsed())
    };
    let (inside, (status, retry, waited)) = tokio::join!(inside, surplus);
    assert!(inside.iter().all(|s| *s == 429), "{inside:?}");
    assert_eq!(status, 429, "held at the door, then refused for the lockout, not for being busy");
    assert!(matches!(retry, Some(50..=60)), "Retry-After {retry:?}");
    assert!(waited >= delay && waited < delay * 3 / 2, "answered after {waited:?}, one delay of {delay:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_is_locked_across_usernames_and_forged_forwarding_headers_do_not_escape_it() {
    // No trusted proxy: the address is the connection's, whatever X-Forwarded-For says.
    let app = spawn(60, vec![]).await;
    let ann = app.create_user("ann", Role::Author).await;
    for i in 0..8 {
        let forged = format!("203.0.113.{i}");
        let (status, ..) = attempt(&app, &app.client(), &format!("user{i}"), "wrong password!", Some(&forged)).await;
        assert_eq!(status, 401);
    }
    let (status, ..) = attempt(&app, &app.client(), "ann", &ann.password, Some("198.51.100.9")).await;
    assert_eq!(status, 429, "the address is locked, for every username and every forged header");
    assert_eq!(app.count("select count(*) from lockouts where kind = 'address' and subject = '127.0.0.1'").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_one_client_address_is_locked_and_another_still_signs_in() {
    let app = spawn(60, vec!["127.0.0.1".parse().unwrap()]).await;
    let ann = app.create_user("ann", Role::Author).await;
    for i in 0..8 {
        attempt(&app, &app.client(), &format!("user{i}"), "wrong password!", Some("198.51.100.66")).await;
    }
    let locked = attempt(&app, &app.client(), "ann", &ann.password, Some("198.51.100.66")).await;
    assert_eq!(locked.0, 429);
    let other = attempt(&app, &app.client(), "ann", &ann.password, Some("203.0.113.7")).await;
    assert_eq!(other.0, 200, "a lockout of one address leaves the others alone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_sees_the_lockout_and_lifts_it_and_that_is_audited() {
    let app = spawn(600, vec!["127.0.0.1".parse().unwrap()]).await;
    let ann = app.create_user("ann", Role::Author).await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    for _ in 0..5 {
        attempt(&app, &app.client(), "ann", "wrong password!", Some("198.51.100.1")).await;
    }
    let res = app.post(&admin, "/admin/api/users/lockouts", &[]).await;
    assert_eq!(res.status(), 200);
    let lockouts: serde_json::Value = res.json().await.unwrap();
    let rows = lockouts.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{lockouts}");
    assert_eq!((rows[0]["kind"].as_str(), rows[0]["subject"].as_str()), (Some("username"), Some("ann")));
    let id = rows[0]["id"].to_string();
    // A refused attempt first, so that the server has read the lockout and remembers it.
    let (status, ..) = attempt(&app, &app.client(), "ann", &ann.password, Some("198.51.100.2")).await;
    assert_eq!(status, 429, "locked: even the right password is refused");

    let author = app.signed_in(&app.create_user("bob", Role::Author).await).await;
    assert_eq!(app.post(&author, "/admin/api/users/unlock", &[("id", &id)]).await.status(), 403);
    assert_eq!(app.post(&admin, "/admin/api/users/unlock", &[("id", &id)]).await.status(), 200);
    assert_eq!(app.post(&admin, "/admin/api/users/unlock", &[("id", &id)]).await.status(), 404, "already lifted");
    assert_eq!(app.audit_count("login.unlocked").await, 1);
    let (status, ..) = attempt(&app, &app.client(), "ann", &ann.password, Some("198.51.100.2")).await;
    assert_eq!(status, 200, "lifted: the right password works again at once, on the instance that lifted it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_and_lockouts_older_than_a_day_are_forgotten_and_recent_ones_kept() {
    let app = spawn(60, vec![]).await;
    for _ in 0..5 {
        attempt(&app, &app.client(), "ann", "wrong password!", None).await;
    }
    let old = "'2001-01-01T00:00:00.000Z'";
    for statement in [
        format!("insert into sign_in_failures (kind, subject, failed_at) values ('username', 'old', {old})"),
        format!(
            "insert into lockouts (kind, subject, seconds, started_at, until) values ('username', 'old', 900, {old}, {old})"
        ),
    ] {
        sql!(app, |c| sqlx::query(&statement).execute(c).await.map(|d| d.rows_affected())).unwrap();
    }
    let purged = app::ssr::throttle::purge_old(&app.pool).await.unwrap();
    assert_eq!(purged, 2);
    assert_eq!(app.count("select count(*) from lockouts where subject = 'ann'").await, 1, "a lockout in force stays");
    assert_eq!(app.count("select count(*) from sign_in_failures where subject = 'old'").await, 0);
    assert!(app.count("select count(*) from sign_in_failures where subject = 'ann'").await >= 5);
}
