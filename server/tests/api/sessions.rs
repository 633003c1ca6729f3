//! Sessions: fixation, sign-out, deactivation, role and password changes, all against the real server.

use crate::helpers::*;
use app::{
    domain::Role,
    ssr::{db::Backend, users},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_id_changes_at_login() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Author).await;
    let client = app.client();
    let first = session_cookie(&app.login_response(&client, "ann", &ann.password).await).expect("cookie");
    // Signing in again from a browser that already holds a session must not keep its id.
    let second = session_cookie(&app.login_response(&client, "ann", &ann.password).await).expect("cookie");
    let first = first.split(';').next().unwrap().to_owned();
    assert_ne!(Some(first.as_str()), second.split(';').next());
    // And the old id opens nothing any more: its record went with the cycle.
    let replay = app.client().post(app.url("/admin/api/auth/me")).header("cookie", first).send().await.unwrap();
    assert_eq!(replay.status(), 401);
    assert_eq!(app.count(&format!("select count(*) from {}", session_table(&app))).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_planted_session_id_is_not_adopted() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Author).await;
    let res = app
        .client()
        .post(app.url("/admin/api/auth/login"))
        .header("cookie", "inkwarden_session=AAAAAAAAAAAAAAAAAAAAAA")
        .form(&[("username", "ann"), ("password", ann.password.as_str())])
        .send()
        .await
        .unwrap();
    let cookie = session_cookie(&res).expect("cookie");
    assert!(!cookie.contains("AAAAAAAAAAAAAAAAAAAAAA"), "{cookie}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_old_cookie_is_dead_after_logout() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Author).await;
    let client = app.client();
    let login = app.login_response(&client, "ann", &ann.password).await;
    let cookie = session_cookie(&login).unwrap().split(';').next().unwrap().to_owned();
    assert_eq!(app.post(&client, "/admin/api/auth/logout", &[]).await.status(), 200);
    let replay = app.client().post(app.url("/admin/api/auth/me")).header("cookie", cookie).send().await.unwrap();
    assert_eq!(replay.status(), 401);
    assert_eq!(app.count(&format!("select count(*) from {}", session_table(&app))).await, 0);
    assert_eq!(app.audit_count("auth.logout").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deactivated_users_live_session_is_refused_at_once() {
    let app = TestApp::spawn().await;
    let ed = app.create_user("ed", Role::Editor).await;
    let client = app.signed_in(&ed).await;
    assert_eq!(app.post(&client, "/admin/api/auth/me", &[]).await.status(), 200);
    users::deactivate(&mut app.pool.acquire().await.unwrap(), ed.id).await.unwrap();
    let page = client.get(app.url("/admin/posts")).send().await.unwrap();
    assert_eq!(page.status(), 302, "a page request is sent to sign in, whatever it accepts");
    assert_eq!(app.post(&client, "/admin/api/auth/me", &[]).await.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_change_applies_on_the_next_request() {
    let app = TestApp::spawn().await;
    let ed = app.create_user("ed", Role::Editor).await;
    let client = app.signed_in(&ed).await;
    assert_eq!(app.post(&client, "/admin/api/users/list", &[]).await.status(), 403);
    users::set_role(&mut app.pool.acquire().await.unwrap(), ed.id, Role::Admin).await.unwrap();
    assert_eq!(app.post(&client, "/admin/api/users/list", &[]).await.status(), 200);
    users::set_role(&mut app.pool.acquire().await.unwrap(), ed.id, Role::Author).await.unwrap();
    assert_eq!(app.post(&client, "/admin/api/users/list", &[]).await.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_ones_password_ends_the_other_sessions_but_not_this_one() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Author).await;
    let (laptop, phone) = (app.signed_in(&ann).await, app.signed_in(&ann).await);
    let new = "another long passphrase";
    let form = [("current_password", PASSWORD), ("new_password", new), ("confirm_password", new)];
    let res = app.post(&laptop, "/admin/api/profile/change-password", &form).await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.post(&laptop, "/admin/api/auth/me", &[]).await.status(), 200);
    assert_eq!(app.post(&phone, "/admin/api/auth/me", &[]).await.status(), 401);
    assert_eq!(app.login_response(&app.client(), "ann", PASSWORD).await.status(), 401);
    assert_eq!(app.login_response(&app.client(), "ann", new).await.status(), 200);
    assert_eq!(app.audit_count("user.password_changed").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_current_password_changes_nothing() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Author).await;
    let client = app.signed_in(&ann).await;
    let before = app.users_fingerprint().await;
    let new = "another long passphrase";
    let form = [("current_password", "not my password"), ("new_password", new), ("confirm_password", new)];
    let res = app.post(&client, "/admin/api/profile/change-password", &form).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("current_password"));
    assert_eq!(app.users_fingerprint().await, before);
    assert_eq!(app.audit_count("user.password_changed").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_in_flight_that_saves_the_session_after_sign_out_cannot_bring_it_back() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Author).await;
    let client = app.client();
    let login = app.login_response(&client, "ann", &ann.password).await;
    let cookie = session_cookie(&login).unwrap().split(';').next().unwrap().to_owned();
    // What a request that loaded the session before sign-out holds, and writes back (upsert)
    // when it finishes after it: the actor refresh rewrites the record every minute.
    let table = session_table(&app);
    let saved = format!("select id, data, cast(expiry_date as text) from {table}");
    let in_flight: (String, Vec<u8>, String) = sql!(app, |c| sqlx::query_as(&saved).fetch_one(c).await).unwrap();
    assert_eq!(app.post(&client, "/admin/api/auth/logout", &[]).await.status(), 200);
    let expiry = match app.pool.backend() {
        Backend::Sqlite => "cast($3 as integer)",
        Backend::Postgres => "cast($3 as timestamptz)",
    };
    let upsert = format!(
        "insert into {table} (id, data, expiry_date) values ($1, $2, {expiry})
         on conflict (id) do update set data = excluded.data, expiry_date = excluded.expiry_date"
    );
    sql!(app, |c| sqlx::query(&upsert)
        .bind(&in_flight.0)
        .bind(&in_flight.1)
        .bind(in_flight.2)
        .execute(c)
        .await
        .map(|d| d.rows_affected()))
    .unwrap();
    let replay = app.client().post(app.url("/admin/api/auth/me")).header("cookie", cookie).send().await.unwrap();
    assert_eq!(replay.status(), 401, "sign-out is final");
    assert_eq!(app.count("select count(*) from staff_sessions").await, 0);
}

/// The session store's table on the test app's backend.
fn session_table(app: &TestApp) -> &'static str {
    match app.pool.backend() {
        Backend::Sqlite => "tower_sessions",
        Backend::Postgres => "tower_sessions.session",
    }
}

async fn sessions_of(app: &TestApp, client: &reqwest::Client) -> Vec<serde_json::Value> {
    let res = app.post(client, "/admin/api/profile/sessions/list", &[]).await;
    assert_eq!(res.status(), 200);
    res.json::<serde_json::Value>().await.unwrap().as_array().unwrap().clone()
}

/// A client that signs in with this browser's `User-Agent`.
async fn browser(app: &TestApp, user: &TestUser, agent: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .user_agent(agent)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = app.login_response(&client, &user.username, &user.password).await;
    assert_eq!(res.status(), 200);
    client
}

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_sees_their_sessions_and_ends_one_which_signs_that_browser_out() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Author).await;
    let laptop = browser(&app, &ann, FIREFOX).await;
    let office = browser(&app, &ann, CHROME).await;
    let bob = app.create_user("bob", Role::Author).await;
    let bobs = browser(&app, &bob, FIREFOX).await;

    let listed = sessions_of(&app, &laptop).await;
    assert_eq!(listed.len(), 2, "only ann's own sessions: {listed:?}");
    let this: Vec<_> = listed.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(this.len(), 1);
    assert_eq!(this[0]["device"], "Firefox on Linux");
    assert_eq!(this[0]["ip"], "127.0.0.1");
    let other = listed.iter().find(|s| s["current"] == false).unwrap();
    assert_eq!(other["device"], "Chrome on Windows");
    let handle = other["handle"].as_str().unwrap().to_owned();
    let cookies: Vec<String> = app.texts("select token from staff_sessions").await;
    assert!(cookies.iter().all(|t| !t.contains(&handle) && !handle.contains(t.as_str())), "the handle is not a secret");

    // Bob cannot end ann's session with its handle: it is not one of his.
    let res = app.post(&bobs, "/admin/api/profile/sessions/end", &[("id", &handle)]).await;
    assert_eq!(res.status(), 404);
    assert_eq!(app.post(&office, "/admin/api/auth/me", &[]).await.status(), 200);

    assert_eq!(app.post(&laptop, "/admin/api/profile/sessions/end", &[("id", &handle)]).await.status(), 200);
    assert_eq!(app.post(&office, "/admin/api/auth/me", &[]).await.status(), 401, "that browser is signed out");
    assert_eq!(app.post(&laptop, "/admin/api/auth/me", &[]).await.status(), 200, "this one is not");
    assert_eq!(app.audit_count("user.sessions_ended").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ending_the_other_sessions_keeps_this_one_and_an_admin_can_end_all_of_a_users() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Editor).await;
    let (one, two, three) =
        (browser(&app, &ann, FIREFOX).await, browser(&app, &ann, CHROME).await, browser(&app, &ann, CHROME).await);
    let res = app.post(&one, "/admin/api/profile/sessions/end-others", &[]).await;
    assert_eq!(res.text().await.unwrap(), "2");
    assert_eq!(
        (
            app.post(&one, "/admin/api/auth/me", &[]).await.status().as_u16(),
            app.post(&two, "/admin/api/auth/me", &[]).await.status().as_u16(),
            app.post(&three, "/admin/api/auth/me", &[]).await.status().as_u16()
        ),
        (200, 401, 401)
    );

    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    let res = app.post(&one, "/admin/api/users/end-sessions", &[("id", &ada.id.0.to_string())]).await;
    assert_eq!(res.status(), 403, "an editor cannot end other people's sessions");
    let res = app.post(&admin, "/admin/api/users/end-sessions", &[("id", &ann.id.0.to_string())]).await;
    assert_eq!((res.status().as_u16(), res.text().await.unwrap()), (200, "1".to_owned()));
    assert_eq!(app.post(&one, "/admin/api/auth/me", &[]).await.status(), 401);
    assert_eq!(app.post(&admin, "/admin/api/users/end-sessions", &[("id", "999999")]).await.status(), 404);
}
