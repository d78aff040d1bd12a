//! Test guest for navigation, flash and routes: served at `/nav` and `/nav/:id` in the live
//! session `nav`. Every event names the navigation it asks for, so tests can check the exact
//! frames of each shape; `mount_nav=<kind>` in the query does the same while mounting.

use liveplug_guest::{Assign, Event, LiveView, Mount, Node, Render, ViewError, flash, html, navigation, page};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Default, Serialize, Deserialize)]
struct Navigator {
    /// The `:id` path parameter, if the URL had one.
    id: Assign<Option<String>>,
    /// The `tab` query parameter.
    tab: Assign<Option<String>>,
    /// How many times handle_params ran.
    params_calls: Assign<u32>,
    /// `session["x-test-user"]`: what the host signed into the page's session.
    user: Assign<Option<String>>,
    /// The mount-time navigation still to do in handle_params.
    #[serde(skip)]
    pending: Option<String>,
}

#[derive(Deserialize)]
struct Target {
    #[serde(default)]
    to: String,
}

fn text(params: &Value, key: &str) -> Option<String> {
    params.get(key).and_then(Value::as_str).map(str::to_owned)
}

impl LiveView for Navigator {
    const ROUTES: &'static [&'static str] = &["/nav", "/nav/:id"];
    const LIVE_SESSION: Option<&'static str> = Some("nav");

    fn mount(&mut self, mount: Mount) -> Result<(), ViewError> {
        self.user.set(text(&mount.session, "x-test-user"));
        // `mount_nav` acts on the connected mount, `dead_nav` on the HTTP render.
        self.pending = text(&mount.params, if mount.connected { "mount_nav" } else { "dead_nav" });
        if mount.params.get("mount_flash").is_some() {
            flash::put("info", "from mount");
        }
        Ok(())
    }

    fn handle_params(&mut self, _url: &str, params: Value) -> Result<(), ViewError> {
        self.id.set(text(&params, "id"));
        self.tab.set(text(&params, "tab"));
        *self.params_calls += 1;
        match self.pending.take().as_deref() {
            Some("patch") => navigation::push_patch("/nav/7?tab=patched", true),
            Some("navigate") => navigation::push_navigate("/nav/8", false),
            Some("redirect") => {
                page::push_event("bye", &serde_json::json!({"at": "mount"}));
                navigation::redirect("/counter");
            }
            Some("external") => navigation::redirect_external("https://example.com/x"),
            _ => {}
        }
        Ok(())
    }

    fn handle_event(&mut self, event: Event) -> Result<Option<Value>, ViewError> {
        let to = event.params::<Target>().map(|t| t.to).unwrap_or_default();
        match event.name.as_str() {
            "patch" => navigation::push_patch(&to, false),
            "patch_replace" => navigation::push_patch(&to, true),
            "navigate" => navigation::push_navigate(&to, false),
            "redirect" => navigation::redirect(&to),
            "external" => navigation::redirect_external(&to),
            "flash" => flash::put("info", "saved"),
            "flash_and_redirect" => {
                flash::put("info", "redirected");
                navigation::redirect(&to);
            }
            "flash_and_navigate" => {
                flash::put("info", "carried");
                page::push_event("leaving", &serde_json::json!({}));
                navigation::push_navigate(&to, false);
            }
            "clear" => flash::clear_all(),
            "echo" => return Ok(Some(event.value.clone())),
            _ => return Err(event.unknown()),
        }
        Ok(None)
    }

    fn render(&self, r: &mut Render) -> Node {
        let info = flash::get("info");
        html! {
            <main>
                <p id="where">"id=" {self.id.as_deref().unwrap_or("-")} " tab=" {self.tab.as_deref().unwrap_or("-")} " calls=" {*self.params_calls}</p>
                <p id="flash">{info.as_deref().unwrap_or("")}</p>
                <p id="user">"user=" {self.user.as_deref().unwrap_or("-")}</p>
            </main>
        }
        .render(r)
    }
}

liveplug_guest::export!(Navigator, snapshot);
