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
