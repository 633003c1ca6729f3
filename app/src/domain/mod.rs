//! Types shared by the server and the WebAssembly client. Nothing here does I/O.

mod post;
mod role;

pub use post::*;
pub use role::Role;

use serde::{Deserialize, Serialize};

/// Primary key of a row in `users`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
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
pub struct UserSummary {
    pub id: UserId,
    pub username: String,
    pub role: Role,
    pub is_active: bool,
    pub created_at: String,
    pub last_login_at: Option<String>,
}

/// One row of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub occurred_at: String,
    pub actor: String,
    pub client_ip: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub details: String,
}

/// A page of rows plus the total count of rows matching the same filter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    pub fn page_count(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page.max(1)).max(1)
    }
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

/// Every kind of event the audit log records. The string form is what the table stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuditAction {
    LoginSucceeded,
    LoginFailed,
    Logout,
    FirstAdminCreated,
    PasswordChanged,
    PasswordReset,
    UserCreated,
    RoleChanged,
    UserDeactivated,
    PostPublished,
    PostUnpublished,
    PostScheduled,
    PostDeleted,
    PostRestored,
    CategoryCreated,
    CategoryUpdated,
    CategoryDeleted,
    TagCreated,
    TagUpdated,
    TagDeleted,
    CommentsModerated,
    SettingsChanged,
}

impl AuditAction {
    pub const ALL: [AuditAction; 22] = [
        AuditAction::LoginSucceeded,
        AuditAction::LoginFailed,
        AuditAction::Logout,
        AuditAction::FirstAdminCreated,
        AuditAction::PasswordChanged,
        AuditAction::PasswordReset,
        AuditAction::UserCreated,
        AuditAction::RoleChanged,
        AuditAction::UserDeactivated,
        AuditAction::PostPublished,
        AuditAction::PostUnpublished,
        AuditAction::PostScheduled,
        AuditAction::PostDeleted,
        AuditAction::PostRestored,
        AuditAction::CategoryCreated,
        AuditAction::CategoryUpdated,
        AuditAction::CategoryDeleted,
        AuditAction::TagCreated,
        AuditAction::TagUpdated,
        AuditAction::TagDeleted,
        AuditAction::CommentsModerated,
        AuditAction::SettingsChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::LoginSucceeded => "auth.login",
            AuditAction::LoginFailed => "auth.login_failed",
            AuditAction::Logout => "auth.logout",
            AuditAction::FirstAdminCreated => "setup.first_admin",
            AuditAction::PasswordChanged => "user.password_changed",
            AuditAction::PasswordReset => "user.password_reset",
            AuditAction::UserCreated => "user.created",
            AuditAction::RoleChanged => "user.role_changed",
            AuditAction::UserDeactivated => "user.deactivated",
            AuditAction::PostPublished => "post.published",
            AuditAction::PostUnpublished => "post.unpublished",
            AuditAction::PostScheduled => "post.scheduled",
            AuditAction::PostDeleted => "post.deleted",
            AuditAction::PostRestored => "post.restored",
            AuditAction::CategoryCreated => "category.created",
            AuditAction::CategoryUpdated => "category.updated",
            AuditAction::CategoryDeleted => "category.deleted",
            AuditAction::TagCreated => "tag.created",
            AuditAction::TagUpdated => "tag.updated",
            AuditAction::TagDeleted => "tag.deleted",
            AuditAction::CommentsModerated => "comments.moderated",
            AuditAction::SettingsChanged => "settings.changed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

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

    #[test]
    fn audit_actions_round_trip() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(a));
        }
    }
}
