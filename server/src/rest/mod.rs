//! The REST API under `/api/v1/` for automation. Only a bearer token authenticates here (a
//! session cookie never does); each endpoint needs one scope, and then runs the same shared code
//! as the dashboard's server function: the policy, the ownership scope in the `WHERE`, the field
//! rules, the workflow and the audit event, with the token recorded as the actor.

use app::{
    api::{
        comments::{filter as comment_filter, moderate_as, MatchOrIds},
        posts::{edit::shared, workflow::run},
    },
    domain::{has_control_chars, CommentRow, Page, PostDetail, PostFilter, PostForm, PostId, PostRow, TokenScope},
    error::AppError,
    policy::{post_scope, token_allows, PostAction},
    ssr::{audit::Caller, comments, posts, tokens, AppContext, ClientIp},
};
use axum::{
    body::Bytes,
    extract::{rejection::JsonRejection, FromRequestParts, Path, Query},
    http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Extension, Json, Router,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

mod openapi;

/// The routes, given the app's context.
pub fn routes<S: Clone + Send + Sync + 'static>(ctx: AppContext) -> Router<S> {
    Router::new()
        .route("/api/v1/posts", get(list_posts).post(create_post))
        .route("/api/v1/posts/{id}", get(get_post).patch(patch_post))
        .route("/api/v1/posts/{id}/publish", post(publish))
        .route("/api/v1/posts/{id}/unpublish", post(unpublish))
        .route("/api/v1/comments", get(list_comments))
        .route("/api/v1/comments/moderate", post(moderate))
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/api/v1/{*rest}", axum::routing::any(|| async { Problem::from(AppError::NotFound) }))
        .layer(Extension(ctx))
}

/// An RFC 9457 problem: a stable `type`, `title` and `status`, a `detail` for people, and the
/// failing fields of a validation error.
#[derive(Debug)]
pub struct Problem(Box<ProblemBody>);

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct ProblemBody {
    /// A stable identifier of the kind of problem, e.g. `/api/v1/problems/validation`.
    #[serde(rename = "type")]
    kind: &'static str,
    /// A short summary of the kind of problem.
    title: &'static str,
    /// The HTTP status code.
    #[schema(minimum = 400, maximum = 599)]
    status: u16,
    /// What went wrong with this request, for people.
    detail: String,
    /// The failing fields of a validation problem.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<app::error::FieldError>,
    #[serde(skip)]
    challenge: Option<String>,
    #[serde(skip)]
    retry_after: Option<u64>,
}

impl Problem {
    fn new(status: StatusCode, kind: &'static str, title: &'static str, detail: impl Into<String>) -> Self {
        Problem(Box::new(ProblemBody {
            kind,
            title,
            status: status.as_u16(),
            detail: detail.into(),
            errors: vec![],
            challenge: None,
            retry_after: None,
        }))
    }

    /// 400: a request that cannot be read at all.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::BAD_REQUEST, "/api/v1/problems/bad-request", "Bad request", detail)
    }

    /// 401: no usable token. Said the same way whether it was missing, malformed, unknown,
    /// revoked or expired.
    fn invalid_token() -> Self {
        let mut p = Problem::new(
            StatusCode::UNAUTHORIZED,
            "/api/v1/problems/invalid-token",
            "Invalid token",
            "Send a valid, unrevoked, unexpired API token as `Authorization: Bearer iwk_…`.",
        );
        p.0.challenge = Some(r#"Bearer realm="inkwarden", error="invalid_token""#.into());
        p
    }

    /// 403: the token lacks `scope`, or its owner's role no longer allows what it opens.
    fn insufficient_scope(scope: TokenScope) -> Self {
        let mut p = Problem::new(
            StatusCode::FORBIDDEN,
            "/api/v1/problems/insufficient-scope",
            "Insufficient scope",
            format!("This needs a token with the scope {scope}, owned by someone whose role allows it."),
        );
        p.0.challenge = Some(format!(r#"Bearer realm="inkwarden", error="insufficient_scope", scope="{scope}""#));
        p
    }
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Self {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let (kind, title) = match &e {
            AppError::NotFound => ("/api/v1/problems/not-found", "Not found"),
            AppError::Invalid(_) => ("/api/v1/problems/validation", "Invalid request"),
            AppError::BadRequest(_) => ("/api/v1/problems/bad-request", "Bad request"),
            AppError::Conflict(_) => ("/api/v1/problems/conflict", "Conflict"),
            AppError::Forbidden | AppError::NotAllowed(_) | AppError::SecondFactorRequired => {
                ("/api/v1/problems/forbidden", "Forbidden")
            }
            AppError::TooManyRequests { .. } | AppError::LockedOut { .. } => {
                ("/api/v1/problems/rate-limited", "Too many requests")
            }
            AppError::Unauthenticated | AppError::BadCredentials => ("/api/v1/problems/invalid-token", "Invalid token"),
            AppError::Gone(_) => ("/api/v1/problems/gone", "Gone"),
            AppError::Busy { .. } => ("/api/v1/problems/busy", "Busy"),
            AppError::Internal => ("/api/v1/problems/internal", "Internal error"),
        };
        let mut p = Problem::new(status, kind, title, e.to_string());
        p.0.retry_after = e.retry_after();
        if let AppError::Invalid(errors) = e {
            p.0.errors = errors;
        }
        p
    }
}

impl From<JsonRejection> for Problem {
    fn from(r: JsonRejection) -> Self {
        let status = r.status();
        let detail = r.body_text();
        // An unknown or mistyped field names itself: a validation problem on that field.
        if status == StatusCode::UNPROCESSABLE_ENTITY {
            let field =
                detail.split('`').nth(1).filter(|_| detail.contains("unknown field")).unwrap_or("body").to_owned();
            let mut p = Problem::new(status, "/api/v1/problems/validation", "Invalid request", detail.clone());
            p.0.errors = vec![app::error::FieldError { field, message: detail }];
            return p;
        }
        let kind = match status {
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "/api/v1/problems/unsupported-media-type",
            StatusCode::PAYLOAD_TOO_LARGE => "/api/v1/problems/too-large",
            _ => "/api/v1/problems/bad-request",
        };
        Problem::new(status, kind, "Bad request", detail)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let Problem(body) = self;
        let status = StatusCode::from_u16(body.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = (status, Json(&*body)).into_response();
        let headers = res.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(challenge) = body.challenge.as_deref().and_then(|c| HeaderValue::from_str(c).ok()) {
            headers.insert(header::WWW_AUTHENTICATE, challenge);
        }
        if let Some(secs) = body.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

/// A request's bearer credentials, not yet checked. Handlers check them first thing, after the
/// body has been read: answering before reading a large body makes a proxy see the connection
/// drop (nginx answers 502 instead of our 401).
pub struct Bearer {
    secret: Option<String>,
    ip: Option<std::net::IpAddr>,
    ctx: Option<AppContext>,
}

impl<S: Send + Sync> FromRequestParts<S> for Bearer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Bearer {
            secret: bearer(&parts.headers).filter(|t| t.len() <= 128).map(str::to_owned),
            ip: parts.extensions.get::<ClientIp>().map(|ip| ip.0),
            ctx: parts.extensions.get::<AppContext>().cloned(),
        })
    }
}

impl Bearer {
    /// The token, if it is usable and under its rate limit; its use is noted.
    async fn check(self) -> Result<Token, Problem> {
        let ctx = self.ctx.ok_or(Problem::from(AppError::Internal))?;
        let secret = self.secret.ok_or_else(Problem::invalid_token)?;
        let found = tokens::authenticate(&ctx.pool, &secret).await.map_err(AppError::from)?;
        let token = found.ok_or_else(Problem::invalid_token)?;
        if let Some(retry_after) =
            tokens::over_limit(&ctx.pool, token.id, ctx.config.api_rate_limit).await.map_err(AppError::from)?
        {
            return Err(AppError::TooManyRequests { retry_after }.into());
        }
        tokens::touch(&ctx.pool, token.id, self.ip).await.map_err(AppError::from)?;
        let caller = Caller { actor: token.owner, token: Some((token.id, token.name)), ip: self.ip };
        Ok(Token { caller, scopes: token.scopes, ctx })
    }
}

/// A request authenticated by its bearer token, under its rate limit, its use noted.
pub struct Token {
    caller: Caller,
    scopes: Vec<TokenScope>,
    ctx: AppContext,
}

impl Token {
    /// The caller, if the token has `scope` and its owner's role allows it now.
    fn needs(&self, scope: TokenScope) -> Result<&Caller, Problem> {
        token_allows(&self.scopes, &self.caller.actor, scope).map_err(|_| Problem::insufficient_scope(scope))?;
        Ok(&self.caller)
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

type Answer<T> = Result<T, Problem>;

/// A JSON body, read whole before anything is answered. Only `application/json` is accepted.
fn json_body<T: serde::de::DeserializeOwned>(headers: &HeaderMap, bytes: &Bytes) -> Answer<T> {
    let kind = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = kind.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if essence != "application/json" {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "/api/v1/problems/unsupported-media-type",
            "Unsupported media type",
            "Send the body as application/json.",
        ));
    }
    Json::<T>::from_bytes(bytes).map(|Json(t)| t).map_err(Problem::from)
}

/// Most rows one page of a list may hold.
const MAX_PER_PAGE: i64 = 100;
/// Longest search text.
const MAX_QUERY: usize = 200;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only posts in this state.
    #[param(value_type = Option<app::domain::PostStatus>)]
    status: Option<String>,
    /// Text to find in titles (case-insensitive).
    #[param(max_length = 200, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    q: Option<String>,
    /// The page, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<i64>,
    /// Rows per page (default 25).
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<i64>,
}

/// The page and page size of a list, checked: 422 on the field when out of range.
fn paging(page: Option<i64>, per_page: Option<i64>) -> Answer<(i64, i64)> {
    let page = page.unwrap_or(1);
    if !(1..=1_000_000).contains(&page) {
        return Err(AppError::invalid("page", "Pages count from 1.").into());
    }
    let per_page = per_page.unwrap_or(app::api::PAGE_SIZES[0]);
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(AppError::invalid("per_page", format!("Between 1 and {MAX_PER_PAGE} rows a page.")).into());
    }
    Ok((page, per_page))
}

/// A path id: a positive integer, else 404 like a missing post.
fn post_id(raw: &str) -> Answer<PostId> {
    raw.parse::<i64>().ok().filter(|n| *n > 0).map(PostId).ok_or_else(|| AppError::NotFound.into())
}

#[utoipa::path(get, path = "/api/v1/posts", tag = "posts", params(ListQuery),
    security(("token" = ["posts:read"])),
    responses(
        (status = 200, description = "A page of the posts the token's owner may see, most recently changed first.", body = Page<PostRow>),
        (status = 422, description = "A filter or the paging is out of range.", body = ProblemBody, content_type = "application/problem+json"),
    ))]
/// List posts.
async fn list_posts(
    bearer: Bearer,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Answer<Json<Page<PostRow>>> {
    let token = bearer.check().await?;
    let caller = token.needs(TokenScope::PostsRead)?;
    let Query(q) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let scope = post_scope(&caller.actor, PostAction::View)?;
    if let Some(s) = q.status.as_deref().filter(|s| app::domain::PostStatus::parse(s).is_none()) {
        return Err(AppError::invalid("status", format!("Unknown status `{s}`: draft, review or published.")).into());
    }
    if q.q.as_deref().is_some_and(|t| t.chars().count() > MAX_QUERY || has_control_chars(t, false)) {
        return Err(AppError::invalid("q", format!("At most {MAX_QUERY} characters on one line.")).into());
    }
    let (page, per_page) = paging(q.page, q.per_page)?;
    let filter = PostFilter { q: q.q, status: q.status, ..PostFilter::default() };
    Ok(Json(posts::list(&token.ctx.pool, scope, &filter, page, per_page).await.map_err(AppError::from)?))
}

async fn load(token: &Token, caller: &Caller, id: PostId) -> Answer<PostDetail> {
    let scope = post_scope(&caller.actor, PostAction::View)?;
    let mut conn = token.ctx.pool.acquire().await.map_err(AppError::from)?;
    Ok(posts::get(&mut conn, scope, id).await.map_err(AppError::from)?.ok_or(AppError::NotFound)?)
}

#[utoipa::path(get, path = "/api/v1/posts/{id}", tag = "posts", params(("id" = i64, Path, description = "The post's id.", minimum = 1)),
    security(("token" = ["posts:read"])),
    responses(
        (status = 200, description = "The post.", body = PostDetail),
        (status = 404, description = "No such post, or not one the token's owner may see.", body = ProblemBody, content_type = "application/problem+json"),
    ))]
/// Read one post.
async fn get_post(bearer: Bearer, Path(id): Path<String>) -> Answer<Json<PostDetail>> {
    let token = bearer.check().await?;
    let caller = token.needs(TokenScope::PostsRead)?;
    Ok(Json(load(&token, caller, post_id(&id)?).await?))
}

/// The body of `POST /api/v1/posts`. The post starts as a draft by the token's owner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPost {
    /// One line; a post needs a title.
    #[schema(min_length = 1, max_length = 200, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    title: String,
    /// Markdown.
    #[schema(max_length = 200000, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    body: String,
    /// Lowercase letters, digits and single dashes; made from the title when absent.
    #[serde(default)]
    #[schema(max_length = 120, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    slug: Option<String>,
    #[serde(default)]
    #[schema(max_length = 1000, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    excerpt: Option<String>,
    /// One of the site's categories.
    #[serde(default)]
    category_id: Option<i64>,
    /// Some of the site's tags.
    #[serde(default)]
    tag_ids: Option<Vec<i64>>,
}

/// The body of `PATCH /api/v1/posts/{id}`: only the fields to change (a field that is absent or
/// `null` keeps its value, except `category_id`, where `null` removes the category).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostPatch {
    #[schema(min_length = 1, max_length = 200, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    title: Option<String>,
    #[schema(max_length = 200000, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    body: Option<String>,
    #[schema(max_length = 120, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    slug: Option<String>,
    #[schema(max_length = 1000, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    excerpt: Option<String>,
    /// `null` removes the category.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<i64>)]
    category_id: Option<Option<i64>>,
    tag_ids: Option<Vec<i64>>,
    #[schema(max_length = 120, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    seo_title: Option<String>,
    #[schema(max_length = 320, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    seo_description: Option<String>,
}

/// Tells an absent field (`None`) from an explicit `null` (`Some(None)`).
mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
        Option::<i64>::deserialize(d).map(Some)
    }
}

fn form_of(
    title: String,
    body: String,
    slug: String,
    excerpt: String,
    category: Option<i64>,
    tags: Vec<i64>,
) -> PostForm {
    PostForm {
        title,
        body,
        slug,
        excerpt,
        category_id: category.map(|c| c.to_string()).unwrap_or_default(),
        tags: tags.into_iter().map(|t| t.to_string()).collect(),
        ..PostForm::default()
    }
}

#[utoipa::path(post, path = "/api/v1/posts", tag = "posts", request_body = NewPost,
    security(("token" = ["posts:write"])),
    responses(
        (status = 201, description = "The new draft.", body = PostDetail,
            headers(("Location" = String, description = "The post's URL in this API."))),
        (status = 409, description = "The slug is taken by another post.", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid; `errors` names it.", body = ProblemBody, content_type = "application/problem+json"),
    ))]
/// Create a draft.
async fn create_post(bearer: Bearer, headers: HeaderMap, body: Bytes) -> Answer<Response> {
    let token = bearer.check().await?;
    let caller = token.needs(TokenScope::PostsWrite)?;
    let new: NewPost = json_body(&headers, &body)?;
    let form = form_of(
        new.title,
        new.body,
        new.slug.unwrap_or_default(),
        new.excerpt.unwrap_or_default(),
        new.category_id,
        new.tag_ids.unwrap_or_default(),
    );
    let id = shared::create(&token.ctx.pool, caller, &form).await?;
    let post = load(&token, caller, id).await?;
    let location = format!("/api/v1/posts/{}", id.0);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(post)).into_response())
}

#[utoipa::path(patch, path = "/api/v1/posts/{id}", tag = "posts", params(("id" = i64, Path, description = "The post's id.", minimum = 1)), request_body = PostPatch,
    security(("token" = ["posts:write"])),
    responses(
        (status = 200, description = "The post after the change.", body = PostDetail),
        (status = 404, description = "No such post, or not one the token's owner may edit.", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The slug is taken by another post.", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid; `errors` names it.", body = ProblemBody, content_type = "application/problem+json"),
    ))]
/// Edit a post.
async fn patch_post(
    bearer: Bearer,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<Json<PostDetail>> {
    let token = bearer.check().await?;
    let caller = token.needs(TokenScope::PostsWrite)?;
    let id = post_id(&id)?;
    let patch: PostPatch = json_body(&headers, &body)?;
    let now = load(&token, caller, id).await?;
    let mut form = form_of(
        patch.title.unwrap_or(now.title),
        patch.body.unwrap_or(now.body),
        patch.slug.unwrap_or(now.slug),
        patch.excerpt.unwrap_or(now.excerpt),
        patch.category_id.unwrap_or(now.category_id),
        patch.tag_ids.unwrap_or(now.tag_ids),
    );
    form.seo_title = patch.seo_title.unwrap_or(now.seo_title);
    form.seo_description = patch.seo_description.unwrap_or(now.seo_description);
    shared::update(&token.ctx.pool, caller, id, &form).await?;
    Ok(Json(load(&token, caller, id).await?))
}

#[utoipa::path(post, path = "/api/v1/posts/{id}/publish", tag = "posts", params(("id" = i64, Path, description = "The post's id.", minimum = 1)),
    security(("token" = ["posts:publish"])),
    responses(
        (status = 200, description = "The post after the change.", body = PostDetail),
        (status = 404, description = "No such post, or not one the token's owner may publish.", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The post is not in a state this step starts from.", body = ProblemBody, content_type = "application/problem+json"),
    ))]
/// Publish a post now.
async fn publish(bearer: Bearer, Path(id): Path<String>) -> Answer<Json<PostDetail>> {
    workflow_step(bearer, &id, run::publish()).await
}

#[utoipa::path(post, path = "/api/v1/posts/{id}/unpublish", tag = "posts", params(("id" = i64, Path, description = "The post's id.", minimum = 1)),
    security(("token" = ["posts:publish"])),
    responses(
        (status = 200, description = "The post after the change.", body = PostDetail),
        (status = 404, description = "No such post, or not one the token's owner may publish.", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The post is not in a state this step starts from.", body = ProblemBody, content_type = "application/problem+json"),
    ))]
/// Take a published post back to draft.
async fn unpublish(bearer: Bearer, Path(id): Path<String>) -> Answer<Json<PostDetail>> {
    workflow_step(bearer, &id, run::unpublish()).await
}

/// A workflow step on post `id` (the dashboard's code, audited the same way); the token needs
/// `posts:publish`. Answers the post as it is after the step.
async fn workflow_step(bearer: Bearer, id: &str, step: run::Step) -> Answer<Json<PostDetail>> {
    let token = bearer.check().await?;
    let caller = token.needs(TokenScope::PostsPublish)?;
    let id = post_id(id)?;
    run::step_as(&token.ctx.pool, caller, id, step).await?;
    Ok(Json(load(&token, caller, id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CommentQuery {
    /// Only comments in this state (all of them when absent).
    #[param(value_type = Option<app::domain::CommentStatus>)]
    status: Option<String>,
    /// The page, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<i64>,
    /// Rows per page (default 25).
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/comments", tag = "comments", params(CommentQuery),
    security(("token" = ["comments:moderate"])),
    responses(
        (status = 200, description = "A page of comments, newest first.", body = Page<CommentRow>),
        (status = 422, description = "The status or the paging is out of range.", body = ProblemBody, content_type = "application/problem+json"),
    ))]
/// List comments for moderation.
async fn list_comments(
    bearer: Bearer,
    query: Result<Query<CommentQuery>, axum::extract::rejection::QueryRejection>,
) -> Answer<Json<Page<CommentRow>>> {
    let token = bearer.check().await?;
    token.needs(TokenScope::CommentsModerate)?;
    let Query(q) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    if let Some(s) = q.status.as_deref().filter(|s| app::domain::CommentStatus::parse(s).is_none()) {
        return Err(
            AppError::invalid("status", format!("Unknown status `{s}`: pending, approved, rejected or spam.")).into()
        );
    }
    let (page, per_page) = paging(q.page, q.per_page)?;
    let filter = comment_filter(q.status, None, None)?;
    let queue = comments::list(&token.ctx.pool, &filter, true, page, per_page).await.map_err(AppError::from)?;
    Ok(Json(queue.page))
}

/// The body of `POST /api/v1/comments/moderate`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModerationRequest {
    /// What to do with the comments.
    #[schema(value_type = app::domain::Moderation)]
    action: String,
    /// The comments, at most 1,000.
    #[schema(max_items = 1000)]
    ids: Vec<i64>,
}

#[utoipa::path(post, path = "/api/v1/comments/moderate", tag = "comments", request_body = ModerationRequest,
    security(("token" = ["comments:moderate"])),
    responses(
        (status = 200, description = "How many comments changed, and how many were skipped (already so, or gone).", body = app::api::comments::ModerationOutcome),
        (status = 422, description = "Unknown action, or too many ids.", body = ProblemBody, content_type = "application/problem+json"),
    ))]
/// Moderate comments in one transaction, audited as one event.
async fn moderate(
    bearer: Bearer,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<Json<app::api::comments::ModerationOutcome>> {
    let token = bearer.check().await?;
    let caller = token.needs(TokenScope::CommentsModerate)?;
    let req: ModerationRequest = json_body(&headers, &body)?;
    let selection = MatchOrIds { ids: req.ids, ..MatchOrIds::default() };
    Ok(Json(moderate_as(&token.ctx.pool, caller, &req.action, selection).await?))
}
