//! HTTP: pages (the dead render), client assets and the websocket endpoint, plus the signed
//! tokens and CSRF protection they rely on. No protocol or diff logic lives here.

mod assets;
mod config;
mod csrf;
mod error;
mod page;
mod routes;
mod token;
mod views;
mod websocket;

pub use self::assets::{AssetError, Assets};
pub use self::config::Config;
pub use self::routes::{AppState, app};
pub use self::token::Signer;
pub use self::views::GuestViews;
