//! What every answer and every write goes through, whoever sends it: state-changing requests a
//! browser sent from another site are refused (CSRF, login CSRF included), and every answer
//! carries the security headers (no sniffing, no framing, no referrer to other sites, and no
//! caching of anything but the hashed site assets), and a content-security policy: a page's names
//! its nonce (`app::content_security_policy`), anything else runs no script.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::ConnectInfo;
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};

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
/// set no caching of its own (pages and server functions carry a signed-in user's data; the bundle
/// under `/pkg` sets its own).
pub async fn security_headers(request: Request, next: Next) -> Response {
    static NO_SCRIPTS: std::sync::LazyLock<HeaderValue> = std::sync::LazyLock::new(|| {
        HeaderValue::from_str(&app::content_security_policy(None)).expect("the policy is ASCII")
    });
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name, value: &'static str| {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::REFERRER_POLICY, "same-origin");
    // A page set its own, with its scripts' nonce.
    headers.entry(header::CONTENT_SECURITY_POLICY).or_insert_with(|| NO_SCRIPTS.clone());
    set(headers, header::CACHE_CONTROL, "no-store");
    response
}

/// The cookie that vouches for one error link: the SHA-256 of the `__err` value this server put
/// in a redirect to this browser.
const ERROR_LINK_COOKIE: &str = "ats_bridge_error";

/// A form posted without JavaScript that fails comes back to its page with the error in the
/// address (`?__path=…&__err=…`, Leptos's progressive enhancement), and the page shows it. So that
/// a link from elsewhere cannot make a page show a text of its choosing, an error in the address is
/// shown only to the browser this server just sent it to: the redirect sets a short-lived,
/// same-site cookie with the error's digest, and a page asked for with an error the cookie does not
/// vouch for is sent (303) to the same address without it.
///
/// The failed post itself is answered 303 to its page: a server function's error sets its own
/// status (401, 422, …), which would otherwise override Leptos's redirect and leave a browser
/// without JavaScript looking at the error's JSON.
pub async fn own_error_links(State(secure): State<bool>, request: Request, next: Next) -> Response {
    if request.method() == Method::GET
        && let Some(err) = query_value(request.uri(), "__err")
        && cookie(request.headers(), ERROR_LINK_COOKIE) != Some(digest(&err).as_str())
    {
        tracing::info!(path = %request.uri().path(), "error link this browser was not sent: dropped");
        return Redirect::to(&without_error(request.uri())).into_response();
    }
    let mut response = next.run(request).await;
    let sent = response
        .headers()
        .get(header::LOCATION)
        .and_then(|location| location.to_str().ok())
        .and_then(|location| location.parse::<Uri>().ok())
        .and_then(|location| query_value(&location, "__err"));
    if let Some(err) = sent {
        *response.status_mut() = StatusCode::SEE_OTHER;
        let secure = if secure { "; Secure" } else { "" };
        let cookie =
            format!("{ERROR_LINK_COOKIE}={}; Path=/; Max-Age=300; HttpOnly; SameSite=Strict{secure}", digest(&err));
        if let Ok(cookie) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
    }
    response
}

fn query_value(uri: &Uri, name: &str) -> Option<String> {
    url::form_urlencoded::parse(uri.query()?.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

fn digest(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// A cookie's value (the header is `name=value; name=value`; one lookup, so no cookie crate).
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(name)?.strip_prefix('='))
}

/// The same path and query without Leptos's error pair.
fn without_error(uri: &Uri) -> String {
    let kept: Vec<(String, String)> = url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .filter(|(key, _)| key != "__err" && key != "__path")
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    if kept.is_empty() {
        return uri.path().to_owned();
    }
    let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(kept).finish();
    format!("{}?{query}", uri.path())
}

/// Sign-in attempts per client address (`governor`'s keyed GCRA limiter).
#[derive(Clone)]
pub struct SignInThrottle {
    limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

/// Addresses remembered before the ones with a full allowance again are forgotten.
const THROTTLE_ADDRESSES_KEPT: usize = 10_000;

impl SignInThrottle {
    pub fn new(per_minute: u32) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(per_minute.max(1)).expect("at least one"));
        SignInThrottle { limiter: Arc::new(DefaultKeyedRateLimiter::keyed(quota)) }
    }
}

/// Refuses (429, with the seconds to wait, as the form's error) a sign-in from a client address
/// that used up its allowance; the account lockout (`marketplace::auth`) is per email, this is
/// per address, so guessing many accounts from one place is slowed too.
pub async fn throttle_sign_in(State(throttle): State<SignInThrottle>, request: Request, next: Next) -> Response {
    let sign_in = request.method() == Method::POST
        && request.uri().path() == <app::api::SignIn as leptos::server_fn::ServerFn>::PATH;
    let address = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
    if sign_in && let Some(address) = address {
        if throttle.limiter.len() > THROTTLE_ADDRESSES_KEPT {
            throttle.limiter.retain_recent();
        }
        if let Err(not_until) = throttle.limiter.check_key(&address) {
            let wait = not_until.wait_time_from(DefaultClock::default().now()).as_secs().max(1);
            tracing::warn!(%address, wait, "sign-in throttled");
            let error = app::error::AppError::TooManyAttempts(format!(
                "Too many sign-in attempts from your network: try again in {wait} seconds."
            ));
            let body = serde_json::to_string(&error).unwrap_or_default();
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::CONTENT_TYPE, "application/json".to_owned()), (header::RETRY_AFTER, wait.to_string())],
                body,
            )
                .into_response();
        }
    }
    next.run(request).await
}
