//! The `inkwarden` binary's library half: configuration, the router, HTTP hardening and the
//! command line. `main.rs` only parses arguments and calls in here, so tests can build the
//! same application on port 0.

pub mod assets;
pub mod backup;
pub mod cli;
pub mod comments;
pub mod config;
pub mod export;
pub mod rest;
pub mod scheduler;
pub mod secret_key;
pub mod security;
pub mod seed;
pub mod startup;
pub mod store;
