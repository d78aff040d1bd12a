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
    let runtime = Runtime::new(Limits::from_env())?;
    let (registry, report) = Registry::load(&runtime, &config.plugins)
        .await
        .with_context(|| format!("cannot read the plugins directory {}", config.plugins.display()))?;
    for error in &report.rejected {
        tracing::error!(%error, "plugin rejected");
    }
    tracing::info!(views = ?report.loaded, "plugins loaded");
    let state = AppState::new(runtime, Arc::clone(&registry), signer, assets);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    tracing::info!("serving on http://{}", listener.local_addr()?);
    axum::serve(listener, app(state)).with_graceful_shutdown(shutdown()).await?;
    Ok(())
}

async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("shutting down");
}
