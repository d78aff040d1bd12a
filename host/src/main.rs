//! The `liveplug` binary: loads the plugins and serves them.

use std::sync::Arc;

use anyhow::Context as _;
use clap::Parser as _;
use liveplug::registry::Registry;
use liveplug::runtime::{Limits, Runtime};
use liveplug::server::{AppState, Assets, Config, Signer, app};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    let config = Config::parse();
    let signer = match &config.secret_key_base {
        Some(key) => Signer::new(key.as_bytes()).context("LIVEPLUG_SECRET_KEY_BASE")?,
        None => {
            tracing::warn!("no --secret-key-base: using a random key; sessions end when the server restarts");
            Signer::random()
        }
    };
    let assets = Assets::load(&config.node_modules)?;
    let cache_dir = config.compile_cache_dir();
    // The pool is sized for the largest plugin there (an interpreted guest needs more core
    // instances and tables than a Rust one).
    let limits = Limits { shape: liveplug::registry::pool_shape(&config.plugins), ..Limits::from_env() };
    tracing::info!(shape = ?limits.shape, "instance pool sized for the plugins found");
    let runtime = Runtime::with_compile_cache(limits, cache_dir.as_deref())?;
    let (registry, report) = Registry::load(&runtime, &config.plugins)
        .await
        .with_context(|| format!("cannot read the plugins directory {}", config.plugins.display()))?;
    for error in &report.rejected {
        tracing::error!(%error, "plugin rejected");
    }
    let (cached, compiled) = runtime.compile_cache_stats();
    tracing::info!(
        views = ?report.loaded,
        cached,
        compiled,
        cache = %cache_dir.as_deref().map_or_else(|| "off".into(), |dir| dir.display().to_string()),
        "plugins loaded"
    );
    log_capacity(&runtime);
    match config.pubsub.as_str() {
        "local" => tracing::info!("pubsub: this process only (--pubsub redis://… shares topics between hosts)"),
        url => liveplug::pubsub::redis::connect(runtime.hub(), url, config.liveness())?,
    }
    // Kept until the server stops: dropping it stops the watching.
    let _watcher = if config.no_watch {
        None
    } else {
        let debounce = std::time::Duration::from_millis(config.watch_debounce_ms.max(10));
        let watcher = liveplug::registry::watch::watch(runtime.clone(), Arc::clone(&registry), debounce, |_| {})
            .with_context(|| format!("cannot watch the plugins directory {}", config.plugins.display()))?;
        tracing::info!(dir = %config.plugins.display(), "watching plugins: changed views are swapped under live sessions");
        Some(watcher)
    };
    let state = AppState::with_lifecycle(runtime, Arc::clone(&registry), signer, assets, config.lifecycle())
        .with_session_headers(config.session_headers.clone());
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    tracing::info!("serving on http://{}", listener.local_addr()?);
    axum::serve(listener, app(state)).with_graceful_shutdown(shutdown()).await?;
    Ok(())
}

/// Raises the open-file limit to its hard limit (every session is a socket) and says how many
/// sessions that allows.
fn log_capacity(runtime: &Runtime) {
    let files = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(files) => files,
        Err(error) => {
            tracing::warn!(%error, "cannot raise the open-file limit");
            rlimit::getrlimit(rlimit::Resource::NOFILE).map(|(soft, _)| soft).unwrap_or(1024)
        }
    };
    // Files the process needs besides sockets: the listener, the epoll and event fds, plugin
    // files being read, stdio, and a margin for the runtime.
    let sessions = files.saturating_sub(RESERVED_FILES);
    let (_, pool) = runtime.instances();
    tracing::info!(
        open_files = files,
        sessions,
        awake_instances = pool,
        "capacity: one socket per session; idle sessions hibernate, so {sessions} sessions fit with at most {pool} awake"
    );
}

/// Open files kept free for everything that is not a session's socket.
const RESERVED_FILES: u64 = 64;

async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("shutting down");
}
