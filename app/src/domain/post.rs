//! Posts, categories and tags as the dashboard and the public site see them.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::UserId;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PostId(pub i64);

/// Editorial status of a post.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
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
pub struct Term {
    pub id: i64,
    pub name: String,
    pub slug: String,
    /// How many posts use it.
    pub posts: i64,
}

/// Someone a post can be attributed to, as the author picker lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorOption {
    pub id: UserId,
    pub username: String,
}

/// One row of the posts list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostRow {
    pub id: PostId,
    pub title: String,
    pub slug: String,
    pub status: PostStatus,
    pub author: String,
    pub category: Option<String>,
    pub updated_at: String,
    pub published_at: Option<String>,
    pub scheduled_at: Option<String>,
}

/// A whole post as the editor loads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    pub tag_ids: Vec<i64>,
    pub seo_title: String,
    pub seo_description: String,
    pub created_at: String,
    pub updated_at: String,
    pub published_at: Option<String>,
    pub scheduled_at: Option<String>,
}

/// A saved version of a post's text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub id: i64,
    pub created_at: String,
    pub editor: String,
    pub title: String,
    pub body: String,
    pub excerpt: String,
}

/// One publish, unpublish or schedule of a post.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishEvent {
    pub occurred_at: String,
    pub actor: String,
    pub action: String,
}

/// A published post as the public site shows it; `html` is already sanitised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicPost {
    pub title: String,
    pub slug: String,
    pub html: String,
    pub excerpt: String,
    pub author: String,
    pub category: Option<String>,
    pub published_at: String,
    pub seo_title: String,
    pub seo_description: String,
}

/// The fields of the post form, exactly as a browser sends them (all text), so that the
/// server can answer every bad value with a message on its field. Any other field (say
/// `status` or `author_id`) lands in `unknown` and the request is refused.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PostForm {
    pub title: String,
    pub slug: String,
    pub body: String,
    pub excerpt: String,
    pub category_id: String,
    pub tags: Vec<String>,
    pub seo_title: String,
    pub seo_description: String,
    #[serde(flatten, skip_serializing)]
    pub unknown: BTreeMap<String, serde_json::Value>,
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

/// A post form that passed validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostInput {
    pub title: String,
    pub slug: String,
    pub body: String,
    pub excerpt: String,
    pub category_id: Option<i64>,
    pub tag_ids: Vec<i64>,
    pub seo_title: String,
    pub seo_description: String,
}

impl PostForm {
    /// Check every field; the errors name their fields. An empty slug is made from the title.
    pub fn validate(&self) -> Result<PostInput, Vec<crate::error::FieldError>> {
        let mut errors = Vec::new();
        let mut fail =
            |field: &str, message: String| errors.push(crate::error::FieldError { field: field.to_owned(), message });
        if let Some(key) = self.unknown.keys().next() {
            fail(key, format!("`{key}` is not a field of a post."));
        }
        let title = self.title.trim().to_owned();
        if title.is_empty() {
            fail("title", "A post needs a title.".into());
        }
        let slug = if self.slug.trim().is_empty() { slugify(&title) } else { self.slug.trim().to_owned() };
        if !is_slug(&slug) {
            fail("slug", "Use lowercase letters, digits and single dashes.".into());
        }
        let lengths = [
            ("title", &self.title, MAX_TITLE),
            ("body", &self.body, MAX_BODY),
            ("excerpt", &self.excerpt, MAX_EXCERPT),
            ("seo_title", &self.seo_title, MAX_SEO_TITLE),
            ("seo_description", &self.seo_description, MAX_SEO_DESCRIPTION),
        ];
        for (field, value, max) in lengths {
            if value.chars().count() > max {
                fail(field, format!("At most {max} characters."));
            }
        }
        let category_id = match self.category_id.trim() {
            "" => None,
            raw => raw.parse().map(Some).unwrap_or_else(|_| {
                fail("category_id", "Choose a category from the list.".into());
                None
            }),
        };
        let mut tag_ids: Vec<i64> = Vec::new();
        for raw in self.tags.iter().filter(|t| !t.is_empty()) {
            match raw.parse() {
                Ok(id) if !tag_ids.contains(&id) => tag_ids.push(id),
                Ok(_) => {}
                Err(_) => fail("tags", "Choose tags from the list.".into()),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(PostInput {
            title,
            slug,
            body: self.body.clone(),
            excerpt: self.excerpt.trim().to_owned(),
            category_id,
            tag_ids,
            seo_title: self.seo_title.trim().to_owned(),
            seo_description: self.seo_description.trim().to_owned(),
        })
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

#[cfg(test)]
mod form_tests {
    use super::*;

    fn form() -> PostForm {
        PostForm { title: "Hello World".into(), body: "Hi".into(), ..PostForm::default() }
    }

    #[test]
    fn an_empty_slug_is_made_from_the_title() {
        assert_eq!(form().validate().unwrap().slug, "hello-world");
    }

    #[test]
    fn unknown_fields_such_as_status_are_refused() {
        let mut f = form();
        f.unknown.insert("status".into(), serde_json::Value::String("published".into()));
        let errors = f.validate().unwrap_err();
        assert_eq!(errors[0].field, "status");
    }

    #[test]
    fn bad_values_are_reported_on_their_fields() {
        let f = PostForm {
            title: " ".into(),
            slug: "Bad Slug".into(),
            category_id: "x".into(),
            tags: vec!["1".into(), "y".into()],
            ..PostForm::default()
        };
        let fields: Vec<_> = f.validate().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "slug", "category_id", "tags"]);
    }

    #[test]
    fn overlong_fields_are_refused() {
        let f = PostForm { body: "x".repeat(MAX_BODY + 1), ..form() };
        assert_eq!(f.validate().unwrap_err()[0].field, "body");
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CommentId(pub i64);

/// Moderation state of a comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
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
pub struct CommentRow {
    pub id: CommentId,
    pub post_id: PostId,
    pub post_title: String,
    pub author_name: String,
    pub author_email: Option<String>,
    pub body: String,
    pub status: CommentStatus,
    pub created_at: String,
}

/// An approved comment as the public post page shows it (no email, no address).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicComment {
    pub author_name: String,
    pub body: String,
    pub created_at: String,
}

/// Limits on comment fields, in characters.
pub const MAX_COMMENT_NAME: usize = 80;
pub const MAX_COMMENT_EMAIL: usize = 254;
pub const MAX_COMMENT_BODY: usize = 5_000;
