//! Server-only helpers: request context, passwords, sessions, the audit writer, data access.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod comments;
pub mod db;
pub mod flash;
pub mod links;
pub mod markdown;
pub mod password;
pub mod posts;
pub mod secret;
pub mod sessions;
pub mod settings;
pub mod setup;
pub mod taxonomy;
pub mod throttle;
pub mod tokens;
pub mod totp;
pub mod users;

use crate::error::AppError;
use db::Pool;
use leptos::prelude::use_context;
use std::{net::IpAddr, sync::Arc, time::Duration};

/// Settings the request handlers need, fixed at start-up.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Cookies without `Secure` and without the `__Host-` prefix: plain-HTTP local use only.
    pub insecure_cookies: bool,
    /// A session ends after this long without a request.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, however active.
    pub session_absolute: Duration,
    /// When failed sign-ins lock a username or an address.
    pub lockout: LockoutPolicy,
    /// The key that seals two-factor secrets.
    pub secret_key: SecretKey,
    /// Requests a minute one API token may make (across every instance).
    pub api_rate_limit: u32,
    /// The public base URL (`https://blog.example.com`) for links handed to people; without
    /// it, links use the origin of the request that asked for them.
    pub public_url: Option<String>,
}

/// 32 bytes from the key file; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(pub [u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

impl SecretKey {
    /// A fresh random key (tests, and the key file's first start).
    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).expect("the operating system has no randomness source");
        SecretKey(key)
    }
}

/// Failed sign-ins within `first` (the counting window) that lock a username or an address;
/// the first lockout lasts `first`, each further one of the same subject within a day twice
/// the one before, at most a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub username_failures: u32,
    pub address_failures: u32,
    pub first: Duration,
    /// A sign-in refused without being judged (locked out, or one address with too many in
    /// progress) is answered after this long, not at once: a script that waits for its answers
    /// then guesses about once a second a connection instead of thousands of times, and leaves
    /// the processor to real users.
    pub refusal_delay: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            username_failures: 5,
            address_failures: 20,
            first: Duration::from_secs(15 * 60),
            refusal_delay: Duration::from_secs(1),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            insecure_cookies: false,
            session_idle: Duration::from_secs(2 * 60 * 60),
            session_absolute: Duration::from_secs(12 * 60 * 60),
            lockout: LockoutPolicy::default(),
            secret_key: SecretKey::generate(),
            public_url: None,
            api_rate_limit: 600,
        }
    }
}

/// What every page render and server function receives through Leptos context.
#[derive(Clone, Debug)]
pub struct AppContext {
    pub pool: Pool,
    pub config: Arc<ServerConfig>,
    /// Sign-in lockouts recently read, shared by every request of this application.
    pub lockouts: throttle::KnownLockouts,
    /// The post pickers' options, read at most every few seconds.
    pub pickers: posts::PickerCache,
}

/// The address a request came from, resolved once by the server's middleware (which decides
/// whether `X-Forwarded-For` can be believed) and stored in the request extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

pub fn context() -> Result<AppContext, AppError> {
    use_context::<AppContext>().ok_or_else(|| AppError::internal("context", "AppContext missing"))
}

/// The client address of the current request, if the middleware resolved one.
pub fn client_ip() -> Option<IpAddr> {
    use_context::<http::request::Parts>()?.extensions.get::<ClientIp>().map(|ip| ip.0)
}

/// The base URL for absolute links: `--public-url` when set, else the origin the current
/// request was made to (its `Origin`, which the same-origin guard has checked, else its `Host`).
pub fn base_url(config: &ServerConfig) -> String {
    if let Some(url) = &config.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let parts = use_context::<http::request::Parts>();
    let header = |name: http::HeaderName| {
        parts.as_ref().and_then(|p| p.headers.get(name)).and_then(|v| v.to_str().ok()).map(str::to_owned)
    };
    if let Some(origin) = header(http::header::ORIGIN).filter(|o| o.starts_with("http")) {
        return origin;
    }
    let scheme = if config.insecure_cookies { "http" } else { "https" };
    format!("{scheme}://{}", header(http::header::HOST).unwrap_or_else(|| "localhost".into()))
}
