//! The real `inkwarden` binary's account commands against a real SQLite file.

use crate::helpers::PASSWORD;
use std::{
    io::Write,
    path::Path,
    process::{Command, Output, Stdio},
};

fn inkwarden(db: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_inkwarden"))
        .args(args)
        .env("DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("inkwarden binary");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn create(db: &Path, name: &str, role: &str) -> Output {
    inkwarden(db, &["user", "create", "--username", name, "--role", role, "--password-stdin"], &format!("{PASSWORD}\n"))
}

#[test]
fn user_create_stores_an_argon2id_hash_and_audits_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sub/folder/inkwarden.db");
    let out = create(&db, "ann", "editor");
    assert!(out.status.success(), "{}", stderr(&out));
    let conn = query_text(&db, "select role || ' ' || substr(password_hash, 1, 10) from users where username = 'ann'");
    assert_eq!(conn, "editor $argon2id$");
    assert_eq!(query_text(&db, "select action || ' ' || actor_label from audit_events"), "user.created cli");
}

#[test]
fn bad_arguments_and_missing_users_fail_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inkwarden.db");
    let bad_role = create(&db, "ann", "root");
    assert!(!bad_role.status.success());
    assert!(stderr(&bad_role).contains("unknown role `root`"), "{}", stderr(&bad_role));
    let missing = inkwarden(&db, &["user", "set-role", "ghost", "admin"], "");
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains("no user named \"ghost\""), "{}", stderr(&missing));
    let weak =
        inkwarden(&db, &["user", "create", "--username", "bob", "--role", "author", "--password-stdin"], "short\n");
    assert!(!weak.status.success());
    assert!(stderr(&weak).contains("at least 12 characters"), "{}", stderr(&weak));
    let no_stdin_flag = inkwarden(&db, &["user", "create", "--username", "bob", "--role", "author"], "");
    assert!(!no_stdin_flag.status.success());
    assert!(create(&db, "ann", "author").status.success());
    let duplicate = create(&db, "ann", "author");
    assert!(!duplicate.status.success());
    assert!(stderr(&duplicate).contains("already taken"), "{}", stderr(&duplicate));
}

#[test]
fn the_last_active_admin_cannot_be_demoted_or_deactivated() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inkwarden.db");
    assert!(create(&db, "ada", "admin").status.success());
    let demote = inkwarden(&db, &["user", "set-role", "ada", "editor"], "");
    assert!(!demote.status.success());
    assert!(stderr(&demote).contains("last active admin"), "{}", stderr(&demote));
    let deactivate = inkwarden(&db, &["user", "deactivate", "ada"], "");
    assert!(!deactivate.status.success());
    assert!(create(&db, "bea", "admin").status.success());
    assert!(inkwarden(&db, &["user", "set-role", "ada", "editor"], "").status.success());
    assert!(inkwarden(&db, &["user", "deactivate", "ada"], "").status.success());
    assert_eq!(
        query_text(&db, "select role || is_active || session_epoch from users where username = 'ada'"),
        "editor01"
    );
}

#[test]
fn reset_password_replaces_the_hash_and_ends_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inkwarden.db");
    assert!(create(&db, "ann", "author").status.success());
    let before = query_text(&db, "select password_hash from users");
    let out = inkwarden(&db, &["user", "reset-password", "ann", "--password-stdin"], "a brand new passphrase\n");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ne!(query_text(&db, "select password_hash from users"), before);
    assert_eq!(query_text(&db, "select session_epoch from users"), "1");
}

/// One text value from the database file, read through sqlx on a private runtime.
fn query_text(db: &Path, sql: &str) -> String {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display())).await.unwrap();
        let value: String =
            sqlx::query_scalar(&format!("select cast(({sql}) as text)")).fetch_one(&pool).await.unwrap();
        value
    })
}

fn run(db_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_inkwarden"))
        .args(args)
        .env("DATABASE_URL", db_url)
        .env("RUST_LOG", "warn")
        .env_remove("INKWARDEN_PUBLIC_URL")
        .env_remove("INKWARDEN_INSECURE_COOKIES")
        .output()
        .expect("inkwarden binary")
}

#[test]
fn backup_writes_a_checked_copy_outside_the_served_folder() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inkwarden.db");
    assert!(create(&db, "ann", "editor").status.success());
    let url = format!("sqlite://{}", db.display());
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    let site_arg = site.to_str().unwrap();

    let copy = dir.path().join("backup.db");
    let out = run(&url, &["backup", copy.to_str().unwrap(), "--site-root", site_arg]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Integrity check: ok"), "{stdout}");
    let size = std::fs::metadata(&copy).unwrap().len();
    assert!(stdout.contains(&format!("({size} bytes)")), "{stdout}");
    assert_eq!(query_text(&copy, "select username || ' ' || role from users"), "ann editor");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777, 0o600);
    }

    // An existing file is never overwritten, and nothing goes where the server serves files.
    let again = run(&url, &["backup", copy.to_str().unwrap(), "--site-root", site_arg]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("already exists"), "{}", stderr(&again));
    let served = site.join("pkg/../pkg/inkwarden.db");
    let refused = run(&url, &["backup", served.to_str().unwrap(), "--site-root", site_arg]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("inside the site root"), "{}", stderr(&refused));
    assert!(!site.join("pkg/inkwarden.db").exists());

    // A missing database is reported, not created empty and copied.
    let missing = format!("sqlite://{}", dir.path().join("nope.db").display());
    let out = run(&missing, &["backup", dir.path().join("b2.db").to_str().unwrap(), "--site-root", site_arg]);
    assert!(!out.status.success());
    assert!(!dir.path().join("nope.db").exists() && !dir.path().join("b2.db").exists());

    // PostgreSQL is backed up with its own tool.
    let pg = run("postgres://inkwarden@127.0.0.1:1/inkwarden", &["backup", dir.path().join("b3.db").to_str().unwrap()]);
    assert!(!pg.status.success());
    assert!(stderr(&pg).contains("pg_dump"), "{}", stderr(&pg));
}

#[test]
fn serve_refuses_an_unsafe_or_unclear_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("data/inkwarden.db").display());
    let cases: [(&str, &[&str], &str); 6] = [
        (&url, &["serve", "--addr", "127.0.0.1:0"], "production mode needs --public-url https://"),
        (
            &url,
            &["serve", "--addr", "127.0.0.1:0", "--public-url", "http://blog.example.com"],
            "must start with https://",
        ),
        (
            &url,
            &["serve", "--addr", "127.0.0.1:0", "--public-url", "https://blog.example.com/admin"],
            "scheme and host only",
        ),
        (
            "mysql://root@localhost/blog",
            &["serve", "--addr", "127.0.0.1:0", "--insecure-cookies"],
            "DATABASE_URL must start with",
        ),
        ("data/inkwarden.db", &["migrate"], "DATABASE_URL must start with"),
        ("postgres://inkwarden:secret@127.0.0.1:1/inkwarden", &["migrate"], "cannot reach the PostgreSQL database"),
    ];
    for (db_url, args, message) in cases {
        let out = run(db_url, args);
        assert!(!out.status.success(), "{args:?} started");
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains(":secret@"), "a password is never echoed: {}", stderr(&out));
    }
    // Nothing was created on the way to refusing.
    assert!(!dir.path().join("data").exists());
    assert!(!Path::new("mysql:").exists());
}

#[test]
fn the_secret_key_file_is_created_owner_only_and_refused_in_production_when_others_can_read_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("inkwarden.db").display());
    let key = dir.path().join("keys/secret.key");
    // A first start creates the key (its folder too), readable by its owner only.
    {
        let _served = crate::helpers::Served::start(&url, &["--secret-key-file", key.to_str().unwrap()]);
        assert_eq!(std::fs::read(&key).unwrap().len(), 32);
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let args = ["serve", "--addr", "127.0.0.1:0", "--public-url", "https://blog.example.com", "--secret-key-file"];
    let out = run(&url, &[&args[..], &[key.to_str().unwrap()]].concat());
    assert!(!out.status.success(), "production mode started with a key others can read");
    assert!(stderr(&out).contains("can be read by others"), "{}", stderr(&out));
    std::fs::write(dir.path().join("short.key"), b"too short").unwrap();
    let short = dir.path().join("short.key");
    std::fs::set_permissions(&short, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = run(&url, &[&args[..], &[short.to_str().unwrap()]].concat());
    assert!(stderr(&out).contains("exactly 32 bytes"), "{}", stderr(&out));
}

#[test]
fn user_invite_prints_only_the_link_and_leaves_the_account_without_a_password() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inkwarden.db");
    let out = inkwarden(
        &db,
        &["user", "invite", "--username", "nia", "--role", "editor", "--public-url", "https://blog.example.com/"],
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("https://blog.example.com/admin/welcome?token="), "{stdout}");
    assert_eq!(stdout.lines().count(), 1, "a script can capture the link alone");
    assert_eq!(query_text(&db, "select role || ' ' || password_hash from users"), "editor !no-password");
    assert_eq!(query_text(&db, "select purpose from password_links"), "invite");
    let taken = inkwarden(&db, &["user", "invite", "--username", "nia", "--role", "author"], "");
    assert!(!taken.status.success());
    assert!(stderr(&taken).contains("already taken"), "{}", stderr(&taken));
}

#[test]
fn token_create_prints_only_the_secret_and_revoke_by_prefix_ends_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inkwarden.db");
    assert!(create(&db, "ada", "admin").status.success());
    let args =
        ["token", "create", "--name", "CI", "--scope", "posts:publish", "--scope", "posts:read", "--owner", "ada"];
    let out = inkwarden(&db, &args, "");
    assert!(out.status.success(), "{}", stderr(&out));
    let secret = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(secret.starts_with("iwk_") && secret.len() == 56 && !secret.contains('\n'), "{secret}");
    let prefix = &secret[4..12];
    assert_eq!(
        query_text(
            &db,
            "select scopes || ' ' || actor_label from api_tokens, audit_events where action = 'token.created'"
        ),
        "posts:read posts:publish cli"
    );
    let list = inkwarden(&db, &["token", "list"], "");
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(listed.contains(prefix) && !listed.contains(&secret[13..]), "{listed}");
    assert!(inkwarden(&db, &["token", "revoke", prefix], "").status.success());
    assert_eq!(query_text(&db, "select count(*) from api_tokens where revoked_at is not null"), "1");
    let bad = inkwarden(&db, &["token", "create", "--name", "X", "--scope", "posts:delete", "--owner", "ada"], "");
    assert!(!bad.status.success() && stderr(&bad).contains("unknown scope"), "{}", stderr(&bad));
    let nobody = inkwarden(&db, &["token", "create", "--name", "X", "--scope", "posts:read", "--owner", "ghost"], "");
    assert!(!nobody.status.success() && stderr(&nobody).contains("no user named"), "{}", stderr(&nobody));
}

/// A command's writes end up in the database file: on the way out it copies the write-ahead log
/// into the file and empties it, so the file alone (copied without its log) holds them.
#[test]
fn a_command_leaves_its_writes_in_the_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inkwarden.db");
    let out = inkwarden(&db, &["seed-demo", "--posts", "200", "--comments", "400"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let log = std::fs::metadata(dir.path().join("inkwarden.db-wal")).map_or(0, |m| m.len());
    assert_eq!(log, 0, "a write-ahead log of {log} bytes was left");
    let alone = dir.path().join("copy/inkwarden.db");
    std::fs::create_dir(alone.parent().unwrap()).unwrap();
    std::fs::copy(&db, &alone).unwrap();
    assert_eq!(query_text(&alone, "select count(*) from posts"), "200");
}
