//! A sign-in flood against the real binary, in a process of its own: the argon2 queue is one
//! per server process, so the flood must not share it with the other tests.

use crate::helpers::{concurrently, PASSWORD};
use std::{
    io::{BufRead, BufReader, Write},
    path::Path,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

/// A running `inkwarden serve`, stopped when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn inkwarden(db: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_inkwarden"));
    cmd.env("DATABASE_URL", format!("sqlite://{}", db.display())).env("RUST_LOG", "warn");
    cmd
}

fn serve(db: &Path) -> Server {
    let mut create = inkwarden(db)
        .args(["user", "create", "--username", "ann", "--role", "author", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    create.stdin.take().unwrap().write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
    assert!(create.wait().unwrap().success());
    let mut child = inkwarden(db)
        .args(["serve", "--addr", "127.0.0.1:0", "--insecure-cookies"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    // Keep draining the server's output so it never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(addr) = line.strip_prefix("Inkwarden is listening on ") {
                let _ = tx.send(addr.to_owned());
            }
        }
    });
    let base = rx.recv_timeout(Duration::from_secs(60)).expect("the server starts");
    Server { child, base }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_flood_beyond_the_hashing_queue_is_refused_at_once_with_503_and_retry_after() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("flood.db");
    let server = serve(&db);
    let login = format!("{}/admin/api/auth/login", server.base);
    let attempts = (0..150).map(|i| {
        let login = login.clone();
        async move {
            let form = [("username", format!("guess{i}")), ("password", "not the password".to_owned())];
            let res = reqwest::Client::new().post(login).form(&form).send().await.unwrap();
            let retry = res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
            (res.status().as_u16(), retry, res.text().await.unwrap())
        }
    });
    let answers = concurrently(attempts).await;
    let busy: Vec<_> = answers.iter().filter(|(s, _, _)| *s == 503).collect();
    let refused = answers.iter().filter(|(s, _, _)| *s == 401).count();
    assert!(!busy.is_empty(), "a queue bounded at {} waiters refuses part of 150", app::ssr::password::MAX_WAITING);
    assert_eq!(busy.len() + refused, answers.len(), "only 401 and 503, never a 500");
    for (_, retry, body) in &busy {
        assert_eq!(retry.as_deref(), Some("2"));
        assert!(body.contains("Busy"), "{body}");
    }
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display())).await.unwrap();
    let audited: i64 = sqlx::query_scalar("select count(*) from audit_events where action = 'auth.login_failed'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(audited as usize, refused, "a refused-as-busy attempt ran no argon2 and wrote nothing");
    // Once the flood has passed, the real user signs in at once.
    let res = reqwest::Client::new().post(&login).form(&[("username", "ann"), ("password", PASSWORD)]).send().await;
    assert_eq!(res.unwrap().status(), 200);
}
