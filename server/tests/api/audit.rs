//! Reading the audit log: filters in any combination, details, and the streamed CSV export with
//! the same filters, on 10,000 events.

use crate::helpers::*;
use app::{domain::Role, ssr::db::Stamp};

async fn seed(app: &TestApp) {
    sql!(app, |c| sqlx::query(
        "with recursive k(i) as (select 1 union all select i + 1 from k where i < 10000)
         insert into audit_events (actor_label, client_ip, action, target_type, target_id, details)
         select case when i % 2 = 0 then 'ed' else 'ann' end,
                case when i % 10 = 0 then '203.0.113.9' else '198.51.100.1' end,
                case when i % 4 = 0 then 'post.published' when i % 4 = 1 then 'post.updated' else 'post.created' end,
                'post', cast(i % 100 as text), '{\"n\":' || cast(i as text) || '}'
         from k",
    )
    .execute(c)
    .await
    .map(drop))
    .unwrap();
    for (at, target) in [
        (time::macros::datetime!(2026-01-10 12:00 UTC), "=SUM(1+1)"),
        (time::macros::datetime!(2026-01-11 23:59:59 UTC), "jan-11"),
        (time::macros::datetime!(2026-01-12 00:00 UTC), "jan-12"),
    ] {
        sql!(app, |c| sqlx::query(
            "insert into audit_events (occurred_at, actor_label, action, target_type, target_id)
             values ($1, 'cli', 'user.created', 'user', $2)"
        )
        .bind(Stamp(at))
        .bind(target)
        .execute(c)
        .await
        .map(drop))
        .unwrap();
    }
}

async fn total(app: &TestApp, admin: &reqwest::Client, form: &[(&str, &str)]) -> i64 {
    let res = app.post(admin, "/admin/api/audit/list", form).await;
    assert_eq!(res.status(), 200, "{form:?}");
    res.json::<serde_json::Value>().await.unwrap()["total"].as_i64().unwrap()
}

/// The export's records (header first) for a query string.
async fn export(app: &TestApp, client: &reqwest::Client, query: &str) -> (reqwest::StatusCode, Vec<csv::StringRecord>) {
    let res = client.get(app.url(&format!("/admin/audit/export.csv{query}"))).send().await.unwrap();
    let status = res.status();
    assert!(res.headers().get("content-length").is_none() || !status.is_success(), "streamed, not buffered");
    let body = res.bytes().await.unwrap();
    let records = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&body[..])
        .records()
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_default();
    (status, records)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_combine_and_the_export_streams_the_same_rows_newest_first() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    seed(&app).await;
    let everything = total(&app, &admin, &[]).await;
    assert_eq!(everything, 10_004, "10,000 seeded, 3 dated, and ada's sign-in");
    assert_eq!(total(&app, &admin, &[("actor", "ed")]).await, 5_000);
    assert_eq!(total(&app, &admin, &[("action[]", "post.published")]).await, 2_500);
    assert_eq!(total(&app, &admin, &[("action[]", "post.published"), ("action[]", "post.updated")]).await, 5_000);
    assert_eq!(total(&app, &admin, &[("actor", "ann"), ("action[]", "post.published")]).await, 0);
    assert_eq!(total(&app, &admin, &[("target_type", "post"), ("target_id", "7")]).await, 100);
    assert_eq!(total(&app, &admin, &[("ip", "203.0.113.9")]).await, 1_000);
    assert_eq!(total(&app, &admin, &[("from", "2026-01-11"), ("to", "2026-01-11")]).await, 1, "UTC days, both ends in");
    assert_eq!(total(&app, &admin, &[("from", "2026-01-10"), ("to", "2026-01-11")]).await, 2);
    assert_eq!(total(&app, &admin, &[("to", "2026-01-12")]).await, 3);

    let (status, all) = export(&app, &admin, "").await;
    assert_eq!(status, 200);
    assert_eq!(
        &all[0],
        vec!["id", "occurred_at", "actor", "client_ip", "action", "target_type", "target_id", "details"]
    );
    assert_eq!(all.len() as i64 - 1, everything, "every row, across many chunks");
    let ids: Vec<i64> = all[1..].iter().map(|r| r[0].parse().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first, none twice");
    let (_, published) = export(&app, &admin, "?action=post.published&action=post.updated&actor=ed").await;
    assert_eq!(published.len() - 1, 2_500);
    assert!(published[1..].iter().all(|r| &r[2] == "ed" && &r[4] == "post.published"));
    let (_, dated) = export(&app, &admin, "?from=2026-01-10&to=2026-01-10").await;
    assert_eq!(dated.len(), 2);
    assert_eq!(&dated[1][6], "'=SUM(1+1)", "a formula cell is defused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_filters_are_clear_4xx_and_only_admins_read_or_export() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    for (form, field) in [
        ([("from", "2026-13-01")], "from"),
        ([("to", "yesterday")], "to"),
        ([("ip", "not-an-ip")], "ip"),
        ([("action[]", "post.exploded")], "action"),
    ] {
        let res = app.post(&admin, "/admin/api/audit/list", &form).await;
        assert_eq!(res.status(), 422, "{form:?}");
        assert!(res.text().await.unwrap().contains(&format!(r#""field":"{field}""#)));
    }
    assert_eq!(export(&app, &admin, "?from=2026-02-30").await.0, 422);
    assert_eq!(export(&app, &app.client(), "").await.0, 401);
    for role in [Role::Author, Role::Editor] {
        let user = app.create_user(&format!("u{}", role.as_str()), role).await;
        let client = app.signed_in(&user).await;
        assert_eq!(export(&app, &client, "").await.0, 403, "{role}");
        assert_eq!(app.post(&client, "/admin/api/audit/list", &[]).await.status(), 403);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_opens_its_before_and_after_as_a_readable_diff() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    let ed = app.create_user("ed", Role::Editor).await;
    let id = ed.id.0.to_string();
    assert_eq!(app.post(&admin, "/admin/api/users/set-role", &[("id", &id), ("role", "author")]).await.status(), 200);
    let page = admin.get(app.url("/admin/audit?action=user.role_changed")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("1 change"), "{html}");
    assert!(html.contains("<del>editor</del>") && html.contains("<ins>author</ins>"), "{html}");
    assert!(!html.contains("auth.login</td>"), "the filter applies to the page");
}
