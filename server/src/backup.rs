//! `inkwarden backup PATH`: a consistent copy of the SQLite database, taken while the server may
//! be running, checked before it is reported as good.

use anyhow::{bail, Context};
use sqlx::{sqlite::SqliteConnectOptions, ConnectOptions};
use std::path::{Path, PathBuf};

/// What a finished backup reports.
#[derive(Debug)]
pub struct Copy {
    pub path: PathBuf,
    pub bytes: u64,
    pub integrity: String,
}

/// Where the copy may go: a new file, in an existing folder outside the folder the web server
/// serves (a database copy holds password hashes and unpublished drafts).
pub fn destination(path: &Path, site_root: &Path) -> anyhow::Result<PathBuf> {
    if path.exists() {
        bail!("{} already exists; choose a new file name", path.display());
    }
    let name = path.file_name().with_context(|| format!("{} names no file", path.display()))?;
    let parent = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => parent,
        None => Path::new("."),
    };
    let folder = parent.canonicalize().with_context(|| format!("the folder {} does not exist", parent.display()))?;
    if let Ok(served) = site_root.canonicalize() {
        if folder.starts_with(&served) {
            bail!(
                "{} is inside the site root {}, which the server serves to anyone; write the backup elsewhere",
                path.display(),
                served.display()
            );
        }
    }
    Ok(folder.join(name))
}

/// `VACUUM INTO` reads one snapshot of the database (a read transaction, so writers carry on
/// under WAL) and writes it compacted to a new file; the copy is then opened read-only and
/// checked with `PRAGMA integrity_check`.
pub async fn sqlite(pool: &sqlx::SqlitePool, path: &Path) -> anyhow::Result<Copy> {
    let target = path.to_str().with_context(|| format!("{} is not valid UTF-8", path.display()))?;
    sqlx::query("vacuum into ?").bind(target).execute(pool).await.context("the copy failed")?;
    restrict_permissions(path)?;
    let mut copy = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .with_context(|| format!("cannot open the copy {}", path.display()))?;
    let rows: Vec<String> = sqlx::query_scalar("pragma integrity_check").fetch_all(&mut copy).await?;
    let bytes = std::fs::metadata(path)?.len();
    Ok(Copy { path: path.to_owned(), bytes, integrity: rows.join("; ") })
}

/// The copy holds password hashes: readable by its owner only.
fn restrict_permissions(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot restrict the permissions of {}", path.display()))?;
    }
    Ok(())
}
