//! A chat room: who is online (one entry per person, however many tabs they have open), who
//! is typing, and the messages, kept as a stream so that each push carries only the new
//! message. Open `/chat` in two windows, pick a name in each, and talk.
//!
//! Everything real-time comes from the host: the view subscribes to its room's topic,
//! tracks itself there with presence (its meta says whether it is typing), broadcasts what
//! is said, and uses a timer to stop "typing…" a few seconds after the last keystroke. Rooms
//! are path parameters (`/chat/<room>`); several hosts share them over Redis
//! (`--pubsub redis://…`).

use std::time::Duration;

use liveplug_guest::{
    At, Event, LiveView, Message, Mount, Node, Presences, Render, Stream, Template, TimerId, ViewError, html, page,
    presence, pubsub, timers,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Messages the page keeps (older ones are dropped from the DOM by the client).
const KEEP: i32 = 100;
/// Longest message and name, in characters.
const MAX_TEXT: usize = 500;
const MAX_NAME: usize = 24;
/// "typing…" goes away this long after the last keystroke.
const TYPING_FOR: Duration = Duration::from_secs(3);

const MESSAGE: Template = Template::new(&[
    "<li id=\"",
    "\" class=\"message\"><b class=\"from\">",
    "</b> <span class=\"text\">",
    "</span></li>",
]);

/// One message, as broadcast.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Said {
    id: String,
    from: String,
    text: String,
}

/// Someone online: a name, how many tabs, whether any of them is typing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Online {
    name: String,
    tabs: usize,
    typing: bool,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(default)]
struct Chat {
    room: String,
    /// This tab's name once it joined the conversation.
    name: Option<String>,
    online: Vec<Online>,
    typing: bool,
    typing_timer: Option<TimerId>,
    /// Messages this tab sent, for unique DOM ids (with a per-tab nonce).
    sent: u64,
    nonce: u64,
    error: String,
    /// Bumped after each message so that the input is replaced by an empty one.
    draft_generation: u64,
    #[serde(skip)]
    messages: Stream<Said>,
}

impl Default for Chat {
    fn default() -> Self {
        Self {
            room: String::new(),
            name: None,
            online: Vec::new(),
            typing: false,
            typing_timer: None,
            sent: 0,
            nonce: 0,
            error: String::new(),
            draft_generation: 0,
            messages: Stream::new("messages", |m: &Said| m.id.clone()),
        }
    }
}

fn topic(room: &str) -> String {
    format!("chat:{room}")
}

/// A room name from the URL: letters, digits, `-` and `_`, else `lobby`.
fn room_of(params: &Value) -> String {
    let room = params.get("room").and_then(Value::as_str).unwrap_or_default();
    let ok = !room.is_empty()
        && room.len() <= 32
        && room.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok { room.to_owned() } else { "lobby".to_owned() }
}

fn online_of(list: &Presences) -> Vec<Online> {
    list.iter()
        .map(|(name, presence)| Online {
            name: name.clone(),
            tabs: presence.metas.len(),
            typing: presence.metas.iter().any(|meta| meta.get("typing").and_then(Value::as_bool) == Some(true)),
        })
        .collect()
}

fn field(event: &Event, key: &str) -> String {
    event.value.get(key).and_then(Value::as_str).unwrap_or_default().trim().to_owned()
}

impl Chat {
    fn topic(&self) -> String {
        topic(&self.room)
    }

    fn refresh_online(&mut self) {
        self.online = online_of(&presence::list(&self.topic()));
    }

    /// Tracks this tab under its name with whether it is typing.
    fn track(&mut self, typing: bool) -> Result<(), ViewError> {
        if let Some(name) = &self.name {
            presence::track(&self.topic(), name, &json!({ "typing": typing }))?;
            self.typing = typing;
        }
        Ok(())
    }

    fn stop_typing(&mut self) -> Result<(), ViewError> {
        if let Some(timer) = self.typing_timer.take() {
            timers::cancel(timer);
        }
        if self.typing { self.track(false) } else { Ok(()) }
    }

    fn set_title(&self) {
        page::set_title(&format!("Chat: {} ({} online)", self.room, self.online.len()));
    }
}

impl LiveView for Chat {
    const ROUTES: &'static [&'static str] = &["/chat", "/chat/:room"];

    fn mount(&mut self, mount: Mount) -> Result<(), ViewError> {
        self.room = room_of(&mount.params);
        if mount.connected {
            pubsub::subscribe(&self.topic())?;
            self.refresh_online();
            // Distinguishes this tab's message ids from another tab's with the same name.
            self.nonce = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64 & 0xffff_ffff);
        }
        self.set_title();
        Ok(())
    }

    fn handle_event(&mut self, event: Event) -> Result<Option<Value>, ViewError> {
        match event.name.as_str() {
            "join" => {
                let name = field(&event, "name");
                if name.is_empty() || name.chars().count() > MAX_NAME {
                    self.error = format!("A name is 1 to {MAX_NAME} characters.");
                } else {
                    self.error.clear();
                    self.name = Some(name);
                    self.track(false)?;
                    self.refresh_online();
                }
            }
            "typing" => {
                if self.name.is_some() {
                    if !self.typing {
                        self.track(true)?;
                    }
                    if let Some(timer) = self.typing_timer.take() {
                        timers::cancel(timer);
                    }
                    self.typing_timer = Some(timers::send_after(&json!({ "stop_typing": true }), TYPING_FOR)?);
                }
            }
            "say" => {
                let Some(name) = self.name.clone() else { return Ok(None) };
                let text = field(&event, "text");
                if text.chars().count() > MAX_TEXT {
                    self.error = format!("A message is at most {MAX_TEXT} characters.");
                } else if !text.is_empty() {
                    self.error.clear();
                    self.sent += 1;
                    let id = format!("msg-{:x}-{}-{}", self.nonce, self.sent, name.len());
                    pubsub::broadcast(&self.topic(), &Said { id, from: name, text })?;
                    self.draft_generation += 1;
                    self.stop_typing()?;
                }
            }
            _ => return Err(event.unknown()),
        }
        self.set_title();
        Ok(None)
    }

    fn handle_info(&mut self, message: Message) -> Result<(), ViewError> {
        match message {
            Message::Broadcast { payload, .. } => {
                if let Ok(said) = serde_json::from_value::<Said>(payload) {
                    self.messages.insert_limited(said, At::End, -KEEP);
                }
            }
            Message::Presence(_) => self.refresh_online(),
            Message::Sent(payload) => {
                if payload.get("stop_typing").is_some() {
                    self.typing_timer = None;
                    if self.typing {
                        self.track(false)?;
                    }
                }
            }
        }
        self.set_title();
        Ok(())
    }

    fn render(&self, r: &mut Render) -> Node {
        let messages =
            r.stream(&self.messages, &MESSAGE, |r, dom_id, m| [r.text(dom_id), r.text(&m.from), r.text(&m.text)]);
        let me = self.name.as_deref();
        html! {
            <main id="chat">
                <header>
                    <h1>"#" {&self.room}</h1>
                    <ul id="online">
                        <li :for={person in self.online.iter()} :key={&person.name} id={format!("online-{}", person.name)}
                            class={if Some(person.name.as_str()) == me { "person me" } else { "person" }}>
                            <span class="name">{&person.name}</span>
                            <span class="tabs">{if person.tabs > 1 { format!(" ({} tabs)", person.tabs) } else { String::new() }}</span>
                            <em class="typing">{if person.typing { " typing…" } else { "" }}</em>
                        </li>
                    </ul>
                </header>
                <ul id="messages" phx-update="stream">{messages}</ul>
                <p id="chat-error" class="error">{&self.error}</p>
                <form :if={self.name.is_none()} id="join" phx-submit="join">
                    <input type="text" name="name" placeholder="Your name" autocomplete="off" />
                    <button type="submit">"Join"</button>
                </form>
                <form :if={self.name.is_some()} id="say" phx-submit="say" phx-change="typing">
                    <input type="text" id={format!("text-{}", self.draft_generation)} name="text" placeholder="Say something" autocomplete="off" />
                    <button type="submit">"Send"</button>
                </form>
            </main>
        }
        .render(r)
    }
}

liveplug_guest::export!(Chat, snapshot);
