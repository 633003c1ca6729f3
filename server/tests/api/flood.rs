//! A sign-in flood against the real binary, in a process of its own: the argon2 queue is one
//! per server process, so the flood must not share it with the other tests. The hashing
//! memory's return is read from a process of its own too: no other test's sign-ins keep it.

use crate::helpers::{Served, PASSWORD};
use std::{
    io::Write,
    path::Path,
    process::{Command, Stdio},
    time::Duration,
};

fn inkwarden(db: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_inkwarden"));
    cmd.env("DATABASE_URL", format!("sqlite://{}", db.display())).env("RUST_LOG", "warn");
    cmd
}

fn serve(db: &Path) -> Served {
    let mut create = inkwarden(db)
        .args(["user", "create", "--username", "ann", "--role", "author", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    create.stdin.take().unwrap().write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
    assert!(create.wait().unwrap().success());
    // Lockouts would refuse most of one address's flood before it reaches the hashing queue;
    // this test is about the queue, so they are set out of reach.
    let no_lockouts = ["--lockout-ip-failures", "100000", "--lockout-user-failures", "1000"];
    Served::start(
        &format!("sqlite://{}", db.display()),
        &[&["--trusted-proxy", "127.0.0.1"][..], &no_lockouts].concat(),
    )
}

/// One flooding client: `n` bogus sign-ins in a row from `address`, each answer's status and
/// `Retry-After`.
async fn flood(login: String, address: &'static str, n: usize) -> Vec<(u16, Option<String>)> {
    let client = reqwest::Client::new();
    let mut answers = Vec::with_capacity(n);
    for i in 0..n {
        let form = [("username", format!("guess{i}")), ("password", "not the password".to_owned())];
        let res = client.post(&login).header("x-forwarded-for", address).form(&form).send().await.unwrap();
        let retry = res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
        answers.push((res.status().as_u16(), retry));
    }
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_flood_is_refused_at_once_with_503_and_another_address_still_signs_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("flood.db");
    let server = serve(&db);
    let login = format!("{}/admin/api/auth/login", server.base);
    let flooders: Vec<_> = (0..40).map(|_| tokio::spawn(flood(login.clone(), "198.51.100.66", 6))).collect();
    tokio::time::sleep(Duration::from_millis(150)).await;
    // A real user behind the same proxy, from another address, while the flood goes on.
    let real = reqwest::Client::new()
        .post(&login)
        .header("x-forwarded-for", "203.0.113.7")
        .form(&[("username", "ann"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(real.status(), 200, "one address's flood fills at most its share of the queue");
    let mut answers = Vec::new();
    for flooder in flooders {
        answers.extend(flooder.await.unwrap());
    }
    let busy: Vec<_> = answers.iter().filter(|(s, _)| *s == 503).collect();
    let refused = answers.iter().filter(|(s, _)| *s == 401).count();
    assert!(!busy.is_empty(), "a bounded queue refuses part of a flood at once");
    assert_eq!(busy.len() + refused, answers.len(), "only 401 and 503, never a 500");
    assert!(busy.iter().all(|(_, retry)| retry.as_deref() == Some("2")), "503 says when to retry");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display())).await.unwrap();
    let audited: i64 = sqlx::query_scalar("select count(*) from audit_events where action = 'auth.login_failed'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(audited as usize, refused, "a refused-as-busy attempt ran no argon2 and wrote nothing");
}

/// The server's resident memory, in KiB.
#[cfg(target_os = "linux")]
fn resident_kib(pid: u32) -> i64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("VmRSS in /proc/PID/status");
    line.split_whitespace().nth(1).and_then(|kib| kib.parse().ok()).expect("VmRSS in kB")
}

/// An idle server gives argon2's 19 MiB working memory back within seconds of the last sign-in:
/// the hashing thread, idle for a second, lets it go and ends. (In a quiet server the allocator
/// returns the pages as the thread ends anyway, so this does not show the binary's hook that has
/// them returned at once, `password::on_memory_freed`, which matters under traffic; it fails
/// when the memory is kept, e.g. with the idle time raised to a minute.)
#[cfg(target_os = "linux")]
#[tokio::test]
async fn an_idle_server_gives_the_hashing_memory_back() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&dir.path().join("memory.db"));
    let signed_in = reqwest::Client::new()
        .post(format!("{}/admin/api/auth/login", server.base))
        .form(&[("username", "ann"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200);
    let busy = resident_kib(server.pid());
    let mut idle = busy;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        idle = resident_kib(server.pid());
        if busy - idle >= 12 * 1024 {
            break;
        }
    }
    assert!(busy - idle >= 12 * 1024, "resident {busy} KiB after a sign-in and still {idle} KiB 5 s later");
}
