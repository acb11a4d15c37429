//! The SPI v3 endpoints: authentication, subdomain check, rate limit and faults in one
//! middleware; then one handler per Workable resource.

use std::collections::HashMap;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use serde_json::{Value, json};

use crate::control::LoggedRequest;
use crate::model::{Account, Activity, Candidate, Comment, StoredFile, Subscription, Token, TokenKind, World};
use crate::webhooks::Event;
use crate::{Sandbox, render, seed};

/// The authenticated caller of an SPI request.
#[derive(Clone)]
struct Ctx {
    token: Token,
    /// The account addressed, for account-scoped paths.
    subdomain: Option<String>,
}

/// A Workable error answer: `{"error": …}`, optionally with `validation_errors`.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    body: Value,
}

impl ApiError {
    fn new(status: StatusCode, message: &str) -> Self {
        ApiError { status, body: json!({ "error": message }) }
    }
    fn not_found() -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "Not found")
    }
    fn forbidden() -> Self {
        ApiError::new(StatusCode::FORBIDDEN, "Forbidden")
    }
    fn bad_request(message: &str) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }
    fn invalid(field: &str, problem: &str) -> Self {
        let label = field[..1].to_uppercase() + &field[1..].replace('_', " ");
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: json!({ "error": format!("Validation failed: {label} {problem}"), "validation_errors": { field: [problem] } }),
        }
    }
}

impl ApiError {
    pub(crate) fn message(&self) -> String {
        self.body.get("error").and_then(Value::as_str).unwrap_or("error").to_owned()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.status, &self.body)
    }
}

type ApiResult = Result<Response, ApiError>;

pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    response
}

fn ok(body: Value) -> ApiResult {
    Ok(json_response(StatusCode::OK, &body))
}

/// Workable's empty `200 text/plain` answer to move and disqualify.
fn empty_text() -> ApiResult {
    let mut response = StatusCode::OK.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    Ok(response)
}

pub fn routes(sandbox: Sandbox) -> Router {
    let account_api = Router::new()
        .route("/{sub}/spi/v3/accounts", get(list_accounts))
        .route("/{sub}/spi/v3/accounts/{subdomain}", get(get_account))
        .route("/{sub}/spi/v3/jobs", get(list_jobs))
        .route("/{sub}/spi/v3/jobs/{shortcode}", get(get_job))
        .route("/{sub}/spi/v3/jobs/{shortcode}/stages", get(job_stages))
        .route("/{sub}/spi/v3/jobs/{shortcode}/members", get(job_members))
        .route("/{sub}/spi/v3/jobs/{shortcode}/application_form", get(application_form))
        .route("/{sub}/spi/v3/jobs/{shortcode}/candidates", get(list_job_candidates).post(create_candidate))
        .route("/{sub}/spi/v3/jobs/{shortcode}/candidates/{id}", get(get_candidate_legacy))
        .route("/{sub}/spi/v3/stages", get(account_stages))
        .route("/{sub}/spi/v3/members", get(list_members))
        .route("/{sub}/spi/v3/disqualification_reasons", get(disqualification_reasons))
        .route("/{sub}/spi/v3/candidates", get(list_candidates))
        .route("/{sub}/spi/v3/candidates/{id}", get(get_candidate).patch(update_candidate))
        .route("/{sub}/spi/v3/candidates/{id}/move", post(move_candidate))
        .route("/{sub}/spi/v3/candidates/{id}/disqualify", post(disqualify_candidate))
        .route("/{sub}/spi/v3/candidates/{id}/revert", post(revert_candidate))
        .route("/{sub}/spi/v3/candidates/{id}/comments", post(comment_candidate))
        .route("/{sub}/spi/v3/candidates/{id}/tags", axum::routing::put(tag_candidate))
        .route("/{sub}/spi/v3/candidates/{id}/activities", get(candidate_activities))
        .route("/{sub}/spi/v3/candidates/{id}/files", get(candidate_files))
        .route("/{sub}/spi/v3/subscriptions", get(list_subscriptions).post(create_subscription))
        .route("/{sub}/spi/v3/subscriptions/{id}", axum::routing::delete(delete_subscription))
        // Account discovery, on Workable's `www` host.
        .route("/spi/v3/accounts", get(list_accounts))
        .route_layer(middleware::from_fn_with_state(sandbox.clone(), gatekeeper))
        .with_state(sandbox.clone());
    Router::new().merge(account_api).route("/files/{candidate}/{file}", get(download_file)).with_state(sandbox)
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer "))?;
    Some(token.trim().to_owned())
}

/// Faults, authentication, the subdomain check and the rate limit, in Workable's order; the
/// request log; and the rate-limit headers on successful answers.
async fn gatekeeper(State(sandbox): State<Sandbox>, request: Request, next: Next) -> Response {
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

async fn guarded(
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
    if let Some(sub) = &subdomain {
        if !sandbox.read(|w| w.account(sub).is_some()) {
            return ApiError::not_found().into_response();
        }
        if !token.accounts.contains(sub) {
            return ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Request subdomain does not match account subdomain",
            )
            .into_response();
        }
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
            let lose = faults.lose_responses_after_commit > 0;
            if lose {
                faults.lose_responses_after_commit -= 1;
            }
            lose
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

fn rate_headers(response: &mut Response, limit: u32, remaining: u32, reset: i64) {
    let headers = response.headers_mut();
    headers.insert("X-Rate-Limit-Limit", HeaderValue::from(limit));
    headers.insert("X-Rate-Limit-Remaining", HeaderValue::from(remaining));
    headers.insert("X-Rate-Limit-Reset", HeaderValue::from(reset));
}

fn require(ctx: &Ctx, any_of: &[&str]) -> Result<(), ApiError> {
    if any_of.iter().any(|scope| ctx.token.has_scope(scope)) { Ok(()) } else { Err(ApiError::forbidden()) }
}

fn sub(ctx: &Ctx) -> &str {
    ctx.subdomain.as_deref().unwrap_or_default()
}

/// `https://acme.workable.com` for Workable; `{base}/acme` here.
fn host(sandbox: &Sandbox, subdomain: &str) -> String {
    sandbox.account_base(subdomain)
}

/// Runs `f` on the caller's account; unknown accounts are 404.
fn with_account<T>(
    sandbox: &Sandbox,
    ctx: &Ctx,
    f: impl FnOnce(&Account) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    sandbox.read(|w| w.account(sub(ctx)).ok_or_else(ApiError::not_found).and_then(f))
}

// ---------------------------------------------------------------------------------------------
// Paging

#[derive(Default)]
struct Page {
    limit: usize,
    since_id: Option<u64>,
    max_id: Option<u64>,
}

fn hex(id: &str) -> u64 {
    u64::from_str_radix(id, 16).unwrap_or(0)
}

impl Page {
    fn parse(query: &HashMap<String, String>) -> Result<Page, ApiError> {
        let limit = match query.get("limit") {
            Some(raw) => {
                raw.parse::<usize>().map_err(|_| ApiError::bad_request("limit must be a number"))?.clamp(1, 100)
            }
            None => 50,
        };
        let id = |key: &str| -> Result<Option<u64>, ApiError> {
            query
                .get(key)
                .map(|raw| {
                    u64::from_str_radix(raw, 16).map_err(|_| ApiError::bad_request(&format!("{key} is not an id")))
                })
                .transpose()
        };
        Ok(Page { limit, since_id: id("since_id")?, max_id: id("max_id")? })
    }

    /// One page of `items` (ordered by id), and the absolute `next` URL built from `next_base`
    /// plus every original filter, `limit` and `since_id` = the first id of the next page.
    fn apply(
        &self,
        items: Vec<(String, Value)>,
        next_base: &str,
        filters: &HashMap<String, String>,
    ) -> (Vec<Value>, Option<String>) {
        let mut items: Vec<(String, Value)> = items
            .into_iter()
            .filter(|(id, _)| {
                self.since_id.is_none_or(|since| hex(id) >= since) && self.max_id.is_none_or(|max| hex(id) <= max)
            })
            .collect();
        items.sort_by_key(|(id, _)| hex(id));
        let next = items.get(self.limit).map(|(id, _)| {
            let mut params: Vec<(String, String)> = filters
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "limit" | "since_id"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            params.sort();
            params.insert(0, ("since_id".into(), id.clone()));
            params.insert(0, ("limit".into(), self.limit.to_string()));
            let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
            format!("{next_base}?{}", query.join("&"))
        });
        items.truncate(self.limit);
        (items.into_iter().map(|(_, v)| v).collect(), next)
    }
}

/// Percent-encodes a query value (hand-written: one small function instead of a dependency).
pub(crate) fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn envelope(key: &str, items: Vec<Value>, next: Option<String>) -> Value {
    let mut body = json!({ key: items });
    if let Some(next) = next {
        body["paging"] = json!({ "next": next });
    }
    body
}

/// `20150708T115616Z`, Unix seconds, or `2015-07-08T11:56:16Z` → ms.
fn parse_time(raw: &str) -> Result<i64, ApiError> {
    if let Ok(seconds) = raw.parse::<i64>() {
        return Ok(seconds * 1000);
    }
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 14 {
        let n = |r: std::ops::Range<usize>| digits[r].parse::<i32>().unwrap_or(0);
        let month = time::Month::try_from(n(4..6) as u8).map_err(|_| ApiError::bad_request("invalid timestamp"))?;
        let date = time::Date::from_calendar_date(n(0..4), month, n(6..8) as u8)
            .map_err(|_| ApiError::bad_request("invalid timestamp"))?;
        let clock = time::Time::from_hms(n(8..10) as u8, n(10..12) as u8, n(12..14) as u8)
            .map_err(|_| ApiError::bad_request("invalid timestamp"))?;
        return Ok(date.with_time(clock).assume_utc().unix_timestamp() * 1000);
    }
    Err(ApiError::bad_request("invalid timestamp"))
}

fn time_filter(query: &HashMap<String, String>, key: &str) -> Result<Option<i64>, ApiError> {
    query.get(key).map(|raw| parse_time(raw)).transpose()
}

// ---------------------------------------------------------------------------------------------
// Accounts, jobs, stages, members

async fn list_accounts(State(sandbox): State<Sandbox>, axum::Extension(ctx): axum::Extension<Ctx>) -> ApiResult {
    require(&ctx, &["r_jobs"])?;
    let accounts = sandbox.read(|w| {
        w.accounts.iter().filter(|a| ctx.token.accounts.contains(&a.subdomain)).map(render::account).collect::<Vec<_>>()
    });
    ok(json!({ "accounts": accounts }))
}

async fn get_account(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, subdomain)): Path<(String, String)>,
) -> ApiResult {
    require(&ctx, &["r_jobs"])?;
    if subdomain != sub(&ctx) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Request subdomain does not match account subdomain",
        ));
    }
    with_account(&sandbox, &ctx, |a| ok(render::account(a)))
}

async fn list_jobs(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult {
    require(&ctx, &["r_jobs"])?;
    let page = Page::parse(&query)?;
    let state = query.get("state").cloned();
    if let Some(state) = &state
        && !matches!(state.as_str(), "draft" | "published" | "closed" | "archived")
    {
        return Err(ApiError::bad_request("state must be one of draft, published, closed, archived"));
    }
    let (created_after, updated_after) = (time_filter(&query, "created_after")?, time_filter(&query, "updated_after")?);
    let host = host(&sandbox, sub(&ctx));
    let items = with_account(&sandbox, &ctx, |a| {
        Ok(a.jobs
            .iter()
            .filter(|j| state.as_ref().is_none_or(|s| &j.state == s))
            .filter(|j| {
                created_after.is_none_or(|t| j.created_at > t) && updated_after.is_none_or(|t| j.updated_at > t)
            })
            .map(|j| (j.id.clone(), render::job_summary(&host, j)))
            .collect::<Vec<_>>())
    })?;
    let (jobs, next) = page.apply(items, &format!("{host}/spi/v3/jobs"), &query);
    ok(envelope("jobs", jobs, next))
}

async fn get_job(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, shortcode)): Path<(String, String)>,
) -> ApiResult {
    require(&ctx, &["r_jobs"])?;
    let host = host(&sandbox, sub(&ctx));
    with_account(&sandbox, &ctx, |a| {
        a.job(&shortcode).map(|j| render::job_detail(&host, j)).ok_or_else(ApiError::not_found)
    })
    .and_then(ok)
}

async fn job_stages(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, shortcode)): Path<(String, String)>,
) -> ApiResult {
    require(&ctx, &["r_jobs"])?;
    with_account(&sandbox, &ctx, |a| {
        let job = a.job(&shortcode).ok_or_else(ApiError::not_found)?;
        ok(json!({ "stages": job.stages.iter().map(render::stage).collect::<Vec<_>>() }))
    })
}

async fn account_stages(State(sandbox): State<Sandbox>, axum::Extension(ctx): axum::Extension<Ctx>) -> ApiResult {
    require(&ctx, &["r_jobs"])?;
    // The account pipeline: every distinct stage slug of its jobs, first occurrence wins.
    with_account(&sandbox, &ctx, |a| {
        let mut seen = std::collections::HashSet::new();
        let stages: Vec<Value> =
            a.jobs.iter().flat_map(|j| &j.stages).filter(|s| seen.insert(s.slug.clone())).map(render::stage).collect();
        ok(json!({ "stages": stages }))
    })
}

async fn job_members(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, shortcode)): Path<(String, String)>,
) -> ApiResult {
    require(&ctx, &["r_jobs"])?;
    with_account(&sandbox, &ctx, |a| {
        a.job(&shortcode).ok_or_else(ApiError::not_found)?;
        ok(json!({ "members": a.members.iter().filter(|m| m.active).map(render::job_member).collect::<Vec<_>>() }))
    })
}

async fn application_form(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, shortcode)): Path<(String, String)>,
) -> ApiResult {
    require(&ctx, &["r_jobs"])?;
    with_account(&sandbox, &ctx, |a| {
        a.job(&shortcode).map(|_| render::application_form()).ok_or_else(ApiError::not_found)
    })
    .and_then(ok)
}

async fn list_members(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult {
    require(&ctx, &["r_jobs"])?;
    if ctx.token.kind != TokenKind::Account && ctx.token.kind != TokenKind::OAuth {
        return Err(ApiError::forbidden());
    }
    let page = Page::parse(&query)?;
    let status = query.get("status").map_or("active", String::as_str).to_owned();
    let host = host(&sandbox, sub(&ctx));
    let items = with_account(&sandbox, &ctx, |a| {
        Ok(a.members
            .iter()
            .filter(|m| match status.as_str() {
                "all" => true,
                "inactive" => !m.active,
                _ => m.active,
            })
            .filter(|m| query.get("role").is_none_or(|r| &m.role == r))
            .filter(|m| query.get("email").is_none_or(|e| m.email.eq_ignore_ascii_case(e)))
            .filter(|m| query.get("name").is_none_or(|n| &m.name == n))
            .map(|m| (m.id.clone(), render::member(m)))
            .collect::<Vec<_>>())
    })?;
    let (members, next) = page.apply(items, &format!("{host}/spi/v3/members"), &query);
    ok(envelope("members", members, next))
}

async fn disqualification_reasons(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
) -> ApiResult {
    require(&ctx, &["r_jobs"])?;
    // A bare array, unlike every other collection.
    with_account(&sandbox, &ctx, |a| ok(Value::Array(a.disqualification_reasons.iter().map(render::reason).collect())))
}

// ---------------------------------------------------------------------------------------------
// Candidates: reading

async fn list_candidates(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult {
    let shortcode = query.get("shortcode").cloned();
    candidates_page(&sandbox, &ctx, &query, shortcode)
}

async fn list_job_candidates(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, shortcode)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult {
    with_account(&sandbox, &ctx, |a| a.job(&shortcode).map(|_| ()).ok_or_else(ApiError::not_found))?;
    candidates_page(&sandbox, &ctx, &query, Some(shortcode))
}

fn candidates_page(
    sandbox: &Sandbox,
    ctx: &Ctx,
    query: &HashMap<String, String>,
    shortcode: Option<String>,
) -> ApiResult {
    require(ctx, &["r_candidates"])?;
    let page = Page::parse(query)?;
    let (created_after, updated_after) = (time_filter(query, "created_after")?, time_filter(query, "updated_after")?);
    let email = query.get("email").map(|e| e.to_lowercase());
    let stage = query.get("stage").cloned();
    let host = host(sandbox, sub(ctx));
    let items = with_account(sandbox, ctx, |a| {
        Ok(a.candidates
            .iter()
            .filter(|c| !c.deleted)
            .filter(|c| shortcode.as_ref().is_none_or(|s| &c.job_shortcode == s))
            .filter(|c| email.as_ref().is_none_or(|e| c.email.to_lowercase() == *e))
            .filter(|c| stage.as_ref().is_none_or(|s| &c.stage_slug == s))
            .filter(|c| {
                created_after.is_none_or(|t| c.created_at > t) && updated_after.is_none_or(|t| c.updated_at > t)
            })
            .map(|c| (c.id.clone(), render::candidate_summary(&host, a, c)))
            .collect::<Vec<_>>())
    })?;
    // As recorded: with a job filter, `next` points at the legacy per-job path.
    let (next_base, filters) = match &shortcode {
        Some(code) => {
            let mut rest = query.clone();
            rest.remove("shortcode");
            (format!("{host}/spi/v3/jobs/{code}/candidates"), rest)
        }
        None => (format!("{host}/spi/v3/candidates"), query.clone()),
    };
    let (candidates, next) = page.apply(items, &next_base, &filters);
    ok(envelope("candidates", candidates, next))
}

fn candidate_json(sandbox: &Sandbox, a: &Account, c: &Candidate) -> Value {
    render::candidate_detail(&host(sandbox, &a.subdomain), &sandbox.base_url(), a, c)
}

async fn get_candidate(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult {
    require(&ctx, &["r_candidates"])?;
    with_account(&sandbox, &ctx, |a| {
        let c = a.candidate(&id).ok_or_else(ApiError::not_found)?;
        ok(json!({ "candidate": candidate_json(&sandbox, a, c) }))
    })
}

async fn get_candidate_legacy(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, shortcode, id)): Path<(String, String, String)>,
) -> ApiResult {
    require(&ctx, &["r_candidates"])?;
    with_account(&sandbox, &ctx, |a| {
        let c = a.candidate(&id).filter(|c| c.job_shortcode == shortcode).ok_or_else(ApiError::not_found)?;
        ok(json!({ "candidate": candidate_json(&sandbox, a, c) }))
    })
}

async fn candidate_activities(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, id)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult {
    require(&ctx, &["r_candidates"])?;
    let page = Page::parse(&query)?;
    let host = host(&sandbox, sub(&ctx));
    let items = with_account(&sandbox, &ctx, |a| {
        let c = a.candidate(&id).ok_or_else(ApiError::not_found)?;
        Ok(c.activities.iter().map(|act| (act.id.clone(), render::activity(a, c, act))).collect::<Vec<_>>())
    })?;
    let (activities, next) = page.apply(items, &format!("{host}/spi/v3/candidates/{id}/activities"), &query);
    ok(envelope("activities", activities, next))
}

async fn candidate_files(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult {
    require(&ctx, &["r_candidates"])?;
    let base = sandbox.base_url();
    with_account(&sandbox, &ctx, |a| {
        let c = a.candidate(&id).ok_or_else(ApiError::not_found)?;
        let files: Vec<Value> = c.resume.iter().chain(c.files.iter()).map(|f| render::file(&base, c, f)).collect();
        ok(json!({ "files": files }))
    })
}

/// The stored bytes behind `resume_url` and `preview_url`.
async fn download_file(State(sandbox): State<Sandbox>, Path((candidate, file)): Path<(String, String)>) -> Response {
    let found = sandbox.read(|w| {
        w.accounts.iter().flat_map(|a| &a.candidates).find(|c| c.id == candidate).and_then(|c| {
            c.resume.iter().chain(c.files.iter()).find(|f| f.id == file).map(|f| (f.name.clone(), f.data.clone()))
        })
    });
    match found {
        Some((name, data)) => {
            let kind =
                if name.to_lowercase().ends_with(".pdf") { "application/pdf" } else { "application/octet-stream" };
            (
                [
                    (header::CONTENT_TYPE, kind.to_owned()),
                    (header::CONTENT_DISPOSITION, format!("inline; filename=\"{}\"", name.replace('"', ""))),
                ],
                Body::from(data),
            )
                .into_response()
        }
        None => ApiError::not_found().into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// Candidates: writing

fn body_json(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(bytes).map_err(|_| ApiError::bad_request("The request body is not valid JSON"))
}

/// `{"candidate": {...}}`, or (as Workable also accepts) the fields at the root.
fn candidate_fields(body: &Value) -> Value {
    body.get("candidate").cloned().unwrap_or_else(|| body.clone())
}

fn text(fields: &Value, key: &str) -> Option<String> {
    fields.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

fn strings(value: &Value) -> Result<Vec<String>, ApiError> {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| ApiError::bad_request("expected a list of strings")))
            .collect(),
        _ => Err(ApiError::bad_request("expected a list of strings")),
    }
}

fn objects(value: &Value, field: &str, required: &[&str]) -> Result<Vec<Value>, ApiError> {
    let Value::Array(items) = value else { return Err(ApiError::invalid(field, "must be a list")) };
    for item in items {
        for key in required {
            if item.get(*key).and_then(Value::as_str).is_none_or(|s| s.trim().is_empty()) {
                return Err(ApiError::invalid(field, &format!("{key} can't be blank")));
            }
        }
    }
    Ok(items.clone())
}

fn decode_file(value: &Value, field: &str, world: &mut World, source: &str) -> Result<StoredFile, ApiError> {
    let name = value
        .get("name")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::invalid(field, "name can't be blank"))?;
    let data =
        value.get("data").and_then(Value::as_str).ok_or_else(|| ApiError::invalid(field, "data can't be blank"))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|_| ApiError::invalid(field, "data is not valid base64"))?;
    if bytes.len() > 5 * 1024 * 1024 {
        return Err(ApiError::invalid(field, "is too large (maximum is 5 MB)"));
    }
    Ok(StoredFile { id: world.hex_id(), name: name.to_owned(), source: source.to_owned(), data: bytes })
}

/// Applies the writable fields of a create or PATCH body; arrays replace the whole list.
fn apply_fields(c: &mut Candidate, fields: &Value, world: &mut World) -> Result<(), ApiError> {
    for key in ["headline", "summary", "address", "phone", "cover_letter", "domain"] {
        if let Some(value) = fields.get(key) {
            let value = value.as_str().map(str::to_owned).filter(|s| !s.is_empty());
            match key {
                "headline" => c.headline = value,
                "summary" => c.summary = value,
                "address" => c.address = value,
                "phone" => c.phone = value,
                "cover_letter" => c.cover_letter = value,
                _ => c.domain = value,
            }
        }
    }
    if let Some(value) = fields.get("skills") {
        c.skills = strings(value)?;
    }
    if let Some(value) = fields.get("tags") {
        c.tags = strings(value)?;
    }
    if let Some(value) = fields.get("education_entries") {
        c.education_entries = with_ids(objects(value, "education_entries", &["school"])?, world);
    }
    if let Some(value) = fields.get("experience_entries") {
        c.experience_entries = with_ids(objects(value, "experience_entries", &["title"])?, world);
    }
    if let Some(value) = fields.get("social_profiles") {
        c.social_profiles = objects(value, "social_profiles", &["type", "url"])?;
    }
    if let Some(value) = fields.get("resume").filter(|v| !v.is_null()) {
        c.resume = Some(decode_file(value, "resume", world, "upload")?);
    }
    Ok(())
}

fn with_ids(entries: Vec<Value>, world: &mut World) -> Vec<Value> {
    entries
        .into_iter()
        .map(|mut e| {
            if e.get("id").is_none() {
                e["id"] = Value::String(world.hex_id());
            }
            e
        })
        .collect()
}

async fn create_candidate(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, shortcode)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    body: axum::body::Bytes,
) -> ApiResult {
    require(&ctx, &["w_candidates"])?;
    let body = body_json(&body)?;
    let fields = candidate_fields(&body);
    let sourced = body.get("sourced").and_then(Value::as_bool).unwrap_or(true);
    let now = sandbox.now_ms();
    let subdomain = sub(&ctx).to_owned();
    let (value, id) = sandbox.write(|w| {
        let account = w.account(&subdomain).ok_or_else(ApiError::not_found)?;
        let job = account.job(&shortcode).ok_or_else(ApiError::not_found)?;
        if job.state == "archived" {
            return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "Job is archived"));
        }
        let stage = match query.get("stage") {
            Some(slug) => job.stage(slug).ok_or_else(|| ApiError::invalid("stage", "is invalid"))?.slug.clone(),
            None => if sourced { "sourced" } else { "applied" }.to_owned(),
        };
        let email = text(&fields, "email").ok_or_else(|| ApiError::invalid("email", "can't be blank"))?;
        if !email.contains('@') || email.contains(char::is_whitespace) {
            return Err(ApiError::invalid("email", "is invalid"));
        }
        let (first, last) = match (text(&fields, "firstname"), text(&fields, "lastname"), text(&fields, "name")) {
            (Some(first), Some(last), _) => (first, last),
            (_, _, Some(name)) => match name.split_once(' ') {
                Some((first, last)) => (first.to_owned(), last.to_owned()),
                None => (name, String::new()),
            },
            _ => return Err(ApiError::invalid("name", "can't be blank")),
        };
        // Workable dedupes by email per job.
        if account
            .candidates
            .iter()
            .any(|c| !c.deleted && c.job_shortcode == shortcode && c.email.eq_ignore_ascii_case(&email))
        {
            return Err(ApiError::invalid("email", "candidate already exists"));
        }
        let mut candidate = seed::new_candidate(w, &shortcode, &first, &last, &email, &stage, sourced, now);
        apply_fields(&mut candidate, &fields, w)?;
        let account = w.account_mut(&subdomain).expect("checked above");
        let id = candidate.id.clone();
        account.candidates.push(candidate);
        let account = w.account(&subdomain).expect("checked above");
        let c = account.candidate(&id).expect("just added");
        Ok((candidate_json(&sandbox, account, c), id))
    })?;
    sandbox.fire(&subdomain, Event::Created, &id);
    ok(json!({ "status": "created", "candidate": value }))
}

async fn update_candidate(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> ApiResult {
    require(&ctx, &["w_candidates"])?;
    let body = body_json(&body)?;
    let fields = candidate_fields(&body);
    let now = sandbox.now_ms();
    let subdomain = sub(&ctx).to_owned();
    sandbox.write(|w| {
        let mut candidate =
            w.account(&subdomain).and_then(|a| a.candidate(&id)).cloned().ok_or_else(ApiError::not_found)?;
        if let Some(email) = text(&fields, "email") {
            candidate.email = email;
        }
        if let Some(first) = text(&fields, "firstname") {
            candidate.firstname = first;
        }
        if let Some(last) = text(&fields, "lastname") {
            candidate.lastname = last;
        }
        apply_fields(&mut candidate, &fields, w)?;
        candidate.updated_at = now;
        let account = w.account_mut(&subdomain).expect("checked above");
        *account.candidate_mut(&id).expect("checked above") = candidate;
        let account = w.account(&subdomain).expect("checked above");
        ok(json!({ "candidate": candidate_json(&sandbox, account, account.candidate(&id).expect("present")) }))
    })
}

/// The member acting on candidate `id` (which must exist) in the caller's account.
fn member_acting_on(sandbox: &Sandbox, ctx: &Ctx, id: &str, body: &Value) -> Result<String, ApiError> {
    with_account(sandbox, ctx, |a| {
        a.candidate(id).ok_or_else(ApiError::not_found)?;
        acting_member(body, a)
    })
}

/// The member named by `member_id`, who must exist in the account.
fn acting_member(body: &Value, account: &Account) -> Result<String, ApiError> {
    let id = body
        .get("member_id")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::invalid("member_id", "can't be blank"))?;
    account
        .member(id)
        .map(|m| m.id.clone())
        .ok_or_else(|| ApiError::invalid("member_id", "is not a member of this account"))
}

/// The activity a change to a candidate leaves on their timeline.
struct Note<'a> {
    action: &'a str,
    target: Option<String>,
    member: Option<&'a str>,
    body: Option<String>,
}

impl Sandbox {
    /// Changes a candidate with `change`, records `note` as an activity and fires
    /// `candidate_moved`: what move, disqualify and revert share.
    fn change_candidate(
        &self,
        subdomain: &str,
        id: &str,
        note: Note<'_>,
        change: impl FnOnce(&mut Candidate, i64) -> Result<(), ApiError>,
    ) -> Result<(), ApiError> {
        let now = self.now_ms();
        self.write(|w| {
            let activity_id = w.hex_id();
            let c = w.account_mut(subdomain).and_then(|a| a.candidate_mut(id)).ok_or_else(ApiError::not_found)?;
            let stage_before = c.stage_slug.clone();
            change(c, now)?;
            c.updated_at = now;
            c.activities.push(Activity {
                id: activity_id,
                action: note.action.to_owned(),
                stage_slug: stage_before,
                target_stage_slug: note.target,
                member_id: note.member.map(str::to_owned),
                body: note.body,
                created_at: now,
            });
            Ok(())
        })?;
        self.fire(subdomain, Event::Moved, id);
        Ok(())
    }

    /// Moves a candidate to `target` in their job's pipeline, as `member`; shared by the SPI
    /// and the page for people.
    pub(crate) fn move_to_stage(
        &self,
        subdomain: &str,
        id: &str,
        target: &str,
        member: Option<&str>,
    ) -> Result<(), ApiError> {
        let stage = self.read(|w| {
            let account = w.account(subdomain).ok_or_else(ApiError::not_found)?;
            let job =
                account.candidate(id).and_then(|c| account.job(&c.job_shortcode)).ok_or_else(ApiError::not_found)?;
            job.stage(target).cloned().ok_or_else(|| ApiError::invalid("target_stage", "is not a stage of this job"))
        })?;
        let note = Note { action: &stage.slug, target: Some(stage.slug.clone()), member, body: None };
        self.change_candidate(subdomain, id, note, |c, now| {
            c.stage_slug = stage.slug.clone();
            match stage.kind.as_str() {
                "offer" => c.moved_to_offer_at = Some(now),
                "hired" => c.hired_at = Some(now),
                _ => {}
            }
            Ok(())
        })
    }

    /// Disqualifies a candidate (rejected, or withdrawn when `withdrew`). Workable has no
    /// separate disqualification event: it is a `candidate_moved`.
    pub(crate) fn disqualify(
        &self,
        subdomain: &str,
        id: &str,
        reason: Option<String>,
        note: Option<String>,
        withdrew: bool,
        member: Option<&str>,
    ) -> Result<(), ApiError> {
        let note = Note { action: "disqualified", target: None, member, body: note };
        self.change_candidate(subdomain, id, note, |c, now| {
            c.disqualified = true;
            c.disqualified_at = Some(now);
            c.withdrew = withdrew;
            c.disqualification_reason = reason;
            Ok(())
        })
    }

    pub(crate) fn revert(&self, subdomain: &str, id: &str, member: Option<&str>) -> Result<(), ApiError> {
        let note = Note { action: "reverted", target: None, member, body: None };
        self.change_candidate(subdomain, id, note, |c, _| {
            if !c.disqualified {
                return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "Candidate is not disqualified"));
            }
            c.disqualified = false;
            c.disqualified_at = None;
            c.withdrew = false;
            c.disqualification_reason = None;
            Ok(())
        })
    }
}

async fn move_candidate(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> ApiResult {
    require(&ctx, &["w_candidates"])?;
    let body = body_json(&body)?;
    let member = member_acting_on(&sandbox, &ctx, &id, &body)?;
    let target = body
        .get("target_stage")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::invalid("target_stage", "can't be blank"))?;
    sandbox.move_to_stage(sub(&ctx), &id, target, Some(&member))?;
    empty_text()
}

async fn disqualify_candidate(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> ApiResult {
    require(&ctx, &["w_candidates"])?;
    let body = body_json(&body)?;
    let (member, reason) = with_account(&sandbox, &ctx, |a| {
        a.candidate(&id).ok_or_else(ApiError::not_found)?;
        let member = acting_member(&body, a)?;
        let reason = match body.get("disqualify_reason_id").and_then(Value::as_str) {
            Some(reason_id) => Some(
                a.disqualification_reasons
                    .iter()
                    .find(|r| r.id == reason_id)
                    .map(|r| r.description.clone())
                    .ok_or_else(|| ApiError::invalid("disqualify_reason_id", "is invalid"))?,
            ),
            // Deprecated free text, still accepted.
            None => text(&body, "disqualification_reason"),
        };
        Ok((member, reason))
    })?;
    let note = text(&body, "disqualify_note");
    if note.as_ref().is_some_and(|n| n.chars().count() > 256) {
        return Err(ApiError::invalid("disqualify_note", "is too long (maximum is 256 characters)"));
    }
    let withdrew = body.get("withdrew").and_then(Value::as_bool).unwrap_or(false);
    sandbox.disqualify(sub(&ctx), &id, reason, note, withdrew, Some(&member))?;
    empty_text()
}

async fn revert_candidate(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> ApiResult {
    require(&ctx, &["w_candidates"])?;
    let body = body_json(&body)?;
    let member = member_acting_on(&sandbox, &ctx, &id, &body)?;
    sandbox.revert(sub(&ctx), &id, Some(&member))?;
    // Recorded: an empty body, labelled JSON.
    let mut response = StatusCode::OK.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(response)
}

async fn comment_candidate(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> ApiResult {
    require(&ctx, &["w_candidates", "w_comments"])?;
    let body = body_json(&body)?;
    let subdomain = sub(&ctx).to_owned();
    let now = sandbox.now_ms();
    let comment_id = sandbox.write(|w| {
        let account = w.account(&subdomain).ok_or_else(ApiError::not_found)?;
        account.candidate(&id).ok_or_else(ApiError::not_found)?;
        let member = acting_member(&body, account)?;
        let comment = body.get("comment").ok_or_else(|| ApiError::invalid("comment", "can't be blank"))?;
        let text_body = text(comment, "body").ok_or_else(|| ApiError::invalid("body", "can't be blank"))?;
        let policy = comment.get("policy").map(strings).transpose()?.unwrap_or_default();
        let attachment = comment
            .get("attachment")
            .filter(|v| !v.is_null())
            .map(|a| decode_file(a, "attachment", w, "comment"))
            .transpose()?;
        let comment_id = w.int_id().to_string();
        let activity_id = w.hex_id();
        let account = w.account_mut(&subdomain).expect("checked above");
        let c = account.candidate_mut(&id).expect("checked above");
        c.comments.push(Comment {
            id: comment_id.clone(),
            member_id: member.clone(),
            body: text_body.clone(),
            policy,
            attachment_file_id: attachment.as_ref().map(|f| f.id.clone()),
            created_at: now,
        });
        if let Some(file) = attachment {
            c.files.push(file);
        }
        c.activities.push(Activity {
            id: activity_id,
            action: "comment".into(),
            stage_slug: c.stage_slug.clone(),
            target_stage_slug: None,
            member_id: Some(member),
            body: Some(text_body),
            created_at: now,
        });
        c.updated_at = now;
        Ok(comment_id)
    })?;
    ok(json!({ "id": comment_id }))
}

async fn tag_candidate(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> ApiResult {
    require(&ctx, &["w_candidates"])?;
    let body = body_json(&body)?;
    let tags = strings(body.get("tags").ok_or_else(|| ApiError::invalid("tags", "can't be blank"))?)?;
    let subdomain = sub(&ctx).to_owned();
    let now = sandbox.now_ms();
    sandbox.write(|w| {
        let c = w.account_mut(&subdomain).and_then(|a| a.candidate_mut(&id)).ok_or_else(ApiError::not_found)?;
        c.tags = tags.clone();
        c.updated_at = now;
        Ok(())
    })?;
    ok(json!({ "tags": tags }))
}

// ---------------------------------------------------------------------------------------------
// Subscriptions

async fn list_subscriptions(State(sandbox): State<Sandbox>, axum::Extension(ctx): axum::Extension<Ctx>) -> ApiResult {
    require(&ctx, &["r_candidates", "r_employees"])?;
    with_account(&sandbox, &ctx, |a| {
        ok(json!({ "subscriptions": a.subscriptions.iter().map(render::subscription).collect::<Vec<_>>() }))
    })
}

const EVENTS: [&str; 8] = [
    "candidate_created",
    "candidate_moved",
    "candidate_deleted",
    "employee_created",
    "employee_updated",
    "employee_published",
    "onboarding_completed",
    "timeoff_updated",
];

async fn create_subscription(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    body: axum::body::Bytes,
) -> ApiResult {
    require(&ctx, &["r_candidates", "r_employees"])?;
    let body = body_json(&body)?;
    let target = text(&body, "target").ok_or_else(|| ApiError::invalid("target", "can't be blank"))?;
    if !(target.starts_with("http://") || target.starts_with("https://")) {
        return Err(ApiError::invalid("target", "is not a URL"));
    }
    let event = text(&body, "event").ok_or_else(|| ApiError::invalid("event", "can't be blank"))?;
    if !EVENTS.contains(&event.as_str()) {
        return Err(ApiError::invalid("event", "is not supported"));
    }
    let args = body.get("args").filter(|a| !a.is_null());
    let (job_shortcode, stage_slug) = match args {
        Some(args) => {
            let job = args
                .get("job_shortcode")
                .and_then(Value::as_str)
                .ok_or_else(|| ApiError::invalid("args", "job_shortcode is required"))?;
            let stage = args
                .get("stage_slug")
                .and_then(Value::as_str)
                .ok_or_else(|| ApiError::invalid("args", "stage_slug is required"))?;
            (Some(job.to_owned()).filter(|s| !s.is_empty()), Some(stage.to_owned()).filter(|s| !s.is_empty()))
        }
        None => (None, None),
    };
    let subdomain = sub(&ctx).to_owned();
    let now = sandbox.now_ms();
    let signing_key = match ctx.token.kind {
        TokenKind::Account => ctx.token.secret.clone(),
        TokenKind::OAuth => sandbox.read(|w| {
            let grant = w.grants.iter().find(|g| Some(g.id) == ctx.token.grant_id);
            grant
                .and_then(|g| w.clients.iter().find(|c| c.client_id == g.client_id))
                .map(|c| c.client_secret.clone())
                .unwrap_or_default()
        }),
    };
    let id = sandbox.write(|w| {
        if w.account(&subdomain).is_some_and(|a| a.subscriptions.iter().any(|s| s.target == target)) {
            return Err(ApiError::new(StatusCode::CONFLICT, "Target already subscribed"));
        }
        let id = w.int_id();
        let account = w.account_mut(&subdomain).ok_or_else(ApiError::not_found)?;
        account.subscriptions.push(Subscription {
            id,
            event,
            target,
            job_shortcode,
            stage_slug,
            created_at: now,
            signing_key,
        });
        Ok(id)
    })?;
    ok(json!({ "id": id }))
}

async fn delete_subscription(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult {
    require(&ctx, &["r_candidates", "r_employees"])?;
    let id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    let subdomain = sub(&ctx).to_owned();
    sandbox.write(|w| {
        let account = w.account_mut(&subdomain).ok_or_else(ApiError::not_found)?;
        let before = account.subscriptions.len();
        account.subscriptions.retain(|s| s.id != id);
        if account.subscriptions.len() == before { Err(ApiError::not_found()) } else { Ok(()) }
    })?;
    ok(json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_read_in_every_documented_form() {
        let expected = 1_436_356_576_000;
        assert_eq!(parse_time("20150708T115616Z").unwrap(), expected);
        assert_eq!(parse_time("2015-07-08T11:56:16Z").unwrap(), expected);
        assert_eq!(parse_time("1436356576").unwrap(), expected);
        assert!(parse_time("yesterday").is_err());
    }

    #[test]
    fn a_page_stops_at_its_limit_and_points_at_the_next_first_id() {
        let items: Vec<(String, Value)> = (1..=5).map(|i| (format!("{i:x}"), json!(i))).collect();
        let page = Page { limit: 2, since_id: Some(2), max_id: None };
        let mut filters = HashMap::new();
        filters.insert("stage".to_owned(), "applied".to_owned());
        let (values, next) = page.apply(items, "http://x/acme/spi/v3/candidates", &filters);
        assert_eq!(values, vec![json!(2), json!(3)]);
        assert_eq!(next.as_deref(), Some("http://x/acme/spi/v3/candidates?limit=2&since_id=4&stage=applied"));
    }
}
