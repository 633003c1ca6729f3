//! The first-admin setup link, against the real server.

use crate::helpers::*;
use app::{domain::Role, ssr::setup};

async fn create_admin(app: &TestApp, token: &str, username: &str) -> reqwest::Response {
    let form = [("token", token), ("username", username), ("password", PASSWORD), ("password_confirm", PASSWORD)];
    app.post(&app.client(), "/admin/api/setup/create-admin", &form).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_setup_link_creates_the_first_admin_once() {
    let app = TestApp::spawn().await;
    let token = setup::issue(&app.pool, 60).await.unwrap();
    let res = create_admin(&app, &token, "root").await;
    assert_eq!(res.status(), 200);
    assert!(session_cookie(&res).is_some(), "the new admin is signed in");
    assert_eq!(app.count("select count(*) from users where role = 'admin'").await, 1);
    assert_eq!(app.audit_count("setup.first_admin").await, 1);

    let again = create_admin(&app, &token, "mallory").await;
    assert_eq!(again.status(), 409);
    assert_eq!(app.count("select count(*) from users").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_or_expired_token_creates_nobody() {
    let app = TestApp::spawn().await;
    let token = setup::issue(&app.pool, 60).await.unwrap();
    sql!(app, |c| sqlx::query("update setup_tokens set expires_at = '2000-01-01T00:00:00.000Z'")
        .execute(c)
        .await
        .map(|d| d.rows_affected()))
    .unwrap();
    assert_eq!(create_admin(&app, &token, "root").await.status(), 409);
    assert_eq!(create_admin(&app, "guessed-token", "root").await.status(), 409);
    assert_eq!(app.count("select count(*) from users").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_token_is_useless_once_an_admin_exists() {
    let app = TestApp::spawn().await;
    let token = setup::issue(&app.pool, 60).await.unwrap();
    app.create_user("ada", Role::Admin).await;
    assert_eq!(create_admin(&app, &token, "mallory").await.status(), 409);
    assert_eq!(app.count("select count(*) from users where username = 'mallory'").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_weak_password_is_refused_with_field_errors_and_the_token_survives() {
    let app = TestApp::spawn().await;
    let token = setup::issue(&app.pool, 60).await.unwrap();
    let form = [("token", token.as_str()), ("username", "root"), ("password", "short"), ("password_confirm", "short")];
    let res = app.post(&app.client(), "/admin/api/setup/create-admin", &form).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("\"field\":\"password\""));
    assert_eq!(create_admin(&app, &token, "root").await.status(), 200);
}
