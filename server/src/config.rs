//! Command-line flags and environment variables, with safe defaults.

use app::domain::Role;
use clap::{Args, Parser, Subcommand};
use std::net::{IpAddr, SocketAddr};

#[derive(Debug, Parser)]
#[command(name = "inkwarden", version, about = "The secure staff dashboard of a blog")]
pub struct Cli {
    /// Database to use; created (with its folder) when missing.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/inkwarden.db", global = true)]
    pub database_url: String,
    /// Most database connections this process keeps open [default: 4 on SQLite, 8 on PostgreSQL].
    #[arg(long, env = "INKWARDEN_DB_MAX_CONNECTIONS", global = true,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub db_max_connections: Option<u32>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations, then serve the dashboard and the public site.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Write a consistent copy of the SQLite database to PATH while the server may be running,
    /// then check the copy's integrity. (PostgreSQL: use `pg_dump`.)
    Backup {
        /// Where to write the copy; must not exist yet, nor lie inside the site root.
        path: std::path::PathBuf,
        /// The folder the server serves files from (the copy may not go there).
        #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
        site_root: std::path::PathBuf,
    },
    /// Fill an empty database with demo staff (printing their one-time passwords), categories,
    /// tags and posts.
    SeedDemo {
        /// How many posts to create.
        #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
        posts: u32,
        /// How many reader comments to spread over the published posts (mostly pending). Each
        /// body carries a `batch-K` word (K = 0..4) so benchmarks can select a fifth of them.
        #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(0..=5_000_000))]
        comments: u32,
    },
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "INKWARDEN_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Send session cookies without `Secure` and the `__Host-` prefix. Only for local use over
    /// plain HTTP; behind HTTPS leave this off.
    #[arg(long, env = "INKWARDEN_INSECURE_COOKIES")]
    pub insecure_cookies: bool,
    /// Addresses of reverse proxies whose `X-Forwarded-For` is believed (comma-separated).
    #[arg(long = "trusted-proxy", env = "INKWARDEN_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpAddr>,
    /// Public base URL (e.g. https://blog.example.com), used in printed links. Required, and
    /// `https://`, unless `--insecure-cookies` is given.
    #[arg(long, env = "INKWARDEN_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Folder holding the built client (`pkg/` with JS, WASM and CSS).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
    /// Failed sign-ins of one username, within the lockout period, that lock that username.
    #[arg(long, env = "INKWARDEN_LOCKOUT_USER_FAILURES", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub lockout_user_failures: u32,
    /// Failed sign-ins from one address, within the lockout period, that lock that address.
    #[arg(long, env = "INKWARDEN_LOCKOUT_IP_FAILURES", default_value_t = 20,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub lockout_ip_failures: u32,
    /// Seconds the first lockout lasts (each further one within a day doubles, at most a day);
    /// also the window failures are counted in.
    #[arg(long, env = "INKWARDEN_LOCKOUT_SECONDS", default_value_t = 900,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub lockout_seconds: u64,
    /// The key that seals two-factor secrets (32 bytes; created, owner-only, when missing).
    /// Back it up with the database: without it, two-factor secrets cannot be opened.
    #[arg(long, env = "INKWARDEN_SECRET_KEY_FILE", default_value = "data/secret.key")]
    pub secret_key_file: std::path::PathBuf,
    /// Requests a minute one API token may make under /api/v1/ (counted across instances).
    #[arg(long, env = "INKWARDEN_API_RATE_LIMIT", default_value_t = 600,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub api_rate_limit: u32,
    /// Minutes a first-admin setup link stays valid.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..=1440))]
    pub setup_link_minutes: u32,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        role: Role,
        /// Read the password from standard input (required: passwords never go in arguments).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Create an account without a password and print a one-time link (valid 72 hours) with
    /// which its owner chooses one.
    Invite {
        #[arg(long)]
        username: String,
        #[arg(long)]
        role: Role,
        /// Base URL of the link, like https://blog.example.com.
        #[arg(long, env = "INKWARDEN_PUBLIC_URL", default_value = "http://127.0.0.1:3000")]
        public_url: String,
    },
    /// Change an account's role.
    SetRole { username: String, role: Role },
    /// Deactivate an account; its sessions end at once.
    Deactivate { username: String },
    /// Let a deactivated account sign in again.
    Reactivate { username: String },
    /// Set a new password (read from standard input); the account's sessions end.
    ResetPassword {
        username: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token acting as OWNER and print its secret (and nothing else) on standard output.
    Create {
        #[arg(long)]
        name: String,
        /// posts:read, posts:write, posts:publish or comments:moderate; repeat for several.
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
        /// Days until it expires (1 to 3650); never without.
        #[arg(long)]
        expires_in_days: Option<u32>,
        /// The username the token acts as.
        #[arg(long)]
        owner: String,
    },
    /// List every token (never a secret).
    List,
    /// Revoke the token with this prefix (the 8 characters after `iwk_`).
    Revoke { prefix: String },
}

impl ServeArgs {
    /// Refuse a configuration that would run production mode (secure cookies) without a public
    /// HTTPS address: the message says what to pass instead of guessing.
    pub fn check(&self) -> Result<(), String> {
        let url = match self.public_url.as_deref() {
            Some(url) => url.trim(),
            None if self.insecure_cookies => return Ok(()),
            None => {
                return Err("production mode needs --public-url https://… (INKWARDEN_PUBLIC_URL), the address \
                            readers and staff use; for plain-HTTP local use pass --insecure-cookies instead"
                    .into())
            }
        };
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://").filter(|_| self.insecure_cookies))
            .ok_or_else(|| {
                if self.insecure_cookies {
                    format!("--public-url {url:?} must start with https:// or http://")
                } else {
                    format!(
                        "--public-url {url:?} must start with https:// in production mode (session cookies \
                         are Secure); for plain-HTTP local use pass --insecure-cookies"
                    )
                }
            })?;
        let host = rest.trim_end_matches('/');
        if host.is_empty() || host.contains(['/', '?', '#', '@', ' ']) {
            return Err(format!("--public-url {url:?} must be a scheme and host only, like https://blog.example.com"));
        }
        Ok(())
    }
}
