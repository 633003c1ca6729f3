//! One integration-test binary: the real router on port 0, a fresh SQLite file per test.

mod auth;
mod cli;
mod comments;
mod flood;
mod hardening;
mod helpers;
mod hostile;
mod matrix;
mod posts;
mod sessions;
mod setup;
