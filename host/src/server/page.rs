//! The HTML documents: a view's dead render inside its LiveView container, and the index.

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use super::assets::{BOOTSTRAP_PATH, LIVE_VIEW_PATH, PHOENIX_PATH};

/// What the container of a view needs.
#[derive(Debug)]
pub struct ViewPage<'a> {
    pub title: &'a str,
    pub csrf_token: &'a str,
    pub container_id: &'a str,
    pub session_token: &'a str,
    pub static_token: &'a str,
    /// The dead render's HTML, already escaped by the view.
    pub inner_html: &'a str,
}

/// The page of a view. The container's inner HTML is exactly what the join's rendered tree
/// renders to, so the page does not change when the client connects.
pub fn view(page: &ViewPage<'_>) -> String {
    let head = head(page.title, page.csrf_token);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n{head}<body>\n<div id=\"{id}\" data-phx-main data-phx-session=\"{session}\" data-phx-static=\"{static_token}\">{inner}</div>\n</body>\n</html>\n",
        id = attr(page.container_id),
        session = attr(page.session_token),
        static_token = attr(page.static_token),
        inner = page.inner_html,
    )
}

/// The list of views at `/`: each with a link when one of its routes takes no parameters.
pub fn index(views: &[(String, Option<String>)]) -> String {
    let items: String = views
        .iter()
        .map(|(name, link)| match link {
            Some(href) => format!("<li><a href=\"{href}\">{label}</a></li>\n", href = attr(href), label = text(name)),
            None => format!("<li>{label}</li>\n", label = text(name)),
        })
        .collect();
    let body = if items.is_empty() {
        "<p>No views loaded. Put compiled <code>.wasm</code> views in <code>plugins/</code>.</p>".to_owned()
    } else {
        format!("<ul>\n{items}</ul>")
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<link rel=\"icon\" href=\"data:,\">\n<title>Liveplug</title>\n</head>\n<body>\n<h1>Liveplug views</h1>\n{body}\n</body>\n</html>\n"
    )
}

fn head(title: &str, csrf_token: &str) -> String {
    format!(
        "<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<link rel=\"icon\" href=\"data:,\">\n<meta name=\"csrf-token\" content=\"{csrf}\">\n<title>{title}</title>\n<script defer src=\"{PHOENIX_PATH}\"></script>\n<script defer src=\"{LIVE_VIEW_PATH}\"></script>\n<script defer src=\"{BOOTSTRAP_PATH}\"></script>\n</head>\n",
        csrf = attr(csrf_token),
        title = text(title),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_container_carries_the_tokens_escaped() {
        let html = view(&ViewPage {
            title: "A <b>",
            csrf_token: "c\"1",
            container_id: "phx-1",
            session_token: "s.t",
            static_token: "x.y",
            inner_html: "<p>hi</p>",
        });
        assert!(html.contains("<meta name=\"csrf-token\" content=\"c&quot;1\">"), "{html}");
        assert!(html.contains("<title>A &lt;b&gt;</title>"), "{html}");
        assert!(html.contains(
            "<div id=\"phx-1\" data-phx-main data-phx-session=\"s.t\" data-phx-static=\"x.y\"><p>hi</p></div>"
        ));
    }

    #[test]
    fn the_index_links_every_view() {
        let html = index(&[
            ("counter".into(), Some("/counter".into())),
            ("a&b".into(), Some("/a&b".into())),
            ("show".into(), None),
        ]);
        assert!(html.contains("<a href=\"/counter\">counter</a>"));
        assert!(html.contains("<a href=\"/a&amp;b\">a&amp;b</a>"));
        assert!(html.contains("<li>show</li>"));
    }
}
