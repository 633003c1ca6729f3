//! The client's files in `pkg/`: the build names them after their content
//! (`inkwarden-<16 hex>.js`, `…_bg.wasm`, `….css`) and puts brotli and gzip forms beside them.
//! The server finds that name once at start-up, links the pages to it, and lets browsers keep
//! those files for good; whichever form is sent, caches are told it depends on `Accept-Encoding`.

use axum::{
    extract::Request,
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::Response,
};
use std::path::Path;

/// The name the build gave this site's script, module and stylesheet: `inkwarden-<hash>`, from
/// the one `inkwarden-*.js` in `pkg/`, or plain `inkwarden` for a site without one.
pub fn name(site_root: &str) -> String {
    let scripts = std::fs::read_dir(Path::new(site_root).join("pkg")).into_iter().flatten().flatten();
    scripts
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter_map(|file| file.strip_suffix(".js").filter(|stem| is_hashed(stem)).map(str::to_owned))
        .max()
        .unwrap_or_else(|| "inkwarden".to_owned())
}

/// `inkwarden-` and 16 lowercase hex digits.
fn is_hashed(stem: &str) -> bool {
    stem.strip_prefix("inkwarden-")
        .is_some_and(|h| h.len() == 16 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

/// Caching of `/pkg/` answers: a content-named file never changes, so it is kept a year and
/// never revalidated; anything else there is revalidated on each use.
pub async fn caching(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let Some(file) = path.strip_prefix("/pkg/") else { return next.run(req).await };
    let stem = file.split(['.', '_']).next().unwrap_or_default();
    let immutable = is_hashed(stem) && !file.contains('/');
    let mut res = next.run(req).await;
    if matches!(res.status(), StatusCode::OK | StatusCode::NOT_MODIFIED | StatusCode::PARTIAL_CONTENT) {
        let headers = res.headers_mut();
        let policy = if immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_builds_content_names_count_as_hashed() {
        assert!(is_hashed("inkwarden-0123456789abcdef"));
        for stem in ["inkwarden", "inkwarden-0123", "inkwarden-0123456789ABCDEF", "other-0123456789abcdef"] {
            assert!(!is_hashed(stem), "{stem}");
        }
    }

    #[test]
    fn the_name_comes_from_the_script_in_pkg() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path().to_str().unwrap();
        assert_eq!(name(root), "inkwarden");
        std::fs::create_dir(site.path().join("pkg")).unwrap();
        for file in
            ["inkwarden-00000000000000aa.js.br", "inkwarden-00000000000000aa_bg.wasm", "inkwarden-00000000000000aa.js"]
        {
            std::fs::write(site.path().join("pkg").join(file), b"").unwrap();
        }
        assert_eq!(name(root), "inkwarden-00000000000000aa");
    }
}
