//! The key file that seals two-factor secrets: 32 random bytes, created (owner-only) on first
//! start, refused in production mode when others may read it.

use anyhow::{bail, Context};
use app::ssr::SecretKey;
use std::{io::Write, path::Path};

pub fn load_or_create(path: &Path, production: bool) -> anyhow::Result<SecretKey> {
    if !path.exists() {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let key = SecretKey::generate();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).with_context(|| format!("cannot create the key file {}", path.display()))?;
        file.write_all(&key.0)?;
        file.sync_all()?;
        tracing::info!(path = %path.display(), "created the secret key file; back it up with the database");
        return Ok(key);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            let message = format!(
                "the secret key file {} can be read by others (mode {:o}); run chmod 600 on it",
                path.display(),
                mode & 0o777
            );
            if production {
                bail!("{message}");
            }
            tracing::warn!("{message}");
        }
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read the key file {}", path.display()))?;
    let Ok(key) = <[u8; 32]>::try_from(bytes.as_slice()) else {
        bail!("the secret key file {} must hold exactly 32 bytes; it holds {}", path.display(), bytes.len());
    };
    Ok(SecretKey(key))
}
