//! HTTP hardening: malformed and oversized bodies, cross-site posts, headers, client addresses, redirects.

use crate::helpers::*;
use app::domain::Role;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_bodies_get_a_4xx_and_never_a_500() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let client = app.signed_in(&ada).await;
    let before = app.users_fingerprint().await;
    let cases: [(&str, &str, &[u8]); 5] = [
        ("/admin/api/auth/login", "application/x-www-form-urlencoded", b"username=ann"),
        ("/admin/api/users/list", "application/x-www-form-urlencoded", b"page=not-a-number"),
        ("/admin/api/profile/change-password", "application/x-www-form-urlencoded", b"%%%&&&=\xff\xfe"),
        ("/admin/api/audit/list", "application/x-www-form-urlencoded", b"action=auth.nonsense"),
        ("/admin/api/auth/login", "application/json", b"{not json"),
    ];
    for (path, content_type, body) in cases {
        let res =
            client.post(app.url(path)).header("content-type", content_type).body(body.to_vec()).send().await.unwrap();
        let status = res.status().as_u16();
        assert!((400..500).contains(&status), "{path} {body:?}: {status} {}", res.text().await.unwrap());
    }
    assert_eq!(app.users_fingerprint().await, before);
}

/// A NUL cannot even be sent to PostgreSQL in a text parameter: wherever a request's text reaches
/// a query, it gets a 4xx, never a 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nul_in_any_field_is_a_4xx_and_never_reaches_the_database() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let client = app.signed_in(&ada).await;
    let before = app.users_fingerprint().await;
    let cases: [(&str, &str); 6] = [
        ("/admin/api/auth/login", "username=a%00b&password=x"),
        ("/admin/api/posts/list", "q=a%00b"),
        ("/admin/api/users/list", "q=a%00b"),
        ("/admin/api/comments/list", "q=a%00b"),
        ("/admin/api/audit/list", "actor=a%00b"),
        ("/admin/api/users/create", "username=a%00b&role=author"),
    ];
    for (path, body) in cases {
        let res = client
            .post(app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        assert!((400..500).contains(&status), "{path} {body}: {status} {}", res.text().await.unwrap());
    }
    let res = app.client().get(app.url("/posts/a%00b")).send().await.unwrap();
    assert!((400..500).contains(&res.status().as_u16()), "/posts/a%00b: {}", res.status());
    assert_eq!(app.users_fingerprint().await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_refused_with_413() {
    let app = TestApp::spawn().await;
    for path in ["/admin/api/auth/login", "/posts/anything/comments", "/admin/api/comments/moderate"] {
        let status = app.declared_body_status(path, 200 * 1024).await;
        assert!(status.starts_with("HTTP/1.1 413"), "{path}: {status}");
    }
    assert_eq!(app.count("select count(*) from audit_events").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_posts_are_refused_before_anything_runs() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Author).await;
    for (header, value) in [("sec-fetch-site", "cross-site"), ("origin", "http://evil.example")] {
        let res = app
            .client()
            .post(app.url("/admin/api/auth/login"))
            .header(header, value)
            .form(&[("username", "ann"), ("password", ann.password.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{header}");
        assert!(session_cookie(&res).is_none());
    }
    assert_eq!(app.count("select count(*) from audit_events").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_same_origin_browser_post_is_accepted() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Author).await;
    let res = app
        .client()
        .post(app.url("/admin/api/auth/login"))
        .header("sec-fetch-site", "same-origin")
        .header("origin", format!("http://{}", app.addr))
        .form(&[("username", "ann"), ("password", ann.password.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_security_headers_and_a_nonce_csp() {
    let app = TestApp::spawn().await;
    let res = app.client().get(app.url("/admin/login")).header("accept", "text/html").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let h = res.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["referrer-policy"], "same-origin");
    assert_eq!(h["cache-control"], "no-store");
    let csp = h["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'nonce-"), "{csp}");
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_owned();
    let html = res.text().await.unwrap();
    let scripts = html.matches("<script").count();
    assert!(scripts > 0);
    assert_eq!(html.matches(&format!("nonce=\"{nonce}\"")).count(), scripts, "every script carries the nonce");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_pages_load_no_webassembly_and_the_dashboard_does() {
    let app = TestApp::spawn().await;
    published_post(&app, "plain").await;
    let html = |path: &'static str| {
        let req = app.client().get(app.url(path)).header("accept", "text/html");
        async move { req.send().await.unwrap().text().await.unwrap() }
    };
    for path in ["/", "/posts/plain", "/posts/no-such-post"] {
        let page = html(path).await;
        assert!(page.contains("<html"), "{path}");
        for marker in [".wasm", "modulepreload", "/pkg/inkwarden.js"] {
            assert!(!page.contains(marker), "{path} references {marker}");
        }
        assert!(page.contains(".css\""), "{path} keeps its stylesheet");
    }
    let login = html("/admin/login").await;
    assert!(login.contains(".wasm") && login.contains("modulepreload"), "the dashboard hydrates");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_cookies_are_host_prefixed_secure_httponly_and_same_site() {
    let app = TestApp::spawn_with(false).await;
    let ann = app.create_user("ann", Role::Author).await;
    let res = app.login_response(&app.client(), "ann", &ann.password).await;
    let cookie = session_cookie(&res).expect("cookie");
    assert!(cookie.starts_with("__Host-inkwarden_session="), "{cookie}");
    for attribute in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
    assert!(res.headers().contains_key("strict-transport-security"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_refuses_to_change_or_remove_audit_rows() {
    let app = TestApp::spawn().await;
    app.login_response(&app.client(), "nobody", "wrong password here").await;
    assert_eq!(app.count("select count(*) from audit_events").await, 1);
    let update =
        sql!(app, |c| sqlx::query("update audit_events set action = 'x'").execute(c).await.map(|d| d.rows_affected()));
    let delete = sql!(app, |c| sqlx::query("delete from audit_events").execute(c).await.map(|d| d.rows_affected()));
    assert!(update.unwrap_err().to_string().contains("append-only"));
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    if app.pool.backend() == app::ssr::db::Backend::Postgres {
        // Row triggers do not see TRUNCATE; a statement trigger refuses it too.
        let truncate = sql!(app, |c| sqlx::query("truncate audit_events").execute(c).await.map(|d| d.rows_affected()));
        assert!(truncate.unwrap_err().to_string().contains("append-only"));
    }
    assert_eq!(app.count("select count(*) from audit_events where action = 'auth.login_failed'").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_paths_answer_404() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let res = app.signed_in(&ada).await.get(app.url("/admin/no-such-page")).header("accept", "text/html").send().await;
    assert_eq!(res.unwrap().status(), 404);
    let res = app.post(&app.client(), "/admin/api/no/such-function", &[]).await;
    assert_eq!(res.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_staff_page_requests_redirect_whatever_they_accept() {
    let app = TestApp::spawn().await;
    for accept in [None, Some("*/*"), Some("application/json")] {
        let mut req = app.client().get(app.url("/admin/posts?status=draft"));
        if let Some(accept) = accept {
            req = req.header("accept", accept);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 302, "accept {accept:?}");
        assert_eq!(res.headers()["location"], "/admin/login?next=%2Fadmin%2Fposts%3Fstatus%3Ddraft");
        assert!(!res.text().await.unwrap().contains("Inkwarden"), "no dashboard shell for anonymous callers");
    }
    let login = app.client().get(app.url("/admin/login")).send().await.unwrap();
    assert_eq!(login.status(), 200, "the login page itself stays open");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_address_comes_from_every_forwarded_for_line_read_from_the_right() {
    let app = TestApp::spawn_trusting(vec!["::ffff:127.0.0.1".parse().unwrap()]).await;
    let res = app
        .client()
        .post(app.url("/admin/api/auth/login"))
        .header("x-forwarded-for", "203.0.113.5")
        .header("x-forwarded-for", "198.51.100.7")
        .form(&[("username", "nobody"), ("password", "wrong password here")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let ip: String =
        sql!(app, |c| sqlx::query_scalar("select client_ip from audit_events where action = 'auth.login_failed'")
            .fetch_one(c)
            .await)
        .unwrap();
    assert_eq!(ip, "198.51.100.7", "the last line is the nearest hop; a mapped proxy address still matches");
}
