//! What each subcommand does. Account changes made here are audited with the actor `cli`.

use crate::{
    config::{Cli, Command, ServeArgs, TokenCommand, UserCommand},
    startup::{self, Application, Settings},
};
use anyhow::{bail, Context};
use app::ssr::db::Pool;
use app::{
    domain::{password_problem, username_problem, AuditAction, Role},
    ssr::{
        accounts::{self, By},
        audit::{self, AuditActor, AuditEvent},
        links, password, sessions, setup, tokens, users, LockoutPolicy, ServerConfig,
    },
};
use std::io::BufRead;

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Serve(args) = &cli.command {
        args.check().map_err(anyhow::Error::msg)?;
    }
    if let Command::Backup { path, site_root } = &cli.command {
        return backup(&cli.database_url, path, site_root).await;
    }
    let pool = startup::connect(&cli.database_url, cli.db_max_connections).await?;
    let done = match cli.command {
        Command::Serve(args) => serve(pool.clone(), args).await,
        Command::Backup { .. } => unreachable!("handled before connecting"),
        Command::Migrate => {
            startup::migrate(&pool).await?;
            println!("Database is up to date.");
            Ok(())
        }
        Command::User(command) => {
            startup::migrate(&pool).await?;
            user(&pool, command).await
        }
        Command::Token(command) => {
            startup::migrate(&pool).await?;
            token(&pool, command).await
        }
        Command::SeedDemo { posts, comments } => {
            startup::migrate(&pool).await?;
            let seeded = crate::seed::seed_demo(&pool, posts as usize, comments as usize).await?;
            println!(
                "Created {} posts, {} comments and these accounts (passwords are shown once):",
                seeded.posts, seeded.comments
            );
            for (name, role, password) in seeded.accounts {
                println!("  {role:<7} {name:<8} {password}");
            }
            Ok(())
        }
    };
    // Closed, not dropped at exit, so the command's writes are in the database file (a demo
    // seed left them in a 38 MB log beside a 4 KB database).
    startup::close(pool, &cli.database_url).await;
    done
}

async fn serve(pool: Pool, args: ServeArgs) -> anyhow::Result<()> {
    if args.insecure_cookies && !args.addr.ip().is_loopback() {
        tracing::warn!("--insecure-cookies on a non-loopback address: session cookies travel without Secure");
    }
    let settings = Settings {
        addr: args.addr,
        site_root: args.site_root.clone(),
        trusted_proxies: args.trusted_proxies.clone(),
        server: ServerConfig {
            insecure_cookies: args.insecure_cookies,
            lockout: LockoutPolicy {
                username_failures: args.lockout_user_failures,
                address_failures: args.lockout_ip_failures,
                first: std::time::Duration::from_secs(args.lockout_seconds),
                ..LockoutPolicy::default()
            },
            secret_key: crate::secret_key::load_or_create(&args.secret_key_file, !args.insecure_cookies)?,
            public_url: args.public_url.as_deref().map(|u| u.trim().trim_end_matches('/').to_owned()),
            api_rate_limit: args.api_rate_limit,
            ..ServerConfig::default()
        },
    };
    let app = Application::build(pool.clone(), settings).await?;
    let base = args.public_url.clone().unwrap_or_else(|| format!("http://{}", app.addr()));
    let base = base.trim_end_matches('/');
    println!("Inkwarden is listening on http://{}", app.addr());
    if setup::needs_first_admin(&pool).await? {
        let token = setup::issue(&pool, args.setup_link_minutes).await?;
        println!(
            "No admin exists yet. Create the first one (link valid {} minutes, single use):",
            args.setup_link_minutes
        );
        println!("  {base}/admin/setup?token={token}");
    } else {
        println!("Sign in at {base}/admin/login");
    }
    app.run().await
}

async fn backup(database_url: &str, path: &std::path::Path, site_root: &std::path::Path) -> anyhow::Result<()> {
    if startup::is_postgres(database_url) {
        bail!(
            "`inkwarden backup` copies SQLite databases; for PostgreSQL use pg_dump, e.g. \
             pg_dump --format=custom --file=inkwarden.dump \"$DATABASE_URL\" (restore with pg_restore)"
        );
    }
    let path = crate::backup::destination(path, site_root)?;
    startup::existing_sqlite(database_url)?;
    let Pool::Sqlite(pool) = startup::connect(database_url, Some(1)).await? else {
        unreachable!("a sqlite:// URL opens SQLite")
    };
    let copy = crate::backup::sqlite(&pool, &path).await?;
    println!("Wrote {} ({} bytes).", copy.path.display(), copy.bytes);
    println!("Integrity check: {}", copy.integrity);
    if copy.integrity != "ok" {
        bail!("the copy failed its integrity check; do not rely on it");
    }
    Ok(())
}

async fn user(pool: &Pool, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Create { username, role, .. } => {
            let username = username.trim().to_lowercase();
            if let Some(problem) = username_problem(&username) {
                bail!("{problem}");
            }
            let hash = new_password_hash(&username).await?;
            let created = accounts::create(pool, By::Cli, &username, role, Some(hash)).await.map_err(account_error)?;
            println!("Created {role} {}.", created.username);
        }
        UserCommand::Invite { username, role, public_url } => {
            let created = accounts::create(pool, By::Cli, &username, role, None).await.map_err(account_error)?;
            let (token, expires) = created.invitation.context("an invitation without a link")?;
            eprintln!(
                "Invited {role} {}. Send them this link (single use, valid until {expires} UTC):",
                created.username
            );
            println!("{}", links::url(&public_url, &token));
        }
        UserCommand::SetRole { username, role } => set_role(pool, &username, role).await?,
        UserCommand::Deactivate { username } => deactivate(pool, &username).await?,
        UserCommand::Reactivate { username } => reactivate(pool, &username).await?,
        UserCommand::ResetPassword { username, .. } => {
            let user = find(pool, &username).await?;
            let hash = new_password_hash(&user.username).await?;
            let mut tx = pool.begin().await?;
            users::set_password_hash(&mut tx, user.id, &hash, true).await?;
            sessions::end_all(&mut tx, user.id, None).await?;
            audit::record(&mut tx, cli_event(AuditAction::PasswordReset, user.id.0)).await?;
            tx.commit().await?;
            println!("Password of {} reset; their sessions have ended.", user.username);
        }
    }
    Ok(())
}

async fn token(pool: &Pool, command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create { name, scopes, expires_in_days, owner } => {
            let owner = find(pool, &owner).await?;
            if !owner.is_active {
                bail!("{} is deactivated; their tokens would not work", owner.username);
            }
            let days = expires_in_days.map(|d| d.to_string());
            let issued = tokens::create(pool, By::Cli, owner.id, &name, &scopes, days.as_deref())
                .await
                .map_err(account_error)?;
            eprintln!(
                "Created token {} ({}) acting as {}. The secret below is shown once:",
                issued.token.prefix, issued.token.name, issued.token.owner
            );
            println!("{}", issued.secret);
        }
        TokenCommand::List => {
            for t in tokens::list(pool).await? {
                let state = match (&t.revoked_at, &t.expires_at) {
                    (Some(at), _) => format!("revoked {at}"),
                    (None, Some(at)) => format!("expires {at}"),
                    (None, None) => "no expiry".to_owned(),
                };
                let scopes = app::domain::TokenScope::join(&t.scopes);
                let used = t.last_used_at.map(String::from).unwrap_or_else(|| "never used".into());
                println!("{}  {:<24} {:<40} owner {:<12} {state}; last used {used}", t.prefix, t.name, scopes, t.owner);
            }
        }
        TokenCommand::Revoke { prefix } => {
            let found = tokens::find_by_prefix(&mut pool.acquire().await?, prefix.trim()).await?;
            let token = found.with_context(|| format!("no token with prefix {prefix:?}"))?;
            tokens::revoke_audited(pool, By::Cli, token.id).await.map_err(account_error)?;
            println!("Revoked token {} ({}).", token.prefix, token.name);
        }
    }
    Ok(())
}

async fn set_role(pool: &Pool, username: &str, role: Role) -> anyhow::Result<()> {
    let user = find(pool, username).await?;
    accounts::set_role(pool, By::Cli, user.id, role).await.map_err(account_error)?;
    println!("{} is now {role}.", user.username);
    Ok(())
}

async fn deactivate(pool: &Pool, username: &str) -> anyhow::Result<()> {
    let user = find(pool, username).await?;
    let was = accounts::deactivate(pool, By::Cli, user.id).await.map_err(account_error)?;
    if was.is_active {
        println!("{} is deactivated; their sessions have ended.", user.username);
    } else {
        println!("{} is already deactivated.", user.username);
    }
    Ok(())
}

async fn reactivate(pool: &Pool, username: &str) -> anyhow::Result<()> {
    let user = find(pool, username).await?;
    accounts::reactivate(pool, By::Cli, user.id).await.map_err(account_error)?;
    println!("{} can sign in again.", user.username);
    Ok(())
}

async fn find(pool: &Pool, username: &str) -> anyhow::Result<users::UserRecord> {
    let name = username.trim().to_lowercase();
    users::find_by_username(&mut pool.acquire().await?, &name).await?.with_context(|| format!("no user named {name:?}"))
}

/// An account change the rules refused, as the operator reads it.
fn account_error(e: app::error::AppError) -> anyhow::Error {
    match e {
        app::error::AppError::Invalid(errors) => {
            anyhow::anyhow!(errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join(" "))
        }
        other => anyhow::anyhow!("{other}"),
    }
}

fn cli_event(action: AuditAction, user_id: i64) -> AuditEvent<'static> {
    AuditEvent { client_ip: None, ..AuditEvent::new(AuditActor::Cli, action) }.target("user", user_id)
}

/// Read one line from standard input as the new password and hash it.
async fn new_password_hash(username: &str) -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("cannot read the password from standard input")?;
    let password = line.strip_suffix('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).unwrap_or(&line);
    if let Some(problem) = password_problem(username, password) {
        bail!("{problem}");
    }
    password::hash(password.to_owned()).await.map_err(|e| anyhow::anyhow!("{e}"))
}
