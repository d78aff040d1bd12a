//! Server configuration: command line, with environment fallbacks.

use std::net::SocketAddr;
use std::path::PathBuf;

/// `liveplug` serves LiveViews compiled to WebAssembly components.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "liveplug", version, about)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "LIVEPLUG_LISTEN", default_value = "127.0.0.1:4000")]
    pub listen: SocketAddr,
    /// Directory of view components (`*.wasm`); each is served at the routes it declares
    /// (`/<file stem>` when it declares none).
    #[arg(long, env = "LIVEPLUG_PLUGINS", default_value = "plugins")]
    pub plugins: PathBuf,
    /// Directory holding the installed npm packages `phoenix` and `phoenix_live_view`.
    #[arg(long, env = "LIVEPLUG_NODE_MODULES", default_value = "node_modules")]
    pub node_modules: PathBuf,
    /// Key for signing session tokens and CSRF tokens (at least 32 bytes). Hosts that serve
    /// the same users must share it. A random key is used when unset, so sessions do not
    /// survive a restart.
    #[arg(long, env = "LIVEPLUG_SECRET_KEY_BASE", hide_env_values = true)]
    pub secret_key_base: Option<String>,
    /// An awake session that handled nothing for this long is hibernated: its state is
    /// snapshotted and its instance goes back to the pool (0: after every event).
    #[arg(long, env = "LIVEPLUG_HIBERNATE_AFTER_MS", default_value_t = 5000)]
    pub hibernate_after_ms: u64,
    /// Largest snapshot a hibernated session may keep, in KiB; a session whose snapshot is
    /// larger stays awake.
    #[arg(long, env = "LIVEPLUG_MAX_SNAPSHOT_KB", default_value_t = 1024)]
    pub max_snapshot_kb: usize,
    /// A request header to copy into the signed session views receive in `mount`
    /// (`session["x-forwarded-user"]`), for an authenticating proxy in front of the host.
    /// Repeat it, or give a comma-separated list. The proxy must overwrite these headers on
    /// every request: a client that reaches the host directly could set them.
    #[arg(long = "session-header", env = "LIVEPLUG_SESSION_HEADERS", value_delimiter = ',')]
    pub session_headers: Vec<axum::http::HeaderName>,
    /// Directory where compiled plugins are cached, so that a restart with unchanged plugins
    /// compiles nothing (entries are keyed by the module's hash and the engine's
    /// configuration; stale ones are never used). Default: `$XDG_CACHE_HOME/liveplug`, else
    /// `~/.cache/liveplug`.
    #[arg(long, env = "LIVEPLUG_COMPILE_CACHE")]
    pub compile_cache: Option<PathBuf>,
    /// How views' topics reach other hosts: `local` (this process only), or a Redis URL
    /// (`redis://127.0.0.1:6379`) shared by every host that serves the same views. Hosts keep
    /// serving local traffic when Redis is away and reconnect by themselves.
    #[arg(long, env = "LIVEPLUG_PUBSUB", default_value = "local")]
    pub pubsub: String,
    /// With Redis: a host not heard from for this long is taken as gone, and its presences
    /// leave (hosts say they are alive every fifth of it).
    #[arg(long, env = "LIVEPLUG_PRESENCE_TIMEOUT_MS", default_value_t = 5000)]
    pub presence_timeout_ms: u64,
    /// Do not watch the plugins directory: plugins added, changed or removed while the host
    /// runs are then ignored until a restart. By default a new `.wasm` is served, a changed
    /// one is swapped in under its live sessions (their state carried over), and a removed
    /// one stops being served.
    #[arg(long, env = "LIVEPLUG_NO_WATCH")]
    pub no_watch: bool,
    /// How long the plugins directory must be quiet before a change is handled, in ms (the
    /// writes of one copy are handled once).
    #[arg(long, env = "LIVEPLUG_WATCH_DEBOUNCE_MS", default_value_t = 200)]
    pub watch_debounce_ms: u64,
    /// Compile every plugin at start, without the disk cache.
    #[arg(long, env = "LIVEPLUG_NO_COMPILE_CACHE", conflicts_with = "compile_cache")]
    pub no_compile_cache: bool,
}

impl Config {
    /// Where compiled plugins are cached, if anywhere.
    pub fn compile_cache_dir(&self) -> Option<PathBuf> {
        if self.no_compile_cache {
            return None;
        }
        if let Some(dir) = &self.compile_cache {
            return Some(dir.clone());
        }
        let base =
            std::env::var_os("XDG_CACHE_HOME").filter(|dir| !dir.is_empty()).map(PathBuf::from).or_else(|| {
                std::env::var_os("HOME").filter(|dir| !dir.is_empty()).map(|home| PathBuf::from(home).join(".cache"))
            })?;
        Some(base.join("liveplug"))
    }

    /// How hosts watch each other over Redis.
    pub fn liveness(&self) -> crate::pubsub::redis::Liveness {
        let timeout = std::time::Duration::from_millis(self.presence_timeout_ms.max(50));
        crate::pubsub::redis::Liveness { heartbeat: timeout / 5, timeout }
    }

    /// The session lifecycle these options describe.
    pub fn lifecycle(&self) -> crate::session::Lifecycle {
        crate::session::Lifecycle {
            hibernate_after: std::time::Duration::from_millis(self.hibernate_after_ms),
            max_snapshot_bytes: self.max_snapshot_kb.saturating_mul(1024),
        }
    }
}
