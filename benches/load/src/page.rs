//! What the browser takes from a LiveView page: the CSRF meta tag, the main container's `id`,
//! `data-phx-session` and `data-phx-static`, and the cookies. Attribute order, quoting, line
//! breaks and entities vary between servers (Phoenix, Liveplug, LiveViewJS), so this reads
//! tags and attributes instead of matching fixed strings.

use std::fmt;

/// The parts of a page a join needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// `<meta name="csrf-token" content="...">`, if the page has one.
    pub csrf: Option<String>,
    pub id: String,
    pub session: String,
    /// `None` when the attribute is missing or empty (the client then sends `null`).
    pub static_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageError {
    NoContainer,
    NoId,
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PageError::NoContainer => f.write_str("no element with data-phx-session in the page"),
            PageError::NoId => f.write_str("the LiveView container has no id"),
        }
    }
}

type Attrs = Vec<(String, Option<String>)>;

fn attr<'a>(attrs: &'a Attrs, name: &str) -> Option<&'a Option<String>> {
    attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

fn attr_value<'a>(attrs: &'a Attrs, name: &str) -> Option<&'a str> {
    attr(attrs, name).map(|v| v.as_deref().unwrap_or(""))
}

pub fn parse(html: &str) -> Result<Page, PageError> {
    let mut csrf = None;
    let mut main: Option<Attrs> = None;
    let mut first_root: Option<Attrs> = None;
    for_each_tag(html, |name, attrs| {
        if csrf.is_none()
            && name.eq_ignore_ascii_case("meta")
            && attr_value(&attrs, "name").is_some_and(|n| n.eq_ignore_ascii_case("csrf-token"))
        {
            csrf = attr_value(&attrs, "content").map(str::to_owned);
        } else if attr(&attrs, "data-phx-session").is_some() {
            if attr(&attrs, "data-phx-main").is_some() {
                main.get_or_insert(attrs);
            } else if first_root.is_none() && attr(&attrs, "data-phx-parent-id").is_none() {
                first_root = Some(attrs);
            }
        }
        csrf.is_some() && main.is_some()
    });
    let container = main.or(first_root).ok_or(PageError::NoContainer)?;
    let id = attr_value(&container, "id").filter(|id| !id.is_empty()).ok_or(PageError::NoId)?.to_owned();
    let session = attr_value(&container, "data-phx-session").unwrap_or_default().to_owned();
    let static_token = attr_value(&container, "data-phx-static").filter(|s| !s.is_empty()).map(str::to_owned);
    Ok(Page { csrf, id, session, static_token })
}

/// The `Cookie` header a browser would send back: the `name=value` of every `Set-Cookie`
/// (later ones replace earlier ones of the same name).
pub fn cookie_header<'a>(set_cookies: impl IntoIterator<Item = &'a str>) -> String {
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for header in set_cookies {
        let pair = header.split(';').next().unwrap_or_default().trim();
        let Some((name, value)) = pair.split_once('=') else { continue };
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        match pairs.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value.trim(),
            None => pairs.push((name, value.trim())),
        }
    }
    pairs.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; ")
}

/// Calls `f(tag name, attributes)` for every start tag until it returns true. Comments,
/// doctype, end tags and the contents of `script`/`style`/`textarea` are skipped. Attribute
/// names are lowercased, values entity-decoded.
fn for_each_tag(html: &str, mut f: impl FnMut(&str, Attrs) -> bool) {
    let b = html.as_bytes();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        let lt = i + off;
        let rest = &html[lt..];
        if rest.starts_with("<!--") {
            i = rest.find("-->").map_or(b.len(), |e| lt + e + 3);
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("</") || rest.starts_with("<?") {
            i = rest.find('>').map_or(b.len(), |e| lt + e + 1);
            continue;
        }
        let name_start = lt + 1;
        let mut j = name_start;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'-' || b[j] == b':') {
            j += 1;
        }
        if j == name_start {
            i = lt + 1;
            continue;
        }
        let name = &html[name_start..j];
        let mut attrs = Vec::new();
        loop {
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            if j >= b.len() {
                break;
            }
            match b[j] {
                b'>' => {
                    j += 1;
                    break;
                }
                b'/' => {
                    j += 1;
                    continue;
                }
                _ => {}
            }
            let an_start = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && !matches!(b[j], b'=' | b'>' | b'/') {
                j += 1;
            }
            if j == an_start {
                // A stray '=' or similar: step over it.
                j += 1;
                continue;
            }
            let attr_name = html[an_start..j].to_ascii_lowercase();
            let mut k = j;
            while k < b.len() && b[k].is_ascii_whitespace() {
                k += 1;
            }
            if k < b.len() && b[k] == b'=' {
                k += 1;
                while k < b.len() && b[k].is_ascii_whitespace() {
                    k += 1;
                }
                let (value, end) = match b.get(k) {
                    Some(&q @ (b'"' | b'\'')) => match html[k + 1..].find(q as char) {
                        Some(e) => (&html[k + 1..k + 1 + e], k + 2 + e),
                        None => (&html[k + 1..], b.len()),
                    },
                    _ => {
                        let mut e = k;
                        while e < b.len() && !b[e].is_ascii_whitespace() && b[e] != b'>' {
                            e += 1;
                        }
                        (&html[k..e], e)
                    }
                };
                attrs.push((attr_name, Some(decode_entities(value))));
                j = end;
            } else {
                attrs.push((attr_name, None));
            }
        }
        if f(name, attrs) {
            return;
        }
        i = j;
        let raw_text = ["script", "style", "textarea"].iter().find(|t| name.eq_ignore_ascii_case(t));
        if let Some(tag) = raw_text {
            let close = format!("</{tag}");
            i = find_ignore_case(&html[i..], &close).map_or(b.len(), |e| i + e);
        }
    }
}

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    (0..h.len().saturating_sub(n.len() - 1)).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').filter(|&semi| semi <= 10).and_then(|semi| {
            let entity = &rest[1..semi];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => entity.strip_prefix('#').and_then(|num| {
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => num.parse().ok(),
                    };
                    code.and_then(char::from_u32)
                }),
            };
            c.map(|c| (c, semi + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page the Liveplug host writes (host/src/server/page.rs).
    const LIVEPLUG: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<link rel=\"icon\" href=\"data:,\">\n<meta name=\"csrf-token\" content=\"c&quot;1.ab-_\">\n<title>Counter</title>\n<script defer src=\"/assets/phoenix.js\"></script>\n</head>\n<body>\n<div id=\"phx-AbC_12\" data-phx-main data-phx-session=\"s.t\" data-phx-static=\"x.y\"><main class=\"counter\"><h1>Count: <span id=\"count\">0</span></h1></main></div>\n</body>\n</html>\n";

    /// What LiveViewJS 0.8 writes: attributes on their own lines, `id` last,
    /// `data-phx-main="true"`, a self-closing meta tag in a user template, a script that
    /// contains markup.
    const LIVEVIEWJS: &str = r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="csrf-token" content="d2f7a8c1-9e3b" />
    <title>Counter</title>
    <script>const t = '<div id="fake" data-phx-session="no">';</script>
  </head>
  <body>
    <!-- <div id="commented" data-phx-main data-phx-session="no"></div> -->
    <div
      data-phx-main="true"
      data-phx-session="eyJhbGciOiJIUzI1NiJ9.eyJfY3NyZl90b2tlbiI6ImQyZjcifQ.sig"
      data-phx-static=""
      id="phx-Zx9Lq2">
      <div><button phx-click="inc">+</button><span>0</span></div>
    </div>
  </body>
</html>"#;

    #[test]
    fn reads_the_liveplug_page() {
        let page = parse(LIVEPLUG).unwrap();
        assert_eq!(
            page,
            Page {
                csrf: Some("c\"1.ab-_".into()),
                id: "phx-AbC_12".into(),
                session: "s.t".into(),
                static_token: Some("x.y".into()),
            }
        );
    }

    #[test]
    fn reads_a_liveviewjs_page() {
        let page = parse(LIVEVIEWJS).unwrap();
        assert_eq!(page.csrf.as_deref(), Some("d2f7a8c1-9e3b"));
        assert_eq!(page.id, "phx-Zx9Lq2");
        assert_eq!(page.session, "eyJhbGciOiJIUzI1NiJ9.eyJfY3NyZl90b2tlbiI6ImQyZjcifQ.sig");
        assert_eq!(page.static_token, None);
    }

    #[test]
    fn without_data_phx_main_takes_the_first_root_view() {
        let html = "<meta content='tok' name='CSRF-TOKEN'><div id=child data-phx-session=c data-phx-parent-id=p></div>\
                    <section data-phx-static='st' id='root' data-phx-session='s&#43;1&amp;2'></section>";
        let page = parse(html).unwrap();
        assert_eq!(page.csrf.as_deref(), Some("tok"));
        assert_eq!(page.id, "root");
        assert_eq!(page.session, "s+1&2");
        assert_eq!(page.static_token.as_deref(), Some("st"));
    }

    #[test]
    fn reports_what_is_missing() {
        assert_eq!(parse("<html><body>hi</body></html>"), Err(PageError::NoContainer));
        assert_eq!(parse("<div data-phx-main data-phx-session=\"s\"></div>"), Err(PageError::NoId));
        // Truncated markup does not panic.
        for cut in 0..LIVEVIEWJS.len() {
            if LIVEVIEWJS.is_char_boundary(cut) {
                let _ = parse(&LIVEVIEWJS[..cut]);
            }
        }
    }

    #[test]
    fn cookies_become_one_header() {
        let header = cookie_header([
            "_liveplug_csrf=abc; Path=/; HttpOnly; SameSite=Lax",
            "connect.sid=s%3Axyz.sig; Path=/; HttpOnly",
            "_liveplug_csrf=def; Path=/",
            "broken",
        ]);
        assert_eq!(header, "_liveplug_csrf=def; connect.sid=s%3Axyz.sig");
    }

    #[test]
    fn entities() {
        assert_eq!(decode_entities("a&lt;b&gt;&#x41;&#66;&bogus;&"), "a<b>AB&bogus;&");
    }
}
