//! The permission matrix: every server function × every kind of caller, against the real
//! server, each cell on fresh accounts and a fresh post owned by "the owner" (an author).
//! For each refusal nothing changed (accounts, posts, taxonomy) and nothing but the refusal
//! itself was audited; each allowed call that changed something wrote exactly its row's audit
//! event, and one that changed nothing wrote none. A caller naming a post that does not exist
//! gets the same answer, byte for byte, as an author naming someone else's post. A server
//! function without rows here fails the completeness test.

use crate::helpers::*;
use app::domain::{PostStatus, Role};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Caller {
    Anonymous,
    /// The author who owns the fixture post.
    Owner,
    OtherAuthor,
    /// An author naming a post id that does not exist: answered exactly like `OtherAuthor`.
    MissingPost,
    Editor,
    Admin,
    Deactivated,
}

const CALLERS: [Caller; 6] =
    [Caller::Anonymous, Caller::Owner, Caller::OtherAuthor, Caller::Editor, Caller::Admin, Caller::Deactivated];
/// Where `OtherAuthor` sits in `CALLERS`, whose expectations `MissingPost` shares.
const OTHER_AUTHOR: usize = 2;

/// What a cell's request may refer to.
struct Cell {
    user: TestUser,
    post: i64,
    slug: String,
    revision: i64,
    category: i64,
    tag: i64,
    comment: i64,
    /// A sign-in lockout in force.
    lockout: i64,
    /// The author who owns the fixture post.
    owner: app::domain::UserId,
    /// An API token of the owner.
    token: i64,
}

type Form = fn(&Cell) -> Vec<(&'static str, String)>;

struct Row {
    path: &'static str,
    /// Status of the owner's fixture post.
    post: PostStatus,
    form: Form,
    /// Expected status per caller, in the order of `CALLERS`.
    expect: [u16; 6],
    /// The audit event an allowed call that changes something must write.
    audit: Option<&'static str>,
}

const STAFF: [u16; 6] = [401, 200, 200, 200, 200, 401];
const OWN: [u16; 6] = [401, 200, 404, 200, 200, 401];
const EDITORS: [u16; 6] = [401, 403, 403, 200, 200, 401];
const ADMINS: [u16; 6] = [401, 403, 403, 403, 200, 401];

fn nothing(_: &Cell) -> Vec<(&'static str, String)> {
    vec![]
}
fn id(c: &Cell) -> Vec<(&'static str, String)> {
    vec![("id", c.post.to_string())]
}
fn wrong_password(c: &Cell) -> Vec<(&'static str, String)> {
    vec![("username", c.user.username.clone()), ("password", "not the password".into())]
}
fn guessed_setup_token(_: &Cell) -> Vec<(&'static str, String)> {
    let p = PASSWORD.to_owned();
    vec![("token", "guessed".into()), ("username", "mallory".into()), ("password", p.clone()), ("password_confirm", p)]
}
fn change_own_password(c: &Cell) -> Vec<(&'static str, String)> {
    let new = "a different long passphrase".to_owned();
    vec![("current_password", c.user.password.clone()), ("new_password", new.clone()), ("confirm_password", new)]
}
fn new_post(c: &Cell) -> Vec<(&'static str, String)> {
    vec![("title", format!("Fresh {}", c.user.username)), ("body", "Hello".into()), ("tags[]", c.tag.to_string())]
}
fn edited_post(c: &Cell) -> Vec<(&'static str, String)> {
    let mut form = id(c);
    form.extend([
        ("title", "Edited".into()),
        ("slug", c.slug.clone()),
        ("body", "Changed".into()),
        ("category_id", c.category.to_string()),
    ]);
    form
}
fn preview(_: &Cell) -> Vec<(&'static str, String)> {
    vec![("body", "*hi*".into())]
}
fn schedule(c: &Cell) -> Vec<(&'static str, String)> {
    vec![("id", c.post.to_string()), ("at", "2099-01-01T09:00".into())]
}
fn bulk_publish(c: &Cell) -> Vec<(&'static str, String)> {
    vec![("action", "publish".into()), ("ids[]", c.post.to_string())]
}
fn bulk_delete(c: &Cell) -> Vec<(&'static str, String)> {
    vec![("action", "delete".into()), ("ids[]", c.post.to_string())]
}
fn restore(c: &Cell) -> Vec<(&'static str, String)> {
    vec![("id", c.post.to_string()), ("revision_id", c.revision.to_string())]
}
fn new_term(c: &Cell) -> Vec<(&'static str, String)> {
    vec![("name", format!("Term {}", c.user.username))]
}
fn category_rename(c: &Cell) -> Vec<(&'static str, String)> {
    vec![("id", c.category.to_string()), ("name", "Renamed".into())]
}
fn category_id(c: &Cell) -> Vec<(&'static str, String)> {
    vec![("id", c.category.to_string())]
}
fn tag_rename(c: &Cell) -> Vec<(&'static str, String)> {
    vec![("id", c.tag.to_string()), ("name", "Renamed".into())]
}
fn tag_id(c: &Cell) -> Vec<(&'static str, String)> {
    vec![("id", c.tag.to_string())]
}
fn approve_comment(c: &Cell) -> Vec<(&'static str, String)> {
    vec![("action", "approve".into()), ("ids[]", c.comment.to_string())]
}
fn wrong_code(_: &Cell) -> Vec<(&'static str, String)> {
    vec![("code", "000000".into())]
}
fn password_and_wrong_code(c: &Cell) -> Vec<(&'static str, String)> {
    vec![("current_password", c.user.password.clone()), ("code", "000000".into())]
}
fn retitled_site(c: &Cell) -> Vec<(&'static str, String)> {
    vec![("site_title", format!("Site of {}", c.user.username)), ("comments_enabled", "on".into())]
}
fn owner_to_editor(c: &Cell) -> Vec<(&'static str, String)> {
    vec![("id", c.owner.0.to_string()), ("role", "editor".into())]
}
fn owner_id(c: &Cell) -> Vec<(&'static str, String)> {
    vec![("id", c.owner.0.to_string())]
}
fn new_token(c: &Cell) -> Vec<(&'static str, String)> {
    vec![("name", format!("Token of {}", c.user.username)), ("scopes[]", "posts:read".into())]
}
fn token_id(c: &Cell) -> Vec<(&'static str, String)> {
    vec![("id", c.token.to_string())]
}
fn new_account(c: &Cell) -> Vec<(&'static str, String)> {
    vec![("username", format!("new.{}", c.user.username)), ("role", "author".into())]
}
fn guessed_link(_: &Cell) -> Vec<(&'static str, String)> {
    let p = PASSWORD.to_owned();
    vec![("token", "guessed".into()), ("password", p.clone()), ("password_confirm", p)]
}
fn own_user_id(c: &Cell) -> Vec<(&'static str, String)> {
    vec![("id", c.user.id.0.to_string())]
}
fn unknown_session(_: &Cell) -> Vec<(&'static str, String)> {
    vec![("id", "0123456789abcdef0123456789abcdef".into())]
}
fn lockout_id(c: &Cell) -> Vec<(&'static str, String)> {
    vec![("id", c.lockout.to_string())]
}
fn slug(c: &Cell) -> Vec<(&'static str, String)> {
    vec![("slug", c.slug.clone())]
}

use PostStatus::{Draft, Published, Review};

#[rustfmt::skip]
const MATRIX: &[Row] = &[
    Row { path: "/admin/api/auth/login",              post: Draft, form: wrong_password,      expect: [401; 6], audit: None },
    Row { path: "/admin/api/auth/logout",             post: Draft, form: nothing,             expect: STAFF, audit: Some("auth.logout") },
    Row { path: "/admin/api/auth/me",                 post: Draft, form: nothing,             expect: STAFF, audit: None },
    Row { path: "/admin/api/setup/create-admin",      post: Draft, form: guessed_setup_token, expect: [409; 6], audit: None },
    Row { path: "/admin/api/profile/change-password", post: Draft, form: change_own_password, expect: STAFF, audit: Some("user.password_changed") },
    Row { path: "/admin/api/users/list",              post: Draft, form: nothing,             expect: ADMINS, audit: None },
    Row { path: "/admin/api/users/set-role",          post: Draft, form: owner_to_editor,     expect: ADMINS, audit: Some("user.role_changed") },
    Row { path: "/admin/api/users/deactivate",        post: Draft, form: owner_id,            expect: ADMINS, audit: Some("user.deactivated") },
    Row { path: "/admin/api/users/reactivate",        post: Draft, form: owner_id,            expect: ADMINS, audit: None },
    Row { path: "/admin/api/users/create",            post: Draft, form: new_account,         expect: ADMINS, audit: Some("user.created") },
    Row { path: "/admin/api/users/reset-password",    post: Draft, form: owner_id,            expect: ADMINS, audit: Some("user.password_reset") },
    Row { path: "/admin/api/welcome/link",            post: Draft, form: guessed_link,        expect: [404; 6], audit: None },
    Row { path: "/admin/api/welcome/choose-password", post: Draft, form: guessed_link,        expect: [404; 6], audit: None },
    Row { path: "/admin/api/users/end-sessions",      post: Draft, form: own_user_id,         expect: ADMINS, audit: Some("user.sessions_ended") },
    Row { path: "/admin/api/profile/sessions/list",   post: Draft, form: nothing,             expect: STAFF, audit: None },
    Row { path: "/admin/api/profile/sessions/end",    post: Draft, form: unknown_session,     expect: [401, 404, 404, 404, 404, 401], audit: None },
    Row { path: "/admin/api/profile/sessions/end-others", post: Draft, form: nothing,         expect: STAFF, audit: None },
    Row { path: "/admin/api/profile/totp/status",     post: Draft, form: nothing,             expect: STAFF, audit: None },
    Row { path: "/admin/api/profile/totp/begin",      post: Draft, form: nothing,             expect: STAFF, audit: None },
    Row { path: "/admin/api/profile/totp/confirm",    post: Draft, form: wrong_code,          expect: [401, 422, 422, 422, 422, 401], audit: None },
    Row { path: "/admin/api/profile/totp/disable",    post: Draft, form: password_and_wrong_code, expect: [401, 409, 409, 409, 409, 401], audit: None },
    Row { path: "/admin/api/profile/recovery-codes/regenerate", post: Draft, form: wrong_code, expect: [401, 409, 409, 409, 409, 401], audit: None },
    Row { path: "/admin/api/auth/verify",             post: Draft, form: wrong_code,          expect: [401; 6], audit: None },
    Row { path: "/admin/api/tokens/list",             post: Draft, form: nothing,             expect: ADMINS, audit: None },
    Row { path: "/admin/api/tokens/create",           post: Draft, form: new_token,           expect: ADMINS, audit: Some("token.created") },
    Row { path: "/admin/api/tokens/revoke",           post: Draft, form: token_id,            expect: ADMINS, audit: Some("token.revoked") },
    Row { path: "/admin/api/tokens/rotate",           post: Draft, form: token_id,            expect: ADMINS, audit: Some("token.rotated") },
    Row { path: "/admin/api/settings/get",            post: Draft, form: nothing,             expect: ADMINS, audit: None },
    Row { path: "/admin/api/settings/update",         post: Draft, form: retitled_site,       expect: ADMINS, audit: Some("settings.changed") },
    Row { path: "/admin/api/users/lockouts",          post: Draft, form: nothing,             expect: ADMINS, audit: None },
    Row { path: "/admin/api/users/unlock",            post: Draft, form: lockout_id,          expect: ADMINS, audit: Some("login.unlocked") },
    Row { path: "/admin/api/audit/list",              post: Draft, form: nothing,             expect: ADMINS, audit: None },
    Row { path: "/admin/api/posts/list",              post: Draft, form: nothing,             expect: STAFF, audit: None },
    Row { path: "/admin/api/posts/authors",           post: Draft, form: nothing,             expect: STAFF, audit: None },
    Row { path: "/admin/api/posts/pickers",           post: Draft, form: nothing,             expect: STAFF, audit: None },
    Row { path: "/admin/api/posts/counts",            post: Draft, form: nothing,             expect: STAFF, audit: None },
    Row { path: "/admin/api/posts/get",               post: Draft, form: id,                  expect: OWN, audit: None },
    Row { path: "/admin/api/posts/create",            post: Draft, form: new_post,            expect: STAFF, audit: Some("post.created") },
    Row { path: "/admin/api/posts/update",            post: Draft, form: edited_post,         expect: OWN, audit: Some("post.updated") },
    Row { path: "/admin/api/posts/update",            post: Review, form: edited_post,        expect: OWN, audit: Some("post.updated") },
    Row { path: "/admin/api/posts/update",            post: Published, form: edited_post,     expect: [401, 403, 404, 200, 200, 401], audit: Some("post.updated") },
    Row { path: "/admin/api/posts/preview",           post: Draft, form: preview,             expect: STAFF, audit: None },
    Row { path: "/admin/api/posts/submit",            post: Draft, form: id,                  expect: OWN, audit: Some("post.submitted") },
    Row { path: "/admin/api/posts/withdraw",          post: Review, form: id,                 expect: OWN, audit: Some("post.withdrawn") },
    Row { path: "/admin/api/posts/publish",           post: Review, form: id,                 expect: EDITORS, audit: Some("post.published") },
    Row { path: "/admin/api/posts/unpublish",         post: Published, form: id,              expect: EDITORS, audit: Some("post.unpublished") },
    Row { path: "/admin/api/posts/schedule",          post: Review, form: schedule,            expect: EDITORS, audit: Some("post.scheduled") },
    Row { path: "/admin/api/posts/delete",            post: Draft, form: id,                  expect: OWN, audit: Some("post.deleted") },
    Row { path: "/admin/api/posts/delete",            post: Published, form: id,              expect: [401, 403, 404, 200, 200, 401], audit: Some("post.deleted") },
    Row { path: "/admin/api/posts/bulk",              post: Review, form: bulk_publish,       expect: EDITORS, audit: Some("post.published") },
    Row { path: "/admin/api/posts/bulk",              post: Draft, form: bulk_delete,         expect: STAFF, audit: Some("post.deleted") },
    Row { path: "/admin/api/posts/revisions",         post: Draft, form: id,                  expect: OWN, audit: None },
    Row { path: "/admin/api/posts/history",           post: Published, form: id,              expect: OWN, audit: None },
    Row { path: "/admin/api/posts/editor",            post: Published, form: id,              expect: OWN, audit: None },
    Row { path: "/admin/api/posts/restore",           post: Draft, form: restore,             expect: OWN, audit: Some("post.restored") },
    Row { path: "/admin/api/posts/restore",           post: Published, form: restore,         expect: [401, 403, 404, 200, 200, 401], audit: Some("post.restored") },
    Row { path: "/admin/api/categories/list",         post: Draft, form: nothing,             expect: STAFF, audit: None },
    Row { path: "/admin/api/categories/create",       post: Draft, form: new_term,            expect: ADMINS, audit: Some("category.created") },
    Row { path: "/admin/api/categories/update",       post: Draft, form: category_rename,     expect: ADMINS, audit: Some("category.updated") },
    Row { path: "/admin/api/categories/delete",       post: Draft, form: category_id,         expect: ADMINS, audit: Some("category.deleted") },
    Row { path: "/admin/api/tags/list",               post: Draft, form: nothing,             expect: STAFF, audit: None },
    Row { path: "/admin/api/tags/create",             post: Draft, form: new_term,            expect: ADMINS, audit: Some("tag.created") },
    Row { path: "/admin/api/tags/update",             post: Draft, form: tag_rename,          expect: ADMINS, audit: Some("tag.updated") },
    Row { path: "/admin/api/tags/delete",             post: Draft, form: tag_id,              expect: ADMINS, audit: Some("tag.deleted") },
    Row { path: "/admin/api/comments/list",           post: Published, form: nothing,         expect: EDITORS, audit: None },
    Row { path: "/admin/api/comments/counts",         post: Published, form: nothing,         expect: EDITORS, audit: None },
    Row { path: "/admin/api/comments/moderate",       post: Published, form: approve_comment, expect: EDITORS, audit: Some("comments.moderated") },
    Row { path: "/api/public/comments/list",          post: Published, form: slug,            expect: [200; 6], audit: None },
    Row { path: "/api/public/site",                   post: Draft, form: nothing,             expect: [200; 6], audit: None },
    Row { path: "/api/public/posts/list",             post: Published, form: nothing,         expect: [200; 6], audit: None },
    Row { path: "/api/public/posts/get",              post: Published, form: slug,            expect: [200; 6], audit: None },
    Row { path: "/api/public/posts/get",              post: Draft, form: slug,                expect: [404; 6], audit: None },
    Row { path: "/api/public/posts/get",              post: Review, form: slug,               expect: [404; 6], audit: None },
];

/// Server functions that anyone may call: the public site's reads.
const PUBLIC_PREFIX: &str = "/api/public/";

/// A client acting as `caller`, with the account it acts with.
async fn caller_client(app: &TestApp, caller: Caller, name: &str, owner: &TestUser) -> (reqwest::Client, TestUser) {
    let role = match caller {
        Caller::Anonymous => None,
        Caller::Owner => return (app.signed_in(owner).await, owner.clone()),
        Caller::OtherAuthor | Caller::MissingPost => Some(Role::Author),
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
        sql!(app, |c| sqlx::query("update users set is_active = false where id = $1")
            .bind(user.id.0)
            .execute(c)
            .await
            .map(|d| d.rows_affected()))
        .unwrap();
    }
    (client, user)
}

/// Everything a refused request must leave as it was, besides the audit log and sessions.
pub(crate) async fn data(app: &TestApp) -> Vec<String> {
    let mut seen = vec![app.users_fingerprint().await];
    // Each row as text, in key order; the same statements run on both backends.
    for sql in [
        "select cast(id as text) || title || slug || body || status || cast(author_id as text)
                || coalesce(cast(category_id as text), '') || coalesce(cast(scheduled_at as text), '')
                || cast(updated_at as text) from posts order by id",
        "select cast(post_id as text) || ':' || cast(tag_id as text) from post_tags order by post_id, tag_id",
        "select cast(id as text) || name || slug from categories order by id",
        "select cast(id as text) || name || slug from tags order by id",
        "select cast(count(*) as text) || '/' || cast((select count(*) from publish_events) as text) from post_revisions",
        "select cast(comment_id as text) || status from comment_states order by comment_id",
        "select cast(id as text) || subject || cast(until as text) from lockouts order by id",
        "select key || '=' || value from site_settings order by key",
        "select cast(id as text) || prefix || coalesce(cast(revoked_at as text), '') from api_tokens order by id",
    ] {
        let rows: Vec<String> = sql!(app, |c| sqlx::query_scalar(sql).fetch_all(c).await).unwrap();
        seen.push(rows.join("|"));
    }
    seen
}

/// The ids `fixture` created: post, slug, revision, category, tag, comment, lockout, token.
type Fixture = (i64, String, i64, i64, i64, i64, i64, i64);

/// The state a cell compares before and after its request.
#[derive(PartialEq)]
struct Snapshot {
    data: Vec<String>,
    signed_in_sessions: i64,
    /// Audit events other than sign-ins, oldest first.
    events: Vec<String>,
}

async fn snapshot(app: &TestApp) -> Snapshot {
    let events = sql!(app, |c| sqlx::query_scalar(
        "select action from audit_events where action not in ('auth.login', 'auth.login_failed') order by id",
    )
    .fetch_all(c)
    .await)
    .unwrap();
    Snapshot {
        data: data(app).await,
        signed_in_sessions: app.count("select count(*) from staff_sessions").await,
        events,
    }
}

/// What is wrong with a cell's effects, if anything: a refusal changes nothing; an allowed
/// call writes its row's audit event exactly once when it changed something, and none when not.
fn judge(row: &Row, status: u16, before: &Snapshot, after: &Snapshot) -> Option<String> {
    let new_events = &after.events[before.events.len().min(after.events.len())..];
    if status >= 400 {
        // A refused stale session (deactivated user) is ended: that is the refusal, not a change.
        let unchanged = before.data == after.data && new_events.is_empty();
        return (!unchanged).then(|| format!("refused with {status} but changed something: {new_events:?}"));
    }
    let changed = before.data != after.data || before.signed_in_sessions != after.signed_in_sessions;
    match (changed, row.audit) {
        (false, _) if new_events.is_empty() => None,
        (false, _) => Some(format!("changed nothing but audited {new_events:?}")),
        (true, Some(event)) if new_events == [event] => None,
        (true, expected) => Some(format!("changed something; audited {new_events:?}, expected {expected:?}")),
    }
}

async fn fixture(app: &TestApp, owner: &TestUser, status: PostStatus, n: usize) -> Fixture {
    let one =
        |sql: String| async move { sql!(app, |c| sqlx::query_scalar::<_, i64>(&sql).fetch_one(c).await).unwrap() };
    let category = one(format!("insert into categories (name, slug) values ('Cat {n}', 'cat-{n}') returning id")).await;
    let tag = one(format!("insert into tags (name, slug) values ('Tag {n}', 'tag-{n}') returning id")).await;
    let slug = format!("post-{n}");
    let published = if status == Published { "'2026-01-01T00:00:00.000Z'" } else { "null" };
    let post = one(format!(
        "insert into posts (title, slug, body, status, author_id, published_at) values ('Post {n}', '{slug}', 'Body', '{}', {}, {published}) returning id",
        status.as_str(),
        owner.id.0
    ))
    .await;
    let revision = one(format!(
        "insert into post_revisions (post_id, editor_id, editor, title, body, excerpt) values ({post}, {}, 'owner', 'Old', 'Old body', '') returning id",
        owner.id.0
    ))
    .await;
    let comment =
        one(format!("insert into comments (post_id, author_name, body) values ({post}, 'Reader', 'Hi') returning id"))
            .await;
    let lockout = one(format!(
        "insert into lockouts (kind, subject, seconds, started_at, until)
         values ('username', 'locked{n}', 900, '2026-01-01T00:00:00.000Z', '2999-01-01T00:00:00.000Z') returning id"
    ))
    .await;
    let token = one(format!(
        "insert into api_tokens (name, prefix, secret_hash, scopes, owner_id, created_at)
         values ('Fixture {n}', 'fix{n:05}', 'x', 'posts:read', {}, '2026-01-01T00:00:00.000Z') returning id",
        owner.id.0
    ))
    .await;
    (post, slug, revision, category, tag, comment, lockout, token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_function_answers_every_caller_as_the_matrix_says() {
    let app = TestApp::spawn().await;
    let mut failures = Vec::new();
    let mut n = 0;
    for row in MATRIX {
        let mut other_author_answer = None;
        let callers = CALLERS.into_iter().enumerate().chain([(OTHER_AUTHOR, Caller::MissingPost)]);
        for (c, caller) in callers {
            n += 1;
            let owner = app.create_user(&format!("owner{n}"), Role::Author).await;
            let (post, slug, revision, category, tag, comment, lockout, token) =
                fixture(&app, &owner, row.post, n).await;
            let (client, user) = caller_client(&app, caller, &format!("caller{n}"), &owner).await;
            let post = if caller == Caller::MissingPost { post + 1_000_000 } else { post };
            let cell = Cell { user, post, slug, revision, category, tag, comment, lockout, owner: owner.id, token };
            let before = snapshot(&app).await;
            let form = (row.form)(&cell);
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let res = app.post(&client, row.path, &form).await;
            let status = res.status().as_u16();
            let body = res.text().await.unwrap();
            let label = format!("{} ({:?} post) as {caller:?}", row.path, row.post);
            if status != row.expect[c] {
                failures.push(format!("{label}: expected {}, got {status}", row.expect[c]));
            } else if let Some(problem) = judge(row, status, &before, &snapshot(&app).await) {
                failures.push(format!("{label}: {problem}"));
            }
            match caller {
                Caller::OtherAuthor => other_author_answer = Some((status, body)),
                Caller::MissingPost if status == 404 && other_author_answer != Some((status, body.clone())) => failures
                    .push(format!(
                        "{label}: \"does not exist\" answers {body:?}, \"not yours\" {other_author_answer:?}"
                    )),
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "permission matrix violations:\n{}", failures.join("\n"));
}

#[test]
fn every_registered_server_function_has_matrix_rows() {
    let registered: Vec<String> =
        leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_string()).collect();
    for path in &registered {
        assert!(
            path.starts_with("/admin/api/") || path.starts_with(PUBLIC_PREFIX),
            "{path} is neither a staff function under the guarded /admin/api/ nor a public read"
        );
        assert!(MATRIX.iter().any(|row| row.path == path), "{path} has no rows in the permission matrix");
    }
    for row in MATRIX {
        assert!(registered.iter().any(|p| p == row.path), "matrix row for unregistered {}", row.path);
    }
}
