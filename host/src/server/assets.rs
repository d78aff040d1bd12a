//! The browser client: the pinned `phoenix` and `phoenix_live_view` bundles, installed from
//! the npm registry with their lockfile integrity hashes, plus our bootstrap script. Loaded
//! once at start and served from memory with long cache lifetimes (their URLs carry the
//! versions).

use std::path::{Path, PathBuf};

use axum::body::Bytes;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

/// The client versions this host speaks; also checked against the installed packages.
pub const PHOENIX_VERSION: &str = "1.8.16";
pub const LIVE_VIEW_VERSION: &str = crate::protocol::LIVEVIEW_VERSION;

/// URL paths of the scripts, in the order the page loads them.
pub const PHOENIX_PATH: &str = "/assets/phoenix-1.8.16.min.js";
pub const LIVE_VIEW_PATH: &str = "/assets/phoenix_live_view-1.2.12.min.js";
pub const BOOTSTRAP_PATH: &str = "/assets/liveplug-0.1.0.js";

const BOOTSTRAP: &str = include_str!("../../assets/liveplug.js");

/// The scripts, in memory.
#[derive(Debug, Clone)]
pub struct Assets {
    phoenix: Bytes,
    live_view: Bytes,
}

/// The client packages are missing or are not the pinned versions.
#[derive(Debug, thiserror::Error)]
pub enum AssetError {
    #[error("cannot read {path}: {source} (install the client with `npm ci` at the repository root)")]
    Missing { path: PathBuf, source: std::io::Error },
    #[error("{package} is version {found}, expected {expected} (run `npm ci`)")]
    Version { package: &'static str, found: String, expected: &'static str },
}

impl Assets {
    /// Loads the bundles from an npm `node_modules` directory, checking their versions.
    pub fn load(node_modules: &Path) -> Result<Self, AssetError> {
        check_version(node_modules, "phoenix", PHOENIX_VERSION)?;
        check_version(node_modules, "phoenix_live_view", LIVE_VIEW_VERSION)?;
        Ok(Self {
            phoenix: read(&node_modules.join("phoenix/priv/static/phoenix.min.js"))?,
            live_view: read(&node_modules.join("phoenix_live_view/priv/static/phoenix_live_view.min.js"))?,
        })
    }

    pub fn phoenix(&self) -> Response {
        script(self.phoenix.clone())
    }

    pub fn live_view(&self) -> Response {
        script(self.live_view.clone())
    }

    pub fn bootstrap() -> Response {
        script(Bytes::from_static(BOOTSTRAP.as_bytes()))
    }
}

fn script(body: Bytes) -> Response {
    ([(CONTENT_TYPE, "text/javascript; charset=utf-8"), (CACHE_CONTROL, "public, max-age=31536000, immutable")], body)
        .into_response()
}

fn read(path: &Path) -> Result<Bytes, AssetError> {
    std::fs::read(path).map(Bytes::from).map_err(|source| AssetError::Missing { path: path.to_owned(), source })
}

fn check_version(node_modules: &Path, package: &'static str, expected: &'static str) -> Result<(), AssetError> {
    let manifest = read(&node_modules.join(package).join("package.json"))?;
    let found = serde_json::from_slice::<serde_json::Value>(&manifest)
        .ok()
        .and_then(|m| m.get("version").and_then(|v| v.as_str()).map(str::to_owned))
        .unwrap_or_default();
    if found == expected { Ok(()) } else { Err(AssetError::Version { package, found, expected }) }
}
