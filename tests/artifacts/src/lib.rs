//! The example and test guests, built for `wasm32-wasip2` in release by this crate's build
//! script, as absolute paths: one constant per guest (`COUNTER`, `HOSTILE`, ...) and the lists
//! [`EXAMPLES`] (served from `plugins/`) and [`TEST_GUESTS`].
//!
//! A dev-dependency of the host, so that a plain `cargo test` or `cargo bench` builds the
//! guests it needs (the model is wasmtime's `test-programs-artifacts`). The guests go to their
//! own target directory, `target/guests/` (under `$CARGO_TARGET_DIR` when that is set), which
//! `cargo xtask build-plugins` shares, so each guest is built once.

include!(concat!(env!("OUT_DIR"), "/guests.rs"));

/// Every guest, examples first: `(package name, path of the .wasm)`.
pub fn all() -> impl Iterator<Item = (&'static str, &'static str)> {
    EXAMPLES.iter().chain(TEST_GUESTS).copied()
}

/// The path of the guest called `name` (its package name), if there is one.
pub fn path(name: &str) -> Option<&'static str> {
    all().find(|(n, _)| *n == name).map(|(_, p)| p)
}
