//! The control API, for tests and people on this machine (other addresses get 403): faults, the clock, token revocation and lifetime,
//! what a person does in Lever's own UI (move, archive, delete an opportunity; close a posting;
//! remove a stage or an archive reason — drift), webhook delivery, and the request log.
//!
//! | call | effect |
//! |---|---|
//! | `GET/PUT /_control/faults` | read / replace [`Faults`] (JSON) |
//! | `POST /_control/clock/advance` `{"seconds": n}` | moves the sandbox clock forward |
//! | `PUT /_control/oauth/token-lifetime` `{"seconds": n}` | `expires_in` of access tokens issued from now on |
//! | `POST /_control/tokens/revoke` `{"account": "…"}` | ends every OAuth grant of the account (a Super Admin revoking the app) |
//! | `POST /_control/accounts/{account}/opportunities/{id}/stage` `{"stage": "…"}` | moves, as a person would (fires webhooks) |
//! | `POST /_control/accounts/{account}/opportunities/{id}/archived` `{"reason": "…" \| null}` | archives or unarchives |
//! | `DELETE /_control/accounts/{account}/opportunities/{id}` | deletes an opportunity |
//! | `POST /_control/accounts/{account}/postings/{id}/state` `{"state": "closed"}` | changes a posting's state |
//! | `DELETE /_control/accounts/{account}/stages/{id}` | removes a stage from the pipeline |
//! | `DELETE /_control/accounts/{account}/archive_reasons/{id}` | removes an archive reason |
//! | `GET /_control/requests` | the request log; `DELETE` clears it |
//! | `GET /_control/webhooks` | deliveries still waiting |

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::model::{Account, Happened, Refusal, remove_one};
use crate::{Faults, LeverSandbox};

/// One API request as the sandbox answered it. Credentials appear by label, never by value.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LoggedRequest {
    pub at_ms: i64,
    pub method: String,
    pub path: String,
    pub query: String,
    pub credential: Option<String>,
    pub status: u16,
    pub lost_after_commit: bool,
}

impl LoggedRequest {
    pub(crate) fn new(at_ms: i64, method: &Method, path: &str, query: &str) -> Self {
        LoggedRequest {
            at_ms,
            method: method.to_string(),
            path: path.to_owned(),
            query: query.to_owned(),
            credential: None,
            status: 0,
            lost_after_commit: false,
        }
    }
}

pub fn routes(sandbox: LeverSandbox) -> Router {
    Router::new()
        .route("/_control/faults", get(get_faults).put(put_faults))
        .route("/_control/clock/advance", post(advance_clock))
        .route("/_control/oauth/token-lifetime", axum::routing::put(token_lifetime))
        .route("/_control/tokens/revoke", post(revoke))
        .route("/_control/accounts/{account}/opportunities/{id}/stage", post(move_stage))
        .route("/_control/accounts/{account}/opportunities/{id}/archived", post(archive))
        .route("/_control/accounts/{account}/opportunities/{id}", delete(delete_opportunity))
        .route("/_control/accounts/{account}/postings/{id}/state", post(posting_state))
        .route("/_control/accounts/{account}/stages/{id}", delete(delete_stage))
        .route("/_control/accounts/{account}/archive_reasons/{id}", delete(delete_reason))
        .route("/_control/requests", get(requests).delete(clear_requests))
        .route("/_control/webhooks", get(webhooks))
        .route("/_control/accounts/{account}/webhooks", get(account_webhooks))
        .route_layer(axum::middleware::from_fn(sandbox_support::loopback_only))
        .with_state(sandbox)
}

async fn get_faults(State(s): State<LeverSandbox>) -> Json<Faults> {
    Json(s.faults())
}

async fn put_faults(State(s): State<LeverSandbox>, Json(faults): Json<Faults>) -> Json<Faults> {
    s.set_faults(faults);
    Json(s.faults())
}

#[derive(Deserialize)]
struct Seconds {
    seconds: i64,
}

async fn advance_clock(State(s): State<LeverSandbox>, Json(by): Json<Seconds>) -> Json<serde_json::Value> {
    s.advance_clock(by.seconds.max(0) * 1000);
    Json(json!({ "now_ms": s.now_ms() }))
}

async fn token_lifetime(State(s): State<LeverSandbox>, Json(by): Json<Seconds>) -> StatusCode {
    s.set_access_token_seconds(by.seconds);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct RevokeBody {
    account: String,
}

async fn revoke(State(s): State<LeverSandbox>, Json(body): Json<RevokeBody>) -> StatusCode {
    s.revoke_account_grants(&body.account);
    StatusCode::NO_CONTENT
}

fn person(s: &LeverSandbox, account: &str, f: impl FnOnce(&mut Account, i64) -> Result<Happened, Refusal>) -> Response {
    let now = s.now_ms();
    let outcome = s.write(|w| match w.account_mut(account) {
        Some(a) => f(a, now),
        None => Err(Refusal::NotFound(format!("Account {account} was not found"))),
    });
    match outcome {
        Ok(happened) => {
            s.fire(account, happened);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(Refusal::NotFound(m)) => (StatusCode::NOT_FOUND, m).into_response(),
        Err(Refusal::BadRequest(m)) => (StatusCode::BAD_REQUEST, m).into_response(),
    }
}

#[derive(Deserialize)]
struct StageBody {
    stage: String,
}

async fn move_stage(
    State(s): State<LeverSandbox>,
    Path((account, id)): Path<(String, String)>,
    Json(b): Json<StageBody>,
) -> Response {
    person(&s, &account, |a, now| {
        let user = a.users.first().map(|u| u.id.clone());
        a.move_stage(&id, &b.stage, user, now)
    })
}

#[derive(Deserialize)]
struct ArchiveBody {
    reason: Option<String>,
}

async fn archive(
    State(s): State<LeverSandbox>,
    Path((account, id)): Path<(String, String)>,
    Json(b): Json<ArchiveBody>,
) -> Response {
    person(&s, &account, |a, now| a.set_archived(&id, b.reason.as_deref(), now))
}

async fn delete_opportunity(State(s): State<LeverSandbox>, Path((account, id)): Path<(String, String)>) -> Response {
    person(&s, &account, |a, now| a.delete_opportunity(&id, now))
}

#[derive(Deserialize)]
struct StateBody {
    state: String,
}

async fn posting_state(
    State(s): State<LeverSandbox>,
    Path((account, id)): Path<(String, String)>,
    Json(b): Json<StateBody>,
) -> Response {
    person(&s, &account, |a, now| {
        let posting = a
            .postings
            .iter_mut()
            .find(|p| p.id == id)
            .ok_or_else(|| Refusal::NotFound(format!("Posting {id} was not found")))?;
        posting.state = b.state;
        posting.updated_at = now;
        Ok(Vec::new())
    })
}

async fn delete_stage(State(s): State<LeverSandbox>, Path((account, id)): Path<(String, String)>) -> Response {
    person(&s, &account, |a, _| {
        remove_one(&mut a.stages, "Stage", &id, |st| st.id == id)?;
        Ok(Vec::new())
    })
}

async fn delete_reason(State(s): State<LeverSandbox>, Path((account, id)): Path<(String, String)>) -> Response {
    person(&s, &account, |a, _| {
        remove_one(&mut a.archive_reasons, "Archive reason", &id, |r| r.id == id)?;
        Ok(Vec::new())
    })
}

async fn requests(State(s): State<LeverSandbox>) -> Json<Vec<LoggedRequest>> {
    Json(s.request_log())
}

async fn clear_requests(State(s): State<LeverSandbox>) -> StatusCode {
    s.inner.log.lock().expect("log lock").clear();
    StatusCode::NO_CONTENT
}

async fn webhooks(State(s): State<LeverSandbox>) -> Json<serde_json::Value> {
    Json(json!({ "waiting": s.inner.webhooks.waiting() }))
}

/// Every webhook of an account, whoever registered it — what a super admin sees under Settings →
/// Integrations and API → Webhooks (the API lists only the asking credential's) — each with
/// `registeredBy`: `"api key"` or `"oauth"`.
async fn account_webhooks(State(s): State<LeverSandbox>, Path(account): Path<String>) -> Response {
    let hooks = s.read(|w| {
        w.account(&account).map(|a| {
            a.webhooks
                .iter()
                .map(|h| {
                    let mut shown = crate::render::webhook(h, false);
                    shown["registeredBy"] = json!(if h.credential.starts_with("grant:") { "oauth" } else { "api key" });
                    shown
                })
                .collect::<Vec<_>>()
        })
    });
    match hooks {
        Some(hooks) => Json(json!({ "data": hooks })).into_response(),
        None => (axum::http::StatusCode::NOT_FOUND, "no such account").into_response(),
    }
}
