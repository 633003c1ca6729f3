//! The `inkwarden` binary: parses the command line and hands over to the library.

use clap::Parser;
use std::process::ExitCode;

// Many small, short-lived allocations per page (rendering, JSON) from threads that come and go
// (the SQLite connections' threads, the blocking pool): mimalloc serves them faster than the
// system allocator and hands freed pages back instead of keeping an arena per thread. Built
// without transparent huge pages, which would keep 2 MiB resident for a touched 4 KiB.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What is logged: `RUST_LOG`, else INFO and sqlx's warnings. tower-sessions opens an INFO span
/// around every request and every session read and write, which logs nothing and was entered
/// and left at each poll of the request (about 1% of a page's CPU in a profile), so its spans
/// are off unless `RUST_LOG` names it. Its errors are events at ERROR and are still logged.
fn log_filter() -> tracing_subscriber::EnvFilter {
    const DEFAULT: &str = "info,sqlx=warn";
    const QUIET: &str = "tower_sessions=warn,tower_sessions_core=warn";
    let wanted = std::env::var("RUST_LOG").unwrap_or_else(|_| DEFAULT.into());
    let spec = if wanted.contains("tower_sessions") { wanted } else { format!("{wanted},{QUIET}") };
    tracing_subscriber::EnvFilter::try_new(spec).unwrap_or_else(|_| format!("{DEFAULT},{QUIET}").into())
}

/// Return the pages the allocator keeps after a free to the system now (an idle hashing thread
/// has just let argon2's 19 MiB go; see `app::ssr::password::on_memory_freed`).
fn give_back_freed_memory() {
    // SAFETY: `mi_collect` takes no pointers and touches only mimalloc's own state, which it
    // guards for calls from any thread at any time.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

#[tokio::main]
async fn main() -> ExitCode {
    app::ssr::password::on_memory_freed(give_back_freed_memory);
    tracing_subscriber::fmt()
        .with_env_filter(log_filter())
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
