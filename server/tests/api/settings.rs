//! Site settings: admins change them, the public site shows them from the next request, and
//! only the changed fields are audited.

use crate::helpers::*;
use app::domain::Role;

const HOSTILE_TITLE: &str = "</title><script>alert(1)</script>";
const HOSTILE_DESCRIPTION: &str = "\"><img src=x onerror=alert(2)>";

async fn html(app: &TestApp, path: &str) -> String {
    let res = app.client().get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}

fn settings_form<'a>(title: &'a str, description: &'a str, comments: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("site_title", title),
        ("site_description", description),
        ("seo_title", ""),
        ("seo_description", ""),
        ("comments_enabled", comments),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_reach_the_public_pages_at_once_and_hostile_text_stays_inert() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    published_post(&app, "hello").await;
    let home = html(&app, "/").await;
    assert!(home.contains("<title>Inkwarden</title>"), "the default title, without the dashboard suffix");
    assert!(html(&app, "/posts/hello").await.contains(r#"action="/posts/hello/comments""#));

    let form = settings_form(HOSTILE_TITLE, HOSTILE_DESCRIPTION, "");
    let res = app.post(&admin, "/admin/api/settings/update", &form).await;
    assert_eq!(res.status(), 200);
    let home = html(&app, "/").await;
    let post = html(&app, "/posts/hello").await;
    for page in [&home, &post] {
        assert!(!page.contains("<script>alert(1)") && !page.contains("<img src=x"), "{page}");
        assert!(page.contains("&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), "{page}");
        assert!(page.contains(r#"property="og:title""#) && page.contains(r#"property="og:description""#));
    }
    assert!(
        home.contains(r#"<meta name="description" content="&quot;&gt;&lt;img src=x onerror=alert(2)&gt;""#),
        "{home}"
    );
    assert!(post.contains("<title>A post · &lt;/title&gt;"), "a post without an SEO title: title · site");
    assert!(!post.contains(r#"action="/posts/hello/comments""#), "comments off: no form");
    assert!(post.contains("Comments are closed."));
    let refused = app
        .client()
        .post(app.url("/posts/hello/comments"))
        .form(&[("name", "R"), ("body", "hi")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    assert!(refused.text().await.unwrap().contains("Comments are closed"));
    assert_eq!(app.count("select count(*) from comments").await, 0);

    let seo = [("site_title", "The Daily Ink"), ("seo_title", "Daily Ink: news"), ("seo_description", "All the news")];
    assert_eq!(app.post(&admin, "/admin/api/settings/update", &seo).await.status(), 200);
    let home = html(&app, "/").await;
    assert!(home.contains("<title>Daily Ink: news</title>") && home.contains(r#"content="All the news""#), "{home}");
    assert!(home.contains("<h1>The Daily Ink</h1>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_changed_fields_are_audited_and_bad_forms_change_nothing() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    let res = app.post(&admin, "/admin/api/settings/get", &[]).await;
    let defaults: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        (defaults["site_title"].as_str(), defaults["comments_enabled"].as_bool()),
        (Some("Inkwarden"), Some(true))
    );

    let same = settings_form("Inkwarden", "", "on");
    assert_eq!(app.post(&admin, "/admin/api/settings/update", &same).await.status(), 200);
    assert_eq!(app.audit_count("settings.changed").await, 0, "nothing changed, nothing audited");
    let off = settings_form("Inkwarden", "", "");
    assert_eq!(app.post(&admin, "/admin/api/settings/update", &off).await.status(), 200);
    let details = app.texts("select details from audit_events where action = 'settings.changed'").await;
    assert_eq!(details, [r#"{"after":{"comments_enabled":"false"},"before":{"comments_enabled":"true"}}"#]);

    let stored = || app.texts("select key || '=' || value from site_settings order by key");
    let before = stored().await;
    let long = "x".repeat(121);
    let mut unknown = settings_form("Mine", "", "on");
    unknown.push(("require_two_factor_for", "everyone"));
    for (form, field) in [
        (settings_form("", "", "on"), "site_title"),
        (settings_form(&long, "", "on"), "site_title"),
        (settings_form("Two\nlines", "", "on"), "site_title"),
        (settings_form("Mine", "", "maybe"), "comments_enabled"),
        (unknown, "require_two_factor_for"),
    ] {
        let res = app.post(&admin, "/admin/api/settings/update", &form).await;
        assert_eq!(res.status(), 422, "{form:?}");
        assert!(res.text().await.unwrap().contains(&format!(r#""field":"{field}""#)), "{form:?}");
    }
    assert_eq!(stored().await, before);
    assert_eq!(app.audit_count("settings.changed").await, 1);
}
