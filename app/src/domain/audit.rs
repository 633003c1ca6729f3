//! The audit log's vocabulary: every kind of event, and a row as the log page shows it.

use super::Timestamp;
use serde::{Deserialize, Serialize};

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
    PostCreated,
    PostUpdated,
    PostSubmitted,
    PostWithdrawn,
    PostPublished,
    PostUnpublished,
    PostScheduled,
    PostUnscheduled,
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
    LoginLocked,
    LoginUnlocked,
    SessionsEnded,
    TotpEnabled,
    TotpDisabled,
    RecoveryCodesRegenerated,
    SecondFactorFailed,
    UserReactivated,
    InvitationAccepted,
    TokenCreated,
    TokenRevoked,
    TokenRotated,
}

impl AuditAction {
    pub const ALL: [AuditAction; 39] = [
        AuditAction::LoginSucceeded,
        AuditAction::LoginFailed,
        AuditAction::Logout,
        AuditAction::FirstAdminCreated,
        AuditAction::PasswordChanged,
        AuditAction::PasswordReset,
        AuditAction::UserCreated,
        AuditAction::RoleChanged,
        AuditAction::UserDeactivated,
        AuditAction::PostCreated,
        AuditAction::PostUpdated,
        AuditAction::PostSubmitted,
        AuditAction::PostWithdrawn,
        AuditAction::PostPublished,
        AuditAction::PostUnpublished,
        AuditAction::PostScheduled,
        AuditAction::PostUnscheduled,
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
        AuditAction::LoginLocked,
        AuditAction::LoginUnlocked,
        AuditAction::SessionsEnded,
        AuditAction::TotpEnabled,
        AuditAction::TotpDisabled,
        AuditAction::RecoveryCodesRegenerated,
        AuditAction::SecondFactorFailed,
        AuditAction::UserReactivated,
        AuditAction::InvitationAccepted,
        AuditAction::TokenCreated,
        AuditAction::TokenRevoked,
        AuditAction::TokenRotated,
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
            AuditAction::PostCreated => "post.created",
            AuditAction::PostUpdated => "post.updated",
            AuditAction::PostSubmitted => "post.submitted",
            AuditAction::PostWithdrawn => "post.withdrawn",
            AuditAction::PostPublished => "post.published",
            AuditAction::PostUnpublished => "post.unpublished",
            AuditAction::PostScheduled => "post.scheduled",
            AuditAction::PostUnscheduled => "post.unscheduled",
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
            AuditAction::LoginLocked => "login.locked",
            AuditAction::LoginUnlocked => "login.unlocked",
            AuditAction::SessionsEnded => "user.sessions_ended",
            AuditAction::TotpEnabled => "totp.enabled",
            AuditAction::TotpDisabled => "totp.disabled",
            AuditAction::RecoveryCodesRegenerated => "recovery_codes.regenerated",
            AuditAction::SecondFactorFailed => "login.second_factor_failed",
            AuditAction::UserReactivated => "user.reactivated",
            AuditAction::InvitationAccepted => "user.invitation_accepted",
            AuditAction::TokenCreated => "token.created",
            AuditAction::TokenRevoked => "token.revoked",
            AuditAction::TokenRotated => "token.rotated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// One row of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AuditEntry {
    pub id: i64,
    pub occurred_at: Timestamp,
    #[cfg_attr(feature = "ssr", sqlx(rename = "actor_label"))]
    pub actor: String,
    pub client_ip: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub details: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_actions_round_trip() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(a));
        }
    }
}

/// The audit log's filters, as carried in the URL (`action` may repeat) and in export links.
/// Every field is optional; dates are UTC days, `YYYY-MM-DD`, both ends included.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// A username, `cli`, `system`, or later a token label: the recorded actor, exactly.
    pub actor: Option<String>,
    pub actions: Vec<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub ip: Option<String>,
}

impl AuditFilter {
    /// The filter from URL query pairs (`action` may repeat; empty values are ignored).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut f = AuditFilter::default();
        for (key, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            let v = Some(value.to_owned());
            match key {
                "actor" => f.actor = v,
                "action" | "action[]" | "actions[]" => f.actions.push(value.to_owned()),
                "target_type" => f.target_type = v,
                "target_id" => f.target_id = v,
                "from" => f.from = v,
                "to" => f.to = v,
                "ip" => f.ip = v,
                _ => {}
            }
        }
        f
    }
}

/// One line of an event's readable diff: a field, its value before and after (absent: `None`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The before/after pairs of an event's details (`{"before": {…}, "after": {…}}`), field by
/// field in order, and the other details (ids of a bulk action, counts …) as (key, text).
pub fn audit_changes(details: &str) -> (Vec<FieldChange>, Vec<(String, String)>) {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(details) else {
        return (vec![], vec![]);
    };
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    // A side that is a plain value rather than an object of fields reads as one field, `value`.
    let side = |key: &str| match map.get(key) {
        Some(serde_json::Value::Object(fields)) => fields.clone(),
        None | Some(serde_json::Value::Null) => serde_json::Map::new(),
        Some(other) => serde_json::Map::from_iter([("value".to_owned(), other.clone())]),
    };
    let (before, after) = (side("before"), side("after"));
    let mut fields: Vec<&String> = before.keys().chain(after.keys()).collect();
    fields.sort();
    fields.dedup();
    let changes = fields
        .into_iter()
        .map(|f| FieldChange { field: f.clone(), before: before.get(f).map(text), after: after.get(f).map(text) })
        .collect();
    let rest = map.iter().filter(|(k, _)| *k != "before" && *k != "after").map(|(k, v)| (k.clone(), text(v))).collect();
    (changes, rest)
}

#[cfg(test)]
mod change_tests {
    use super::*;

    #[test]
    fn before_and_after_become_one_line_per_field() {
        let (changes, rest) =
            audit_changes(r#"{"username":"ed","before":{"role":"editor"},"after":{"role":"author"}}"#);
        assert_eq!(
            changes,
            [FieldChange { field: "role".into(), before: Some("editor".into()), after: Some("author".into()) }]
        );
        assert_eq!(rest, [("username".to_owned(), "ed".to_owned())]);
    }

    #[test]
    fn bulk_ids_and_unreadable_details_are_kept_apart() {
        let (changes, rest) = audit_changes(r#"{"count":2,"ids":[4,5]}"#);
        assert!(changes.is_empty());
        assert_eq!(rest, [("count".to_owned(), "2".to_owned()), ("ids".to_owned(), "[4,5]".to_owned())]);
        assert_eq!(audit_changes("not json"), (vec![], vec![]));
    }

    #[test]
    fn a_side_that_is_not_an_object_is_one_value() {
        let (changes, _) = audit_changes(r#"{"before":null,"after":["News","news"]}"#);
        assert_eq!(
            changes,
            [FieldChange { field: "value".into(), before: None, after: Some(r#"["News","news"]"#.into()) }]
        );
    }

    #[test]
    fn url_pairs_make_a_filter_with_repeated_actions() {
        let f = AuditFilter::from_pairs([
            ("action", "post.published"),
            ("action", "post.deleted"),
            ("ip", " "),
            ("x", "y"),
        ]);
        assert_eq!(f.actions, ["post.published", "post.deleted"]);
        assert_eq!(f.ip, None);
    }
}
