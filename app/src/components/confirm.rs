//! Confirmation before a destructive action. The form behind it is a real POST that works
//! without JavaScript; with JavaScript the browser asks first and the page sends the action.

use leptos::{ev::SubmitEvent, prelude::*};

/// Stop the form's own submission and ask `question`: true when the user confirmed, and the
/// caller dispatches its action then.
pub fn confirmed(ev: &SubmitEvent, question: &str) -> bool {
    ev.prevent_default();
    window().confirm_with_message(question).unwrap_or(false)
}
