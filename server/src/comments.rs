//! The public comment form: `POST /posts/{slug}/comments`. Comments go to the moderation queue
//! as pending. Length limits, a honeypot field and a per-address rate limit refuse without
//! storing anything.

use app::{
    domain::{has_control_chars, MAX_COMMENT_BODY, MAX_COMMENT_EMAIL, MAX_COMMENT_NAME},
    ssr::{comments, settings, AppContext, ClientIp},
};
use axum::{
    extract::{Form, Path},
    http::{header, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
    Extension,
};
use serde::Deserialize;

/// Comments one address may leave per window.
pub const RATE_LIMIT: i64 = 5;
pub const RATE_WINDOW_MINUTES: u32 = 10;

#[derive(Debug, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    body: String,
    /// Hidden from people; bots fill it in.
    #[serde(default)]
    website: String,
}

pub async fn submit(
    ctx: AppContext,
    Path(slug): Path<String>,
    ip: Option<Extension<ClientIp>>,
    Form(form): Form<CommentForm>,
) -> Response {
    match accept(&ctx, &slug, ip.map(|Extension(ClientIp(ip))| ip), form).await {
        Ok(()) => Redirect::to(&format!("/posts/{slug}?comment=received#comments")).into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

/// Why a comment was not taken, as the reader sees it.
struct Refusal(StatusCode, &'static str);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let page = format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Comment not posted</title></head>\
             <body><main><h1>Comment not posted</h1><p>{}</p><p><a href=\"/\">Back to the site</a></p></main></body></html>",
            self.1
        );
        let mut res = (self.0, Html(page)).into_response();
        if self.0 == StatusCode::TOO_MANY_REQUESTS {
            let retry = (RATE_WINDOW_MINUTES * 60).to_string();
            res.headers_mut().insert(header::RETRY_AFTER, retry.parse().expect("digits are a header value"));
        }
        res
    }
}

async fn accept(ctx: &AppContext, slug: &str, ip: Option<std::net::IpAddr>, form: CommentForm) -> Result<(), Refusal> {
    let db = |e: sqlx::Error| {
        tracing::error!(error = %e, "comment submission");
        Refusal(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side. Please try again later.")
    };
    if !form.website.is_empty() {
        return Err(Refusal(StatusCode::BAD_REQUEST, "Your comment could not be accepted."));
    }
    let post = comments::published_post_id(&ctx.pool, slug).await.map_err(db)?;
    let post = post.ok_or(Refusal(StatusCode::NOT_FOUND, "There is no such post."))?;
    if !settings::current(&ctx.pool).await.map_err(db)?.comments_enabled {
        return Err(Refusal(StatusCode::FORBIDDEN, "Comments are closed on this site."));
    }
    let (name, email, body) = (form.name.trim(), form.email.trim(), form.body.trim());
    if name.is_empty() || name.chars().count() > MAX_COMMENT_NAME {
        return Err(Refusal(StatusCode::UNPROCESSABLE_ENTITY, "Please give a name of at most 80 characters."));
    }
    if email.chars().count() > MAX_COMMENT_EMAIL || (!email.is_empty() && !email.contains('@')) {
        return Err(Refusal(
            StatusCode::UNPROCESSABLE_ENTITY,
            "That email address does not look right (it is optional).",
        ));
    }
    if has_control_chars(name, false) || has_control_chars(email, false) || has_control_chars(body, true) {
        return Err(Refusal(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Please remove the control characters from your comment.",
        ));
    }
    if body.is_empty() || body.chars().count() > MAX_COMMENT_BODY {
        return Err(Refusal(StatusCode::UNPROCESSABLE_ENTITY, "Please write a comment of at most 5,000 characters."));
    }
    let email = (!email.is_empty()).then_some(email);
    let stored = comments::insert_limited(&ctx.pool, post, name, email, body, ip, RATE_LIMIT, RATE_WINDOW_MINUTES)
        .await
        .map_err(db)?;
    match stored {
        Some(_) => Ok(()),
        None => {
            Err(Refusal(StatusCode::TOO_MANY_REQUESTS, "Too many comments from your address. Please wait ten minutes."))
        }
    }
}
