//! Staff accounts: ids, the signed-in actor, and the rules for usernames, passwords and `next`.

use serde::{Deserialize, Serialize};

use super::{Role, Timestamp};

/// Primary key of a row in `users`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
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
