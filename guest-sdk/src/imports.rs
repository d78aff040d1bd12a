//! The host's capabilities as the SDK's modules call them: the WIT imports in a component,
//! or, in a native build (unit tests, doc tests), the in-process stand-in of
//! [`crate::testing::host`], so that views that set titles, navigate, or read flash and
//! key-value data can be tested without a host.

#[cfg(target_arch = "wasm32")]
mod wasm {
    use crate::bindings::liveplug::view::{flash, keyvalue, log, navigation, page, presence, pubsub, timers};

    pub fn subscribe(topic: &str) -> Result<(), String> {
        pubsub::subscribe(topic)
    }

    pub fn unsubscribe(topic: &str) {
        pubsub::unsubscribe(topic);
    }

    pub fn broadcast(topic: &str, payload: &str, exclude_self: bool) -> Result<(), String> {
        pubsub::broadcast(topic, payload, exclude_self)
    }

    pub fn send_self(payload: &str) -> Result<(), String> {
        timers::send_self(payload)
    }

    pub fn send_after(payload: &str, delay_ms: u32) -> Result<u64, String> {
        timers::send_after(payload, delay_ms)
    }

    pub fn interval(payload: &str, period_ms: u32) -> Result<u64, String> {
        timers::interval(payload, period_ms)
    }

    pub fn cancel(id: u64) {
        timers::cancel(id);
    }

    pub fn track(topic: &str, key: &str, meta: &str) -> Result<(), String> {
        presence::track(topic, key, meta)
    }

    pub fn untrack(topic: &str, key: &str) {
        presence::untrack(topic, key);
    }

    pub fn presence_list(topic: &str) -> String {
        presence::list(topic)
    }

    pub fn set_title(title: &str) {
        page::set_title(title);
    }

    pub fn push_event(name: &str, payload: &str, before_patch: bool) {
        page::push_event(name, payload, before_patch);
    }

    fn history(replace: bool) -> navigation::History {
        if replace { navigation::History::Replace } else { navigation::History::Push }
    }

    pub fn push_patch(to: &str, replace: bool) {
        navigation::push_patch(to, history(replace));
    }

    pub fn push_navigate(to: &str, replace: bool) {
        navigation::push_navigate(to, history(replace));
    }

    pub fn redirect(to: &str) {
        navigation::redirect(&navigation::Location::Path(to.to_owned()));
    }

    pub fn redirect_external(url: &str) {
        navigation::redirect(&navigation::Location::External(url.to_owned()));
    }

    pub fn flash_put(kind: &str, message: &str) {
        flash::put(kind, message);
    }

    pub fn flash_clear(kind: Option<&str>) {
        flash::clear(kind);
    }

    pub fn flash_get(kind: &str) -> Option<String> {
        flash::get(kind)
    }

    pub fn flash_all() -> Vec<(String, String)> {
        flash::all()
    }

    pub fn kv_get(key: &str) -> Option<String> {
        keyvalue::get(key)
    }

    pub fn kv_set(key: &str, value: &str) -> Result<(), String> {
        keyvalue::set(key, value)
    }

    pub fn kv_delete(key: &str) -> bool {
        keyvalue::delete(key)
    }

    pub fn kv_keys(prefix: &str) -> Vec<String> {
        keyvalue::keys(prefix)
    }

    pub fn log(level: crate::log::Level, message: &str) {
        let level = match level {
            crate::log::Level::Info => log::Level::Info,
            crate::log::Level::Warn => log::Level::Warn,
            crate::log::Level::Error => log::Level::Error,
        };
        log::log(level, message);
    }
}

#[cfg(target_arch = "wasm32")]
pub use self::wasm::*;

#[cfg(not(target_arch = "wasm32"))]
pub use crate::testing::native::*;
