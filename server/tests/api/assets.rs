//! The bundle under `/pkg`: the precompressed copy a browser accepts, cached for a year when its
//! name carries its hash, linked by the pages only when the site's hash file names a real file.

use leptos::prelude::LeptosOptions;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, VARY};
use server::assets;

const HASH: &str = "0123456789abcdef";

/// A site as `scripts/build-site` writes it: the WASM file, its brotli and gzip copies (stand-in
/// bytes, told apart by content), a file without a hash in its name, and `hash.txt`.
fn site() -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    let wasm = format!("ats-bridge.{HASH}.wasm");
    std::fs::write(pkg.join(&wasm), b"the module").unwrap();
    std::fs::write(pkg.join(format!("{wasm}.br")), b"brotli").unwrap();
    std::fs::write(pkg.join(format!("{wasm}.gz")), b"gzip").unwrap();
    std::fs::write(pkg.join("notes.txt"), b"plain").unwrap();
    std::fs::write(
        site.path().join("hash.txt"),
        format!("js: fedcba9876543210\nwasm: {HASH}\ncss: 0000000000000000\n"),
    )
    .unwrap();
    site
}

fn options(site: &std::path::Path) -> LeptosOptions {
    LeptosOptions::builder().output_name("ats-bridge").site_root(site.to_string_lossy().to_string()).build()
}

#[test]
fn the_pages_link_the_hashed_bundle_only_when_its_file_is_there() {
    let site = site();
    let linked = assets::link_hashed_bundle(options(site.path()));
    assert!(linked.hash_files);
    assert_eq!(std::path::Path::new(&*linked.hash_file), site.path().join("hash.txt"));

    std::fs::write(site.path().join("hash.txt"), "wasm: ffffffffffffffff\n").unwrap();
    assert!(!assets::link_hashed_bundle(options(site.path())).hash_files, "a hash file naming a missing file");
    std::fs::remove_file(site.path().join("hash.txt")).unwrap();
    assert!(!assets::link_hashed_bundle(options(site.path())).hash_files, "no hash file (a cargo-leptos site)");
}

#[tokio::test]
async fn the_bundle_is_sent_as_the_copy_the_browser_accepts_and_kept_for_a_year() {
    let site = site();
    let app = assets::routes::<()>(&assets::folder(&options(site.path())));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = reqwest::Client::new();
    let get = |path: &str, accepts: &str| {
        let request = client.get(format!("{address}{path}"));
        let request = if accepts.is_empty() { request } else { request.header(ACCEPT_ENCODING, accepts) };
        async move {
            let response = request.send().await.unwrap();
            let header = |name| response.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
            let seen = (
                response.status(),
                header(CONTENT_ENCODING),
                header(CACHE_CONTROL),
                header(VARY),
                header(CONTENT_TYPE),
            );
            (seen, response.bytes().await.unwrap())
        }
    };
    let wasm = format!("/pkg/ats-bridge.{HASH}.wasm");
    let year = Some("public, max-age=31536000, immutable".to_owned());
    let vary = Some("accept-encoding".to_owned());
    let wasm_type = Some("application/wasm".to_owned());

    let (seen, body) = get(&wasm, "gzip, deflate, br, zstd").await;
    assert_eq!(seen, (StatusCode::OK, Some("br".into()), year.clone(), vary.clone(), wasm_type.clone()));
    assert_eq!(&body[..], b"brotli");
    let (seen, body) = get(&wasm, "gzip").await;
    assert_eq!(seen, (StatusCode::OK, Some("gzip".into()), year.clone(), vary.clone(), wasm_type.clone()));
    assert_eq!(&body[..], b"gzip");
    let (seen, body) = get(&wasm, "").await;
    assert_eq!(seen, (StatusCode::OK, None, year, vary.clone(), wasm_type));
    assert_eq!(&body[..], b"the module");

    // Without a hash in its name a file may change under the same name: asked again each time.
    let ((status, _, kept, ..), _) = get("/pkg/notes.txt", "br").await;
    assert_eq!((status, kept.as_deref()), (StatusCode::OK, Some("no-cache")));
    // Nothing is kept of a file that is not there.
    let ((status, _, kept, ..), _) = get("/pkg/ats-bridge.ffffffffffffffff.wasm", "br").await;
    assert_eq!((status, kept), (StatusCode::NOT_FOUND, None));
    // Nothing outside the bundle's folder: `hash.txt` sits one level up. (A plain `/pkg/../`
    // would be folded by the client before it is sent; an encoded slash reaches the server.)
    for path in ["/pkg/..%2Fhash.txt", "/pkg/%2e%2e%2Fhash.txt"] {
        let ((status, ..), body) = get(path, "").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!String::from_utf8_lossy(&body).contains(HASH), "{path} served the hash file");
    }
}
