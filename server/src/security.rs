//! HTTP hardening: security headers, the same-origin check on state-changing requests, the
//! client address, and real status codes for server-function errors.

use app::{error::AppError, ssr::ClientIp};
use axum::{
    body::{to_bytes, Body},
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

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

/// Resolve the client address once: the TCP peer, or the forwarded address when the peer is a
/// trusted proxy. Stored in the request extensions as [`ClientIp`].
pub async fn resolve_client_ip(State(trusted): State<Arc<Vec<IpAddr>>>, mut req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    if let Some(peer) = peer {
        let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
        let ip = client_ip(peer, forwarded, &trusted);
        req.extensions_mut().insert(ClientIp(ip));
    }
    next.run(req).await
}

/// The rightmost address in `X-Forwarded-For` that is not a trusted proxy, when the peer itself
/// is trusted; otherwise the peer. Unparseable entries end the walk (the peer is kept).
pub fn client_ip(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let mut client = peer;
    for entry in forwarded_for.unwrap_or("").rsplit(',').map(str::trim).filter(|e| !e.is_empty()) {
        match entry.parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => client = ip,
            Ok(ip) => return ip,
            Err(_) => return client,
        }
    }
    client
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
        assert_eq!(client_ip(ip("203.0.113.9"), Some("1.2.3.4"), &[ip("127.0.0.1")]), ip("203.0.113.9"));
    }

    #[test]
    fn the_first_untrusted_hop_from_the_right_is_the_client() {
        let trusted = [ip("127.0.0.1"), ip("10.0.0.2")];
        assert_eq!(client_ip(ip("127.0.0.1"), Some("6.6.6.6, 198.51.100.7, 10.0.0.2"), &trusted), ip("198.51.100.7"));
    }

    #[test]
    fn a_garbled_forwarded_for_keeps_the_proxy_address() {
        assert_eq!(client_ip(ip("127.0.0.1"), Some("not-an-ip"), &[ip("127.0.0.1")]), ip("127.0.0.1"));
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
