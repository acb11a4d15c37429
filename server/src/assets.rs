//! The site's bundle under `/pkg`, as `scripts/build-site` wrote it: each file named by the hash of
//! its content (`ats-bridge.<hash>.wasm`, listed in the site's `hash.txt`, Leptos's hash file) with
//! a brotli and a gzip copy made at build time. A browser gets the copy it accepts (never a
//! compression per request), and keeps a hashed file for a year: a new bundle has new names.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use leptos::prelude::LeptosOptions;
use tower_http::services::ServeDir;

/// Where the pages link the bundle.
pub const PREFIX: &str = "/pkg";

/// The name of the site's hash file.
const HASH_FILE: &str = "hash.txt";

/// `options` linking the hashed bundle when the site holds one: `hash.txt` names a WASM file that
/// is there. Otherwise (a site built by `cargo leptos`) the pages link the plain names.
pub fn link_hashed_bundle(mut options: LeptosOptions) -> LeptosOptions {
    let site = Path::new(&*options.site_root);
    let hash_file = site.join(HASH_FILE);
    let Ok(hashes) = std::fs::read_to_string(&hash_file) else { return options };
    let wasm = hashes.lines().find_map(|line| line.trim().strip_prefix("wasm:")).map(str::trim);
    let bundled = wasm.is_some_and(|hash| {
        site.join(&*options.site_pkg_dir).join(format!("{}.{hash}.wasm", options.output_name)).is_file()
    });
    // Leptos reads the hash file next to the server's executable; an absolute path replaces that.
    if bundled && let Ok(absolute) = std::path::absolute(&hash_file) {
        options.hash_files = true;
        options.hash_file = absolute.to_string_lossy().into();
    } else {
        tracing::warn!(path = %hash_file.display(), "the hash file names no WASM file of the site: plain names linked");
    }
    options
}

/// The folder of the bundle in `options`' site.
pub fn folder(options: &LeptosOptions) -> PathBuf {
    Path::new(&*options.site_root).join(&*options.site_pkg_dir)
}

/// `/pkg`: the files of `folder`, brotli or gzip where the browser accepts it, with their caching.
pub fn routes<S: Clone + Send + Sync + 'static>(folder: &Path) -> Router<S> {
    Router::new()
        .nest_service(PREFIX, ServeDir::new(folder).precompressed_br().precompressed_gzip())
        .layer(axum::middleware::from_fn(caching))
}

/// A year, immutable, for a hashed file; revalidation (`no-cache`: the server answers 304 when it
/// has not changed) for any other; nothing kept of an error. The answer depends on the browser's
/// `Accept-Encoding`.
async fn caching(request: Request, next: Next) -> Response {
    let hashed = is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    let status = response.status();
    let headers = response.headers_mut();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        let kept = if hashed { "public, max-age=31536000, immutable" } else { "no-cache" };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(kept));
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// Whether a path's file is named `<name>.<16 hex digits>.<extension>`, as the build names them.
fn is_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let mut parts = file.rsplit('.');
    let (_extension, hash, name) = (parts.next(), parts.next(), parts.next());
    name.is_some_and(|n| !n.is_empty())
        && hash.is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn only_names_with_a_content_hash_are_hashed() {
        assert!(is_hashed("/pkg/ats-bridge.0123456789abcdef.wasm"));
        assert!(is_hashed("/pkg/ats-bridge.0123456789abcdef.css"));
        assert!(!is_hashed("/pkg/ats-bridge.wasm"));
        assert!(!is_hashed("/pkg/ats-bridge.0123456789ABCDEF.wasm"));
        assert!(!is_hashed("/pkg/ats-bridge.0123456789abcde.wasm"));
        assert!(!is_hashed("/pkg/.0123456789abcdef.wasm"));
        assert!(!is_hashed("/pkg/"));
    }
}
