//! Public comments and bulk moderation against the real server.

use crate::helpers::*;
use app::{domain::Role, ssr::db::Backend};
use serde_json::Value;

async fn comment(app: &TestApp, slug: &str, form: &[(&str, &str)]) -> reqwest::Response {
    app.client().post(app.url(&format!("/posts/{slug}/comments"))).form(form).send().await.unwrap()
}

async fn seed_comments(app: &TestApp, post: i64, n: i64, status: &str) {
    let first: i64 =
        sql!(app, |c| sqlx::query_scalar("select coalesce(max(id), 0) + 1 from comments").fetch_one(c).await).unwrap();
    sql!(app, |c| sqlx::query(
        "with recursive k(i) as (select 1 union all select i + 1 from k where i < $1)
         insert into comments (post_id, author_name, body) select $2, 'reader ' || i, 'comment ' || i from k",
    )
    .bind(n)
    .bind(post)
    .execute(c)
    .await
    .map(|d| d.rows_affected()))
    .unwrap();
    sql!(app, |c| sqlx::query(
        "insert into comment_states (comment_id, status) select id, $1 from comments where id >= $2"
    )
    .bind(status)
    .bind(first)
    .execute(c)
    .await
    .map(|d| d.rows_affected()))
    .unwrap();
}

async fn moderate(app: &TestApp, client: &reqwest::Client, form: &[(&str, &str)]) -> (u16, Value) {
    let res = app.post(client, "/admin/api/comments/moderate", form).await;
    let status = res.status().as_u16();
    (status, serde_json::from_str(&res.text().await.unwrap()).unwrap_or(Value::Null))
}

/// The newest comment id the queue shows for `filter`: what "select all N matching" sends back.
async fn latest_id(app: &TestApp, client: &reqwest::Client, filter: &[(&str, &str)]) -> String {
    let res = app.post(client, "/admin/api/comments/list", filter).await;
    let queue: Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    queue["latest_id"].as_i64().expect("a non-empty queue has a latest id").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_readers_comment_waits_in_the_queue_until_approved() {
    let app = TestApp::spawn().await;
    published_post(&app, "hello").await;
    let res = comment(&app, "hello", &[("name", "Reader"), ("email", "r@example.com"), ("body", "Nice post")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/posts/hello?comment=received#comments");
    let stored: (String, String) = sql!(app, |c| sqlx::query_as(
        "select s.status, c.client_ip from comments c join comment_states s on s.comment_id = c.id"
    )
    .fetch_one(c)
    .await)
    .unwrap();
    assert_eq!(stored, ("pending".to_owned(), "127.0.0.1".to_owned()));
    let page = |app: &TestApp| {
        let url = app.url("/posts/hello");
        async move { reqwest::get(url).await.unwrap().text().await.unwrap() }
    };
    assert!(!page(&app).await.contains("Nice post"), "pending comments are not public");
    let ed = app.create_user("ed", Role::Editor).await;
    let client = app.signed_in(&ed).await;
    let id: i64 = sql!(app, |c| sqlx::query_scalar("select id from comments").fetch_one(c).await).unwrap();
    let queue: Value = serde_json::from_str(
        &app.post(&client, "/admin/api/comments/list", &[("status", "pending")]).await.text().await.unwrap(),
    )
    .unwrap();
    let row = &queue["page"]["rows"][0];
    assert_eq!(
        (queue["page"]["total"].as_i64(), row["id"].as_i64(), &row["post_title"]),
        (Some(1), Some(id), &"A post".into())
    );
    assert_eq!(
        (&row["author_name"], &row["author_email"], &row["body"]),
        (&"Reader".into(), &"r@example.com".into(), &"Nice post".into())
    );
    assert_eq!(row["status"], "pending");
    assert!(row["created_at"].as_str().is_some_and(|t| t.len() == 24 && t.ends_with('Z')), "{row}");
    let (status, outcome) = moderate(&app, &client, &[("action", "approve"), ("ids[]", &id.to_string())]).await;
    assert_eq!((status, outcome["changed"].as_i64()), (200, Some(1)));
    let html = page(&app).await;
    assert!(html.contains("Nice post"));
    assert!(!html.contains("r@example.com"), "emails are never shown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comments_go_only_to_published_posts_and_only_while_allowed() {
    let app = TestApp::spawn().await;
    let post = published_post(&app, "open").await;
    sql!(app, |c| sqlx::query("update posts set status = 'draft' where id = $1")
        .bind(post)
        .execute(c)
        .await
        .map(|d| d.rows_affected()))
    .unwrap();
    assert_eq!(comment(&app, "open", &[("name", "R"), ("body", "hi")]).await.status(), 404);
    assert_eq!(comment(&app, "missing", &[("name", "R"), ("body", "hi")]).await.status(), 404);
    sql!(app, |c| sqlx::query("update posts set status = 'published' where id = $1")
        .bind(post)
        .execute(c)
        .await
        .map(|d| d.rows_affected()))
    .unwrap();
    sql!(app, |c| sqlx::query("insert into site_settings (key, value) values ('comments_enabled', 'false')")
        .execute(c)
        .await
        .map(|d| d.rows_affected()))
    .unwrap();
    assert_eq!(comment(&app, "open", &[("name", "R"), ("body", "hi")]).await.status(), 403);
    assert_eq!(app.count("select count(*) from comments").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_honeypot_limits_and_malformed_forms_refuse_without_storing() {
    let app = TestApp::spawn().await;
    published_post(&app, "p").await;
    let long = "x".repeat(5001);
    let cases: [(&[(&str, &str)], u16); 8] = [
        (&[("name", "Bot"), ("body", "buy"), ("website", "http://spam.example")], 400),
        // A NUL is refused before anything reads it (PostgreSQL cannot store one); other
        // control characters on their field, on both backends.
        (&[("name", "R"), ("body", "a\u{0}b")], 400),
        (&[("name", "R"), ("body", "a\u{1b}b")], 422),
        (&[("name", "R\u{7}"), ("body", "hi")], 422),
        (&[("name", ""), ("body", "hi")], 422),
        (&[("name", "R"), ("body", &long)], 422),
        (&[("name", "R"), ("body", "hi"), ("email", "not-an-email")], 422),
        (&[("name", "R")], 422),
    ];
    for (form, expected) in cases {
        assert_eq!(comment(&app, "p", form).await.status(), expected, "{form:?}");
    }
    let garbage = app
        .client()
        .post(app.url("/posts/p/comments"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![0xff, 0xfe, b'='])
        .send()
        .await
        .unwrap();
    assert!(garbage.status().is_client_error(), "{}", garbage.status());
    assert_eq!(app.count("select count(*) from comments").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_that_comments_too_often_gets_429() {
    let app = TestApp::spawn().await;
    published_post(&app, "busy").await;
    for i in 0..5 {
        assert_eq!(comment(&app, "busy", &[("name", "R"), ("body", &format!("c{i}"))]).await.status(), 303);
    }
    let res = comment(&app, "busy", &[("name", "R"), ("body", "one more")]).await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    assert!(res.text().await.unwrap().contains("Too many comments"));
    assert_eq!(app.count("select count(*) from comments").await, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_in_a_comment_comes_back_inert_to_readers_and_moderators() {
    let app = TestApp::spawn().await;
    published_post(&app, "xss").await;
    let payload = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    comment(&app, "xss", &[("name", "<b>Mallory</b>"), ("body", payload)]).await;
    sql!(app, |c| sqlx::query("update comment_states set status = 'approved'")
        .execute(c)
        .await
        .map(|d| d.rows_affected()))
    .unwrap();
    let ed = app.create_user("ed", Role::Editor).await;
    let client = app.signed_in(&ed).await;
    let public = reqwest::get(app.url("/posts/xss")).await.unwrap().text().await.unwrap();
    let queue = client
        .get(app.url("/admin/comments?status=all"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for html in [public, queue] {
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "escaped text expected");
        assert!(!html.contains("<img src=x") && !html.contains("<b>Mallory</b>"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moderation_by_ids_changes_exactly_those_and_reports_the_rest_skipped() {
    let app = TestApp::spawn().await;
    let post = published_post(&app, "m").await;
    seed_comments(&app, post, 5, "pending").await;
    sql!(app, |c| sqlx::query("update comment_states set status = 'approved' where comment_id = 3")
        .execute(c)
        .await
        .map(|d| d.rows_affected()))
    .unwrap();
    let ed = app.create_user("ed", Role::Editor).await;
    let client = app.signed_in(&ed).await;
    let form = [("action", "approve"), ("ids[]", "1"), ("ids[]", "2"), ("ids[]", "3"), ("ids[]", "999")];
    let (status, outcome) = moderate(&app, &client, &form).await;
    assert_eq!(status, 200);
    assert_eq!((outcome["changed"].as_i64(), outcome["skipped"].as_i64()), (Some(2), Some(2)));
    let approved: Vec<i64> = sql!(app, |c| sqlx::query_scalar(
        "select comment_id from comment_states where status = 'approved' order by comment_id"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    assert_eq!(approved, [1, 2, 3]);
    let details: String =
        sql!(app, |c| sqlx::query_scalar("select details from audit_events where action = 'comments.moderated'")
            .fetch_one(c)
            .await)
        .unwrap();
    let details: Value = serde_json::from_str(&details).unwrap();
    assert_eq!((details["count"].as_i64(), details["ids"].clone()), (Some(2), serde_json::json!([1, 2])));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn select_all_matching_sends_the_filter_and_changes_exactly_the_matching_rows() {
    let app = TestApp::spawn().await;
    let (one, two) = (published_post(&app, "one").await, published_post(&app, "two").await);
    seed_comments(&app, one, 120, "pending").await;
    seed_comments(&app, one, 7, "approved").await;
    seed_comments(&app, two, 30, "pending").await;
    let ed = app.create_user("ed", Role::Editor).await;
    let client = app.signed_in(&ed).await;
    let post = one.to_string();
    let through = latest_id(&app, &client, &[("status", "pending"), ("post_id", post.as_str())]).await;
    let form = [
        ("action", "reject"),
        ("all_matching", "true"),
        ("status", "pending"),
        ("post_id", post.as_str()),
        ("through_id", through.as_str()),
    ];
    let (status, outcome) = moderate(&app, &client, &form).await;
    assert_eq!((status, outcome["changed"].as_i64(), outcome["skipped"].as_i64()), (200, Some(120), Some(0)));
    let by_status: Vec<(i64, String, i64)> = sql!(app, |c| sqlx::query_as(
        "select c.post_id, s.status, count(*) from comments c join comment_states s on s.comment_id = c.id group by c.post_id, s.status order by c.post_id, s.status",
    )
    .fetch_all(c)
    .await)
    .unwrap();
    assert_eq!(by_status, [(one, "approved".into(), 7), (one, "rejected".into(), 120), (two, "pending".into(), 30)]);
    assert_eq!(app.audit_count("comments.moderated").await, 1, "one bulk action, one audit event");
    let through = latest_id(&app, &client, &[("status", "all"), ("q", "comment 1")]).await;
    let form = [
        ("action", "delete"),
        ("all_matching", "true"),
        ("status", "all"),
        ("q", "comment 1"),
        ("through_id", &through),
    ];
    let (_, outcome) = moderate(&app, &client, &form).await;
    let deleted = outcome["changed"].as_i64().unwrap();
    assert!(deleted > 0);
    let visible = "select count(*) from comments c join comment_states s on s.comment_id = c.id
                   where s.status != 'deleted' and c.body like '%comment 1%'";
    assert_eq!(app.count(visible).await, 0, "deleted comments vanish at once");
    while app::ssr::comments::purge_deleted(&app.pool, 50).await.unwrap() > 0 {}
    assert_eq!(app.count("select count(*) from comments where body like '%comment 1%'").await, 0, "and are purged");
    assert_eq!(app.count("select count(*) from comment_states where status = 'deleted'").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_halfway_rolls_the_whole_bulk_action_back() {
    let app = TestApp::spawn().await;
    let post = published_post(&app, "f").await;
    seed_comments(&app, post, 50, "pending").await;
    let trigger: &[&str] = match app.pool.backend() {
        Backend::Sqlite => &["create trigger fail_halfway before update on comment_states when old.comment_id = 25
                              begin select raise(abort, 'injected failure'); end"],
        Backend::Postgres => &[
            "create function fail_halfway() returns trigger language plpgsql as
             $$ begin raise exception 'injected failure'; end $$",
            "create trigger fail_halfway before update on comment_states for each row
             when (old.comment_id = 25) execute function fail_halfway()",
        ],
    };
    for statement in trigger {
        sql!(app, |c| sqlx::query(statement).execute(c).await.map(|d| d.rows_affected())).unwrap();
    }
    let ed = app.create_user("ed", Role::Editor).await;
    let client = app.signed_in(&ed).await;
    let through = latest_id(&app, &client, &[("status", "pending")]).await;
    let form = [("action", "approve"), ("all_matching", "true"), ("status", "pending"), ("through_id", &through)];
    let (status, body) = moderate(&app, &client, &form).await;
    assert_eq!(status, 500);
    assert_eq!(body, Value::String("Internal".into()), "no internal detail leaks");
    assert_eq!(app.count("select count(*) from comment_states where status = 'pending'").await, 50);
    assert_eq!(app.audit_count("comments.moderated").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_author_cannot_moderate_or_read_the_queue() {
    let app = TestApp::spawn().await;
    let post = published_post(&app, "a").await;
    seed_comments(&app, post, 3, "pending").await;
    let ann = app.create_user("ann", Role::Author).await;
    let client = app.signed_in(&ann).await;
    assert_eq!(moderate(&app, &client, &[("action", "approve"), ("all_matching", "true")]).await.0, 403);
    assert_eq!(app.post(&client, "/admin/api/comments/list", &[]).await.status(), 403);
    let page = client.get(app.url("/admin/comments")).header("accept", "text/html").send().await.unwrap();
    assert_eq!(page.status(), 403);
    assert_eq!(app.count("select count(*) from comment_states where status = 'pending'").await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_moderation_requests_are_clear_4xx() {
    let app = TestApp::spawn().await;
    let ed = app.create_user("ed", Role::Editor).await;
    let client = app.signed_in(&ed).await;
    assert_eq!(moderate(&app, &client, &[("action", "nuke"), ("ids[]", "1")]).await.0, 422);
    assert_eq!(
        moderate(&app, &client, &[("action", "approve"), ("all_matching", "true"), ("status", "weird")]).await.0,
        422
    );
    assert_eq!(moderate(&app, &client, &[("action", "approve"), ("ids[]", "x")]).await.0, 400);
    let ids: Vec<String> = (0..1001).map(|i| i.to_string()).collect();
    let mut form = vec![("action", "approve")];
    form.extend(ids.iter().map(|i| ("ids[]", i.as_str())));
    assert_eq!(moderate(&app, &client, &form).await.0, 422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn select_all_matching_leaves_comments_that_arrived_after_the_queue_was_read() {
    let app = TestApp::spawn().await;
    let post = published_post(&app, "busy").await;
    seed_comments(&app, post, 40, "pending").await;
    let ed = app.create_user("ed", Role::Editor).await;
    let client = app.signed_in(&ed).await;
    let through = latest_id(&app, &client, &[("status", "pending")]).await;
    seed_comments(&app, post, 5, "pending").await; // arrive while the editor decides
    let blind = [("action", "approve"), ("all_matching", "true"), ("status", "pending")];
    let (status, body) = moderate(&app, &client, &blind).await;
    assert_eq!(status, 422, "all matching without what the editor saw is refused: {body}");
    assert_eq!(app.count("select count(*) from comment_states where status = 'pending'").await, 45);
    let form = [("action", "approve"), ("all_matching", "true"), ("status", "pending"), ("through_id", &through)];
    let (status, outcome) = moderate(&app, &client, &form).await;
    assert_eq!((status, outcome["changed"].as_i64()), (200, Some(40)));
    let pending: Vec<i64> =
        sql!(app, |c| sqlx::query_scalar("select comment_id from comment_states where status = 'pending'")
            .fetch_all(c)
            .await)
        .unwrap();
    assert_eq!(pending, [41, 42, 43, 44, 45], "the late comments wait for a moderator to see them");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_comments_from_one_address_cannot_slip_past_the_rate_limit() {
    let app = TestApp::spawn().await;
    published_post(&app, "race").await;
    let sends = (0..20).map(|i| {
        let (body, url, client) = (format!("Parallel comment {i}"), app.url("/posts/race/comments"), app.client());
        async move {
            let form = [("name", "Reader"), ("body", body.as_str())];
            client.post(url).form(&form).send().await.unwrap().status().as_u16()
        }
    });
    let statuses = concurrently(sends).await;
    let stored = statuses.iter().filter(|s| **s == 303).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((stored, limited), (5, 15), "{statuses:?}");
    assert_eq!(app.count("select count(*) from comments").await, 5);
}
