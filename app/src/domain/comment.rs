//! Comments: the moderation queue's rows, the public list, states and moderation actions.

use serde::{Deserialize, Serialize};

use super::{Page, PostId, Timestamp};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(transparent)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
pub struct CommentId(pub i64);

/// Moderation state of a comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum CommentStatus {
    Pending,
    Approved,
    Rejected,
    Spam,
}

impl CommentStatus {
    pub const ALL: [CommentStatus; 4] =
        [CommentStatus::Pending, CommentStatus::Approved, CommentStatus::Rejected, CommentStatus::Spam];

    pub fn as_str(self) -> &'static str {
        match self {
            CommentStatus::Pending => "pending",
            CommentStatus::Approved => "approved",
            CommentStatus::Rejected => "rejected",
            CommentStatus::Spam => "spam",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CommentStatus::Pending => "Pending",
            CommentStatus::Approved => "Approved",
            CommentStatus::Rejected => "Rejected",
            CommentStatus::Spam => "Spam",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// What a moderator can do to comments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
// The API takes the lowercase name (`Moderation::parse`), and its document says so.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(rename_all = "lowercase"))]
pub enum Moderation {
    Approve,
    Reject,
    Spam,
    Delete,
}

impl Moderation {
    pub const ALL: [Moderation; 4] = [Moderation::Approve, Moderation::Reject, Moderation::Spam, Moderation::Delete];

    pub fn as_str(self) -> &'static str {
        match self {
            Moderation::Approve => "approve",
            Moderation::Reject => "reject",
            Moderation::Spam => "spam",
            Moderation::Delete => "delete",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The status the action sets (`None`: the rows are deleted).
    pub fn target(self) -> Option<CommentStatus> {
        match self {
            Moderation::Approve => Some(CommentStatus::Approved),
            Moderation::Reject => Some(CommentStatus::Rejected),
            Moderation::Spam => Some(CommentStatus::Spam),
            Moderation::Delete => None,
        }
    }
}

/// A comment in the moderation queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct CommentRow {
    pub id: CommentId,
    pub post_id: PostId,
    pub post_title: String,
    pub author_name: String,
    pub author_email: Option<String>,
    pub body: String,
    pub status: CommentStatus,
    pub created_at: Timestamp,
}

/// An approved comment as the public post page shows it (no email, no address).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PublicComment {
    pub author_name: String,
    pub body: String,
    pub created_at: Timestamp,
}

/// Limits on comment fields, in characters.
pub const MAX_COMMENT_NAME: usize = 80;
pub const MAX_COMMENT_EMAIL: usize = 254;
pub const MAX_COMMENT_BODY: usize = 5_000;

/// One page of the moderation queue, and the newest comment id matching its filter when it was
/// read: "select all N matching" sends it back, so that comments arriving later are not swept
/// up in a bulk action the moderator never saw them in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentQueue {
    pub page: Page<CommentRow>,
    pub latest_id: Option<CommentId>,
}
