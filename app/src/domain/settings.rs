//! Site settings: what the public site shows and how the site behaves, as admins set them.

use super::{MAX_SEO_DESCRIPTION, MAX_SEO_TITLE};
use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const MAX_SITE_TITLE: usize = 120;
pub const MAX_SITE_DESCRIPTION: usize = 500;

/// The settings in force. Absent rows take the defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteSettings {
    pub site_title: String,
    pub site_description: String,
    /// The `<title>` of the home page and of posts without their own SEO title; empty: the
    /// site title.
    pub seo_title: String,
    /// The meta description of the home page and of posts without their own; empty: the site
    /// description.
    pub seo_description: String,
    pub comments_enabled: bool,
    /// Editors and admins must sign in with a second factor.
    pub require_two_factor: bool,
}

impl Default for SiteSettings {
    fn default() -> Self {
        Self {
            site_title: "Inkwarden".into(),
            site_description: String::new(),
            seo_title: String::new(),
            seo_description: String::new(),
            comments_enabled: true,
            require_two_factor: false,
        }
    }
}

impl SiteSettings {
    /// Every setting as (key, stored text), in one order.
    pub fn entries(&self) -> [(&'static str, String); 6] {
        [
            ("site_title", self.site_title.clone()),
            ("site_description", self.site_description.clone()),
            ("seo_title", self.seo_title.clone()),
            ("seo_description", self.seo_description.clone()),
            ("comments_enabled", self.comments_enabled.to_string()),
            ("require_two_factor", self.require_two_factor.to_string()),
        ]
    }

    /// Settings from stored (key, text) rows; unknown keys are ignored, missing ones default.
    pub fn from_entries<'a>(rows: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut s = SiteSettings::default();
        for (key, value) in rows {
            match key {
                "site_title" => s.site_title = value.to_owned(),
                "site_description" => s.site_description = value.to_owned(),
                "seo_title" => s.seo_title = value.to_owned(),
                "seo_description" => s.seo_description = value.to_owned(),
                "comments_enabled" => s.comments_enabled = value != "false",
                "require_two_factor" => s.require_two_factor = value == "true",
                _ => {}
            }
        }
        s
    }

    /// The fields that differ from `before`: (key, before, after) for the audit log.
    pub fn changes_from(&self, before: &SiteSettings) -> Vec<(&'static str, String, String)> {
        before
            .entries()
            .into_iter()
            .zip(self.entries())
            .filter(|((_, old), (_, new))| old != new)
            .map(|((key, old), (_, new))| (key, old, new))
            .collect()
    }

    /// The home page's `<title>`.
    pub fn home_title(&self) -> &str {
        if self.seo_title.is_empty() {
            &self.site_title
        } else {
            &self.seo_title
        }
    }

    /// The home page's meta description.
    pub fn home_description(&self) -> &str {
        if self.seo_description.is_empty() {
            &self.site_description
        } else {
            &self.seo_description
        }
    }
}

/// The settings form as submitted: every field at once. A checkbox that is absent is off, as an
/// HTML form sends it. Any other field lands in `unknown` and is refused.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    pub site_title: String,
    pub site_description: String,
    pub seo_title: String,
    pub seo_description: String,
    pub comments_enabled: String,
    pub require_two_factor: String,
    #[serde(flatten, skip_serializing)]
    pub unknown: BTreeMap<String, serde_json::Value>,
}

impl SettingsForm {
    pub fn validate(&self) -> Result<SiteSettings, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field: &str, message: String| errors.push(FieldError { field: field.to_owned(), message });
        if let Some(key) = self.unknown.keys().next() {
            fail(key, format!("`{key}` is not a site setting."));
        }
        let texts = [
            ("site_title", &self.site_title, MAX_SITE_TITLE),
            ("site_description", &self.site_description, MAX_SITE_DESCRIPTION),
            ("seo_title", &self.seo_title, MAX_SEO_TITLE),
            ("seo_description", &self.seo_description, MAX_SEO_DESCRIPTION),
        ];
        for (field, value, max) in texts {
            if value.chars().count() > max {
                fail(field, format!("At most {max} characters."));
            } else if super::has_control_chars(value, false) {
                fail(field, "Line breaks and control characters are not allowed here.".into());
            }
        }
        if self.site_title.trim().is_empty() {
            fail("site_title", "The site needs a title.".into());
        }
        let mut checkbox = |field: &str, value: &str| match value {
            "on" | "true" => true,
            "" | "false" => false,
            _ => {
                fail(field, "Tick the box or leave it empty.".into());
                false
            }
        };
        let comments_enabled = checkbox("comments_enabled", &self.comments_enabled);
        let require_two_factor = checkbox("require_two_factor", &self.require_two_factor);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(SiteSettings {
            site_title: self.site_title.trim().to_owned(),
            site_description: self.site_description.trim().to_owned(),
            seo_title: self.seo_title.trim().to_owned(),
            seo_description: self.seo_description.trim().to_owned(),
            comments_enabled,
            require_two_factor,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SettingsForm {
        SettingsForm { site_title: " The Daily Ink ".into(), comments_enabled: "on".into(), ..SettingsForm::default() }
    }

    #[test]
    fn a_form_becomes_settings_with_absent_checkboxes_off() {
        let s = form().validate().unwrap();
        assert_eq!((s.site_title.as_str(), s.comments_enabled, s.require_two_factor), ("The Daily Ink", true, false));
    }

    #[test]
    fn unknown_fields_empty_titles_and_control_characters_are_refused_on_their_fields() {
        let mut f = SettingsForm { site_title: "".into(), seo_title: "a\nb".into(), ..form() };
        f.unknown.insert("admin".into(), serde_json::Value::String("true".into()));
        let fields: Vec<_> = f.validate().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["admin", "seo_title", "site_title"]);
    }

    #[test]
    fn only_changed_fields_are_reported() {
        let before = SiteSettings::default();
        let after = SiteSettings { comments_enabled: false, ..before.clone() };
        assert_eq!(after.changes_from(&before), [("comments_enabled", "true".to_owned(), "false".to_owned())]);
    }

    #[test]
    fn stored_rows_round_trip() {
        let s = SiteSettings { seo_title: "SEO".into(), require_two_factor: true, ..SiteSettings::default() };
        let rows = s.entries();
        assert_eq!(SiteSettings::from_entries(rows.iter().map(|(k, v)| (*k, v.as_str()))), s);
    }
}

/// The settings the public site shows (never the sign-in rules).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicSite {
    pub title: String,
    pub description: String,
    /// The home page's `<title>`: the default SEO title, else the site title.
    pub home_title: String,
    /// The home page's meta description: the default SEO description, else the site's.
    pub home_description: String,
    pub comments_enabled: bool,
}

impl Default for PublicSite {
    fn default() -> Self {
        let s = SiteSettings::default();
        Self {
            title: s.site_title.clone(),
            description: s.site_description.clone(),
            home_title: s.home_title().to_owned(),
            home_description: s.home_description().to_owned(),
            comments_enabled: s.comments_enabled,
        }
    }
}
