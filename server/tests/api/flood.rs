//! Sign-in hashing against the real binary, in a process of its own: the argon2 queue and its
//! threads are one per server process, so a flood must not share them with the other tests, and
//! what the hashing threads did (their CPU time, the memory they keep) is read from the
//! server's own process, where no other test's sign-ins add to it.

use crate::helpers::{session_cookie, Served, PASSWORD};
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

/// The binary serving `db`, in which `ann` signs in with [`PASSWORD`]; `extra` flags for `serve`.
fn serve_with(db: &Path, extra: &[&str]) -> Served {
    let mut create = inkwarden(db)
        .args(["user", "create", "--username", "ann", "--role", "author", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    create.stdin.take().unwrap().write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
    assert!(create.wait().unwrap().success());
    Served::start(&format!("sqlite://{}", db.display()), extra)
}

fn serve(db: &Path) -> Served {
    // Lockouts would refuse most of one address's flood before it reaches the hashing queue;
    // this test is about the queue, so they are set out of reach.
    let no_lockouts = ["--lockout-ip-failures", "100000", "--lockout-user-failures", "1000"];
    serve_with(db, &[&["--trusted-proxy", "127.0.0.1"][..], &no_lockouts].concat())
}

/// One sign-in at `server`, from the test's own address.
async fn sign_in(server: &Served, username: &str, password: &str) -> reqwest::Response {
    let form = [("username", username), ("password", password)];
    reqwest::Client::new().post(format!("{}/admin/api/auth/login", server.base)).form(&form).send().await.unwrap()
}

/// The failed sign-ins audited in `db`.
async fn failed_sign_ins(db: &Path) -> usize {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display())).await.unwrap();
    let audited: i64 = sqlx::query_scalar("select count(*) from audit_events where action = 'auth.login_failed'")
        .fetch_one(&pool)
        .await
        .unwrap();
    audited as usize
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
    assert_eq!(failed_sign_ins(&db).await, refused, "a refused-as-busy attempt ran no argon2 and wrote nothing");
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
    assert_eq!(sign_in(&server, "ann", PASSWORD).await.status(), 200);
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

/// The CPU time, in nanoseconds, that the server's argon2 lanes (the threads every hash is
/// computed on, `argon2-lane-N`) have used so far.
#[cfg(target_os = "linux")]
fn argon2_lanes_ns(pid: u32) -> u64 {
    let mut total = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).unwrap().map_while(Result::ok) {
        // A thread that ended between the listing and the reads counts nothing.
        let Ok(name) = std::fs::read_to_string(task.path().join("comm")) else { continue };
        if !name.starts_with("argon2-lane-") {
            continue;
        }
        // The lanes live as long as the server: their run time is always there to read.
        let stat = std::fs::read_to_string(task.path().join("schedstat")).expect("/proc/PID/task/TID/schedstat");
        total += stat.split_whitespace().next().and_then(|ns| ns.parse::<u64>().ok()).expect("run time in ns");
    }
    total
}

/// The lanes' CPU time once they have gone quiet (they spin a moment after each job).
#[cfg(target_os = "linux")]
async fn argon2_lanes_ns_settled(pid: u32) -> u64 {
    let mut last = argon2_lanes_ns(pid);
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = argon2_lanes_ns(pid);
        if now == last {
            return now;
        }
        last = now;
    }
    panic!("the argon2 lanes were still busy 10 s after the last answer");
}

/// A locked-out sign-in runs no argon2, even with the right password: while it is refused, the
/// server's argon2 threads use no CPU at all, where each judged attempt cost them milliseconds.
/// (Read from the threads' run time rather than from answer times, which a busy host blurs.)
#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_locked_attempt_runs_no_password_hashing() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve_with(&dir.path().join("locked.db"), &[]);
    let server = &server;
    let attempt = move |password| async move { sign_in(server, "ann", password).await.status().as_u16() };
    let started = argon2_lanes_ns_settled(server.pid()).await;
    // The default policy: the fifth failure of a username locks it.
    for _ in 0..5 {
        assert_eq!(attempt("not the password").await, 401);
    }
    let judged = argon2_lanes_ns_settled(server.pid()).await;
    assert!(
        judged - started >= 5_000_000,
        "five judged attempts ran argon2 on its lanes: {} µs of their CPU",
        (judged - started) / 1000
    );
    for password in [PASSWORD, "not the password", PASSWORD] {
        assert_eq!(attempt(password).await, 429, "locked, whatever the password");
    }
    let refused = argon2_lanes_ns_settled(server.pid()).await;
    assert_eq!(refused, judged, "the argon2 lanes ran {} ns for the locked attempts", refused - judged);
}

/// An unknown username is answered like a wrong password: the same status, no session, the same
/// message, and after the same argon2 work (a dummy hash at the same parameters), so neither
/// the answer nor its time tells whether the account exists.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_wrong_password_and_an_unknown_username_are_answered_alike_after_the_same_hashing() {
    use std::time::Instant;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("alike.db");
    let server = serve_with(&db, &[]);
    let mut answers = Vec::new();
    // Per path, the fastest answer (a busy host only slows one) and the lanes' CPU time in all.
    let mut fastest = [Duration::MAX; 2];
    let mut hashing = [0u64; 2];
    // Five rounds: the fifth failure of `ann` is still judged, and locks the name afterwards.
    for _ in 0..5 {
        for (i, name) in ["ann", "nobody"].into_iter().enumerate() {
            let before = argon2_lanes_ns_settled(server.pid()).await;
            let started = Instant::now();
            let res = sign_in(&server, name, "not the password at all").await;
            fastest[i] = fastest[i].min(started.elapsed());
            answers.push((res.status().as_u16(), session_cookie(&res).is_some(), res.text().await.unwrap()));
            hashing[i] += argon2_lanes_ns_settled(server.pid()).await - before;
        }
    }
    assert_eq!(answers[0].0, 401);
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
    // Both paths run argon2 at the same parameters: skipping it, or a cheaper dummy hash, would
    // show in the lanes' CPU time and make an unknown name answer many times faster.
    let [wrong, unknown] = hashing.map(|ns| ns as f64);
    assert!(wrong > 0.0 && unknown > wrong * 0.5 && unknown < wrong * 2.0, "argon2 CPU: {hashing:?} ns");
    let [wrong, unknown] = fastest.map(|d| d.as_secs_f64());
    assert!(unknown > wrong * 0.5 && unknown < wrong * 2.0, "wrong password {wrong:?}s, unknown user {unknown:?}s");
    assert_eq!(failed_sign_ins(&db).await, 10, "each attempt audited alike");
}
