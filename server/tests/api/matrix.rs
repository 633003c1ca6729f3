//! The permission matrix: every server function × every kind of caller, against the real
//! server. For each refusal, nothing about accounts changed and nothing but the refusal itself
//! was audited. A server function without rows here fails the completeness test.

use crate::helpers::*;
use app::domain::Role;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Caller {
    Anonymous,
    Author,
    Editor,
    Admin,
    Deactivated,
}

const CALLERS: [Caller; 5] = [Caller::Anonymous, Caller::Author, Caller::Editor, Caller::Admin, Caller::Deactivated];

type Form = fn(&TestUser) -> Vec<(&'static str, String)>;

struct Row {
    path: &'static str,
    /// The arguments the caller sends, given their own account.
    form: Form,
    /// Expected status per caller, in the order of `CALLERS`.
    expect: [u16; 5],
}

fn nothing(_: &TestUser) -> Vec<(&'static str, String)> {
    vec![]
}

fn wrong_password(u: &TestUser) -> Vec<(&'static str, String)> {
    vec![("username", u.username.clone()), ("password", "not the password".into())]
}

fn guessed_setup_token(_: &TestUser) -> Vec<(&'static str, String)> {
    let p = PASSWORD.to_owned();
    vec![("token", "guessed".into()), ("username", "mallory".into()), ("password", p.clone()), ("password_confirm", p)]
}

fn change_own_password(u: &TestUser) -> Vec<(&'static str, String)> {
    let new = "a different long passphrase".to_owned();
    vec![("current_password", u.password.clone()), ("new_password", new.clone()), ("confirm_password", new)]
}

#[rustfmt::skip]
const MATRIX: &[Row] = &[
    //                                                                          anon author editor admin deactivated
    Row { path: "/admin/api/auth/login",              form: wrong_password,      expect: [401, 401, 401, 401, 401] },
    Row { path: "/admin/api/auth/logout",             form: nothing,             expect: [401, 200, 200, 200, 401] },
    Row { path: "/admin/api/auth/me",                 form: nothing,             expect: [401, 200, 200, 200, 401] },
    Row { path: "/admin/api/setup/create-admin",      form: guessed_setup_token, expect: [409, 409, 409, 409, 409] },
    Row { path: "/admin/api/profile/change-password", form: change_own_password, expect: [401, 200, 200, 200, 401] },
    Row { path: "/admin/api/users/list",              form: nothing,             expect: [401, 403, 403, 200, 401] },
    Row { path: "/admin/api/audit/list",              form: nothing,             expect: [401, 403, 403, 200, 401] },
];

/// A client acting as `caller`, and the account it acts with.
async fn caller_client(app: &TestApp, caller: Caller, name: &str) -> (reqwest::Client, TestUser) {
    let role = match caller {
        Caller::Anonymous => None,
        Caller::Author => Some(Role::Author),
        Caller::Editor | Caller::Deactivated => Some(Role::Editor),
        Caller::Admin => Some(Role::Admin),
    };
    let Some(role) = role else {
        let nobody = TestUser { id: app::domain::UserId(0), username: name.into(), password: PASSWORD.into() };
        return (app.client(), nobody);
    };
    let user = app.create_user(name, role).await;
    let client = app.signed_in(&user).await;
    if caller == Caller::Deactivated {
        sqlx::query("update users set is_active = 0 where id = ?").bind(user.id.0).execute(&app.pool).await.unwrap();
    }
    (client, user)
}

async fn side_effects(app: &TestApp) -> (String, i64) {
    let audited = app.count("select count(*) from audit_events where action != 'auth.login_failed'").await;
    (app.users_fingerprint().await, audited)
}

#[tokio::test]
async fn every_server_function_answers_every_caller_as_the_matrix_says() {
    let app = TestApp::spawn().await;
    let mut failures = Vec::new();
    for (r, row) in MATRIX.iter().enumerate() {
        for (c, caller) in CALLERS.into_iter().enumerate() {
            let (client, user) = caller_client(&app, caller, &format!("u{r}x{c}")).await;
            let before = side_effects(&app).await;
            let form = (row.form)(&user);
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let status = app.post(&client, row.path, &form).await.status().as_u16();
            if status != row.expect[c] {
                failures.push(format!("{} as {caller:?}: expected {}, got {status}", row.path, row.expect[c]));
            } else if status >= 400 && side_effects(&app).await != before {
                failures.push(format!("{} as {caller:?}: refused with {status} but changed something", row.path));
            }
        }
    }
    assert!(failures.is_empty(), "permission matrix violations:\n{}", failures.join("\n"));
}

#[test]
fn every_registered_server_function_has_matrix_rows() {
    let registered: Vec<String> =
        leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_string()).collect();
    assert!(registered.len() >= MATRIX.len(), "registered: {registered:?}");
    for path in &registered {
        assert!(path.starts_with("/admin/api/"), "{path} is outside the guarded /admin/api/ prefix");
        assert!(MATRIX.iter().any(|row| row.path == path), "{path} has no rows in the permission matrix");
    }
    for row in MATRIX {
        assert!(registered.iter().any(|p| p == row.path), "matrix row for unregistered {}", row.path);
    }
}
