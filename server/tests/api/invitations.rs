//! Invitations and password resets: one-time links with which a staff member chooses their own
//! password. The admin never types or sees one.

use crate::helpers::*;
use app::{domain::Role, ssr::ServerConfig};

/// The token of a link like `…/admin/welcome?token=T`.
fn token_of(url: &str) -> String {
    url.split_once("/admin/welcome?token=").map(|(_, t)| t.to_owned()).expect("a welcome link")
}

async fn invite(app: &TestApp, admin: &reqwest::Client, username: &str, role: &str) -> serde_json::Value {
    let res = app.post(admin, "/admin/api/users/create", &[("username", username), ("role", role)]).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn choose(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    app.post(
        &app.client(),
        "/admin/api/welcome/choose-password",
        &[("token", token), ("password", password), ("password_confirm", password)],
    )
    .await
}

async fn page(app: &TestApp, token: &str) -> (u16, String) {
    let res = app.client().get(app.url(&format!("/admin/welcome?token={token}"))).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_link_sets_the_password_once_and_then_says_it_is_used() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    let link = invite(&app, &admin, "Nia", "editor").await;
    let url = link["url"].as_str().unwrap();
    assert!(url.starts_with(&app.url("/admin/welcome?token=")), "absolute, from the request's origin: {url}");
    assert_eq!(link["username"], "nia");
    let token = token_of(url);
    assert_eq!(app.count("select count(*) from password_links where token_hash is not null").await, 1);
    assert!(app.texts("select password_hash from users where username = 'nia'").await[0].starts_with('!'));
    assert_eq!(app.login_response(&app.client(), "nia", "").await.status(), 422);
    assert_eq!(app.login_response(&app.client(), "nia", "!no-password").await.status(), 401);

    let (status, html) = page(&app, &token).await;
    assert_eq!(status, 200);
    assert!(html.contains("Welcome to Inkwarden") && html.contains("nia"), "{html}");
    let weak = choose(&app, &token, "short").await;
    assert_eq!(weak.status(), 422, "the password rules hold; the link stays usable");
    assert_eq!(choose(&app, &token, "a good long passphrase").await.status(), 200);
    assert_eq!(app.login_response(&app.client(), "nia", "a good long passphrase").await.status(), 200);

    let again = choose(&app, &token, "another long passphrase").await;
    assert_eq!(again.status(), 410);
    assert!(again.text().await.unwrap().contains("already been used"));
    let (status, html) = page(&app, &token).await;
    assert_eq!(status, 410);
    assert!(html.contains("already been used"), "{html}");
    assert_eq!(app.login_response(&app.client(), "nia", "a good long passphrase").await.status(), 200);
    assert_eq!(app.audit_count("user.created").await, 1);
    assert_eq!(app.audit_count("user.invitation_accepted").await, 1);
    let details = app.texts("select details from audit_events where action = 'user.created'").await;
    assert!(details[0].contains(r#""after":{"active":true,"role":"editor"}"#), "{details:?}");
    assert!(!details[0].contains(&token), "the token never reaches the log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_or_unknown_link_changes_nothing() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    let token = token_of(invite(&app, &admin, "nia", "author").await["url"].as_str().unwrap());
    let past = app::ssr::db::Stamp::from_now(-1);
    sql!(app, |c| sqlx::query("update password_links set expires_at = $1").bind(past).execute(c).await.map(drop))
        .unwrap();
    let before = app.users_fingerprint().await;
    assert_eq!(page(&app, &token).await.0, 410);
    assert_eq!(choose(&app, &token, "a good long passphrase").await.status(), 410);
    assert_eq!(page(&app, "no-such-token").await.0, 404);
    assert_eq!(choose(&app, "no-such-token", "a good long passphrase").await.status(), 404);
    assert_eq!(choose(&app, &"x".repeat(5000), "a good long passphrase").await.status(), 404);
    assert_eq!(app.users_fingerprint().await, before);
    assert_eq!(app.audit_count("user.invitation_accepted").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_or_malformed_username_is_refused_on_its_field() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    for (name, says) in [("ada", "already taken"), ("a", "3 to 32"), ("<img src=x>", "lowercase letters")] {
        let res = app.post(&admin, "/admin/api/users/create", &[("username", name), ("role", "author")]).await;
        assert_eq!(res.status(), 422, "{name}");
        assert!(res.text().await.unwrap().contains(says), "{name}");
    }
    let res = app.post(&admin, "/admin/api/users/create", &[("username", "nia"), ("role", "owner")]).await;
    assert_eq!(res.status(), 400);
    assert_eq!(app.count("select count(*) from users").await, 1);
    assert_eq!(app.count("select count(*) from password_links").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_use_the_public_url_when_one_is_configured() {
    let server = ServerConfig {
        insecure_cookies: true,
        public_url: Some("https://blog.example.com".into()),
        ..ServerConfig::default()
    };
    let app = TestApp::spawn_server(server, vec![]).await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    let link = invite(&app, &admin, "nia", "author").await;
    assert!(link["url"].as_str().unwrap().starts_with("https://blog.example.com/admin/welcome?token="), "{link}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_reset_kills_the_old_password_and_the_sessions_and_hands_out_a_link() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    let ann = app.create_user("ann", Role::Author).await;
    let author = app.signed_in(&ann).await;
    let id = ann.id.0.to_string();

    let res = app.post(&author, "/admin/api/users/reset-password", &[("id", &ada.id.0.to_string())]).await;
    assert_eq!(res.status(), 403, "authors reset nobody");
    let before = app.users_fingerprint().await;
    let res = app.post(&admin, "/admin/api/users/reset-password", &[("id", &ada.id.0.to_string())]).await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("profile page"));
    assert_eq!(app.users_fingerprint().await, before, "refusals change nothing");

    let res = app.post(&admin, "/admin/api/users/reset-password", &[("id", &id)]).await;
    assert_eq!(res.status(), 200);
    let link: serde_json::Value = res.json().await.unwrap();
    assert_eq!(app.post(&author, "/admin/api/auth/me", &[]).await.status(), 401, "signed out at once");
    assert_eq!(app.login_response(&app.client(), "ann", &ann.password).await.status(), 401, "old password dead");
    let token = token_of(link["url"].as_str().unwrap());
    let (status, html) = page(&app, &token).await;
    assert_eq!(status, 200);
    assert!(html.contains("Choose a new password"), "{html}");

    // A second reset replaces the first link.
    let second: serde_json::Value =
        app.post(&admin, "/admin/api/users/reset-password", &[("id", &id)]).await.json().await.unwrap();
    assert_eq!(choose(&app, &token, "a fresh long passphrase").await.status(), 410);
    assert_eq!(choose(&app, &token_of(second["url"].as_str().unwrap()), "a fresh long passphrase").await.status(), 200);
    assert_eq!(app.login_response(&app.client(), "ann", "a fresh long passphrase").await.status(), 200);
    assert_eq!(app.audit_count("user.password_reset").await, 2);
    assert_eq!(app.audit_count("user.password_changed").await, 1);
    assert_eq!(app.post(&admin, "/admin/api/users/reset-password", &[("id", "999999")]).await.status(), 404);
}
