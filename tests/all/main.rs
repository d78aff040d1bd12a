//! Integration tests: one binary, one module per area (wasmtime's layout). They need the
//! guests built (`cargo xtask build-plugins`) and the npm packages installed (`npm ci`);
//! `cargo xtask test` does both.

// Test code fails by panicking: that is how a test reports.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod cluster;
mod conformance;
mod contract;
mod e2e;
mod faults;
mod hibernation;
mod hotswap;
mod languages;
mod navigation;
mod property;
mod protocol_flow;
mod realtime;
mod support;
mod tracking;
