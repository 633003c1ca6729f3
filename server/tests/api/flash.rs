//! What a plain form's POST did shows on the page it returns to, once: the dashboard's pages are
//! server-rendered, so without JavaScript (and with it, for most forms) this is how a change
//! reports back. A secret in it is sealed while it waits in the session store.

use crate::helpers::*;
use app::{domain::Role, ssr::db::Backend};

/// POST `form` to `path` as a browser's plain form does, from the page `from`.
async fn submit(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    from: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(app.url(path))
        .header("accept", "text/html")
        .header("referer", app.url(from))
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    client.get(app.url(path)).header("accept", "text/html").send().await.unwrap().text().await.unwrap()
}

/// Every session record as the store keeps it (its table differs by backend).
async fn sessions_blob(app: &TestApp) -> String {
    let table = match app.pool.backend() {
        Backend::Sqlite => "tower_sessions",
        Backend::Postgres => "tower_sessions.session",
    };
    let sql = format!("select data from {table}");
    let rows: Vec<Vec<u8>> = sql!(app, |c| sqlx::query_scalar(&sql).fetch_all(c).await).unwrap();
    rows.iter().map(|r| String::from_utf8_lossy(r).into_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_created_token_shows_its_secret_on_the_next_page_once_and_never_waits_in_clear() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    let res = submit(
        &app,
        &admin,
        "/admin/api/tokens/create",
        "/admin/tokens",
        &[("name", "Deploys"), ("scopes[]", "posts:read")],
    )
    .await;
    assert_eq!(res.status(), 302);
    let back = res.headers()["location"].to_str().unwrap().trim_end_matches('?').to_owned();
    assert_eq!(back, app.url("/admin/tokens"), "back to the page the form was on");
    // Between the POST and the page, the session store has the message but not the secret.
    let stored = sessions_blob(&app).await;
    assert!(stored.contains("Token created: Deploys"), "the flash waits in the session");
    assert!(!stored.contains("iwk_"), "a token secret waits sealed, never in clear");

    let html = page(&app, &admin, "/admin/tokens").await;
    assert!(html.contains("Token created: Deploys"), "the flash shows on the page the form returns to");
    let prefix: String = sql!(app, |c| sqlx::query_scalar("select prefix from api_tokens").fetch_one(c).await).unwrap();
    assert!(html.contains(&format!("value=\"iwk_{prefix}_")), "the secret shows once, in its field");

    let again = page(&app, &admin, "/admin/tokens").await;
    assert!(!again.contains("Token created") && !again.contains(&format!("value=\"iwk_{prefix}_")), "and only once");
    assert!(!sessions_blob(&app).await.contains("Token created"), "gone from the session too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_name_in_a_flash_stays_text() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    let name = "</title><script>alert(1)</script><img src=x onerror=alert(2)>";
    let res = submit(
        &app,
        &admin,
        "/admin/api/tokens/create",
        "/admin/tokens",
        &[("name", name), ("scopes[]", "posts:read")],
    )
    .await;
    assert_eq!(res.status(), 302);
    let html = page(&app, &admin, "/admin/tokens").await;
    assert!(
        html.contains("Token created: &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"),
        "escaped in the flash"
    );
    assert!(!html.contains("<script>alert(1)") && !html.contains("<img src=x"), "nothing hostile runs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_form_comes_back_with_its_error_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    // Demoting the only admin is refused (409): the page it returns to says why.
    let id = ada.id.0.to_string();
    let res =
        submit(&app, &admin, "/admin/api/users/set-role", "/admin/users", &[("id", &id), ("role", "author")]).await;
    assert_eq!(res.status(), 302);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("__err="), "{location}");
    let html = page(&app, &admin, location.trim_start_matches(&app.url(""))).await;
    assert!(html.contains("notice-error"), "the error shows on the page");
    assert!(!html.contains("Role changed"), "no success message");
    assert_eq!(app.count("select count(*) from users where role = 'admin'").await, 1);
}

/// When the session record would expire, as text (it moves only when the record is written).
async fn session_expiry(app: &TestApp) -> String {
    let table = match app.pool.backend() {
        Backend::Sqlite => "tower_sessions",
        Backend::Postgres => "tower_sessions.session",
    };
    let sql = format!("select cast(expiry_date as text) from {table}");
    sql!(app, |c| sqlx::query_scalar(&sql).fetch_one(c).await).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_with_no_message_waiting_leaves_the_session_record_unwritten() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Editor).await;
    let editor = app.signed_in(&ada).await;
    assert!(page(&app, &editor, "/admin/posts").await.contains("<h1>Posts</h1>"));
    let before = session_expiry(&app).await;
    // Any write would move the expiry on by at least this second.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    for path in ["/admin/posts", "/admin/comments", "/admin"] {
        page(&app, &editor, path).await;
    }
    assert_eq!(session_expiry(&app).await, before, "reading pages writes nothing to the session store");
}
