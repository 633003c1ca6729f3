//! Staff accounts: ids, the signed-in actor, and the rules for usernames, passwords and `next`.

use serde::{Deserialize, Serialize};

use super::{Role, Timestamp};

/// Primary key of a row in `users`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(transparent)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
pub struct UserId(pub i64);

/// The signed-in person a request acts for, as re-read from the database on every request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub id: UserId,
    pub username: String,
    pub role: Role,
}

/// A staff account as the Users page shows it. Never carries the password hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct UserSummary {
    pub id: UserId,
    pub username: String,
    pub role: Role,
    pub is_active: bool,
    pub created_at: Timestamp,
    pub last_login_at: Option<Timestamp>,
    /// Two-factor sign-in is on.
    pub two_factor: bool,
    /// The end of a sign-in lockout of this username in force now.
    pub locked_until: Option<Timestamp>,
}

/// Columns the staff list sorts by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserSort {
    Username,
    Role,
    Status,
    LastLogin,
    Created,
}

impl UserSort {
    pub const ALL: [UserSort; 5] =
        [UserSort::Username, UserSort::Role, UserSort::Status, UserSort::LastLogin, UserSort::Created];

    pub fn key(self) -> &'static str {
        match self {
            UserSort::Username => "username",
            UserSort::Role => "role",
            UserSort::Status => "status",
            UserSort::LastLogin => "last_login",
            UserSort::Created => "created",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.key() == s)
    }
}

/// The search, filters and sort of the staff list, as carried in the URL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserFilter {
    /// Part of a username.
    pub q: Option<String>,
    pub role: Option<Role>,
    /// `active` or `deactivated`.
    pub status: Option<String>,
    pub sort: Option<String>,
    pub dir: Option<String>,
}

/// Where a successful sign-in may send the browser: only a path inside the dashboard,
/// so a crafted `next` can never bounce a user to another site (`//evil`, `/\evil`, `https:`).
pub fn safe_next(next: &str) -> String {
    const HOME: &str = "/admin";
    let allowed_char = |c: char| c.is_ascii_alphanumeric() || "/-_.~?=&%+".contains(c);
    let inside_admin = next == HOME || next.starts_with("/admin/") || next.starts_with("/admin?");
    let leaves_site = next.starts_with("//") || next.contains("/\\") || next.contains("..");
    let is_login = next.starts_with("/admin/login");
    if inside_admin && !leaves_site && !is_login && next.len() <= 512 && next.chars().all(allowed_char) {
        next.to_owned()
    } else {
        HOME.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_inside_the_dashboard_is_kept() {
        assert_eq!(safe_next("/admin/users?page=2"), "/admin/users?page=2");
        assert_eq!(safe_next("/admin"), "/admin");
    }

    #[test]
    fn next_leaving_the_site_falls_back_to_the_dashboard() {
        for hostile in
            ["//evil.example", "https://evil.example/admin", "/\\evil.example", "/adminx", "", "/", "/admin/../x"]
        {
            assert_eq!(safe_next(hostile), "/admin", "{hostile}");
        }
    }

    #[test]
    fn next_never_points_back_at_the_login_page() {
        assert_eq!(safe_next("/admin/login?next=/admin"), "/admin");
    }
}

/// Why `username` cannot name an account, if it cannot.
pub fn username_problem(username: &str) -> Option<&'static str> {
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
    if username.len() < 3 || username.len() > 32 {
        Some("Username must be 3 to 32 characters long.")
    } else if !username.chars().all(ok_char) {
        Some("Username may use lowercase letters, digits, dot, dash and underscore only.")
    } else {
        None
    }
}

/// Why `password` is not acceptable as a new password for `username`, if it is not.
pub fn password_problem(username: &str, password: &str) -> Option<&'static str> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        Some("Password must be at least 12 characters long.")
    } else if password.len() > MAX_PASSWORD_BYTES {
        Some("Password must be at most 1024 bytes long.")
    } else if password.eq_ignore_ascii_case(username) {
        Some("Password must not be the username.")
    } else {
        None
    }
}

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_BYTES: usize = 1024;

#[cfg(test)]
mod validation_tests {
    use super::*;

    #[test]
    fn short_or_username_like_passwords_are_refused() {
        assert!(password_problem("ann", "short").is_some());
        assert!(password_problem("annabelle.lee", "Annabelle.Lee").is_some());
        assert!(password_problem("ann", &"x".repeat(2000)).is_some());
        assert!(password_problem("ann", "correct horse battery").is_none());
    }

    #[test]
    fn usernames_are_short_lowercase_words() {
        assert!(username_problem("ann").is_none());
        assert!(username_problem("Ann").is_some());
        assert!(username_problem("a").is_some());
        assert!(username_problem("ann<script>").is_some());
    }
}

/// A sign-in lockout in force, as admins see it on the Users page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Lockout {
    pub id: i64,
    /// `username` or `address`.
    pub kind: String,
    /// The lower-cased username typed, or the client address.
    pub subject: String,
    pub seconds: i64,
    pub started_at: Timestamp,
    pub until: Timestamp,
}

/// "Try again in N minutes": whole minutes, rounded up, never zero.
pub fn minutes_to_wait(seconds: u64) -> u64 {
    seconds.div_ceil(60).max(1)
}

/// `seconds` as the wait people read: "1 minute", "15 minutes".
pub fn wait_in_minutes(seconds: u64) -> String {
    match minutes_to_wait(seconds) {
        1 => "1 minute".to_owned(),
        n => format!("{n} minutes"),
    }
}

/// One signed-in session of the current user, as their profile page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// Names the session in requests; derived from its secret, never the cookie value.
    pub handle: String,
    /// e.g. "Firefox on Linux".
    pub device: String,
    pub ip: Option<String>,
    pub signed_in_at: Timestamp,
    pub last_seen_at: Timestamp,
    /// The session this request came with.
    pub current: bool,
}

/// A short label for a browser from its `User-Agent`: browser and system, or "Unknown device".
/// Only a hint for people recognising their own sessions; nothing relies on it.
pub fn device_label(user_agent: &str) -> String {
    let ua = user_agent;
    let browser = if ua.contains("Edg/") {
        Some("Edge")
    } else if ua.contains("OPR/") || ua.contains("Opera") {
        Some("Opera")
    } else if ua.contains("Firefox/") {
        Some("Firefox")
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") || ua.contains("CriOS/") {
        Some("Chrome")
    } else if ua.contains("Safari/") {
        Some("Safari")
    } else if ua.starts_with("curl/") {
        Some("curl")
    } else {
        None
    };
    let system = if ua.contains("Android") {
        Some("Android")
    } else if ua.contains("iPhone") || ua.contains("iPad") {
        Some("iOS")
    } else if ua.contains("Windows") {
        Some("Windows")
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        Some("macOS")
    } else if ua.contains("CrOS") {
        Some("ChromeOS")
    } else if ua.contains("Linux") {
        Some("Linux")
    } else {
        None
    };
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(s)) => format!("Browser on {s}"),
        (None, None) => "Unknown device".to_owned(),
    }
}

#[cfg(test)]
mod device_tests {
    use super::device_label;

    #[test]
    fn common_browsers_get_a_readable_label() {
        let chrome =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
        assert_eq!(device_label(chrome), "Chrome on Linux");
        let firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert_eq!(device_label(firefox), "Firefox on Windows");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile/15E148 Safari/604.1";
        assert_eq!(device_label(safari), "Safari on iOS");
        let edge = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/126.0 Safari/537.36 Edg/126.0";
        assert_eq!(device_label(edge), "Edge on Windows");
        assert_eq!(device_label(""), "Unknown device");
    }
}

/// What a one-time password link is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum LinkPurpose {
    /// A new account chooses its first password.
    Invite,
    /// An admin reset the password; the user chooses a new one.
    Reset,
}

/// A one-time link an admin hands to a staff member: shown once, valid until `expires_at`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OneTimeLink {
    pub user_id: UserId,
    pub username: String,
    pub url: String,
    pub expires_at: Timestamp,
}

/// What the page behind a usable one-time link shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkInfo {
    pub username: String,
    pub purpose: LinkPurpose,
}

/// How long an invitation or reset link stays usable.
pub const LINK_LIFETIME_HOURS: i64 = 72;
