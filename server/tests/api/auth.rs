//! Signing in and the 401 / 403 / redirect answers, against the real server. (That an unknown
//! username and a wrong password are answered alike, after the same hashing, is shown in `flood`,
//! against a server process of its own.)

use crate::helpers::*;
use app::domain::Role;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_with_the_right_password_starts_a_session_and_goes_to_a_safe_next() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Editor).await;
    let client = app.client();
    let res = app
        .post(
            &client,
            "/admin/api/auth/login",
            &[("username", "ann"), ("password", &ann.password), ("next", "/admin/profile")],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["location"], "/admin/profile");
    let me = app.post(&client, "/admin/api/auth/me", &[]).await;
    assert_eq!(me.status(), 200);
    assert!(me.text().await.unwrap().contains("\"username\":\"ann\""));
    assert_eq!(app.audit_count("auth.login").await, 1);
    assert_eq!(app.count("select count(*) from users where last_login_at is not null").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_next_pointing_off_site_lands_on_the_dashboard() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Author).await;
    let client = app.client();
    let form = [("username", "ann"), ("password", ann.password.as_str()), ("next", "//evil.example/admin")];
    let res = app.post(&client, "/admin/api/auth/login", &form).await;
    assert_eq!(res.headers()["location"], "/admin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deactivated_user_cannot_sign_in_even_with_the_right_password() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Editor).await;
    sql!(app, |c| sqlx::query("update users set is_active = false").execute(c).await.map(|d| d.rows_affected()))
        .unwrap();
    let res = app.login_response(&app.client(), "ann", &ann.password).await;
    assert_eq!(res.status(), 401);
    assert!(session_cookie(&res).is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outdated_password_hash_is_upgraded_at_login() {
    use argon2::{password_hash::PasswordHasher, Algorithm, Argon2, Params, Version};
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Author).await;
    let weak = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8192, 1, 1, None).unwrap())
        .hash_password(ann.password.as_bytes())
        .unwrap()
        .to_string();
    sql!(app, |c| sqlx::query("update users set password_hash = $1")
        .bind(&weak)
        .execute(c)
        .await
        .map(|d| d.rows_affected()))
    .unwrap();
    app.signed_in(&ann).await;
    let stored: String =
        sql!(app, |c| sqlx::query_scalar("select password_hash from users").fetch_one(c).await).unwrap();
    assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=4$"), "{stored}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anonymous_server_function_call_is_401() {
    let app = TestApp::spawn().await;
    let res = app.post(&app.client(), "/admin/api/users/list", &[]).await;
    assert_eq!(res.status(), 401);
    assert_eq!(res.text().await.unwrap(), "\"Unauthenticated\"");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_author_calling_an_admin_function_gets_403_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let author = app.create_user("ann", Role::Author).await;
    let client = app.signed_in(&author).await;
    let before = (app.users_fingerprint().await, app.count("select count(*) from audit_events").await);
    for path in ["/admin/api/users/list", "/admin/api/audit/list"] {
        let res = app.post(&client, path, &[]).await;
        assert_eq!(res.status(), 403, "{path}");
    }
    let after = (app.users_fingerprint().await, app.count("select count(*) from audit_events").await);
    assert_eq!(before, after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_page_requests_redirect_to_login_keeping_the_wanted_path() {
    let app = TestApp::spawn().await;
    let res = app.client().get(app.url("/admin/users?page=2")).header("accept", "text/html").send().await.unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/admin/login?next=%2Fadmin%2Fusers%3Fpage%3D2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_the_role_may_not_open_answers_403_with_a_clear_page() {
    let app = TestApp::spawn().await;
    let author = app.create_user("ann", Role::Author).await;
    let client = app.signed_in(&author).await;
    let res = client.get(app.url("/admin/users")).header("accept", "text/html").send().await.unwrap();
    assert_eq!(res.status(), 403);
    let html = res.text().await.unwrap();
    assert!(html.contains("Access denied"));
    assert!(!html.contains("Staff accounts"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn navigation_shows_each_role_only_its_sections() {
    let app = TestApp::spawn().await;
    for (name, role, sees_admin_links) in
        [("ann", Role::Author, false), ("ed", Role::Editor, false), ("ada", Role::Admin, true)]
    {
        let user = app.create_user(name, role).await;
        let client = app.signed_in(&user).await;
        let html =
            client.get(app.url("/admin")).header("accept", "text/html").send().await.unwrap().text().await.unwrap();
        assert_eq!(html.contains("href=\"/admin/users\""), sees_admin_links, "{name}");
        assert_eq!(html.contains("href=\"/admin/audit\""), sees_admin_links, "{name}");
    }
}
