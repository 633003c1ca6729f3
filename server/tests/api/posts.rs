//! Posts against the real server: scoped queries leave foreign posts alone on every path.

use crate::helpers::*;
use app::domain::Role;
use serde_json::Value;

async fn json(res: reqwest::Response) -> Value {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// Create a post through the API as `client`, returning its id.
async fn create(app: &TestApp, client: &reqwest::Client, title: &str, body: &str) -> i64 {
    json(app.post(client, "/admin/api/posts/create", &[("title", title), ("body", body)]).await).await.as_i64().unwrap()
}

async fn post_status(app: &TestApp, id: i64) -> String {
    sql!(app, |c| sqlx::query_scalar("select status from posts where id = $1").bind(id).fetch_one(c).await).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_author_sees_only_own_posts_in_the_list_the_picker_and_the_export() {
    let app = TestApp::spawn().await;
    let (ann, bob) = (app.create_user("ann", Role::Author).await, app.create_user("bob", Role::Author).await);
    let (ann_c, bob_c) = (app.signed_in(&ann).await, app.signed_in(&bob).await);
    create(&app, &ann_c, "Ann's secret draft", "a").await;
    create(&app, &bob_c, "Bob's own", "b").await;

    let list = json(app.post(&bob_c, "/admin/api/posts/list", &[]).await).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["rows"][0]["title"], "Bob's own");
    // Filtering by the other author's id does not widen the scope.
    let list = json(app.post(&bob_c, "/admin/api/posts/list", &[("author", &ann.id.0.to_string())]).await).await;
    assert_eq!(list["total"], 0);
    let authors = json(app.post(&bob_c, "/admin/api/posts/authors", &[]).await).await;
    assert_eq!(authors.as_array().unwrap().len(), 1);
    assert_eq!(authors[0]["username"], "bob");
    let pickers = json(app.post(&bob_c, "/admin/api/posts/pickers", &[]).await).await;
    assert_eq!(pickers["authors"], authors, "the pickers offer the same authors");
    let csv = bob_c.get(app.url("/admin/posts/export.csv?q=secret")).send().await.unwrap().text().await.unwrap();
    assert!(!csv.contains("Ann's secret draft"), "{csv}");
    let csv = bob_c.get(app.url("/admin/posts/export.csv")).send().await.unwrap().text().await.unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_editor_sees_every_post_and_the_list_filters_sorts_and_pages() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Author).await;
    let ed = app.create_user("ed", Role::Editor).await;
    let (ann_c, ed_c) = (app.signed_in(&ann).await, app.signed_in(&ed).await);
    let odd = r#"Quote " back\slash ✓ 𝄞 <b>"#;
    for title in ["Gamma ray", "alpha wave", "Beta test", odd] {
        create(&app, &ann_c, title, "x").await;
    }
    let titles = |list: &serde_json::Value| -> Vec<String> {
        list["rows"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap().to_owned()).collect()
    };
    let list = json(app.post(&ed_c, "/admin/api/posts/list", &[("sort", "title"), ("dir", "asc")]).await).await;
    assert_eq!(titles(&list), ["alpha wave", "Beta test", "Gamma ray", odd]);
    let list = json(app.post(&ed_c, "/admin/api/posts/list", &[("sort", "title"), ("dir", "desc")]).await).await;
    assert_eq!(titles(&list), [odd, "Gamma ray", "Beta test", "alpha wave"]);
    // Newest first by default, each row whole: text as written, no category, the status, a UTC time.
    let list = json(app.post(&ed_c, "/admin/api/posts/list", &[]).await).await;
    assert_eq!(titles(&list), [odd, "Beta test", "alpha wave", "Gamma ray"]);
    let row = &list["rows"][0];
    assert_eq!(
        (&row["author"], &row["category"], &row["status"]),
        (&"ann".into(), &serde_json::Value::Null, &"draft".into())
    );
    assert!(row["id"].as_i64().is_some() && row["published_at"].is_null() && row["scheduled_at"].is_null(), "{row}");
    let updated = row["updated_at"].as_str().unwrap();
    assert!(updated.len() == 24 && updated.ends_with('Z') && updated.as_bytes()[10] == b'T', "{updated}");
    let list = json(app.post(&ed_c, "/admin/api/posts/list", &[("q", "back\\slash")]).await).await;
    assert_eq!(titles(&list), [odd]);
    let list = json(app.post(&ed_c, "/admin/api/posts/list", &[("q", "ray")]).await).await;
    assert_eq!(list["total"], 1);
    let list = json(app.post(&ed_c, "/admin/api/posts/list", &[("q", "%")]).await).await;
    assert_eq!(list["total"], 0, "a % in the search is a literal, not a wildcard");
    let list = json(app.post(&ed_c, "/admin/api/posts/list", &[("per_page", "25"), ("page", "2")]).await).await;
    assert_eq!((list["total"].as_i64(), list["rows"].as_array().unwrap().len()), (Some(4), 0));
    let csv = ed_c
        .get(app.url("/admin/posts/export.csv?sort=title&dir=desc&author="))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.lines().nth(1).unwrap().contains(r"back\slash"), "{csv}");
    assert!(csv.lines().nth(2).unwrap().contains("Gamma ray"), "{csv}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_or_author_in_the_body_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Author).await;
    let bob = app.create_user("bob", Role::Author).await;
    let client = app.signed_in(&ann).await;
    let id = create(&app, &client, "Mine", "body").await;
    let before: String =
        sql!(app, |c| sqlx::query_scalar("select title || status || author_id from posts").fetch_one(c).await).unwrap();
    let bob_id = bob.id.0.to_string();
    let id_s = id.to_string();
    for (key, value) in [("status", "published"), ("author_id", bob_id.as_str()), ("published_at", "2020-01-01")] {
        let form = [("id", id_s.as_str()), ("title", "Hijacked"), (key, value)];
        let res = app.post(&client, "/admin/api/posts/update", &form).await;
        assert_eq!(res.status(), 422, "{key}");
        assert!(res.text().await.unwrap().contains(key));
        let res = app.post(&client, "/admin/api/posts/create", &[("title", "Sneaky"), (key, value)]).await;
        assert_eq!(res.status(), 422, "{key}");
    }
    let after: String =
        sql!(app, |c| sqlx::query_scalar("select title || status || author_id from posts").fetch_one(c).await).unwrap();
    assert_eq!(before, after);
    assert_eq!(app.count("select count(*) from posts").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_list_with_foreign_and_missing_ids_touches_only_the_callers_posts() {
    let app = TestApp::spawn().await;
    let (ann, bob) = (app.create_user("ann", Role::Author).await, app.create_user("bob", Role::Author).await);
    let (ann_c, bob_c) = (app.signed_in(&ann).await, app.signed_in(&bob).await);
    let ann_draft = create(&app, &ann_c, "Ann draft", "a").await;
    let bob_draft = create(&app, &bob_c, "Bob draft", "b").await;
    let bob_review = create(&app, &bob_c, "Bob review", "b").await;
    app.post(&bob_c, "/admin/api/posts/submit", &[("id", &bob_review.to_string())]).await;
    let ids = [ann_draft, bob_draft, bob_review, 999_999].map(|i| i.to_string());
    let mut form = vec![("action", "delete")];
    form.extend(ids.iter().map(|i| ("ids[]", i.as_str())));
    let outcome = json(app.post(&bob_c, "/admin/api/posts/bulk", &form).await).await;
    assert_eq!((outcome["changed"].as_i64(), outcome["skipped"].as_i64()), (Some(1), Some(3)));
    assert_eq!(post_status(&app, ann_draft).await, "draft", "a foreign post survives");
    assert_eq!(post_status(&app, bob_review).await, "review", "an author deletes only drafts");
    assert_eq!(app.count(&format!("select count(*) from posts where id = {bob_draft}")).await, 0);
    assert_eq!(app.audit_count("post.deleted").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_bulk_publish_is_one_transaction_and_one_audit_event() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Author).await;
    let ed = app.create_user("ed", Role::Editor).await;
    let (ann_c, ed_c) = (app.signed_in(&ann).await, app.signed_in(&ed).await);
    let ids: Vec<String> = [
        create(&app, &ann_c, "One", "1").await,
        create(&app, &ann_c, "Two", "2").await,
        create(&app, &ann_c, "Three", "3").await,
    ]
    .map(|i| i.to_string())
    .into();
    let mut form = vec![("action", "publish")];
    form.extend(ids.iter().map(|i| ("ids[]", i.as_str())));
    form.push(("ids[]", "424242"));
    let outcome = json(app.post(&ed_c, "/admin/api/posts/bulk", &form).await).await;
    assert_eq!((outcome["changed"].as_i64(), outcome["skipped"].as_i64()), (Some(3), Some(1)));
    assert_eq!(
        app.count("select count(*) from posts where status = 'published' and published_at is not null").await,
        3
    );
    assert_eq!(app.audit_count("post.published").await, 1);
    assert_eq!(app.count("select count(*) from publish_events where action = 'published'").await, 3);
    let again = json(app.post(&ed_c, "/admin/api/posts/bulk", &form).await).await;
    assert_eq!(again["changed"], 0, "already published rows are skipped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_editorial_workflow_reaches_the_public_site_and_leaves_it() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Author).await;
    let ed = app.create_user("ed", Role::Editor).await;
    let (ann_c, ed_c) = (app.signed_in(&ann).await, app.signed_in(&ed).await);
    let id = create(&app, &ann_c, "Launch notes", "We *shipped*.").await.to_string();
    let page = |client: reqwest::Client, path: &'static str| {
        let url = app.url(path);
        async move { client.get(url).header("accept", "text/html").send().await.unwrap() }
    };
    assert_eq!(page(app.client(), "/posts/launch-notes").await.status(), 404);
    assert_eq!(app.post(&ann_c, "/admin/api/posts/publish", &[("id", &id)]).await.status(), 403);
    assert_eq!(app.post(&ann_c, "/admin/api/posts/submit", &[("id", &id)]).await.status(), 200);
    assert_eq!(app.post(&ann_c, "/admin/api/posts/submit", &[("id", &id)]).await.status(), 409);
    assert_eq!(page(app.client(), "/posts/launch-notes").await.status(), 404, "in review is not public");
    assert_eq!(app.post(&ed_c, "/admin/api/posts/publish", &[("id", &id)]).await.status(), 200);
    let html = page(app.client(), "/posts/launch-notes").await.text().await.unwrap();
    assert!(html.contains("<em>shipped</em>"), "{html}");
    assert!(page(app.client(), "/").await.text().await.unwrap().contains("Launch notes"));
    let edit = [("id", id.as_str()), ("title", "Changed by author")];
    assert_eq!(
        app.post(&ann_c, "/admin/api/posts/update", &edit).await.status(),
        403,
        "published: authors stop editing"
    );
    assert_eq!(app.post(&ed_c, "/admin/api/posts/unpublish", &[("id", &id)]).await.status(), 200);
    assert_eq!(page(app.client(), "/posts/launch-notes").await.status(), 404);
    assert_eq!(app.audit_count("post.published").await, 1);
    assert_eq!(app.audit_count("post.unpublished").await, 1);
    let history = json(app.post(&ann_c, "/admin/api/posts/history", &[("id", &id)]).await).await;
    let actions: Vec<_> =
        history.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect();
    assert_eq!(actions, ["unpublished", "published"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_in_markdown_comes_out_inert() {
    let app = TestApp::spawn().await;
    let ed = app.create_user("ed", Role::Editor).await;
    let client = app.signed_in(&ed).await;
    let body = "Hi <script>alert('x')</script> <img src=x onerror=alert(1)> [c](javascript:alert(2))";
    let id = create(&app, &client, "Hostile", body).await.to_string();
    app.post(&client, "/admin/api/posts/publish", &[("id", &id)]).await;
    let html =
        client.get(app.url("/posts/hostile")).header("accept", "text/html").send().await.unwrap().text().await.unwrap();
    let article = html.split("class=\"prose\"").nth(1).unwrap();
    for bad in ["<script>alert", "onerror", "javascript:"] {
        assert!(!article.contains(bad), "{bad} survived: {article}");
    }
    let preview = app.post(&client, "/admin/api/posts/preview", &[("body", body)]).await.text().await.unwrap();
    assert!(!preview.contains("<script") && !preview.contains("onerror"), "{preview}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_save_keeps_a_revision_that_can_be_restored() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Author).await;
    let client = app.signed_in(&ann).await;
    let id = create(&app, &client, "First title", "first body").await.to_string();
    let save = [("id", id.as_str()), ("title", "Second title"), ("slug", "first-title"), ("body", "second body")];
    assert_eq!(app.post(&client, "/admin/api/posts/update", &save).await.status(), 200);
    let revisions = json(app.post(&client, "/admin/api/posts/revisions", &[("id", &id)]).await).await;
    assert_eq!(revisions.as_array().unwrap().len(), 2);
    let first = revisions[1]["id"].to_string();
    assert_eq!(
        app.post(&client, "/admin/api/posts/restore", &[("id", &id), ("revision_id", &first)]).await.status(),
        200
    );
    let post = json(app.post(&client, "/admin/api/posts/get", &[("id", &id)]).await).await;
    assert_eq!((post["title"].as_str(), post["body"].as_str()), (Some("First title"), Some("first body")));
    assert_eq!(app.audit_count("post.restored").await, 1);
    // A revision of another post cannot be restored into this one.
    let other = create(&app, &client, "Other", "other body").await.to_string();
    let theirs =
        json(app.post(&client, "/admin/api/posts/revisions", &[("id", &other)]).await).await[0]["id"].to_string();
    assert_eq!(
        app.post(&client, "/admin/api/posts/restore", &[("id", &id), ("revision_id", &theirs)]).await.status(),
        404
    );
}

/// The editor page reads a post and its past in one call (`posts/editor`): the same post, saved
/// versions and publish history, newest first, as the three calls on their own, text as it was
/// typed, and nothing of a post outside the author's scope.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_editor_page_reads_the_post_and_both_lists_in_scope() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Author).await;
    let eve = app.create_user("eve", Role::Editor).await;
    let (ann_c, eve_c) = (app.signed_in(&ann).await, app.signed_in(&eve).await);
    let id = create(&app, &ann_c, "First title", "first body").await.to_string();
    let title = r#"Quotes " \ and </script><img src=x onerror=alert(1)> — ünïcode"#;
    let save = [("id", id.as_str()), ("title", title), ("slug", "first-title"), ("body", "line one\nline \"two\"")];
    assert_eq!(app.post(&ann_c, "/admin/api/posts/update", &save).await.status(), 200);
    for step in ["publish", "unpublish"] {
        assert_eq!(app.post(&eve_c, &format!("/admin/api/posts/{step}"), &[("id", &id)]).await.status(), 200);
    }
    let editor = json(app.post(&ann_c, "/admin/api/posts/editor", &[("id", &id)]).await).await;
    let post = json(app.post(&ann_c, "/admin/api/posts/get", &[("id", &id)]).await).await;
    let revisions = json(app.post(&ann_c, "/admin/api/posts/revisions", &[("id", &id)]).await).await;
    let history = json(app.post(&ann_c, "/admin/api/posts/history", &[("id", &id)]).await).await;
    assert_eq!(editor["post"], post);
    assert_eq!(editor["post"]["title"], title);
    assert_eq!(editor["past"]["revisions"], revisions);
    assert_eq!(editor["past"]["published"], history);
    assert_eq!(revisions.as_array().unwrap().len(), 2, "{revisions}");
    assert_eq!(revisions[0]["title"], title, "newest first, as typed");
    assert_eq!(revisions[0]["body"], "line one\nline \"two\"");
    assert_eq!(revisions[1]["title"], "First title");
    let actions: Vec<_> = history.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["unpublished", "published"], "newest first");
    assert!(history.as_array().unwrap().iter().all(|e| e["actor"] == "eve"), "{history}");
    // Another author's post, and a missing one, are both 404 with nothing of the post.
    let bob = app.create_user("bob", Role::Author).await;
    let bob_c = app.signed_in(&bob).await;
    for (who, post) in [(&bob_c, id.as_str()), (&ann_c, "999999")] {
        let res = app.post(who, "/admin/api/posts/editor", &[("id", post)]).await;
        assert_eq!(res.status(), 404);
        let text = res.text().await.unwrap();
        assert!(!text.contains("First title") && !text.contains("ünïcode") && !text.contains("line one"), "{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_slug_is_a_field_error_not_a_500() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Author).await;
    let client = app.signed_in(&ann).await;
    create(&app, &client, "Same title", "x").await;
    let res = app.post(&client, "/admin/api/posts/create", &[("title", "Same title")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("\"field\":\"slug\""));
    let res = app.post(&client, "/admin/api/posts/create", &[("title", "X"), ("category_id", "77")]).await;
    assert_eq!(res.status(), 422, "an unknown category is a field error");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_post_publishes_itself_at_its_time() {
    let app = TestApp::spawn().await;
    let ed = app.create_user("ed", Role::Editor).await;
    let client = app.signed_in(&ed).await;
    let id = create(&app, &client, "Later", "soon").await;
    let res =
        app.post(&client, "/admin/api/posts/schedule", &[("id", &id.to_string()), ("at", "2099-05-01T08:30")]).await;
    assert_eq!(res.status(), 409, "a draft is submitted for review before it is scheduled");
    assert_eq!(app.post(&client, "/admin/api/posts/submit", &[("id", &id.to_string())]).await.status(), 200);
    let res =
        app.post(&client, "/admin/api/posts/schedule", &[("id", &id.to_string()), ("at", "2000-01-01T00:00")]).await;
    assert_eq!(res.status(), 422, "the past is refused");
    let res =
        app.post(&client, "/admin/api/posts/schedule", &[("id", &id.to_string()), ("at", "2099-05-01T08:30")]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(server::scheduler::publish_due(&app.pool).await.unwrap(), 0, "not due yet");
    sql!(app, |c| sqlx::query("update posts set scheduled_at = '2001-01-01T00:00:00.000Z'")
        .execute(c)
        .await
        .map(|d| d.rows_affected()))
    .unwrap();
    assert_eq!(server::scheduler::publish_due(&app.pool).await.unwrap(), 1);
    assert_eq!(post_status(&app, id).await, "published");
    let actor: String =
        sql!(app, |c| sqlx::query_scalar("select actor_label from audit_events where action = 'post.published'")
            .fetch_one(c)
            .await)
        .unwrap();
    assert_eq!(actor, "system");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overview_counts_stay_inside_the_callers_scope() {
    let app = TestApp::spawn().await;
    let (ann, bob) = (app.create_user("ann", Role::Author).await, app.create_user("bob", Role::Author).await);
    let (ann_c, bob_c) = (app.signed_in(&ann).await, app.signed_in(&bob).await);
    create(&app, &ann_c, "A1", "").await;
    create(&app, &ann_c, "A2", "").await;
    create(&app, &bob_c, "B1", "").await;
    let counts = json(app.post(&bob_c, "/admin/api/posts/counts", &[]).await).await;
    assert_eq!(counts["drafts"], 1);
    assert_eq!(counts["weekly"].as_array().unwrap().len(), 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn taxonomy_changes_are_audited_and_deleting_a_category_keeps_its_posts() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let client = app.signed_in(&ada).await;
    let cat =
        json(app.post(&client, "/admin/api/categories/create", &[("name", "Release Notes")]).await).await.to_string();
    let dup = app.post(&client, "/admin/api/categories/create", &[("name", "Other"), ("slug", "release-notes")]).await;
    assert_eq!(dup.status(), 422);
    let id =
        json(app.post(&client, "/admin/api/posts/create", &[("title", "Filed"), ("category_id", &cat)]).await).await;
    assert_eq!(app.post(&client, "/admin/api/categories/delete", &[("id", &cat)]).await.status(), 200);
    let category: Option<i64> = sql!(app, |c| sqlx::query_scalar("select category_id from posts where id = $1")
        .bind(id.as_i64())
        .fetch_one(c)
        .await)
    .unwrap();
    assert_eq!(category, None);
    assert_eq!(app.audit_count("category.created").await, 1);
    assert_eq!(app.audit_count("category.deleted").await, 1);
    let tag = json(app.post(&client, "/admin/api/tags/create", &[("name", "Rust")]).await).await.to_string();
    assert_eq!(
        app.post(&client, "/admin/api/tags/update", &[("id", &tag), ("name", "Rust lang"), ("slug", "rust-lang")])
            .await
            .status(),
        200
    );
    assert_eq!(app.audit_count("tag.updated").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pickers_offer_active_authors_in_scope_and_every_term_by_name() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let zoe = app.create_user("zoe", Role::Author).await;
    let gone = app.create_user("bea", Role::Author).await;
    let (admin, author) = (app.signed_in(&ada).await, app.signed_in(&zoe).await);
    assert_eq!(app.post(&admin, "/admin/api/users/deactivate", &[("id", &gone.id.0.to_string())]).await.status(), 200);
    for (kind, name) in [("categories", "beta"), ("categories", "Alpha"), ("tags", "Zed"), ("tags", "apple")] {
        assert_eq!(app.post(&admin, &format!("/admin/api/{kind}/create"), &[("name", name)]).await.status(), 200);
    }
    let names = |v: &Value, list: &str, field: &str| -> Vec<String> {
        v[list].as_array().unwrap().iter().map(|o| o[field].as_str().unwrap().to_owned()).collect()
    };
    let all = json(app.post(&admin, "/admin/api/posts/pickers", &[]).await).await;
    assert_eq!(names(&all, "authors", "username"), ["ada", "zoe"], "active accounts only, by username");
    assert_eq!(names(&all, "categories", "name"), ["Alpha", "beta"], "by name, ignoring case");
    assert_eq!(names(&all, "tags", "name"), ["apple", "Zed"]);
    let own = json(app.post(&author, "/admin/api/posts/pickers", &[]).await).await;
    assert_eq!(names(&own, "authors", "username"), ["zoe"], "an author is offered only themselves");
    assert_eq!((own["categories"].clone(), own["tags"].clone()), (all["categories"].clone(), all["tags"].clone()));
    // The options are read again after a change through the dashboard, not a few seconds later.
    assert_eq!(app.post(&admin, "/admin/api/categories/create", &[("name", "Gamma")]).await.status(), 200);
    let after = json(app.post(&admin, "/admin/api/posts/pickers", &[]).await).await;
    assert_eq!(names(&after, "categories", "name"), ["Alpha", "beta", "Gamma"]);
    assert_eq!(app.post(&admin, "/admin/api/users/deactivate", &[("id", &zoe.id.0.to_string())]).await.status(), 200);
    let after = json(app.post(&admin, "/admin/api/posts/pickers", &[]).await).await;
    assert_eq!(names(&after, "authors", "username"), ["ada"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anonymous_export_is_refused() {
    let app = TestApp::spawn().await;
    let res = app.client().get(app.url("/admin/posts/export.csv")).send().await.unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_authors_edit_page_is_not_found() {
    let app = TestApp::spawn().await;
    let (ann, bob) = (app.create_user("ann", Role::Author).await, app.create_user("bob", Role::Author).await);
    let ann_c = app.signed_in(&ann).await;
    let id = create(&app, &ann_c, "Ann only", "x").await;
    let bob_c = app.signed_in(&bob).await;
    let res = bob_c.get(app.url(&format!("/admin/posts/{id}"))).header("accept", "text/html").send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(!res.text().await.unwrap().contains("Ann only"));
}

/// A post by `author` in review, scheduled by `editor` for a far future time.
async fn scheduled_in_review(app: &TestApp, author: &reqwest::Client, editor: &reqwest::Client) -> i64 {
    let n = app.count("select count(*) from posts").await;
    let id = create(app, author, &format!("Reviewed text {n}"), "What the editor read.").await;
    assert_eq!(app.post(author, "/admin/api/posts/submit", &[("id", &id.to_string())]).await.status(), 200);
    let at = [("id", id.to_string()), ("at", "2099-05-01T08:30".to_owned())];
    let at: Vec<(&str, &str)> = at.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(app.post(editor, "/admin/api/posts/schedule", &at).await.status(), 200);
    id
}

/// An author and an editor, signed in.
async fn author_and_editor(app: &TestApp) -> (reqwest::Client, reqwest::Client) {
    let (ann, ed) = (app.create_user("ann", Role::Author).await, app.create_user("ed", Role::Editor).await);
    (app.signed_in(&ann).await, app.signed_in(&ed).await)
}

/// Save post `id` with a new body as `client`, returning the status.
async fn save_body(app: &TestApp, client: &reqwest::Client, id: i64, body: &str) -> u16 {
    let title: String =
        sql!(app, |c| sqlx::query_scalar("select title from posts where id = $1").bind(id).fetch_one(c).await).unwrap();
    let form =
        [("id", id.to_string().as_str()), ("title", title.as_str()), ("body", body)].map(|(k, v)| (k, v.to_owned()));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post(client, "/admin/api/posts/update", &form).await.status().as_u16()
}

async fn make_due(app: &TestApp) {
    sql!(app, |c| sqlx::query(
        "update posts set scheduled_at = '2001-01-01T00:00:00.000Z' where scheduled_at is not null"
    )
    .execute(c)
    .await
    .map(|d| d.rows_affected()))
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_authors_edit_after_scheduling_cancels_the_schedule_and_nothing_unreviewed_goes_live() {
    let app = TestApp::spawn().await;
    let (ann_c, ed_c) = author_and_editor(&app).await;
    let id = scheduled_in_review(&app, &ann_c, &ed_c).await;
    assert_eq!(save_body(&app, &ann_c, id, "Unreviewed spam").await, 200);
    assert_eq!(app.count(&format!("select count(*) from posts where id = {id} and scheduled_at is not null")).await, 0);
    assert_eq!(app.audit_count("post.unscheduled").await, 1, "the cancellation is audited");
    make_due(&app).await;
    assert_eq!(server::scheduler::publish_due(&app.pool).await.unwrap(), 0);
    assert_eq!(post_status(&app, id).await, "review", "the new text waits for an editor");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawing_or_restoring_a_scheduled_post_cancels_its_schedule() {
    let app = TestApp::spawn().await;
    let (ann_c, ed_c) = author_and_editor(&app).await;
    let withdrawn = scheduled_in_review(&app, &ann_c, &ed_c).await;
    assert_eq!(app.post(&ann_c, "/admin/api/posts/withdraw", &[("id", &withdrawn.to_string())]).await.status(), 200);
    let restored = scheduled_in_review(&app, &ann_c, &ed_c).await;
    let revision: i64 = sql!(app, |c| sqlx::query_scalar("select min(id) from post_revisions where post_id = $1")
        .bind(restored)
        .fetch_one(c)
        .await)
    .unwrap();
    let form = [("id", restored.to_string()), ("revision_id", revision.to_string())];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(app.post(&ann_c, "/admin/api/posts/restore", &form).await.status(), 200);
    assert_eq!(app.count("select count(*) from posts where scheduled_at is not null").await, 0);
    assert_eq!(app.audit_count("post.unscheduled").await, 2);
    make_due(&app).await;
    assert_eq!(server::scheduler::publish_due(&app.pool).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_editors_own_edit_keeps_the_schedule_and_the_scheduler_skips_drafts() {
    let app = TestApp::spawn().await;
    let (ann_c, ed_c) = author_and_editor(&app).await;
    let id = scheduled_in_review(&app, &ann_c, &ed_c).await;
    assert_eq!(save_body(&app, &ed_c, id, "Polished by the editor").await, 200);
    // A draft that still carries a schedule (legacy data) is never published by the scheduler.
    let draft = create(&app, &ann_c, "Draft", "Not reviewed").await;
    sql!(app, |c| sqlx::query("update posts set scheduled_at = '2001-01-01T00:00:00.000Z' where id = $1")
        .bind(draft)
        .execute(c)
        .await
        .map(|d| d.rows_affected()))
    .unwrap();
    make_due(&app).await;
    assert_eq!(server::scheduler::publish_due(&app.pool).await.unwrap(), 1);
    assert_eq!((post_status(&app, id).await, post_status(&app, draft).await), ("published".into(), "draft".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_of_the_longest_allowed_body_saves_and_one_character_more_is_a_field_error() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Author).await;
    let client = app.signed_in(&ann).await;
    let id = create(&app, &client, "Long read", "short").await.to_string();
    // Four bytes per character in UTF-8, twelve once a form percent-encodes them.
    let longest = "𝄞".repeat(app::domain::MAX_BODY);
    let res =
        app.post(&client, "/admin/api/posts/update", &[("id", &id), ("title", "Long read"), ("body", &longest)]).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let stored: i64 = app.count(&format!("select length(body) from posts where id = {id}")).await;
    assert_eq!(stored, app::domain::MAX_BODY as i64);
    let over = format!("{longest}x");
    let res =
        app.post(&client, "/admin/api/posts/update", &[("id", &id), ("title", "Long read"), ("body", &over)]).await;
    assert_eq!(res.status(), 422, "one character over is a message on the field, not a 413");
    assert!(res.text().await.unwrap().contains("\"field\":\"body\""));
    // A body declared bigger than the route's limit is refused from its headers, before it is
    // read (a client still sending it may see the connection close instead of the answer).
    assert!(app.declared_body_status("/admin/api/posts/update", 4 * 1024 * 1024).await.starts_with("HTTP/1.1 413"));
    assert_eq!(app.count(&format!("select length(body) from posts where id = {id}")).await, stored);
}

/// The editor loads a post with its tags, in id order, and with none once they are taken off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_loads_with_its_tags() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let ada_c = app.signed_in(&ada).await;
    let mut tags = Vec::new();
    for name in ["First", "Second"] {
        tags.push(json(app.post(&ada_c, "/admin/api/tags/create", &[("name", name)]).await).await.as_i64().unwrap());
    }
    let (a, b) = (tags[0].to_string(), tags[1].to_string());
    let form = [("title", "Tagged"), ("tags[]", b.as_str()), ("tags[]", a.as_str())];
    let id = json(app.post(&ada_c, "/admin/api/posts/create", &form).await).await.to_string();
    let post = json(app.post(&ada_c, "/admin/api/posts/get", &[("id", &id)]).await).await;
    assert_eq!(post["tag_ids"], serde_json::json!(tags));
    let save = [("id", id.as_str()), ("title", "Tagged"), ("slug", "tagged"), ("body", "")];
    assert_eq!(app.post(&ada_c, "/admin/api/posts/update", &save).await.status(), 200);
    let post = json(app.post(&ada_c, "/admin/api/posts/get", &[("id", &id)]).await).await;
    assert_eq!(post["tag_ids"], serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn taxonomy_counts_follow_the_callers_scope() {
    let app = TestApp::spawn().await;
    let (ann, bob) = (app.create_user("ann", Role::Author).await, app.create_user("bob", Role::Author).await);
    let ada = app.create_user("ada", Role::Admin).await;
    let ada_c = app.signed_in(&ada).await;
    let tag = json(app.post(&ada_c, "/admin/api/tags/create", &[("name", "Secret plans")]).await).await;
    let cat = json(app.post(&ada_c, "/admin/api/categories/create", &[("name", "Mergers")]).await).await;
    let (tag, cat) = (tag.as_i64().unwrap().to_string(), cat.as_i64().unwrap().to_string());
    let ann_c = app.signed_in(&ann).await;
    for title in ["One", "Two"] {
        let form = [("title", title), ("tags[]", tag.as_str()), ("category_id", cat.as_str())];
        assert_eq!(app.post(&ann_c, "/admin/api/posts/create", &form).await.status(), 200);
    }
    let bob_c = app.signed_in(&bob).await;
    for (path, client, expected) in [
        ("/admin/api/tags/list", &bob_c, 0),
        ("/admin/api/categories/list", &bob_c, 0),
        ("/admin/api/tags/list", &ann_c, 2),
        ("/admin/api/categories/list", &ann_c, 2),
        ("/admin/api/tags/list", &ada_c, 2),
    ] {
        let terms = json(app.post(client, path, &[]).await).await;
        assert_eq!(terms[0]["posts"], expected, "{path}");
    }
}
