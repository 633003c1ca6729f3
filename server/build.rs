//! `sqlx::migrate!` embeds the migrations at compile time, and cargo does not watch that folder on
//! its own: without this, a migration added to it would be missing from the next build.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
