//! API token management: created, listed, revoked and rotated by admins and the CLI; a secret
//! is shown once and only its digest is stored.

use crate::helpers::*;
use app::domain::Role;

async fn create(app: &TestApp, admin: &reqwest::Client, form: &[(&str, &str)]) -> reqwest::Response {
    app.post(admin, "/admin/api/tokens/create", form).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_secret_is_shown_once_and_never_stored_in_clear() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    let res = create(
        &app,
        &admin,
        &[("name", "CI publisher"), ("scopes[]", "posts:publish"), ("scopes[]", "posts:read"), ("expires_in", "30")],
    )
    .await;
    assert_eq!(res.status(), 200);
    let issued: serde_json::Value = res.json().await.unwrap();
    let secret = issued["secret"].as_str().unwrap().to_owned();
    let prefix = issued["token"]["prefix"].as_str().unwrap().to_owned();
    assert!(secret.starts_with(&format!("iwk_{prefix}_")) && secret.len() == 56, "{secret}");
    assert_eq!(issued["token"]["scopes"], serde_json::json!(["posts:read", "posts:publish"]));
    assert_eq!(issued["token"]["owner"], "ada");
    assert!(issued["token"]["expires_at"].is_string());

    let list = app.post(&admin, "/admin/api/tokens/list", &[]).await.text().await.unwrap();
    assert!(list.contains(&prefix) && !list.contains(&secret[13..]), "the list never carries a secret");
    let stored = app.texts("select name || ' ' || prefix || ' ' || scopes from api_tokens").await;
    assert_eq!(stored, [format!("CI publisher {prefix} posts:read posts:publish")]);
    let dump = app
        .count(&format!(
            "select count(*) from api_tokens where name like '%{0}%' or prefix like '%{0}%' or scopes like '%{0}%'",
            &secret[13..]
        ))
        .await;
    assert_eq!(dump, 0, "no column holds the secret");
    let audit = app.texts("select details from audit_events where action = 'token.created'").await;
    assert!(audit.len() == 1 && !audit[0].contains(&secret[13..]), "{audit:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_token_forms_are_refused_on_their_fields_and_create_nothing() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    let long = "x".repeat(81);
    for (form, field) in [
        (vec![("name", ""), ("scopes[]", "posts:read")], "name"),
        (vec![("name", long.as_str()), ("scopes[]", "posts:read")], "name"),
        (vec![("name", "No scope")], "scopes"),
        (vec![("name", "Bad scope"), ("scopes[]", "posts:delete")], "scopes"),
        (vec![("name", "Forever+"), ("scopes[]", "posts:read"), ("expires_in", "0")], "expires_in"),
        (vec![("name", "Forever+"), ("scopes[]", "posts:read"), ("expires_in", "soon")], "expires_in"),
    ] {
        let res = create(&app, &admin, &form).await;
        assert_eq!(res.status(), 422, "{form:?}");
        assert!(res.text().await.unwrap().contains(&format!(r#""field":"{field}""#)), "{form:?}");
    }
    assert_eq!(app.count("select count(*) from api_tokens").await, 0);
    let ed = app.create_user("ed", Role::Editor).await;
    let editor = app.signed_in(&ed).await;
    assert_eq!(create(&app, &editor, &[("name", "Mine"), ("scopes[]", "posts:read")]).await.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_and_rotating_are_audited_and_a_revoked_token_cannot_be_rotated() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    let issued: serde_json::Value =
        create(&app, &admin, &[("name", "Bot"), ("scopes[]", "posts:read")]).await.json().await.unwrap();
    let id = issued["token"]["id"].as_i64().unwrap().to_string();
    let rotated: serde_json::Value =
        app.post(&admin, "/admin/api/tokens/rotate", &[("id", &id)]).await.json().await.unwrap();
    assert_ne!(rotated["secret"], issued["secret"]);
    assert_eq!(rotated["token"]["name"], "Bot");
    assert_eq!(app.post(&admin, "/admin/api/tokens/revoke", &[("id", &id)]).await.status(), 200);
    assert_eq!(app.post(&admin, "/admin/api/tokens/revoke", &[("id", &id)]).await.status(), 200, "idempotent");
    assert_eq!(app.post(&admin, "/admin/api/tokens/rotate", &[("id", &id)]).await.status(), 404);
    assert_eq!(app.post(&admin, "/admin/api/tokens/revoke", &[("id", "999999")]).await.status(), 404);
    for (action, n) in [("token.created", 1), ("token.rotated", 1), ("token.revoked", 1)] {
        assert_eq!(app.audit_count(action).await, n, "{action}");
    }
}
