//! What every answer and every write goes through, whoever sends it: state-changing requests a
//! browser sent from another site are refused (CSRF, login CSRF included), and every answer
//! carries the security headers (no sniffing, no framing, no referrer to other sites, and no
//! caching of anything but the hashed site assets).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// This site's origin (`scheme://host[:port]`), from its public URL.
#[derive(Clone, Debug)]
pub struct Origin(Arc<str>);

impl Origin {
    pub fn of(public_url: &str) -> Origin {
        let origin = url::Url::parse(public_url)
            .map(|url| url.origin().ascii_serialization())
            .unwrap_or_else(|_| public_url.trim_end_matches('/').to_owned());
        Origin(origin.into())
    }
}

/// Refuses (403) a POST, PUT, PATCH or DELETE that a browser sent from another site: its
/// `Origin` is neither this site's public origin nor the host the browser addressed (`Host`:
/// `localhost` and `127.0.0.1` both work on one machine), or its `Sec-Fetch-Site` says
/// `cross-site`. A request with neither header did not come from a page in a browser (Workable's
/// webhooks, API clients) and passes; browsers send `Origin` on every cross-origin POST, form
/// posts included.
pub async fn same_site_writes(State(origin): State<Origin>, request: Request, next: Next) -> Response {
    let writes = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if writes {
        let headers = request.headers();
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let ours = |sent: &HeaderValue| {
            let sent = sent.to_str().unwrap_or_default();
            sent == &*origin.0
                || host.is_some_and(|host| sent.strip_prefix("http://").or(sent.strip_prefix("https://")) == Some(host))
        };
        let from_elsewhere = headers.get(header::ORIGIN).is_some_and(|sent| !ours(sent))
            || headers.get("sec-fetch-site").is_some_and(|site| site.as_bytes() == b"cross-site");
        if from_elsewhere {
            tracing::warn!(method = %request.method(), path = %request.uri().path(), "cross-site write refused");
            return (StatusCode::FORBIDDEN, "Cross-site requests are not accepted.").into_response();
        }
    }
    next.run(request).await
}

/// Adds the security headers to every answer, and `Cache-Control: no-store` to every answer that
/// set no caching of its own (pages and server functions carry a signed-in user's data; the
/// hashed site assets under `/pkg` may be cached).
pub async fn security_headers(request: Request, next: Next) -> Response {
    let assets = request.uri().path().starts_with("/pkg/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name, value: &'static str| {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::REFERRER_POLICY, "same-origin");
    set(headers, header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'; base-uri 'self'");
    if !assets {
        set(headers, header::CACHE_CONTROL, "no-store");
    }
    response
}
