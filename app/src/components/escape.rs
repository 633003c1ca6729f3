//! Escaping for the places where Leptos writes text into HTML verbatim.
//!
//! Leptos escapes text children and attribute values, except: `inner_html` (by design), the
//! children of `<textarea>` (tachys 0.2 renders them unescaped, like those of `<script>`), and
//! the `<title>` that leptos_meta 0.8 writes into the server-rendered head. Text reaching one
//! of those goes through this module; `server/tests/api/hostile.rs` checks every page.

/// Escape text for use inside HTML content or a double-quoted attribute.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text);
    out
}

/// Append `text` to `out`, escaped as [`escape_html`] does.
pub fn push_escaped(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
        out.push_str(&rest[..at]);
        out.push_str(match rest.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
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
        assert_eq!(escape_html("a<b>✓ 𝄞 c&d"), "a&lt;b&gt;✓ 𝄞 c&amp;d");
        assert_eq!(escape_html("plain"), "plain");
    }
}
