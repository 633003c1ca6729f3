//! Escaping for the places where Leptos writes text into HTML verbatim.
//!
//! Leptos escapes text children and attribute values, except: `inner_html` (by design), the
//! children of `<textarea>` (tachys 0.2 renders them unescaped, like those of `<script>`), and
//! the `<title>` that leptos_meta 0.8 writes into the server-rendered head. Text reaching one
//! of those goes through this module; `server/tests/api/hostile.rs` checks every page.

/// Escape text for use inside HTML content or a double-quoted attribute.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Plain text for a spot the server writes into HTML verbatim but the browser sets through the
/// DOM (the `<title>`, a `<textarea>`'s text): escaped when rendering on the server, unchanged
/// in the browser, so both show the same characters.
pub fn escape_on_server(text: String) -> String {
    if cfg!(feature = "ssr") {
        escape_html(&text)
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_quotes_are_escaped() {
        assert_eq!(escape_html("</title>\"'&"), "&lt;/title&gt;&quot;&#39;&amp;");
    }
}
