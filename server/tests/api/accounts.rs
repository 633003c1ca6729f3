//! Staff account changes from the dashboard: roles, deactivation and reactivation, with the
//! guard rails the CLI has too.

use crate::helpers::*;
use app::domain::Role;

async fn role_of(app: &TestApp, client: &reqwest::Client) -> Option<String> {
    let res = app.post(client, "/admin/api/auth/me", &[]).await;
    let me: serde_json::Value = res.json().await.ok()?;
    me["role"].as_str().map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_changes_a_role_and_it_applies_at_the_next_request_with_before_and_after_audited() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    let ed = app.create_user("ed", Role::Editor).await;
    let editor = app.signed_in(&ed).await;
    let id = ed.id.0.to_string();
    assert_eq!(app.post(&editor, "/admin/api/users/set-role", &[("id", &id), ("role", "admin")]).await.status(), 403);
    assert_eq!(app.post(&admin, "/admin/api/users/set-role", &[("id", &id), ("role", "author")]).await.status(), 200);
    assert_eq!(role_of(&app, &editor).await.as_deref(), Some("author"), "the next request sees the new role");
    assert_eq!(app.post(&editor, "/admin/api/comments/list", &[]).await.status(), 403);
    let details: String =
        sql!(app, |c| sqlx::query_scalar("select details from audit_events where action = 'user.role_changed'")
            .fetch_one(c)
            .await)
        .unwrap();
    assert!(
        details.contains(r#""before":{"role":"editor"}"#) && details.contains(r#""after":{"role":"author"}"#),
        "{details}"
    );
    let res = app.post(&admin, "/admin/api/users/set-role", &[("id", &id), ("role", "root")]).await;
    assert_eq!(res.status(), 400, "an unknown role is refused");
    assert_eq!(
        app.post(&admin, "/admin/api/users/set-role", &[("id", "999999"), ("role", "author")]).await.status(),
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_changes_their_own_role_or_status_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    app.create_user("bea", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    let before = app.users_fingerprint().await;
    let me = ada.id.0.to_string();
    let res = app.post(&admin, "/admin/api/users/set-role", &[("id", &me), ("role", "editor")]).await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("You cannot change your own role"));
    let res = app.post(&admin, "/admin/api/users/deactivate", &[("id", &me)]).await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("You cannot deactivate your own account"));
    assert_eq!(app.users_fingerprint().await, before);
    assert_eq!(app.audit_count("user.role_changed").await + app.audit_count("user.deactivated").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deactivation_signs_the_user_out_at_once_and_reactivation_lets_them_back() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    let ann = app.create_user("ann", Role::Author).await;
    let author = app.signed_in(&ann).await;
    let id = ann.id.0.to_string();
    assert_eq!(app.post(&admin, "/admin/api/users/deactivate", &[("id", &id)]).await.status(), 200);
    assert_eq!(app.post(&author, "/admin/api/auth/me", &[]).await.status(), 401, "signed out at once");
    assert_eq!(app.login_response(&app.client(), "ann", &ann.password).await.status(), 401);
    assert_eq!(
        app.count("select count(*) from staff_sessions where user_id = (select id from users where username = 'ann')")
            .await,
        0
    );
    assert_eq!(app.post(&admin, "/admin/api/users/reactivate", &[("id", &id)]).await.status(), 200);
    assert_eq!(app.audit_count("user.reactivated").await, 1);
    assert_eq!(app.login_response(&app.client(), "ann", &ann.password).await.status(), 200);
}

async fn usernames(app: &TestApp, admin: &reqwest::Client, form: &[(&str, &str)]) -> (Vec<String>, i64) {
    let res = app.post(admin, "/admin/api/users/list", form).await;
    assert_eq!(res.status(), 200, "{form:?}");
    let page: serde_json::Value = res.json().await.unwrap();
    let names = page["rows"].as_array().unwrap().iter().map(|r| r["username"].as_str().unwrap().to_owned()).collect();
    (names, page["total"].as_i64().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_staff_list_searches_filters_sorts_and_pages_with_lockouts_and_two_factor_shown() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    for (name, role) in [("bob_e", Role::Editor), ("bobby", Role::Author), ("cy", Role::Author), ("dee", Role::Editor)]
    {
        app.create_user(name, role).await;
    }
    sql!(app, |c| sqlx::query("update users set is_active = false where username = 'dee'").execute(c).await.map(drop))
        .unwrap();
    let n = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(usernames(&app, &admin, &[]).await, (n(&["ada", "bob_e", "bobby", "cy", "dee"]), 5));
    assert_eq!(usernames(&app, &admin, &[("q", "BOB")]).await.0, n(&["bob_e", "bobby"]));
    assert_eq!(usernames(&app, &admin, &[("q", "b_")]).await.0, n(&["bob_e"]), "`_` is searched literally");
    assert_eq!(usernames(&app, &admin, &[("q", "%")]).await.0, n(&[]));
    assert_eq!(usernames(&app, &admin, &[("role", "editor")]).await.0, n(&["bob_e", "dee"]));
    assert_eq!(usernames(&app, &admin, &[("status", "deactivated")]).await.0, n(&["dee"]));
    assert_eq!(usernames(&app, &admin, &[("role", "editor"), ("status", "active")]).await.0, n(&["bob_e"]));
    let sorted = usernames(&app, &admin, &[("sort", "role"), ("dir", "desc")]).await.0;
    assert_eq!(sorted, n(&["ada", "dee", "bob_e", "cy", "bobby"]), "by reach: admins first when descending");
    assert_eq!(usernames(&app, &admin, &[("sort", "username"), ("dir", "desc")]).await.0[0], "dee");
    let last_login = usernames(&app, &admin, &[("sort", "last_login"), ("dir", "desc")]).await.0;
    assert_eq!(last_login[0], "ada", "the only one who signed in comes first");
    let (page2, total) = usernames(&app, &admin, &[("per_page", "25"), ("page", "2")]).await;
    assert_eq!((page2.len(), total), (0, 5));
    assert_eq!(app.post(&admin, "/admin/api/users/list", &[("role", "owner")]).await.status(), 400);

    for _ in 0..5 {
        app.login_response(&app.client(), "cy", "wrong password!").await;
    }
    let res = app.post(&admin, "/admin/api/users/list", &[("q", "cy")]).await;
    let page: serde_json::Value = res.json().await.unwrap();
    assert!(page["rows"][0]["locked_until"].is_string(), "the lockout shows: {page}");
    assert_eq!(page["rows"][0]["two_factor"], false);
}
