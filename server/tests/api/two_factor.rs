//! Two-factor sign-in against the real server: enrolment, the second step of signing in, codes
//! accepted once, recovery codes, and the site setting that requires it.

use crate::helpers::*;
use app::{domain::Role, ssr::db::Backend};
use reqwest::Client;
use serde_json::Value;
use totp_rs::{Algorithm, Secret, TOTP};

/// The code an authenticator app shows `offset` steps from now.
fn code(secret: &str, offset: i64) -> String {
    let raw = Secret::Encoded(secret.to_owned()).to_bytes().unwrap();
    let totp = TOTP::new_unchecked(Algorithm::SHA1, 6, 0, 30, raw, None, "x".into());
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    totp.generate((now + offset * 30) as u64)
}

async fn json(res: reqwest::Response) -> Value {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// Enrol `client` (signed in as `user`): the secret in base32 and the recovery codes.
async fn enrol(app: &TestApp, client: &Client) -> (String, Vec<String>) {
    let enrolment = json(app.post(client, "/admin/api/profile/totp/begin", &[]).await).await;
    let secret = enrolment["secret"].as_str().unwrap().to_owned();
    let codes = json(app.post(client, "/admin/api/profile/totp/confirm", &[("code", &code(&secret, 0))]).await).await;
    let codes = codes.as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    (secret, codes)
}

/// Sign in with the password only: the sign-in waits for a code.
async fn password_step(app: &TestApp, user: &TestUser) -> Client {
    let client = app.client();
    let res = app.login_response(&client, &user.username, &user.password).await;
    assert_eq!(res.status(), 200);
    client
}

async fn me(app: &TestApp, client: &Client) -> u16 {
    app.post(client, "/admin/api/auth/me", &[]).await.status().as_u16()
}

async fn verify(app: &TestApp, client: &Client, code: &str) -> u16 {
    app.post(client, "/admin/api/auth/verify", &[("code", code)]).await.status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrolment_shows_the_secret_once_and_the_password_alone_then_opens_nothing() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Author).await;
    let client = app.signed_in(&ann).await;
    let enrolment = json(app.post(&client, "/admin/api/profile/totp/begin", &[]).await).await;
    let secret = enrolment["secret"].as_str().unwrap().to_owned();
    assert!(enrolment["uri"].as_str().unwrap().starts_with("otpauth://totp/Inkwarden:ann?"), "{enrolment}");
    assert!(enrolment["qr_svg"].as_str().unwrap().contains("<svg"));
    let wrong = app.post(&client, "/admin/api/profile/totp/confirm", &[("code", "000000")]).await;
    assert_eq!(wrong.status(), 422);
    // Both codes are taken now: worked out again later, a code can belong to the next step.
    let (used, next) = (code(&secret, 0), code(&secret, 1));
    let codes = json(app.post(&client, "/admin/api/profile/totp/confirm", &[("code", &used)]).await).await;
    assert_eq!(codes.as_array().unwrap().len(), 10);
    assert_eq!(app.audit_count("totp.enabled").await, 1);
    let status = json(app.post(&client, "/admin/api/profile/totp/status", &[]).await).await;
    assert_eq!((status["enabled"].as_bool(), status["recovery_codes_left"].as_i64()), (Some(true), Some(10)));
    // Never shown again: a second enrolment is refused while it is on.
    assert_eq!(app.post(&client, "/admin/api/profile/totp/begin", &[]).await.status(), 409);

    // The secret is sealed: neither its bytes nor its base32 text are in the database.
    let raw = Secret::Encoded(secret.clone()).to_bytes().unwrap();
    match app.pool.backend() {
        Backend::Sqlite => {
            let mut stored = Vec::new();
            for file in ["inkwarden.db", "inkwarden.db-wal"] {
                stored.extend(std::fs::read(app.data_dir().join(file)).unwrap_or_default());
            }
            assert!(!stored.windows(raw.len()).any(|w| w == raw.as_slice()), "raw secret in the database file");
            assert!(!stored.windows(secret.len()).any(|w| w == secret.as_bytes()), "base32 secret in the file");
        }
        Backend::Postgres => {
            let sealed: Vec<u8> =
                sql!(app, |c| sqlx::query_scalar("select sealed from totp_secrets").fetch_one(c).await).unwrap();
            assert!(!sealed.windows(raw.len()).any(|w| w == raw.as_slice()));
        }
    }

    // The password alone leaves a pending sign-in: no session, the dashboard still sends to login.
    let pending = app.client();
    let res = app.login_response(&pending, "ann", &ann.password).await;
    let before = session_cookie(&res).expect("the pending sign-in lives in a server-side session");
    assert_eq!(me(&app, &pending).await, 401);
    let page = pending.get(app.url("/admin")).header("accept", "text/html").send().await.unwrap();
    assert_eq!(page.status(), 302);
    // The code of the enrolment step was used; the next one completes the sign-in.
    assert_eq!(verify(&app, &pending, &used).await, 422, "a code is accepted once");
    let res = app.post(&pending, "/admin/api/auth/verify", &[("code", &next)]).await;
    assert_eq!(res.status(), 200);
    let after = session_cookie(&res).expect("a new session id");
    assert_ne!(before.split(';').next(), after.split(';').next(), "the session id changes when the sign-in completes");
    assert_eq!(me(&app, &pending).await, 200);
    let details: String = sql!(app, |c| sqlx::query_scalar(
        "select details from audit_events where action = 'auth.login' order by id desc limit 1"
    )
    .fetch_one(c)
    .await)
    .unwrap();
    assert!(details.contains("\"second_factor\":\"totp\""), "{details}");
    // A replay of that code in another sign-in is refused too.
    let again = password_step(&app, &ann).await;
    assert_eq!(verify(&app, &again, &next).await, 422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recovery_code_signs_in_once_and_new_codes_replace_the_old() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Editor).await;
    let first = app.signed_in(&ann).await;
    let (secret, codes) = enrol(&app, &first).await;

    let client = password_step(&app, &ann).await;
    assert_eq!(verify(&app, &client, &codes[0].to_uppercase()).await, 200, "case and dashes do not matter");
    let status = json(app.post(&client, "/admin/api/profile/totp/status", &[]).await).await;
    assert_eq!(status["recovery_codes_left"].as_i64(), Some(9));
    let reuse = password_step(&app, &ann).await;
    assert_eq!(verify(&app, &reuse, &codes[0]).await, 422, "a recovery code works once, ever");

    let res = app.post(&client, "/admin/api/profile/recovery-codes/regenerate", &[("code", &code(&secret, 1))]).await;
    let fresh = json(res).await;
    assert_eq!(fresh.as_array().unwrap().len(), 10);
    assert_eq!(app.audit_count("recovery_codes.regenerated").await, 1);
    let old = password_step(&app, &ann).await;
    assert_eq!(verify(&app, &old, &codes[1]).await, 422, "the old codes stopped working");
    assert_eq!(verify(&app, &old, fresh[0].as_str().unwrap()).await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_codes_drop_the_pending_sign_in_and_count_as_failed_sign_ins() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Author).await;
    let (secret, _) = enrol(&app, &app.signed_in(&ann).await).await;
    let client = password_step(&app, &ann).await;
    for _ in 0..4 {
        assert_eq!(verify(&app, &client, "123456").await, 422);
    }
    assert_eq!(verify(&app, &client, "654321").await, 401, "the fifth wrong code ends the pending sign-in");
    assert_eq!(verify(&app, &client, &code(&secret, 1)).await, 401, "and the right code cannot revive it");
    assert_eq!(app.audit_count("login.second_factor_failed").await, 5);
    assert_eq!(app.audit_count("login.locked").await, 1, "five failures of the username lock it");
    let res = app.login_response(&app.client(), "ann", &ann.password).await;
    assert_eq!(res.status(), 429);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn turning_it_off_needs_the_password_and_a_code_and_ends_the_other_sessions() {
    let app = TestApp::spawn().await;
    let ann = app.create_user("ann", Role::Author).await;
    let here = app.signed_in(&ann).await;
    let (secret, _) = enrol(&app, &here).await;
    let elsewhere = password_step(&app, &ann).await;
    assert_eq!(verify(&app, &elsewhere, &code(&secret, 1)).await, 200);
    let res = app
        .post(
            &here,
            "/admin/api/profile/totp/disable",
            &[("current_password", "wrong one"), ("code", &code(&secret, 0))],
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .post(&here, "/admin/api/profile/totp/disable", &[("current_password", &ann.password), ("code", "000000")])
        .await;
    assert_eq!(res.status(), 422);
    // Steps 0 and 1 were used; wait for a fresh one rather than guess.
    let fresh = fresh_code(&app, &secret).await;
    let res = app
        .post(&here, "/admin/api/profile/totp/disable", &[("current_password", &ann.password), ("code", &fresh)])
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert_eq!(app.audit_count("totp.disabled").await, 1);
    assert_eq!((me(&app, &here).await, me(&app, &elsewhere).await), (200, 401));
    assert_eq!(app.count("select count(*) from totp_secrets").await, 0);
    assert_eq!(app.count("select count(*) from recovery_codes").await, 0);
    assert_eq!(app.login_response(&app.client(), "ann", &ann.password).await.status(), 200);
}

/// A code whose step is later than any used so far: the one after next, valid once its time
/// comes (within 30 s).
async fn fresh_code(app: &TestApp, secret: &str) -> String {
    let last: i64 = app.count("select max(last_step) from totp_secrets").await;
    loop {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64 / 30;
        if now + 1 > last {
            return code(secret, 1);
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_site_requires_it_an_editor_without_it_can_only_enrol_or_sign_out() {
    let app = TestApp::spawn().await;
    let ada = app.create_user("ada", Role::Admin).await;
    let admin = app.signed_in(&ada).await;
    let ed = app.create_user("ed", Role::Editor).await;
    let editor = app.signed_in(&ed).await;
    let ann = app.create_user("ann", Role::Author).await;
    let author = app.signed_in(&ann).await;

    let require = [("site_title", "Inkwarden"), ("comments_enabled", "on"), ("require_two_factor", "on")];
    assert_eq!(app.post(&editor, "/admin/api/settings/update", &require).await.status(), 403);
    assert_eq!(app.post(&admin, "/admin/api/settings/update", &require).await.status(), 200);
    assert_eq!(app.audit_count("settings.changed").await, 1);

    let refused = app.post(&editor, "/admin/api/posts/list", &[]).await;
    assert_eq!(refused.status(), 403);
    assert!(refused.text().await.unwrap().contains("SecondFactorRequired"));
    let page = editor.get(app.url("/admin/posts")).header("accept", "text/html").send().await.unwrap();
    assert_eq!(page.status(), 303);
    assert_eq!(page.headers()["location"], "/admin/profile#two-factor");
    assert_eq!(app.post(&author, "/admin/api/posts/list", &[]).await.status(), 200, "authors are not held back");
    assert_eq!(me(&app, &editor).await, 200);
    // The admin who turned it on is held back too, until they enrol.
    assert_eq!(app.post(&admin, "/admin/api/users/list", &[]).await.status(), 403);

    let (_, _) = enrol(&app, &editor).await;
    assert_eq!(app.post(&editor, "/admin/api/posts/list", &[]).await.status(), 200);
    assert_eq!(app.post(&editor, "/admin/api/auth/logout", &[]).await.status(), 200);
}
