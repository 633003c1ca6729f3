//! The REST API under /api/v1/: bearer tokens only, one scope per endpoint, the dashboard's
//! rules and audit, RFC 6750 challenges and RFC 9457 problems.

use crate::helpers::*;
use app::{domain::Role, ssr::ServerConfig};
use serde_json::{json, Value};

async fn token(app: &TestApp, admin: &reqwest::Client, scopes: &[&str]) -> (String, String) {
    let mut form = vec![("name", "Script")];
    form.extend(scopes.iter().map(|s| ("scopes[]", *s)));
    let res = app.post(admin, "/admin/api/tokens/create", &form).await;
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    (v["secret"].as_str().unwrap().to_owned(), v["token"]["id"].as_i64().unwrap().to_string())
}

fn api(app: &TestApp, method: reqwest::Method, path: &str, secret: Option<&str>) -> reqwest::RequestBuilder {
    let req = app.client().request(method, app.url(path));
    match secret {
        Some(s) => req.bearer_auth(s),
        None => req,
    }
}

/// Backdate a token's expiry, so that it has just expired.
async fn expire(app: &TestApp, id: &str) {
    sql!(app, |c| sqlx::query("update api_tokens set expires_at = $1 where id = $2")
        .bind(app::ssr::db::Stamp::from_now(-1))
        .bind(id.parse::<i64>().unwrap())
        .execute(c)
        .await
        .map(drop))
    .unwrap();
}

async fn status_of(req: reqwest::RequestBuilder) -> (u16, String, Value) {
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let challenge = res.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let body = res.json().await.unwrap_or(Value::Null);
    (status, challenge, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_creates_and_publishes_a_post_audited_as_the_token() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    let (secret, id) = token(&app, &admin, &["posts:write", "posts:publish", "posts:read"]).await;
    let res = api(&app, reqwest::Method::POST, "/api/v1/posts", Some(&secret))
        .json(&json!({ "title": "From CI", "body": "Built **automatically**." }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let post: Value = res.json().await.unwrap();
    assert_eq!((post["status"].as_str(), post["author"].as_str()), (Some("draft"), Some("ada")));
    assert_eq!(location, format!("/api/v1/posts/{}", post["id"]));
    let (status, _, published) =
        status_of(api(&app, reqwest::Method::POST, &format!("{location}/publish"), Some(&secret))).await;
    assert_eq!((status, published["status"].as_str()), (200, Some("published")));
    let page = app.client().get(app.url("/posts/from-ci")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let (status, _, patched) = status_of(
        api(&app, reqwest::Method::PATCH, &location, Some(&secret))
            .json(&json!({ "excerpt": "Short", "category_id": null })),
    )
    .await;
    assert_eq!((status, patched["excerpt"].as_str(), patched["title"].as_str()), (200, Some("Short"), Some("From CI")));
    let label = format!("token #{id} (Script)");
    for action in ["post.created", "post.published", "post.updated"] {
        let who = app.texts(&format!("select actor_label from audit_events where action = '{action}'")).await;
        assert_eq!(who, std::slice::from_ref(&label), "{action}");
    }
    let by_owner = format!("select count(*) from audit_events where actor_user_id = {}", ada.id.0);
    assert!(app.count(&by_owner).await >= 3, "recorded under the owner's id");
    assert_eq!(app.count("select count(*) from api_tokens where last_used_at is not null").await, 1);
    let (status, _, list) =
        status_of(api(&app, reqwest::Method::GET, "/api/v1/posts?status=published", Some(&secret))).await;
    assert_eq!((status, list["total"].as_i64()), (200, Some(1)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_bad_credential_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    let bea = app.create_user("bea", Role::Admin).await;
    let second_admin = app.signed_in(&bea).await;
    let post = published_post(&app, "live").await;
    let unpublish = format!("/api/v1/posts/{post}/unpublish");
    let (read_only, _) = token(&app, &admin, &["posts:read"]).await;
    let (revoked, revoked_id) = token(&app, &admin, &["posts:publish"]).await;
    assert_eq!(app.post(&admin, "/admin/api/tokens/revoke", &[("id", &revoked_id)]).await.status(), 200);
    let (expired, expired_id) = token(&app, &admin, &["posts:publish"]).await;
    expire(&app, &expired_id).await;
    let (rotated_old, rotated_id) = token(&app, &admin, &["posts:publish"]).await;
    assert_eq!(app.post(&admin, "/admin/api/tokens/rotate", &[("id", &rotated_id)]).await.status(), 200);
    let (beas, _) = token(&app, &second_admin, &["posts:publish"]).await;
    let before = app.count("select count(*) from audit_events").await;

    let unknown = format!("iwk_abcdefgh_{}", "A".repeat(43));
    for (secret, why) in [
        (None, "no token"),
        (Some("not-a-token"), "malformed"),
        (Some(unknown.as_str()), "unknown"),
        (Some(revoked.as_str()), "revoked"),
        (Some(expired.as_str()), "expired"),
        (Some(rotated_old.as_str()), "rotated away"),
    ] {
        let (status, challenge, problem) = status_of(api(&app, reqwest::Method::POST, &unpublish, secret)).await;
        assert_eq!(status, 401, "{why}");
        assert!(challenge.contains(r#"error="invalid_token""#), "{why}: {challenge}");
        assert_eq!(problem["type"], "/api/v1/problems/invalid-token", "{why}");
    }
    // A session cookie never authorizes the API.
    let res = admin.post(app.url(&unpublish)).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let (status, challenge, problem) = status_of(api(&app, reqwest::Method::POST, &unpublish, Some(&read_only))).await;
    assert_eq!(status, 403);
    assert!(challenge.contains(r#"error="insufficient_scope""#) && challenge.contains("posts:publish"), "{challenge}");
    assert_eq!(problem["status"], 403);

    // Bea's token stops publishing once she is an author, and works for nobody once she is
    // deactivated.
    let id = bea.id.0.to_string();
    assert_eq!(app.post(&admin, "/admin/api/users/set-role", &[("id", &id), ("role", "author")]).await.status(), 200);
    assert_eq!(status_of(api(&app, reqwest::Method::POST, &unpublish, Some(&beas))).await.0, 403);
    assert_eq!(app.post(&admin, "/admin/api/users/deactivate", &[("id", &id)]).await.status(), 200);
    assert_eq!(status_of(api(&app, reqwest::Method::POST, &unpublish, Some(&beas))).await.0, 401);

    assert_eq!(app.texts(&format!("select status from posts where id = {post}")).await, ["published"]);
    let after = app
        .count("select count(*) from audit_events where action not in ('user.role_changed', 'user.deactivated')")
        .await;
    assert_eq!(after, before, "refusals are not changes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_opens_neither_the_dashboard_nor_a_server_function() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    let (secret, _) = token(&app, &admin, &["posts:read", "posts:write", "posts:publish", "comments:moderate"]).await;
    let res = app.client().post(app.url("/admin/api/posts/list")).bearer_auth(&secret).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let res = app
        .client()
        .get(app.url("/admin/posts"))
        .bearer_auth(&secret)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/admin/login"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_bodies_are_clear_4xx_problems_and_change_nothing() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    let (secret, _) = token(&app, &admin, &["posts:write", "posts:read", "comments:moderate"]).await;
    let post = |body: reqwest::Body, kind: &str| {
        api(&app, reqwest::Method::POST, "/api/v1/posts", Some(&secret))
            .header("content-type", kind.to_owned())
            .body(body)
    };
    let cases: Vec<(reqwest::RequestBuilder, u16, Option<&str>)> = vec![
        (post("{".into(), "application/json"), 400, None),
        (post(r#"{"title":"x","body":"y","status":"published"}"#.into(), "application/json"), 422, Some("status")),
        (post(r#"{"title":"x","body":"y","author_id":1}"#.into(), "application/json"), 422, Some("author_id")),
        (post(r#"{"title":7,"body":"y"}"#.into(), "application/json"), 422, None),
        (post(r#"{"title":"","body":"y"}"#.into(), "application/json"), 422, Some("title")),
        (post("title=x".into(), "application/x-www-form-urlencoded"), 415, None),
        (api(&app, reqwest::Method::GET, "/api/v1/posts/abc", Some(&secret)), 404, None),
        (api(&app, reqwest::Method::GET, "/api/v1/posts?page=x", Some(&secret)), 400, None),
        (api(&app, reqwest::Method::GET, "/api/v1/posts?status=gone", Some(&secret)), 422, Some("status")),
        (
            api(&app, reqwest::Method::POST, "/api/v1/comments/moderate", Some(&secret))
                .json(&json!({"action":"burn","ids":[1]})),
            422,
            Some("action"),
        ),
        (api(&app, reqwest::Method::GET, "/api/v1/nothing", Some(&secret)), 404, None),
        // A NUL anywhere is refused before anything reads it (PostgreSQL cannot take one);
        // other control characters and line breaks in a title are refused on their field.
        (post(r#"{"title":"a\u0000b","body":"y"}"#.into(), "application/json"), 400, None),
        (api(&app, reqwest::Method::GET, "/api/v1/posts?q=a%00b", Some(&secret)), 400, None),
        (post(r#"{"title":"Two\nlines","body":"y"}"#.into(), "application/json"), 422, Some("title")),
        (post(r#"{"title":"x","body":"bell \u0007"}"#.into(), "application/json"), 422, Some("body")),
        (api(&app, reqwest::Method::GET, "/api/v1/posts?q=a%07b", Some(&secret)), 422, Some("q")),
        // Paging and filters out of range are named, not silently replaced.
        (api(&app, reqwest::Method::GET, "/api/v1/posts?page=0", Some(&secret)), 422, Some("page")),
        (api(&app, reqwest::Method::GET, "/api/v1/posts?per_page=101", Some(&secret)), 422, Some("per_page")),
        (api(&app, reqwest::Method::GET, "/api/v1/comments?status=", Some(&secret)), 422, Some("status")),
    ];
    for (n, (req, expected, field)) in cases.into_iter().enumerate() {
        let res = req.send().await.unwrap();
        assert_eq!(res.status().as_u16(), expected, "case {n}");
        assert_eq!(res.headers()["content-type"], "application/problem+json", "case {n}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["status"], expected, "case {n}: {problem}");
        if let Some(field) = field {
            assert_eq!(problem["errors"][0]["field"], field, "case {n}: {problem}");
        }
    }
    assert!(app.declared_body_status("/api/v1/posts", 3 * 1024 * 1024 + 10).await.contains("413"));
    assert_eq!(app.count("select count(*) from posts").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_over_its_rate_limit_gets_429_with_retry_after() {
    let server = ServerConfig { insecure_cookies: true, api_rate_limit: 3, ..ServerConfig::default() };
    let app = TestApp::spawn_server(server, vec![]).await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    let (secret, _) = token(&app, &admin, &["posts:read"]).await;
    // The count is per minute: start well inside one, so the four requests share it.
    let second = time::OffsetDateTime::now_utc().second();
    if second >= 50 {
        tokio::time::sleep(std::time::Duration::from_secs(u64::from(61 - second))).await;
    }
    let mut answers = vec![];
    for _ in 0..4 {
        let res = api(&app, reqwest::Method::GET, "/api/v1/posts", Some(&secret)).send().await.unwrap();
        let retry = res.headers().get("retry-after").map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
        answers.push((res.status().as_u16(), retry));
    }
    let statuses: Vec<u16> = answers.iter().map(|a| a.0).collect();
    assert_eq!(statuses, [200, 200, 200, 429]);
    assert!(answers[3].1.is_some_and(|s| (1..=60).contains(&s)), "{answers:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_of_an_owner_demoted_to_author_reaches_only_their_own_posts() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    let bea = app.create_user("bea", Role::Admin).await;
    let (secret, _) = token(&app, &app.signed_in(&bea).await, &["posts:read", "posts:write"]).await;
    let (status, _, own) = status_of(
        api(&app, reqwest::Method::POST, "/api/v1/posts", Some(&secret)).json(&json!({"title": "Mine", "body": "b"})),
    )
    .await;
    assert_eq!(status, 201);
    let foreign = published_post(&app, "theirs").await;
    let id = bea.id.0.to_string();
    assert_eq!(app.post(&admin, "/admin/api/users/set-role", &[("id", &id), ("role", "author")]).await.status(), 200);
    let before = app.texts("select title || body || status from posts order by id").await;
    let events = app.count("select count(*) from audit_events").await;
    let theirs = format!("/api/v1/posts/{foreign}");
    let (get, _, missing) = status_of(api(&app, reqwest::Method::GET, &theirs, Some(&secret))).await;
    let (patch, _, _) =
        status_of(api(&app, reqwest::Method::PATCH, &theirs, Some(&secret)).json(&json!({"title": "Taken"}))).await;
    let (_, _, nothing) = status_of(api(&app, reqwest::Method::GET, "/api/v1/posts/999999", Some(&secret))).await;
    assert_eq!((get, patch), (404, 404), "another author's post is not found, as for an author in the dashboard");
    assert_eq!(missing, nothing, "indistinguishable from a post that does not exist");
    let (_, _, list) = status_of(api(&app, reqwest::Method::GET, "/api/v1/posts", Some(&secret))).await;
    assert_eq!((list["total"].as_i64(), list["rows"][0]["id"].clone()), (Some(1), own["id"].clone()));
    assert_eq!(app.texts("select title || body || status from posts order by id").await, before);
    assert_eq!(app.count("select count(*) from audit_events").await, events);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comments_are_listed_and_moderated_with_one_audit_event_by_the_token() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    let post = published_post(&app, "p").await;
    for n in 0..3 {
        let body = format!("comment {n}");
        let res = app
            .client()
            .post(app.url("/posts/p/comments"))
            .form(&[("name", "R"), ("body", body.as_str())])
            .send()
            .await
            .unwrap();
        assert!(res.status().is_redirection());
    }
    let _ = post;
    let (secret, id) = token(&app, &admin, &["comments:moderate"]).await;
    let (status, _, queue) =
        status_of(api(&app, reqwest::Method::GET, "/api/v1/comments?status=pending", Some(&secret))).await;
    assert_eq!((status, queue["total"].as_i64()), (200, Some(3)));
    let ids: Vec<i64> = queue["rows"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
    let (status, _, outcome) = status_of(
        api(&app, reqwest::Method::POST, "/api/v1/comments/moderate", Some(&secret))
            .json(&json!({ "action": "approve", "ids": ids })),
    )
    .await;
    assert_eq!((status, outcome["changed"].as_i64()), (200, Some(3)));
    assert_eq!(
        app.texts("select actor_label from audit_events where action = 'comments.moderated'").await,
        [format!("token #{id} (Script)")]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_is_served_without_a_token_and_describes_every_operation() {
    let app = TestApp::spawn().await;
    let res = api(&app, reqwest::Method::GET, "/api/v1/openapi.json", None).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/json");
    let doc: Value = res.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    let mut operations: Vec<String> = paths
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().keys().map(move |m| format!("{} {path}", m.to_uppercase())))
        .collect();
    operations.sort();
    assert_eq!(
        operations,
        [
            "GET /api/v1/comments",
            "GET /api/v1/posts",
            "GET /api/v1/posts/{id}",
            "PATCH /api/v1/posts/{id}",
            "POST /api/v1/comments/moderate",
            "POST /api/v1/posts",
            "POST /api/v1/posts/{id}/publish",
            "POST /api/v1/posts/{id}/unpublish",
        ]
    );
    // The problem type every error answer points at is the one the API sends.
    let problem = &doc["components"]["schemas"]["Problem"]["properties"];
    for field in ["type", "title", "status", "detail", "errors"] {
        assert!(problem[field].is_object(), "Problem.{field}");
    }
}

/// Every endpoint × every kind of caller, with the status each must get; a refusal leaves the
/// data and the audit log as they were.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_answers_every_kind_of_caller_as_expected() {
    use reqwest::Method;
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    let all = ["posts:read", "posts:write", "posts:publish", "comments:moderate"];
    let (full, _) = token(&app, &admin, &all).await;
    let (revoked, revoked_id) = token(&app, &admin, &all).await;
    assert_eq!(app.post(&admin, "/admin/api/tokens/revoke", &[("id", &revoked_id)]).await.status(), 200);
    let (expired, expired_id) = token(&app, &admin, &all).await;
    expire(&app, &expired_id).await;
    // Every scope but one, for each scope.
    let mut lacking = std::collections::HashMap::new();
    for scope in all {
        let others: Vec<&str> = all.iter().copied().filter(|s| *s != scope).collect();
        lacking.insert(scope, token(&app, &admin, &others).await.0);
    }
    // Owners who lose their powers after making their tokens: one demoted, one deactivated.
    let (dee, dan) = (app.create_user("dee", Role::Admin).await, app.create_user("dan", Role::Admin).await);
    let (demoted, _) = token(&app, &app.signed_in(&dee).await, &all).await;
    let (deactivated, _) = token(&app, &app.signed_in(&dan).await, &all).await;
    let dee_id = dee.id.0.to_string();
    let dan_id = dan.id.0.to_string();
    assert_eq!(
        app.post(&admin, "/admin/api/users/set-role", &[("id", &dee_id), ("role", "author")]).await.status(),
        200
    );
    assert_eq!(app.post(&admin, "/admin/api/users/deactivate", &[("id", &dan_id)]).await.status(), 200);

    // What the calls act on: ada's draft, another author's published post and its comments.
    let (status, _, draft) =
        status_of(api(&app, Method::POST, "/api/v1/posts", Some(&full)).json(&json!({"title": "Draft", "body": "b"})))
            .await;
    assert_eq!(status, 201);
    let draft = draft["id"].as_i64().unwrap();
    let live = published_post(&app, "live").await;
    for n in 0..2 {
        let form = [("name", "R"), ("body", if n == 0 { "first" } else { "second" })];
        let res = app.client().post(app.url("/posts/live/comments")).form(&form).send().await.unwrap();
        assert!(res.status().is_redirection());
    }
    let comment: i64 = sql!(app, |c| sqlx::query_scalar("select min(id) from comments").fetch_one(c).await).unwrap();

    // (method, path, body, scope, right scope's status, demoted owner's status)
    type Endpoint = (Method, String, Option<Value>, &'static str, u16, u16);
    let endpoints: Vec<Endpoint> = vec![
        (Method::GET, "/api/v1/posts".into(), None, "posts:read", 200, 200),
        (Method::GET, format!("/api/v1/posts/{draft}"), None, "posts:read", 200, 404),
        (Method::POST, "/api/v1/posts".into(), Some(json!({"title": "New", "body": "b"})), "posts:write", 201, 201),
        (Method::PATCH, format!("/api/v1/posts/{draft}"), Some(json!({"title": "Edited"})), "posts:write", 200, 404),
        (Method::POST, format!("/api/v1/posts/{draft}/publish"), None, "posts:publish", 200, 403),
        (Method::POST, format!("/api/v1/posts/{live}/unpublish"), None, "posts:publish", 200, 403),
        (Method::GET, "/api/v1/comments?status=pending".into(), None, "comments:moderate", 200, 403),
        (
            Method::POST,
            "/api/v1/comments/moderate".into(),
            Some(json!({"action": "approve", "ids": [comment]})),
            "comments:moderate",
            200,
            403,
        ),
    ];
    let mut n = 0;
    for (method, path, body, scope, ok, demoted_status) in endpoints {
        let refusals: [(&str, Option<&str>, u16); 7] = [
            ("no token", None, 401),
            ("malformed", Some("iwk_nope"), 401),
            ("revoked", Some(&revoked), 401),
            ("expired", Some(&expired), 401),
            ("owner deactivated", Some(&deactivated), 401),
            ("wrong scope", Some(&lacking[scope]), 403),
            ("owner demoted", Some(&demoted), demoted_status),
        ];
        let mut send = |secret: Option<&str>, client: Option<&reqwest::Client>| {
            let mut req = match client {
                Some(c) => c.request(method.clone(), app.url(&path)),
                None => api(&app, method.clone(), &path, secret),
            };
            if let Some(body) = &body {
                n += 1;
                // Each create gets its own title, so that no slug is taken twice.
                let mut body = body.clone();
                if body.get("body").is_some() {
                    body["title"] = json!(format!("New {n}"));
                }
                req = req.json(&body);
            }
            req
        };
        for (who, secret, expected) in refusals {
            let before = (crate::matrix::data(&app).await, app.count("select count(*) from audit_events").await);
            let (status, challenge, _) = status_of(send(secret, None)).await;
            assert_eq!(status, expected, "{method} {path} by {who}");
            if status >= 400 {
                let after = (crate::matrix::data(&app).await, app.count("select count(*) from audit_events").await);
                assert!(before == after, "{method} {path} by {who} changed something");
                let error = if status == 401 { "invalid_token" } else { "insufficient_scope" };
                if status != 404 {
                    assert!(challenge.contains(error), "{method} {path} by {who}: {challenge}");
                }
            }
        }
        // A session cookie never authorizes the API, even an admin's.
        let before = crate::matrix::data(&app).await;
        assert_eq!(status_of(send(None, Some(&admin))).await.0, 401, "{method} {path} by a session");
        assert!(crate::matrix::data(&app).await == before, "{method} {path} by a session changed something");
        assert_eq!(status_of(send(Some(&full), None)).await.0, ok, "{method} {path} with the right scope");
    }
}
