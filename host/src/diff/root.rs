//! Whether a template renders exactly one root element, which the client needs for stateful
//! components and uses for its "skip unchanged subtree" optimization (`"r": 1`).
//!
//! Conservative: anything this scanner does not understand counts as "not single-root", which
//! only costs the optimization. Slots are assumed to hold balanced markup (escaped text or
//! templates, which are checked the same way).

/// Elements without an end tag.
const VOID: &[&str] =
    &["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"];

/// Elements whose content is raw text up to their end tag.
const RAW_TEXT: &[&str] = &["script", "style", "textarea", "title"];

/// Marks a slot in the joined statics; it cannot occur in markup the scanner cares about.
const SLOT: char = '\u{0}';

pub(super) fn is_single_root(statics: &[String]) -> bool {
    let html = statics.join(&SLOT.to_string());
    // The client's root rewrite skips leading whitespace only reliably: a comment before the
    // root element (one spanning lines, in particular) would receive its attributes.
    let mut rest = html.trim_start_matches(|c: char| c.is_ascii_whitespace());
    if !starts_tag(rest) {
        return false;
    }
    // The root element closes at depth 0, where the scan returns; so the loop only ever sees
    // depth 0 at the root's own start tag.
    let mut depth = 0usize;
    loop {
        let Some(lt) = rest.find('<') else {
            return false;
        };
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            let Some(end) = after.find("-->") else { return false };
            rest = &after[end + 3..];
            continue;
        }
        if let Some(after) = rest.strip_prefix("</") {
            let Some(end) = after.find('>') else { return false };
            rest = &after[end + 1..];
            let Some(d) = depth.checked_sub(1) else { return false };
            depth = d;
            if depth == 0 {
                return rest.chars().all(|c| c.is_ascii_whitespace());
            }
            continue;
        }
        // A start tag.
        let name: String = rest[1..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        if name.is_empty() {
            // A bare `<` in text.
            rest = &rest[1..];
            continue;
        }
        let Some(end) = start_tag_end(rest) else { return false };
        let self_closing = rest[..end].ends_with('/');
        rest = &rest[end + 1..];
        let lower = name.to_ascii_lowercase();
        if VOID.contains(&lower.as_str()) || self_closing {
            if depth == 0 {
                return rest.chars().all(|c| c.is_ascii_whitespace());
            }
            continue;
        }
        if RAW_TEXT.contains(&lower.as_str()) {
            let close = format!("</{lower}");
            let Some(at) = rest.to_ascii_lowercase().find(&close) else { return false };
            rest = &rest[at..];
        }
        depth += 1;
    }
}

fn starts_tag(html: &str) -> bool {
    let mut chars = html.chars();
    chars.next() == Some('<') && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
}

/// The index of the `>` that ends the start tag at the beginning of `tag`, honouring quoted
/// attribute values.
fn start_tag_end(tag: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in tag.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            (None, _) => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::is_single_root;

    fn check(statics: &[&str]) -> bool {
        is_single_root(&statics.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn single_root_templates() {
        assert!(check(&["<div>", "</div>"]));
        assert!(check(&["\n  <div class=\"", "\">", "<p>", "</p></div>\n"]));
        assert!(check(&["<li id=\"", "\"><!-- c -->x</li>"]));
        assert!(check(&["<input value=\"", "\">"]));
        assert!(check(&["<div a='>'><br><img src=x/></div>"]));
        assert!(check(&["<div><script>if (a < b) {}</script>", "</div>"]));
        assert!(check(&["<tr", ">", "</tr>"]));
    }

    #[test]
    fn not_single_root() {
        assert!(!check(&["", ""]));
        assert!(!check(&["text"]));
        assert!(!check(&["<a></a><b></b>"]));
        assert!(!check(&["<a></a>", ""]));
        assert!(!check(&["", "<a></a>"]));
        assert!(!check(&["<a>", ""]));
        assert!(!check(&["<a></a>tail"]));
        assert!(!check(&["<div>unclosed"]));
        assert!(!check(&["<br><br>"]));
        assert!(!check(&["</div>"]));
        assert!(!check(&["<!--\n c --><li></li>"]));
    }
}
