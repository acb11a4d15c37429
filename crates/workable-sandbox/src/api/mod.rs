//! The SPI v3 endpoints: authentication, subdomain check, rate limit and faults in one
//! middleware (`guard`); then one handler per Workable resource, by seam — `jobs` (accounts,
//! jobs, stages, members), `candidates`, `actions` (move, disqualify, revert, comment, tag) and
//! `subscriptions` — with Workable's paging in `paging`. The state changes they make live outside
//! the HTTP files (`crate::changes`, the model).

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::Sandbox;
use crate::model::Token;

mod actions;
mod candidates;
mod guard;
mod jobs;
mod paging;
mod subscriptions;

use actions::*;
use candidates::*;
use guard::*;
use jobs::*;
pub(crate) use paging::encode;
use paging::*;
use subscriptions::*;

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
    pub(crate) fn new(status: StatusCode, message: &str) -> Self {
        ApiError { status, body: json!({ "error": message }) }
    }
    pub(crate) fn not_found() -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "Not found")
    }
    pub(crate) fn forbidden() -> Self {
        ApiError::new(StatusCode::FORBIDDEN, "Forbidden")
    }
    pub(crate) fn bad_request(message: &str) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }
    pub(crate) fn invalid(field: &str, problem: &str) -> Self {
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

pub(crate) use sandbox_support::json_response;

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
