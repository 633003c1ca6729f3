//! The one error type of every server function, shared with the client so the UI can match
//! variants instead of parsing messages.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// A message attached to one form field, shown next to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthenticated,
    #[error("Wrong username or password.")]
    BadCredentials,
    #[error("You do not have permission to do that.")]
    Forbidden,
    /// Refused for a reason the user should read (e.g. changing one's own role).
    #[error("{0}")]
    NotAllowed(String),
    /// The site requires two-factor sign-in for this role and the user has not set it up.
    #[error("Your role requires two-factor sign-in. Set it up on your profile page first.")]
    SecondFactorRequired,
    #[error("Not found.")]
    NotFound,
    #[error("{}", summary(.0))]
    Invalid(Vec<FieldError>),
    #[error("Bad request: {0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    /// Something that existed is gone for good (a used or expired one-time link).
    #[error("{0}")]
    Gone(String),
    #[error("Too many attempts. Try again in {retry_after} seconds.")]
    TooManyRequests { retry_after: u64 },
    /// The username or the address is locked out after too many failed sign-ins.
    #[error("Too many failed sign-ins. Try again in {}.", crate::domain::wait_in_minutes(*.retry_after))]
    LockedOut { retry_after: u64 },
    /// Too many requests are already waiting for the same scarce resource (password hashing).
    #[error("The server is busy. Try again in {retry_after} seconds.")]
    Busy { retry_after: u64 },
    #[error("Something went wrong on our side. It has been logged; please try again.")]
    Internal,
}

fn summary(errors: &[FieldError]) -> String {
    match errors {
        [] => "Please check the form.".to_owned(),
        [one] => one.message.clone(),
        many => format!("Please correct the {} highlighted fields.", many.len()),
    }
}

impl AppError {
    /// One invalid field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError { field: field.to_owned(), message: message.into() }])
    }

    /// The HTTP status the server sends with this error.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated | AppError::BadCredentials => 401,
            AppError::Forbidden | AppError::SecondFactorRequired | AppError::NotAllowed(_) => 403,
            AppError::NotFound => 404,
            AppError::BadRequest(_) => 400,
            AppError::Conflict(_) => 409,
            AppError::Gone(_) => 410,
            AppError::Invalid(_) => 422,
            AppError::TooManyRequests { .. } | AppError::LockedOut { .. } => 429,
            AppError::Busy { .. } => 503,
            AppError::Internal => 500,
        }
    }

    /// Seconds the caller should wait before trying again (sent as `Retry-After`).
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::TooManyRequests { retry_after }
            | AppError::LockedOut { retry_after }
            | AppError::Busy { retry_after } => Some(*retry_after),
            AppError::Unauthenticated
            | AppError::BadCredentials
            | AppError::Forbidden
            | AppError::SecondFactorRequired
            | AppError::NotAllowed(_)
            | AppError::NotFound
            | AppError::Invalid(_)
            | AppError::BadRequest(_)
            | AppError::Conflict(_)
            | AppError::Gone(_)
            | AppError::Internal => None,
        }
    }

    /// The message for `field`, if the server flagged it.
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            AppError::Invalid(errors) => errors.iter().find(|e| e.field == field).map(|e| e.message.clone()),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(err: ServerFnErrorErr) -> Self {
        match err {
            // The request did not parse: the caller's fault, and nothing was touched.
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) | ServerFnErrorErr::Deserialization(m) => {
                AppError::BadRequest(m)
            }
            ServerFnErrorErr::UnsupportedRequestMethod(m) => AppError::BadRequest(m),
            _ => AppError::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// Log an unexpected failure with its context and turn it into the generic `Internal`.
    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        tracing::error!(%context, error = %err, "internal error");
        AppError::Internal
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        AppError::internal("database", err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_a_client_or_server_status() {
        let all = [
            AppError::Unauthenticated,
            AppError::BadCredentials,
            AppError::Forbidden,
            AppError::NotFound,
            AppError::invalid("x", "y"),
            AppError::BadRequest("x".into()),
            AppError::Conflict("x".into()),
            AppError::Gone("x".into()),
            AppError::TooManyRequests { retry_after: 3 },
        ];
        for e in all {
            assert!((400..500).contains(&e.status()), "{e:?}");
        }
        assert_eq!(AppError::Internal.status(), 500);
        assert_eq!(AppError::Busy { retry_after: 2 }.status(), 503);
        assert_eq!(AppError::Busy { retry_after: 2 }.retry_after(), Some(2));
    }

    #[test]
    fn a_lockout_says_how_many_minutes_to_wait_rounded_up() {
        let locked = AppError::LockedOut { retry_after: 61 };
        assert_eq!((locked.status(), locked.retry_after()), (429, Some(61)));
        assert_eq!(locked.to_string(), "Too many failed sign-ins. Try again in 2 minutes.");
        assert_eq!(
            AppError::LockedOut { retry_after: 1 }.to_string(),
            "Too many failed sign-ins. Try again in 1 minute."
        );
    }

    #[test]
    fn malformed_arguments_are_a_bad_request_not_an_internal_error() {
        let e = AppError::from_server_fn_error(ServerFnErrorErr::Args("missing field `id`".into()));
        assert_eq!(e.status(), 400);
    }
}
