//! Posts, categories and tags as the dashboard and the public site see them.

use serde::{Deserialize, Serialize};

use super::{Timestamp, UserId};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(transparent)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
pub struct PostId(pub i64);

/// Editorial status of a post.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum PostStatus {
    Draft,
    Review,
    Published,
}

impl PostStatus {
    pub const ALL: [PostStatus; 3] = [PostStatus::Draft, PostStatus::Review, PostStatus::Published];

    pub fn as_str(self) -> &'static str {
        match self {
            PostStatus::Draft => "draft",
            PostStatus::Review => "review",
            PostStatus::Published => "published",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PostStatus::Draft => "Draft",
            PostStatus::Review => "In review",
            PostStatus::Published => "Published",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A category or a tag: a name and a unique slug.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Term {
    pub id: i64,
    pub name: String,
    pub slug: String,
    /// How many posts use it.
    pub posts: i64,
}

/// A category or a tag as a picker offers it (the usage count is for the taxonomy page only:
/// counting every term's posts would cost more than the rest of a posts page).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct TermOption {
    pub id: i64,
    pub name: String,
}

/// Everything the posts list's filters and the post form's pickers offer, in the caller's
/// scope: one request instead of three.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostPickers {
    pub authors: Vec<AuthorOption>,
    pub categories: Vec<TermOption>,
    pub tags: Vec<TermOption>,
}

/// Someone a post can be attributed to, as the author picker lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AuthorOption {
    pub id: UserId,
    pub username: String,
}

/// One row of the posts list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PostRow {
    pub id: PostId,
    pub title: String,
    pub slug: String,
    pub status: PostStatus,
    pub author: String,
    pub category: Option<String>,
    pub updated_at: Timestamp,
    pub published_at: Option<Timestamp>,
    pub scheduled_at: Option<Timestamp>,
}

/// A whole post as the editor loads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PostDetail {
    pub id: PostId,
    pub title: String,
    pub slug: String,
    pub body: String,
    pub excerpt: String,
    pub status: PostStatus,
    pub author_id: UserId,
    pub author: String,
    pub category_id: Option<i64>,
    #[cfg_attr(feature = "ssr", sqlx(skip))]
    pub tag_ids: Vec<i64>,
    pub seo_title: String,
    pub seo_description: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub published_at: Option<Timestamp>,
    pub scheduled_at: Option<Timestamp>,
}

/// A saved version of a post's text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Revision {
    pub id: i64,
    pub created_at: Timestamp,
    pub editor: String,
    pub title: String,
    pub body: String,
    pub excerpt: String,
}

/// A post's past as the editor shows it: its saved versions and its publish history, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostPast {
    pub revisions: Vec<Revision>,
    pub published: Vec<PublishEvent>,
}

/// What the editor page shows of one post: the post and its past, read together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostEditor {
    pub post: PostDetail,
    pub past: PostPast,
}

/// One publish, unpublish or schedule of a post.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PublishEvent {
    pub occurred_at: Timestamp,
    pub actor: String,
    pub action: String,
}

/// A published post as the public site shows it; `html` is already sanitised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PublicPost {
    pub title: String,
    pub slug: String,
    #[cfg_attr(feature = "ssr", sqlx(skip))]
    pub html: String,
    pub excerpt: String,
    pub author: String,
    pub category: Option<String>,
    pub published_at: Timestamp,
    pub seo_title: String,
    pub seo_description: String,
}

/// Limits on post fields, in characters.
pub const MAX_TITLE: usize = 200;
pub const MAX_SLUG: usize = 120;
pub const MAX_BODY: usize = 200_000;
pub const MAX_EXCERPT: usize = 1_000;
pub const MAX_SEO_TITLE: usize = 120;
pub const MAX_SEO_DESCRIPTION: usize = 320;
pub const MAX_TERM_NAME: usize = 60;

/// A URL slug from free text: lowercase ASCII letters and digits separated by single dashes.
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    slug.chars().take(MAX_SLUG).collect::<String>().trim_end_matches('-').to_owned()
}

/// Whether `slug` is already in the form [`slugify`] produces.
pub fn is_slug(slug: &str) -> bool {
    !slug.is_empty() && slug.len() <= MAX_SLUG && slugify(slug) == slug
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_words_joined_by_dashes() {
        assert_eq!(slugify("  Hello, World! Ünïcode 2026 "), "hello-world-n-code-2026");
        assert_eq!(slugify("---"), "");
        assert!(is_slug("hello-world"));
        assert!(!is_slug("Hello"));
        assert!(!is_slug("a--b"));
        assert!(!is_slug("../etc"));
    }

    #[test]
    fn statuses_round_trip() {
        for s in PostStatus::ALL {
            assert_eq!(PostStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(PostStatus::parse("deleted"), None);
    }
}

/// Columns the posts list sorts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PostSort {
    Title,
    Author,
    Status,
    Category,
    Updated,
}

impl PostSort {
    pub const ALL: [PostSort; 5] =
        [PostSort::Title, PostSort::Author, PostSort::Status, PostSort::Category, PostSort::Updated];

    pub fn key(self) -> &'static str {
        match self {
            PostSort::Title => "title",
            PostSort::Author => "author",
            PostSort::Status => "status",
            PostSort::Category => "category",
            PostSort::Updated => "updated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.key() == s)
    }
}

/// The filters, sort and page of the posts list, as carried in the URL and in export links.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostFilter {
    pub q: Option<String>,
    pub status: Option<String>,
    pub author: Option<i64>,
    pub category: Option<i64>,
    pub tag: Option<i64>,
    pub sort: Option<String>,
    pub dir: Option<String>,
}

/// Counts for the overview page, within the viewer's scope.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostCounts {
    pub drafts: i64,
    pub in_review: i64,
    pub published: i64,
    /// Posts published per ISO week, oldest first: (week starting date, count).
    pub weekly: Vec<(String, i64)>,
}
