//! Inkwarden's build tool: `cargo xtask build|run|test`. It sets up what a fresh machine lacks
//! (the wasm target, npm packages, Chromium) and drives cargo, wasm-bindgen (as a library) and
//! wasm-opt (from the npm `binaryen` package) without downloading anything but packages.

mod postgres;

use anyhow::{bail, Context, Result};
use std::{
    env, fs,
    path::{Path, PathBuf},
    process::Command,
};

const USAGE: &str = "usage: cargo xtask <command>

  build [--release]   build the server binary and the site (target/site)
  run [ARGS…]         release build, then `inkwarden serve --insecure-cookies ARGS…`
                      on data/inkwarden.db (plain HTTP, for local use)
  test                format check, clippy, unit + integration tests on SQLite,
                      the integration suite again on a throw-away PostgreSQL,
                      release build, end-to-end tests in headless Chromium,
                      the REST API's contract (schemathesis), deployment checks (nginx, gixy, systemd)
  e2e [--debug]       only the build and the end-to-end tests (debug: faster build)
  argon2-rate [SECS]  raw argon2id verifications a second at the server's parameters
                      (19 MiB, 2 passes, 4 lanes), the best of three ways of running
                      them, for bench/run.sh";

const WASM_TARGET: &str = "wasm32-unknown-unknown";
const OUTPUT_NAME: &str = "inkwarden";

fn main() -> Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().context("xtask lives in the workspace")?;
    env::set_current_dir(root)?;
    let args: Vec<String> = env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("build") => build(args.iter().any(|a| a == "--release")),
        Some("run") => run(&args[1..]),
        Some("test") => test(),
        Some("e2e") => e2e(!args.iter().any(|a| a == "--debug")),
        Some("argon2-rate") => argon2_rate(args.get(1).and_then(|s| s.parse().ok()).unwrap_or(5)),
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2)
        }
    }
}

fn target_dir() -> PathBuf {
    env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("target"))
}

/// Run a command, failing with its name when it does not succeed.
fn sh(cmd: &mut Command) -> Result<()> {
    eprintln!("+ {cmd:?}");
    let status = cmd.status().with_context(|| format!("cannot start {:?}", cmd.get_program()))?;
    if !status.success() {
        bail!("{:?} failed ({status})", cmd.get_program());
    }
    Ok(())
}

fn cargo() -> Command {
    Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn build(release: bool) -> Result<()> {
    build_site(release)?;
    let mut server = cargo();
    server.args(["build", "--locked", "-p", "server"]);
    if release {
        server.arg("--release");
    }
    sh(&mut server)
}

fn run(extra: &[String]) -> Result<()> {
    build(true)?;
    let bin = target_dir().join("release").join(OUTPUT_NAME);
    let mut serve = Command::new(bin);
    serve.args(["serve", "--insecure-cookies"]).args(extra);
    sh(&mut serve)
}

fn test() -> Result<()> {
    sh(cargo().args(["fmt", "--all", "--", "--check"]))?;
    lint()?;
    sh(cargo().args(["test", "--locked", "-p", "app", "-p", "server"]))?;
    // The integration suite and the permission matrix again on PostgreSQL, plus two instances
    // sharing one database. (The CLI and flood tests drive SQLite files and ran above.)
    let cluster = postgres::Cluster::start()?;
    sh(cargo()
        .args(["test", "--locked", "-p", "server", "--test", "api", "--", "--skip", "cli::", "--skip", "flood::"])
        .env("INKWARDEN_TEST_POSTGRES", &cluster.url))?;
    drop(cluster);
    e2e(true)?;
    contract(&target_dir().join("release").join(OUTPUT_NAME))?;
    deploy_checks(&target_dir().join("release").join(OUTPUT_NAME), &target_dir().join("site"))
}

/// `end2end/contract.sh`: schemathesis against the REST API's OpenAPI document on the binary.
fn contract(bin: &Path) -> Result<()> {
    let bin = fs::canonicalize(bin).with_context(|| format!("no binary at {}", bin.display()))?;
    sh(Command::new("bash").arg("end2end/contract.sh").env("INKWARDEN_BIN", bin))
}

/// `deploy/test.sh` on the release build: gixy on the nginx config, a real nginx (running a test
/// variant of that config) in front of the binary, `systemd-analyze verify` on the unit.
fn deploy_checks(bin: &Path, site: &Path) -> Result<()> {
    let bin = fs::canonicalize(bin).with_context(|| format!("no binary at {}", bin.display()))?;
    let site = fs::canonicalize(site).with_context(|| format!("no site at {}", site.display()))?;
    sh(Command::new("bash").arg("deploy/test.sh").env("INKWARDEN_BIN", bin).env("LEPTOS_SITE_ROOT", site))
}

/// Clippy with warnings as errors, once per feature set: the server side (`ssr`, with every
/// test target) and the WebAssembly client (`hydrate`). A bare workspace run would merge both
/// feature sets into one `app`.
fn lint() -> Result<()> {
    ensure_clippy()?;
    ensure_wasm_target()?;
    let deny = ["--", "-D", "warnings"];
    sh(cargo().args(["clippy", "--locked", "-p", "app", "-p", "server", "-p", "xtask", "--all-targets"]).args(deny))?;
    sh(cargo().args(["clippy", "--locked", "-p", "frontend", "--lib", "--target", "wasm32-unknown-unknown"]).args(deny))
}

fn ensure_clippy() -> Result<()> {
    let present = cargo().args(["clippy", "--version"]).output().map(|o| o.status.success()).unwrap_or(false);
    if present {
        return Ok(());
    }
    sh(Command::new("rustup").args(["component", "add", "clippy"]))
}

/// Build, then drive the real binary with Playwright in Debian's Chromium.
fn e2e(release: bool) -> Result<()> {
    build(release)?;
    ensure_chromium()?;
    npm_install(Path::new("end2end"))?;
    let profile = if release { "release" } else { "debug" };
    let bin = fs::canonicalize(target_dir().join(profile).join(OUTPUT_NAME))?;
    let site = fs::canonicalize(target_dir().join("site"))?;
    sh(Command::new("npx")
        .args(["playwright", "test"])
        .current_dir("end2end")
        .env("INKWARDEN_BIN", bin)
        .env("LEPTOS_SITE_ROOT", site))
}

/// The hydrate bundle: cargo → wasm-bindgen → (release) wasm-opt, plus CSS and static files.
fn build_site(release: bool) -> Result<()> {
    ensure_wasm_target()?;
    let profile = if release { "wasm-release" } else { "dev" };
    sh(cargo().args(["build", "--locked", "-p", "frontend", "--lib", "--target", WASM_TARGET, "--profile", profile]))?;
    let profile_dir = if release { "wasm-release" } else { "debug" };
    let wasm = target_dir().join(WASM_TARGET).join(profile_dir).join("frontend.wasm");
    let site = target_dir().join("site");
    let pkg = site.join("pkg");
    // Only this build's files: the server takes the asset name from the one script in `pkg/`.
    if pkg.exists() {
        fs::remove_dir_all(&pkg)?;
    }
    let staging = target_dir().join("site-staging");
    fs::create_dir_all(&staging)?;
    fs::create_dir_all(&pkg)?;
    eprintln!("+ wasm-bindgen {}", wasm.display());
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&wasm)
        .out_name(OUTPUT_NAME)
        .web(true)?
        .typescript(false)
        .generate(&staging)
        .context("wasm-bindgen failed")?;
    if release {
        optimise_wasm(&staging.join(format!("{OUTPUT_NAME}_bg.wasm")))?;
    }
    fs::copy("style/main.css", staging.join(format!("{OUTPUT_NAME}.css"))).context("style/main.css")?;
    publish_assets(&staging, &pkg)?;
    copy_dir(Path::new("public"), &site)
}

/// The script, the module and the stylesheet under one content-hashed name
/// (`inkwarden-<16 hex>.js`, `…_bg.wasm`, `….css`), so that they can be cached for good, each
/// beside its brotli and gzip forms, which the server sends to browsers that accept them.
fn publish_assets(staging: &Path, pkg: &Path) -> Result<()> {
    use sha2::{Digest, Sha256};
    use std::io::Write;
    let files = [".js", "_bg.wasm", ".css"].map(|suffix| (suffix, staging.join(format!("{OUTPUT_NAME}{suffix}"))));
    let mut digest = Sha256::new();
    for (_, path) in &files {
        digest.update(fs::read(path).with_context(|| format!("{}", path.display()))?);
    }
    let hash: String = digest.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
    for (suffix, path) in &files {
        let bytes = fs::read(path)?;
        let name = format!("{OUTPUT_NAME}-{hash}{suffix}");
        fs::write(pkg.join(&name), &bytes)?;
        let mut br = Vec::new();
        let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 24, ..Default::default() };
        brotli::BrotliCompress(&mut bytes.as_slice(), &mut br, &params)?;
        fs::write(pkg.join(format!("{name}.br")), &br)?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&bytes)?;
        fs::write(pkg.join(format!("{name}.gz")), gz.finish()?)?;
        eprintln!("  {name}: {} B, brotli {} B", bytes.len(), br.len());
    }
    Ok(())
}

fn optimise_wasm(wasm: &Path) -> Result<()> {
    let tools = Path::new("xtask");
    npm_install(tools)?;
    let wasm_opt = tools.join("node_modules/.bin/wasm-opt");
    sh(Command::new(wasm_opt)
        .args(["-Oz", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext"])
        .arg(wasm)
        .arg("-o")
        .arg(wasm))
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    if !from.exists() {
        return Ok(());
    }
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            fs::create_dir_all(&dest)?;
            copy_dir(&entry.path(), &dest)?;
        } else {
            fs::copy(entry.path(), dest)?;
        }
    }
    Ok(())
}

fn ensure_wasm_target() -> Result<()> {
    let Ok(out) = Command::new("rustup").args(["target", "list", "--installed"]).output() else {
        return Ok(()); // no rustup: the toolchain's own targets are all there is
    };
    if !String::from_utf8_lossy(&out.stdout).lines().any(|l| l.trim() == WASM_TARGET) {
        sh(Command::new("rustup").args(["target", "add", WASM_TARGET]))?;
    }
    Ok(())
}

/// `npm ci` when the folder's packages are missing or older than its lock file.
fn npm_install(dir: &Path) -> Result<()> {
    let lock = dir.join("package-lock.json");
    let marker = dir.join("node_modules/.package-lock.json");
    let fresh = match (fs::metadata(&lock).and_then(|m| m.modified()), fs::metadata(&marker).and_then(|m| m.modified()))
    {
        (Ok(l), Ok(m)) => m >= l,
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    sh(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"))
}

/// Debian's Chromium drives the end-to-end tests (Playwright's own browser download fails here).
fn ensure_chromium() -> Result<()> {
    if Path::new("/usr/bin/chromium").exists() {
        return Ok(());
    }
    if !is_root() {
        bail!("Chromium is missing: install Debian's `chromium` package (apt-get install chromium), then run again");
    }
    apt_install(&["chromium"])
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| o.stdout.trim_ascii() == b"0").unwrap_or(false)
}

/// `apt-get install` Debian packages, refreshing the package lists once if that fails.
fn apt_install(packages: &[&str]) -> Result<()> {
    let apt = |args: &[&str]| sh(Command::new("apt-get").args(args).env("DEBIAN_FRONTEND", "noninteractive"));
    let install = [&["install", "-y"][..], packages].concat();
    apt(&install).or_else(|_| {
        sh(Command::new("apt-get").arg("update").env("DEBIAN_FRONTEND", "noninteractive"))?;
        apt(&install)
    })
}

/// The ceiling for sign-ins a second: argon2id verifications at the server's parameters
/// (`app::ssr::password::PARAMS`: OWASP's 19 MiB and 2 passes, in 4 lanes that argon2 computes
/// on every core), each hashing thread with its memory kept. The best of three ways, `secs`
/// each: one hash at a time inside a pool of one thread per core (as the server runs them), one
/// at a time handing each slice to argon2's pool, and two at once (no core idle at the lanes'
/// meeting points).
fn argon2_rate(secs: u64) -> Result<()> {
    use argon2::{Algorithm, Argon2, Block, Params, Version};
    use std::time::{Duration, Instant};
    let params = Params::new(19456, 2, 4, None).map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
    // The pool the lanes are computed on when a hash runs inside it (as the server runs them):
    // one thread per core.
    let lanes = rayon::ThreadPoolBuilder::new().build().context("a thread pool for the lanes")?;
    // Verifications over the time they took: a thread finishes the hash it started before the
    // deadline, so the run ends up to one hash after it.
    let rate = |threads: usize, inside: bool| {
        let started = Instant::now();
        let deadline = started + Duration::from_secs(secs);
        let done = std::thread::scope(|scope| {
            let threads: Vec<_> = (0..threads)
                .map(|_| {
                    let (params, lanes) = (params.clone(), &lanes);
                    scope.spawn(move || {
                        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
                        let mut memory = vec![Block::default(); params.block_count()];
                        let mut out = [0u8; 32];
                        let mut done = 0u64;
                        while Instant::now() < deadline {
                            let mut hash = || {
                                argon2
                                    .hash_password_into_with_memory(
                                        b"not the password",
                                        b"a sixteen b salt",
                                        &mut out,
                                        &mut memory[..],
                                    )
                                    .expect("the parameters are valid")
                            };
                            if inside {
                                lanes.install(hash)
                            } else {
                                hash()
                            }
                            done += 1;
                        }
                        done
                    })
                })
                .collect();
            threads.into_iter().map(|t| t.join().unwrap_or(0)).sum::<u64>()
        });
        done as f64 / started.elapsed().as_secs_f64()
    };
    let (inside, one, two) = (rate(1, true), rate(1, false), rate(2, false));
    println!(
        "raw argon2id (m={} KiB, t={}, p={}), best of one hash at a time inside a pool ({inside:.1}/s), handing its slices to the pool ({one:.1}/s) and two at once ({two:.1}/s): {:.1} verifications/s",
        params.m_cost(),
        params.t_cost(),
        params.p_cost(),
        inside.max(one).max(two)
    );
    Ok(())
}
