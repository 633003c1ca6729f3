//! `<option>` lists rendered as one escaped HTML string set through `inner_html`.
//!
//! Hydration walks a node's children and relies on comment markers around dynamic lists;
//! Chromium's `<select>` parser does not keep those markers reliably, which breaks hydration of
//! a select with a dynamic option list. With `inner_html` there are no children to walk.

use super::escape_html;

/// `<option>` elements for `(value, label)` pairs, the one whose value is `selected` marked.
pub fn options_html<'a>(items: impl IntoIterator<Item = (&'a str, &'a str)>, selected: &str) -> String {
    items
        .into_iter()
        .map(|(value, label)| {
            let mark = if value == selected { " selected" } else { "" };
            format!("<option value=\"{}\"{mark}>{}</option>", escape_html(value), escape_html(label))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_values_are_escaped() {
        let html = options_html([("\"><script>", "<b>x</b>")], "");
        assert_eq!(html, "<option value=\"&quot;&gt;&lt;script&gt;\">&lt;b&gt;x&lt;/b&gt;</option>");
    }

    #[test]
    fn the_selected_value_is_marked() {
        assert_eq!(
            options_html([("a", "A"), ("b", "B")], "b"),
            "<option value=\"a\">A</option><option value=\"b\" selected>B</option>"
        );
    }
}
