//! The `inkwarden` binary: parses the command line and hands over to the library.

use clap::Parser;
use std::process::ExitCode;

// Many small, short-lived allocations per page (rendering, JSON) from threads that come and go
// (the SQLite connections' threads, the blocking pool): mimalloc serves them faster than the
// system allocator and hands freed pages back instead of keeping an arena per thread. Built
// without transparent huge pages, which would keep 2 MiB resident for a touched 4 KiB.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match server::cli::run(server::config::Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
