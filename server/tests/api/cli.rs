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
        let pool = server::startup::connect(&format!("sqlite://{}", db.display())).await.unwrap();
        let value: String =
            sqlx::query_scalar(&format!("select cast(({sql}) as text)")).fetch_one(&pool).await.unwrap();
        value
    })
}
