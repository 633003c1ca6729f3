//! The post form as a browser sends it, and its validation into a [`PostInput`].

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::{
    has_control_chars, is_slug, slugify, MAX_BODY, MAX_EXCERPT, MAX_SEO_DESCRIPTION, MAX_SEO_TITLE, MAX_TITLE,
};

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
        // (field, value, most characters, whether line breaks are allowed)
        let texts = [
            ("title", &self.title, MAX_TITLE, false),
            ("body", &self.body, MAX_BODY, true),
            ("excerpt", &self.excerpt, MAX_EXCERPT, true),
            ("seo_title", &self.seo_title, MAX_SEO_TITLE, false),
            ("seo_description", &self.seo_description, MAX_SEO_DESCRIPTION, true),
        ];
        for (field, value, max, multiline) in texts {
            if value.chars().count() > max {
                fail(field, format!("At most {max} characters."));
            } else if has_control_chars(value, multiline) {
                let what = if multiline { "Control characters" } else { "Line breaks and control characters" };
                fail(field, format!("{what} are not allowed here."));
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
    fn control_characters_are_refused_but_line_breaks_stay_in_text_areas() {
        let f = PostForm { title: "A\nB".into(), body: "one\r\n\ttwo\0".into(), excerpt: "a\nb".into(), ..form() };
        let fields: Vec<_> = f.validate().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "body"]);
        let f = PostForm { body: "one\r\n\ttwo".into(), excerpt: "a\nb".into(), ..form() };
        assert!(f.validate().is_ok());
    }

    #[test]
    fn overlong_fields_are_refused() {
        let f = PostForm { body: "x".repeat(MAX_BODY + 1), ..form() };
        assert_eq!(f.validate().unwrap_err()[0].field, "body");
    }
}
