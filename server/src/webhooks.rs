//! `POST /webhooks/workable/{token}/{event}` and `POST /webhooks/lever/{token}`: the ATSs'
//! deliveries, read raw within the limit before anything else and handed to the sync engine's
//! receiver (verify, record, queue); the answer is immediate and says nothing about our internals.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use storage::Db;
use sync::webhooks::{MAX_WEBHOOK_BYTES, Receiver, Rejected};

/// The endpoint, ready to merge into the router.
pub fn routes<S: Clone + Send + Sync + 'static>(db: Db, integrations: integrations::Integrations) -> axum::Router<S> {
    axum::Router::new()
        .route(integrations::webhooks::WEBHOOK_ROUTE, axum::routing::post(endpoint))
        .route(integrations::LEVER_WEBHOOK_ROUTE, axum::routing::post(lever_endpoint))
        .with_state(Receiver::new(db, integrations))
}

async fn endpoint(
    State(receiver): State<Receiver>,
    Path((token, _event)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> (StatusCode, &'static str) {
    let body = match axum::body::to_bytes(body, MAX_WEBHOOK_BYTES).await {
        Ok(body) => body,
        Err(_) => return answer(&receiver.refuse(None, Rejected::Oversized).await),
    };
    let signature = headers.get(workable::webhook::SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    match receiver.receive(&token, signature, &body).await {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(rejected) => answer(&rejected),
    }
}

async fn lever_endpoint(
    State(receiver): State<Receiver>,
    Path(token): Path<String>,
    body: Body,
) -> (StatusCode, &'static str) {
    let body = match axum::body::to_bytes(body, MAX_WEBHOOK_BYTES).await {
        Ok(body) => body,
        Err(_) => return answer(&receiver.refuse(None, Rejected::Oversized).await),
    };
    match receiver.receive_lever(&token, &body).await {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(rejected) => answer(&rejected),
    }
}

fn answer(rejected: &Rejected) -> (StatusCode, &'static str) {
    let status = StatusCode::from_u16(rejected.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let text = match rejected {
        Rejected::Oversized => "too large",
        Rejected::UnknownConnection => "unknown webhook address",
        Rejected::Unsigned | Rejected::Forged => "signature missing or wrong",
        Rejected::Malformed(_) => "not a candidate event",
    };
    (status, text)
}
