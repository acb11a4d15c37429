//! The one gate every SPI call passes: the bearer token, the subdomain it may reach, the
//! rate limit and the faults on demand; and the scope and account checks handlers share.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::*;
use crate::Sandbox;
use crate::control::LoggedRequest;
use crate::model::Account;

pub(super) fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer "))?;
    Some(token.trim().to_owned())
}

/// Faults, authentication, the subdomain check and the rate limit, in Workable's order; the
/// request log; and the rate-limit headers on successful answers.
pub(super) async fn gatekeeper(State(sandbox): State<Sandbox>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or("").to_owned();
    let secret = bearer(request.headers());
    let mut logged = LoggedRequest::new(sandbox.now_ms(), &method, &path, &query);
    let response = guarded(&sandbox, request, next, secret, &mut logged).await;
    logged.status = response.status().as_u16();
    sandbox.inner.log.lock().expect("log lock").push(logged);
    response
}

pub(super) async fn guarded(
    sandbox: &Sandbox,
    mut request: Request,
    next: Next,
    secret: Option<String>,
    logged: &mut LoggedRequest,
) -> Response {
    let (latency, storm, pick_error) = {
        let mut faults = sandbox.inner.faults.lock().expect("faults lock");
        let storm = faults.rate_limit_storm_until_ms.is_some_and(|until| sandbox.now_ms() < until);
        (faults.latency_ms, storm, faults.pick_for_error())
    };
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    if storm {
        let reset = (sandbox.now_ms() / 1000) + 10;
        let mut response = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "Too many requests").into_response();
        rate_headers(&mut response, 10, 0, reset);
        return response;
    }
    if pick_error {
        return ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "Service unavailable").into_response();
    }

    let Some(secret) = secret else { return ApiError::new(StatusCode::UNAUTHORIZED, "Not authorized").into_response() };
    let now = sandbox.now_ms();
    let token = sandbox.read(|w| {
        let token = w.tokens.iter().find(|t| t.secret == secret)?;
        let grant_revoked = token.grant_id.is_some_and(|g| w.grants.iter().any(|grant| grant.id == g && grant.revoked));
        let expired = token.expires_at.is_some_and(|at| now >= at);
        (!token.revoked && !grant_revoked && !expired).then(|| token.clone())
    });
    let Some(token) = token else { return ApiError::new(StatusCode::UNAUTHORIZED, "Not authorized").into_response() };
    logged.token = Some(token.label.clone());

    let segments: Vec<&str> = request.uri().path().trim_start_matches('/').split('/').collect();
    let subdomain = (segments.first() != Some(&"spi")).then(|| segments[0].to_owned());
    // An account the token is not for, whether or not it exists: Workable's one 422 (it never
    // says whether an account exists).
    if let Some(sub) = &subdomain
        && !token.accounts.contains(sub)
    {
        return ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "Request subdomain does not match account subdomain")
            .into_response();
    }

    let limit = sandbox.inner.faults.lock().expect("faults lock").rate_limit_override.unwrap_or(token.kind.limit());
    let state =
        sandbox.inner.limits.lock().expect("limits lock").entry(token.secret.clone()).or_default().count(now, limit);
    logged.rate_limit_remaining = Some(state.remaining);
    if !state.allowed {
        let mut response = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "Too many requests").into_response();
        rate_headers(&mut response, state.limit, 0, state.reset_s);
        return response;
    }

    let write = matches!(*request.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
    request.extensions_mut().insert(Ctx { token, subdomain });
    let mut response = next.run(request).await;

    if write && response.status().is_success() {
        let lose = {
            let mut faults = sandbox.inner.faults.lock().expect("faults lock");
            let counted = faults.lose_responses_after_commit > 0;
            if counted {
                faults.lose_responses_after_commit -= 1;
            }
            counted || faults.pick_for_loss()
        };
        if lose {
            logged.lost_after_commit = true;
            return (StatusCode::BAD_GATEWAY, "").into_response();
        }
    }
    // Recorded production errors carried no rate-limit headers; successes do.
    if response.status().is_success() {
        rate_headers(&mut response, state.limit, state.remaining, state.reset_s);
    }
    response
}

pub(super) fn rate_headers(response: &mut Response, limit: u32, remaining: u32, reset: i64) {
    let headers = response.headers_mut();
    headers.insert("X-Rate-Limit-Limit", HeaderValue::from(limit));
    headers.insert("X-Rate-Limit-Remaining", HeaderValue::from(remaining));
    headers.insert("X-Rate-Limit-Reset", HeaderValue::from(reset));
}

pub(super) fn require(ctx: &Ctx, any_of: &[&str]) -> Result<(), ApiError> {
    if any_of.iter().any(|scope| ctx.token.has_scope(scope)) { Ok(()) } else { Err(ApiError::forbidden()) }
}

pub(super) fn sub(ctx: &Ctx) -> &str {
    ctx.subdomain.as_deref().unwrap_or_default()
}

/// `https://acme.workable.com` for Workable; `{base}/acme` here.
pub(super) fn host(sandbox: &Sandbox, subdomain: &str) -> String {
    sandbox.account_base(subdomain)
}

/// Runs `f` on the caller's account; unknown accounts are 404.
pub(super) fn with_account<T>(
    sandbox: &Sandbox,
    ctx: &Ctx,
    f: impl FnOnce(&Account) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    sandbox.read(|w| w.account(sub(ctx)).ok_or_else(ApiError::not_found).and_then(f))
}

// ---------------------------------------------------------------------------------------------
// Paging
