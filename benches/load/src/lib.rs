//! `liveplug-load`: a load generator that speaks the Phoenix LiveView protocol (websocket V2
//! JSON frames) to any LiveView server on loopback, as the stock browser client does.
//!
//! Modes: [`join`], [`events`] (and its `selfbench` against [`canned`]), and the held-session
//! modes of [`hold`] (`idle`, `wake`), and [`broadcast`] (one chat message to many listeners). Each returns a report that prints as a table
//! ([`report::Report`]) or as one JSON object.

pub mod broadcast;
pub mod canned;
pub mod client;
pub mod events;
pub mod frame;
pub mod hist;
pub mod hold;
pub mod http;
pub mod join;
pub mod page;
pub mod procstat;
pub mod report;
pub mod run;
pub mod ws;
