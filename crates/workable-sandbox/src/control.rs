//! The control API, for tests and people: faults, the clock, token revocation, pipeline drift
//! (stage renamed or deleted, job closed), webhook delivery, and the request log.
//!
//! | call | effect |
//! |---|---|
//! | `GET/PUT /_control/faults` | read / replace [`Faults`] (JSON) |
//! | `POST /_control/clock/advance` `{"seconds": n}` | moves the sandbox clock forward |
//! | `PUT /_control/oauth/token-lifetime` `{"seconds": n}` | `expires_in` of access tokens issued from now on |
//! | `POST /_control/tokens/revoke` `{"token": "…"}` | revokes a token (and its OAuth grant) |
//! | `DELETE /_control/accounts/{sub}/jobs/{shortcode}` | deletes a job and its candidates |
//! | `POST /_control/accounts/{sub}/jobs/{shortcode}/state` `{"state": "closed"}` | changes a job's state |
//! | `POST /_control/accounts/{sub}/jobs/{shortcode}/stages/{slug}/rename` `{"name": "…"}` | renames a stage |
//! | `DELETE /_control/accounts/{sub}/jobs/{shortcode}/stages/{slug}` | deletes a stage |
//! | `POST /_control/accounts/{sub}/candidates/{id}/move` `{"stage": "…"}` | moves as a person would (fires webhooks) |
//! | `GET /_control/requests` | the request log; `DELETE` clears it |
//! | `GET /_control/webhooks` | deliveries still waiting |

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{Faults, Sandbox};

/// One SPI request as the sandbox answered it. Tokens appear by label, never by value.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LoggedRequest {
    pub at_ms: i64,
    pub method: String,
    pub path: String,
    pub query: String,
    pub token: Option<String>,
    pub status: u16,
    pub rate_limit_remaining: Option<u32>,
    pub lost_after_commit: bool,
}

impl LoggedRequest {
    pub(crate) fn new(at_ms: i64, method: &Method, path: &str, query: &str) -> Self {
        LoggedRequest {
            at_ms,
            method: method.to_string(),
            path: path.to_owned(),
            query: query.to_owned(),
            token: None,
            status: 0,
            rate_limit_remaining: None,
            lost_after_commit: false,
        }
    }
}

pub fn routes(sandbox: Sandbox) -> Router {
    Router::new()
        .route("/_control/faults", get(get_faults).put(put_faults))
        .route("/_control/clock/advance", post(advance_clock))
        .route("/_control/tokens/revoke", post(revoke_token))
        .route("/_control/oauth/token-lifetime", axum::routing::put(token_lifetime))
        .route("/_control/accounts/{sub}/jobs/{shortcode}", delete(delete_job))
        .route("/_control/accounts/{sub}/jobs/{shortcode}/state", post(job_state))
        .route("/_control/accounts/{sub}/jobs/{shortcode}/stages/{slug}/rename", post(rename_stage))
        .route("/_control/accounts/{sub}/jobs/{shortcode}/stages/{slug}", delete(delete_stage))
        .route("/_control/accounts/{sub}/candidates/{id}/move", post(move_candidate))
        .route("/_control/requests", get(requests).delete(clear_requests))
        .route("/_control/webhooks", get(webhooks))
        .route_layer(axum::middleware::from_fn(sandbox_support::loopback_only))
        .with_state(sandbox)
}

fn problem(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

async fn get_faults(State(sandbox): State<Sandbox>) -> Json<Faults> {
    Json(sandbox.faults())
}

async fn put_faults(State(sandbox): State<Sandbox>, Json(faults): Json<Faults>) -> Json<Faults> {
    sandbox.set_faults(faults);
    Json(sandbox.faults())
}

#[derive(Deserialize)]
struct Advance {
    seconds: i64,
}

async fn advance_clock(State(sandbox): State<Sandbox>, Json(advance): Json<Advance>) -> Json<serde_json::Value> {
    sandbox.advance_clock(advance.seconds * 1000);
    Json(json!({ "now_ms": sandbox.now_ms() }))
}

async fn token_lifetime(State(sandbox): State<Sandbox>, Json(lifetime): Json<Advance>) -> StatusCode {
    sandbox.set_access_token_seconds(lifetime.seconds);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct Revoke {
    token: String,
}

impl Sandbox {
    /// Revokes a token as an admin would in Workable's settings; an OAuth token takes its
    /// whole grant (and refresh tokens) with it.
    pub fn revoke_token(&self, secret: &str) -> bool {
        self.write(|w| {
            let Some(token) = w.tokens.iter_mut().find(|t| t.secret == secret) else { return false };
            token.revoked = true;
            if let Some(grant) = token.grant_id {
                w.grants.iter_mut().filter(|g| g.id == grant).for_each(|g| g.revoked = true);
            }
            true
        })
    }

    /// Renames a stage of a job's pipeline (its slug stays, as in Workable).
    pub fn rename_stage(&self, subdomain: &str, shortcode: &str, slug: &str, name: &str) -> bool {
        self.write(|w| {
            let stage = w
                .account_mut(subdomain)
                .and_then(|a| a.job_mut(shortcode))
                .and_then(|j| j.stages.iter_mut().find(|s| s.slug == slug));
            stage.map(|s| s.name = name.to_owned()).is_some()
        })
    }

    /// Deletes a stage from a job's pipeline; its candidates fall back to the first stage.
    pub fn delete_stage(&self, subdomain: &str, shortcode: &str, slug: &str) -> bool {
        self.write(|w| {
            let Some(account) = w.account_mut(subdomain) else { return false };
            let Some(job) = account.job_mut(shortcode) else { return false };
            let before = job.stages.len();
            job.stages.retain(|s| s.slug != slug);
            if job.stages.len() == before {
                return false;
            }
            let first = job.stages.first().map(|s| s.slug.clone()).unwrap_or_default();
            account
                .candidates
                .iter_mut()
                .filter(|c| c.job_shortcode == shortcode && c.stage_slug == slug)
                .for_each(|c| c.stage_slug = first.clone());
            true
        })
    }

    /// Deletes a candidate as a person would in Workable; fires `candidate_deleted`.
    pub fn delete_candidate(&self, subdomain: &str, id: &str) -> bool {
        let deleted = self
            .write(|w| w.account_mut(subdomain).and_then(|a| a.candidate_mut(id)).map(|c| c.deleted = true).is_some());
        if deleted {
            self.fire(subdomain, crate::webhooks::Event::Deleted, id);
        }
        deleted
    }

    /// Deletes a job as a person would in Workable: the job and its candidates are gone (their
    /// reads 404, and so does listing the job's candidates). No webhook: Workable sends none.
    pub fn delete_job(&self, subdomain: &str, shortcode: &str) -> bool {
        self.write(|w| {
            let Some(account) = w.account_mut(subdomain) else { return false };
            let before = account.jobs.len();
            account.jobs.retain(|j| j.shortcode != shortcode);
            if account.jobs.len() == before {
                return false;
            }
            account.candidates.iter_mut().filter(|c| c.job_shortcode == shortcode).for_each(|c| c.deleted = true);
            true
        })
    }

    /// Revokes every OAuth token and grant, as an admin removing the app's access in Workable
    /// would; returns how many tokens it revoked.
    pub fn revoke_oauth_access(&self) -> usize {
        self.write(|w| {
            let mut revoked = 0;
            for token in w.tokens.iter_mut().filter(|t| t.kind == crate::model::TokenKind::OAuth && !t.revoked) {
                token.revoked = true;
                revoked += 1;
            }
            w.grants.iter_mut().for_each(|g| g.revoked = true);
            revoked
        })
    }

    pub fn set_job_state(&self, subdomain: &str, shortcode: &str, state: &str) -> bool {
        let now = self.now_ms();
        self.write(|w| {
            let job = w.account_mut(subdomain).and_then(|a| a.job_mut(shortcode));
            job.map(|j| {
                j.state = state.to_owned();
                j.updated_at = now;
            })
            .is_some()
        })
    }
}

async fn revoke_token(State(sandbox): State<Sandbox>, Json(revoke): Json<Revoke>) -> Response {
    if sandbox.revoke_token(&revoke.token) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        problem(StatusCode::NOT_FOUND, "no such token")
    }
}

#[derive(Deserialize)]
struct JobState {
    state: String,
}

async fn delete_job(State(sandbox): State<Sandbox>, Path((sub, shortcode)): Path<(String, String)>) -> Response {
    if sandbox.delete_job(&sub, &shortcode) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        problem(StatusCode::NOT_FOUND, "no such job")
    }
}

async fn job_state(
    State(sandbox): State<Sandbox>,
    Path((sub, shortcode)): Path<(String, String)>,
    Json(body): Json<JobState>,
) -> Response {
    if !matches!(body.state.as_str(), "draft" | "published" | "closed" | "archived") {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, "state must be draft, published, closed or archived");
    }
    if sandbox.set_job_state(&sub, &shortcode, &body.state) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        problem(StatusCode::NOT_FOUND, "no such job")
    }
}

#[derive(Deserialize)]
struct Rename {
    name: String,
}

async fn rename_stage(
    State(sandbox): State<Sandbox>,
    Path((sub, shortcode, slug)): Path<(String, String, String)>,
    Json(body): Json<Rename>,
) -> Response {
    if body.name.trim().is_empty() {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, "name can't be blank");
    }
    if sandbox.rename_stage(&sub, &shortcode, &slug, body.name.trim()) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        problem(StatusCode::NOT_FOUND, "no such stage")
    }
}

async fn delete_stage(
    State(sandbox): State<Sandbox>,
    Path((sub, shortcode, slug)): Path<(String, String, String)>,
) -> Response {
    if sandbox.delete_stage(&sub, &shortcode, &slug) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        problem(StatusCode::NOT_FOUND, "no such stage")
    }
}

#[derive(Deserialize)]
struct MoveTo {
    stage: String,
}

async fn move_candidate(
    State(sandbox): State<Sandbox>,
    Path((sub, id)): Path<(String, String)>,
    Json(body): Json<MoveTo>,
) -> Response {
    match sandbox.move_to_stage(&sub, &id, &body.stage, None) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(err) => err.into_response(),
    }
}

async fn requests(State(sandbox): State<Sandbox>) -> Json<Vec<LoggedRequest>> {
    Json(sandbox.request_log())
}

async fn clear_requests(State(sandbox): State<Sandbox>) -> StatusCode {
    sandbox.inner.log.lock().expect("log lock").clear();
    StatusCode::NO_CONTENT
}

async fn webhooks(State(sandbox): State<Sandbox>) -> Json<serde_json::Value> {
    Json(json!({ "pending": sandbox.pending_webhooks() }))
}

/// A person's actions in Workable's own screens (they fire webhooks like the SPI's), for tests
/// and benchmarks in Rust; the error is Workable's message.
impl Sandbox {
    pub fn person_moves(&self, subdomain: &str, candidate: &str, stage: &str) -> Result<(), String> {
        self.move_to_stage(subdomain, candidate, stage, None).map_err(|e| e.message())
    }

    pub fn person_disqualifies(&self, subdomain: &str, candidate: &str, withdrew: bool) -> Result<(), String> {
        self.disqualify(subdomain, candidate, None, None, withdrew, None).map_err(|e| e.message())
    }

    pub fn person_reverts(&self, subdomain: &str, candidate: &str) -> Result<(), String> {
        self.revert(subdomain, candidate, None).map_err(|e| e.message())
    }
}
