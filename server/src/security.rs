//! HTTP hardening: security headers, the same-origin check on state-changing requests, the
//! client address, and real status codes for server-function errors.

use app::{
    error::AppError,
    ssr::{auth, password, throttle, throttle::HeldAtDoor, AppContext, ClientIp},
};
use axum::{
    body::{to_bytes, Body},
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::server_fn::ServerFn;
use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Duration,
};
use tower_sessions::Session;

/// Headers every response carries; HSTS only when the app is served over HTTPS.
pub async fn security_headers(State(https): State<bool>, req: Request, next: Next) -> Response {
    let is_admin = req.uri().path().starts_with("/admin");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let mut set = |name: &'static str, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set("x-content-type-options", "nosniff");
    set("x-frame-options", "DENY");
    set("referrer-policy", "same-origin");
    set("cross-origin-opener-policy", "same-origin");
    set("permissions-policy", "camera=(), microphone=(), geolocation=()");
    if https {
        set("strict-transport-security", "max-age=63072000; includeSubDomains");
    }
    if is_admin {
        // Staff pages and data must never sit in a shared or back-forward cache.
        set("cache-control", "no-store");
    }
    res
}

/// Refuse state-changing requests that a browser marks as coming from another site.
/// Non-browser clients send neither header and carry no ambient cookies, so they pass.
pub async fn same_origin_guard(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) || is_same_origin(req.headers()) {
        next.run(req).await
    } else {
        (StatusCode::FORBIDDEN, "Cross-site request refused.").into_response()
    }
}

fn is_same_origin(headers: &HeaderMap) -> bool {
    let get = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    match (headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()), get(header::ORIGIN)) {
        (Some(site), _) => site == "same-origin",
        (None, Some(origin)) => {
            let authority = origin.split_once("://").map(|(_, rest)| rest);
            authority.is_some()
                && authority.map(str::to_ascii_lowercase) == get(header::HOST).map(str::to_ascii_lowercase)
        }
        (None, None) => true,
    }
}

/// The sign-in's door. An address that already has as many sign-ins under way as it may
/// ([`password::room_for_attempt`]) would be refused, after the refusal delay, by the sign-in
/// itself; its surplus attempts wait out that delay here instead, before the session layer and
/// the application, where a waiting request holds a fraction of the memory (a flood of 300 at
/// once from one address stays small). Then they go on, marked [`HeldAtDoor`]: the sign-in
/// refuses at once an address that is still full, and lets in one that has room again.
pub async fn sign_in_door(State(delay): State<Duration>, mut req: Request, next: Next) -> Response {
    if req.method() == Method::POST && req.uri().path() == <app::api::auth::Login as ServerFn>::PATH {
        let address = req.extensions().get::<ClientIp>().map(|ip| ip.0);
        if !password::room_for_attempt(address) {
            throttle::wait_late(delay).await;
            req.extensions_mut().insert(HeldAtDoor);
        }
    }
    next.run(req).await
}

/// Resolve the client address once: the TCP peer, or the forwarded address when the peer is a
/// trusted proxy. Stored in the request extensions as [`ClientIp`].
pub async fn resolve_client_ip(State(trusted): State<Arc<Vec<IpAddr>>>, mut req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    if let Some(peer) = peer {
        // Every `X-Forwarded-For` line, in order, as one list: proxies may append a line each.
        let lines: Vec<&str> =
            req.headers().get_all("x-forwarded-for").iter().map(|v| v.to_str().unwrap_or("unreadable")).collect();
        let ip = client_ip(peer, &lines.join(","), &trusted);
        req.extensions_mut().insert(ClientIp(ip));
    }
    next.run(req).await
}

/// The rightmost address in `X-Forwarded-For` that is not a trusted proxy, when the peer itself
/// is trusted; otherwise the peer. Unparseable entries end the walk (the last trusted hop is
/// kept). Addresses are compared canonically, so `::ffff:127.0.0.1` is `127.0.0.1`.
pub fn client_ip(peer: IpAddr, forwarded_for: &str, trusted: &[IpAddr]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|t| t.to_canonical() == ip);
    let peer = peer.to_canonical();
    if !is_trusted(peer) {
        return peer;
    }
    let mut client = peer;
    for entry in forwarded_for.rsplit(',').map(str::trim).filter(|e| !e.is_empty()) {
        match entry.parse::<IpAddr>().map(|ip| ip.to_canonical()) {
            Ok(ip) if is_trusted(ip) => client = ip,
            Ok(ip) => return ip,
            Err(_) => return client,
        }
    }
    client
}

/// Staff pages need a sign-in. Before anything renders, the user of a request for any `/admin`
/// page is loaded once from the database (role, active flag, open session): an anonymous or
/// ended session, whatever it accepts (a browser, curl, a script), is sent to the login page
/// with `next`; a signed-in user rides along in the request for the page to reuse. The login
/// and setup pages, server functions and the CSV export (which answer 401 themselves) pass.
pub async fn gate_staff_pages(
    State(ctx): State<AppContext>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    let is_page = matches!(*req.method(), Method::GET | Method::HEAD)
        && (path == "/admin" || path.starts_with("/admin/"))
        && !path.starts_with("/admin/api/")
        && !PUBLIC_ADMIN_PATHS.contains(&path);
    if !is_page {
        return next.run(req).await;
    }
    match auth::load_user(&session, &ctx).await {
        Ok(user) => {
            // Held back by the site's two-factor requirement: the profile page (where one sets
            // it up) is the only page until then.
            let second_factor_cleared = path != "/admin/profile";
            if second_factor_cleared {
                if let Err(AppError::SecondFactorRequired) = auth::second_factor_gate(&user) {
                    return (StatusCode::SEE_OTHER, [(header::LOCATION, "/admin/profile#two-factor")]).into_response();
                }
            }
            let flash = app::ssr::flash::take(&session, &ctx.config.secret_key).await;
            req.extensions_mut().insert(auth::SignedIn { user, second_factor_cleared, flash });
            next.run(req).await
        }
        Err(AppError::Unauthenticated) => {
            let wanted = req.uri().path_and_query().map_or(path, |p| p.as_str());
            let location =
                format!("/admin/login?next={}", form_urlencoded::byte_serialize(wanted.as_bytes()).collect::<String>());
            (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
        }
        // The page meets the same failure and shows its error notice.
        Err(_) => next.run(req).await,
    }
}

/// `/admin` paths that anonymous visitors may open.
/// (The CSV exports answer 401 themselves, as a download cannot follow a sign-in redirect.)
const PUBLIC_ADMIN_PATHS: [&str; 6] = [
    "/admin/login",
    "/admin/login/verify",
    "/admin/setup",
    "/admin/welcome",
    "/admin/posts/export.csv",
    "/admin/audit/export.csv",
];

/// The most a request body may carry, by route: the post editor's form holds a body of up to
/// 200,000 characters (4 bytes each in UTF-8, each byte sent as `%XX` by a form), everything
/// else is small.
pub fn body_limit_for(path: &str) -> usize {
    match path {
        "/admin/api/posts/create" | "/admin/api/posts/update" | "/admin/api/posts/preview" => LARGE_BODY_BYTES,
        // The REST API's post create and edit (`/api/v1/posts`, `/api/v1/posts/{id}`).
        p if p == "/api/v1/posts" || (p.starts_with("/api/v1/posts/") && !p[14..].contains('/')) => LARGE_BODY_BYTES,
        _ => SMALL_BODY_BYTES,
    }
}

pub const SMALL_BODY_BYTES: usize = 64 * 1024;
/// 200,000 four-byte characters percent-encoded (2.4 MB) plus the other fields.
pub const LARGE_BODY_BYTES: usize = 3 * 1024 * 1024;

/// Refuse a body over its route's limit with 413 and a message, before anything reads it; a
/// body without a length is cut off at the limit while it streams.
pub async fn limit_body(req: Request, next: Next) -> Response {
    let limit = body_limit_for(req.uri().path());
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        let message = format!("Request body too large: at most {limit} bytes here.");
        return (StatusCode::PAYLOAD_TOO_LARGE, message).into_response();
    }
    next.run(req.map(|body| Body::new(http_body_util::Limited::new(body, limit)))).await
}

/// Refuse any request that carries a NUL character, in its path, query or body (raw, as `%00`
/// in a form, or as a `\u0000` escape in JSON), with 400 before anything reads it. No field
/// has a use for one, and PostgreSQL cannot even take one in a text parameter: it would fail
/// the query (a 500) wherever the text reaches the database.
pub async fn refuse_nul(req: Request, next: Next) -> Response {
    let message = "NUL characters are not allowed.";
    let api = req.uri().path().starts_with("/api/v1/");
    let refused = || match api {
        true => crate::rest::Problem::bad_request(message).into_response(),
        false => (StatusCode::BAD_REQUEST, message).into_response(),
    };
    let uri = req.uri().to_string();
    if has_nul(uri.as_bytes()) {
        return refused();
    }
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    // `limit_body` runs first: reading past the route's limit fails here, as 413.
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "Request body too large.").into_response();
    };
    if has_nul(&bytes) {
        return refused();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// A NUL byte, a percent-encoded one, or a JSON `\u0000` escape (an odd run of backslashes
/// before the `u`: `\\u0000` is the text `\u0000`, which is allowed).
fn has_nul(bytes: &[u8]) -> bool {
    if bytes.contains(&0) || bytes.windows(3).any(|w| w.eq_ignore_ascii_case(b"%00")) {
        return true;
    }
    bytes.windows(6).enumerate().any(|(i, w)| {
        w[0] == b'\\'
            && w[1..].eq_ignore_ascii_case(b"u0000")
            && bytes[..i].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 0
    })
}

/// Leptos sends every server-function error as 500. The error body is our JSON `AppError`;
/// give the response the status that error stands for (401, 403, 404, 422 …).
pub async fn server_fn_error_status(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR || !res.headers().contains_key("serverfnerror") {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, 1024 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let Some(seconds) = error.retry_after() {
            parts.headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_ignored_from_an_untrusted_peer() {
        assert_eq!(client_ip(ip("203.0.113.9"), "1.2.3.4", &[ip("127.0.0.1")]), ip("203.0.113.9"));
    }

    #[test]
    fn the_first_untrusted_hop_from_the_right_is_the_client() {
        let trusted = [ip("127.0.0.1"), ip("10.0.0.2")];
        assert_eq!(client_ip(ip("127.0.0.1"), "6.6.6.6, 198.51.100.7, 10.0.0.2", &trusted), ip("198.51.100.7"));
    }

    #[test]
    fn a_garbled_forwarded_for_keeps_the_proxy_address() {
        assert_eq!(client_ip(ip("127.0.0.1"), "not-an-ip", &[ip("127.0.0.1")]), ip("127.0.0.1"));
    }

    #[test]
    fn an_ipv4_mapped_peer_matches_a_trusted_ipv4_proxy() {
        let trusted = [ip("127.0.0.1")];
        assert_eq!(client_ip(ip("::ffff:127.0.0.1"), "198.51.100.7", &trusted), ip("198.51.100.7"));
        assert_eq!(client_ip(ip("::ffff:203.0.113.9"), "", &trusted), ip("203.0.113.9"));
    }

    #[test]
    fn a_mapped_address_in_the_chain_is_canonicalised() {
        let trusted = [ip("127.0.0.1"), ip("10.0.0.2")];
        assert_eq!(client_ip(ip("127.0.0.1"), "198.51.100.7, ::ffff:10.0.0.2", &trusted), ip("198.51.100.7"));
    }

    #[test]
    fn nul_characters_are_found_however_they_are_written() {
        for nul in [&b"a\0b"[..], b"q=a%00b", b"q=a%00", b"{\"q\":\"a\\u0000\"}", b"{\"q\":\"\\\\\\u0000\"}"] {
            assert!(has_nul(nul), "{}", String::from_utf8_lossy(nul));
        }
        // The text `\u0000` (its backslash escaped) and a percent sign followed by zeros are fine.
        for fine in [&b"{\"body\":\"\\\\u0000\"}"[..], b"q=100%2500", b"q=a%2000"] {
            assert!(!has_nul(fine), "{}", String::from_utf8_lossy(fine));
        }
    }

    #[test]
    fn body_limits_are_large_for_the_post_form_only() {
        assert_eq!(body_limit_for("/admin/api/posts/update"), LARGE_BODY_BYTES);
        assert_eq!(body_limit_for("/admin/api/auth/login"), SMALL_BODY_BYTES);
        assert_eq!(body_limit_for("/posts/hello/comments"), SMALL_BODY_BYTES);
    }

    #[test]
    fn cross_site_browser_posts_are_not_same_origin() {
        let mut h = HeaderMap::new();
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!is_same_origin(&h));
        let mut h = HeaderMap::new();
        h.insert(header::ORIGIN, HeaderValue::from_static("https://evil.example"));
        h.insert(header::HOST, HeaderValue::from_static("blog.example"));
        assert!(!is_same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("https://blog.example"));
        assert!(is_same_origin(&h));
    }
}
