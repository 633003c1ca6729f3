//! A throw-away PostgreSQL cluster for the test command: `initdb` into a temporary folder, a
//! private port on 127.0.0.1, stopped and removed when dropped (also when a step fails).
//! As root it runs as the `postgres` account, since `initdb` and `pg_ctl` refuse root.

use anyhow::{bail, Context, Result};
use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
};

pub struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    as_postgres: bool,
    /// A URL whose user owns the cluster (and so may create a database per test).
    pub url: String,
}

/// The newest installed PostgreSQL (15 or later) server binaries, installing Debian's package
/// when none is there and we are root.
fn server_bin() -> Result<PathBuf> {
    let find = || -> Option<PathBuf> {
        let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| e.ok())
            .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
            .filter(|(v, bin): &(u32, PathBuf)| *v >= 15 && bin.join("initdb").exists())
            .collect();
        versions.sort();
        versions.pop().map(|(_, bin)| bin)
    };
    if let Some(bin) = find() {
        return Ok(bin);
    }
    if !crate::is_root() {
        bail!("PostgreSQL 15 or later is missing: install Debian's `postgresql` package, then run again");
    }
    crate::apt_install(&["postgresql"])?;
    find().context("the postgresql package installed no server binaries")
}

impl Cluster {
    pub fn start() -> Result<Cluster> {
        let bin = server_bin()?;
        let as_postgres = crate::is_root();
        let data = std::env::temp_dir().join(format!("inkwarden-pg-{}", std::process::id()));
        let _ = fs::remove_dir_all(&data);
        fs::create_dir_all(&data)?;
        if as_postgres {
            crate::sh(Command::new("chown").args(["postgres:postgres"]).arg(&data))?;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let mut cluster = Cluster { bin, data, as_postgres, url: String::new() };
        let data = cluster.data.display().to_string();
        cluster.run(
            "initdb",
            &["-D", &data, "-U", "inkwarden", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"],
        )?;
        let options = format!(
            "-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=300"
        );
        let log = format!("{data}/server.log");
        cluster.run("pg_ctl", &["-D", &data, "-l", &log, "-w", "-o", &options, "start"])?;
        cluster.url = format!("postgres://inkwarden@127.0.0.1:{port}/postgres");
        eprintln!("PostgreSQL test cluster at {}", cluster.url);
        Ok(cluster)
    }

    fn run(&self, tool: &str, args: &[&str]) -> Result<()> {
        let program = self.bin.join(tool);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        crate::sh(cmd.args(args).current_dir(Path::new("/")))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data.display().to_string();
        if let Err(e) = self.run("pg_ctl", &["-D", &data, "-m", "immediate", "stop"]) {
            eprintln!("stopping the PostgreSQL test cluster: {e:#}");
        }
        let _ = fs::remove_dir_all(&self.data);
    }
}
