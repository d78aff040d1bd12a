//! The host's one HTML escaper for what views render. Guests never escape: a `text` node is
//! escaped here, and so is every value of an `attributes` node, whose names are checked.

use std::fmt::Write as _;

/// Escapes `&`, `<`, `>`, `"` and `'`, so the result is safe in element content and in an
/// attribute value quoted either way. Text that needs no escaping is moved, not copied.
pub fn text(text: String) -> String {
    match html_escape::encode_quoted_attribute(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(escaped) => escaped,
    }
}

/// ` name="value"` for each attribute (a bare ` name` when the value is `None`).
///
/// # Errors
/// The first name that could break out of the tag: empty, or holding whitespace, a quote,
/// `<`, `>`, `/`, `=`, a backtick or a control character.
pub fn attributes<'a>(attributes: impl IntoIterator<Item = (&'a str, Option<&'a str>)>) -> Result<String, String> {
    let mut out = String::new();
    for (name, value) in attributes {
        check_name(name)?;
        out.push(' ');
        out.push_str(name);
        if let Some(value) = value {
            // Writing to a String cannot fail.
            let _ = write!(out, "=\"{}\"", html_escape::encode_quoted_attribute(value));
        }
    }
    Ok(out)
}

fn check_name(name: &str) -> Result<(), String> {
    let bad = |c: char| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '/' | '=' | '`');
    if name.is_empty() || name.chars().any(bad) {
        let shown: String = name.chars().take(64).collect();
        return Err(format!("attribute name {shown:?} is not a valid HTML attribute name"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_the_five_characters_and_nothing_else() {
        assert_eq!(
            text(r#"<a href="x" onclick='y'>&amp; é</a>"#.into()),
            "&lt;a href=&quot;x&quot; onclick=&#x27;y&#x27;&gt;&amp;amp; é&lt;/a&gt;"
        );
        assert_eq!(text("plain text".into()), "plain text");
    }

    #[test]
    fn attributes_are_written_with_escaped_values_and_bare_booleans() {
        let out = attributes([("value", Some("\"><script>")), ("checked", None), ("data-x", Some("a'b"))]);
        assert_eq!(out.as_deref(), Ok(r#" value="&quot;&gt;&lt;script&gt;" checked data-x="a&#x27;b""#));
        assert_eq!(attributes([]).as_deref(), Ok(""));
    }

    #[test]
    fn names_that_could_leave_the_tag_are_refused() {
        for name in ["", "a b", "x\"", "x'", "x>", "on=click", "a/b", "x\u{0}", "a\tb", "`x"] {
            assert!(attributes([(name, None)]).is_err(), "{name:?} accepted");
        }
        for name in ["class", "phx-click", "data-phx-link", "aria-invalid", ":if", "@click", "x.y"] {
            assert!(attributes([(name, Some("v"))]).is_ok(), "{name:?} refused");
        }
    }
}
