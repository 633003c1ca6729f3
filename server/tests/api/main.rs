//! One integration-test binary: the real router on port 0, a fresh database per test: an SQLite
//! file, or with `INKWARDEN_TEST_POSTGRES` set (a PostgreSQL URL whose user may create databases)
//! a new PostgreSQL database.

#[macro_use]
mod helpers;

mod accounts;
mod audit;
mod auth;
mod cli;
mod comments;
mod flash;
mod flood;
mod hardening;
mod hostile;
mod instances;
mod invitations;
mod lockout;
mod matrix;
mod posts;
mod rest;
mod sessions;
mod settings;
mod setup;
mod tokens;
mod two_factor;
