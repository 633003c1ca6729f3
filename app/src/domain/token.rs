//! API tokens: their scopes, and a token as the dashboard lists it (never its secret).

use super::Timestamp;
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// What a token may do. A closed list: each scope opens the endpoints that need it and no more.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TokenScope {
    #[serde(rename = "posts:read")]
    PostsRead,
    /// Create drafts and edit posts.
    #[serde(rename = "posts:write")]
    PostsWrite,
    /// Publish and unpublish.
    #[serde(rename = "posts:publish")]
    PostsPublish,
    #[serde(rename = "comments:moderate")]
    CommentsModerate,
}

impl TokenScope {
    pub const ALL: [TokenScope; 4] =
        [TokenScope::PostsRead, TokenScope::PostsWrite, TokenScope::PostsPublish, TokenScope::CommentsModerate];

    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::PostsRead => "posts:read",
            TokenScope::PostsWrite => "posts:write",
            TokenScope::PostsPublish => "posts:publish",
            TokenScope::CommentsModerate => "comments:moderate",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            TokenScope::PostsRead => "Read posts",
            TokenScope::PostsWrite => "Create drafts and edit posts",
            TokenScope::PostsPublish => "Publish and unpublish posts",
            TokenScope::CommentsModerate => "Moderate comments",
        }
    }

    /// Scopes from their stored form (space-separated); unknown words are dropped.
    pub fn parse_list(text: &str) -> Vec<TokenScope> {
        let mut scopes: Vec<TokenScope> = text.split_whitespace().filter_map(|s| s.parse().ok()).collect();
        scopes.sort();
        scopes.dedup();
        scopes
    }

    /// The stored form of a list of scopes.
    pub fn join(scopes: &[TokenScope]) -> String {
        scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")
    }
}

impl fmt::Display for TokenScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown scope `{0}` (expected posts:read, posts:write, posts:publish or comments:moderate)")]
pub struct UnknownScope(pub String);

impl FromStr for TokenScope {
    type Err = UnknownScope;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TokenScope::ALL.into_iter().find(|x| x.as_str() == s).ok_or_else(|| UnknownScope(s.to_owned()))
    }
}

/// A token as admins see it: everything but the secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSummary {
    pub id: i64,
    pub name: String,
    /// The 8 characters after `iwk_`, shown in clear to recognise the token.
    pub prefix: String,
    pub scopes: Vec<TokenScope>,
    pub owner: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    pub last_used_ip: Option<String>,
    pub revoked_at: Option<Timestamp>,
}

/// A token just created or rotated, with its secret: shown once, never stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedToken {
    pub token: TokenSummary,
    /// `iwk_<prefix>_<secret>`.
    pub secret: String,
}

pub const MAX_TOKEN_NAME: usize = 80;
pub const MAX_TOKEN_DAYS: u32 = 3650;

/// Why `name` cannot name a token, if it cannot.
pub fn token_name_problem(name: &str) -> Option<&'static str> {
    let name = name.trim();
    if name.is_empty() {
        Some("A token needs a name.")
    } else if name.chars().count() > MAX_TOKEN_NAME {
        Some("At most 80 characters.")
    } else if super::has_control_chars(name, false) {
        Some("Control characters are not allowed here.")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_and_unknown_ones_are_refused() {
        for s in TokenScope::ALL {
            assert_eq!(s.as_str().parse::<TokenScope>(), Ok(s));
        }
        assert!("posts:delete".parse::<TokenScope>().is_err());
        assert_eq!(
            TokenScope::parse_list("posts:publish posts:read posts:read"),
            [TokenScope::PostsRead, TokenScope::PostsPublish]
        );
    }
}
