//! Workable's webhook deliveries: verified before anything is read, typed at the boundary,
//! recorded idempotently (never with their body) and turned into queued work; the answer is
//! immediate. The reading back and applying happens in the queue (see `inbound`).

use domain::CompanyId;
use hmac::{Hmac, Mac};
use integrations::Integrations;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use storage::{Db, DeliveryOutcome, DeliveryRecord, WORKABLE_CHANGE};

/// Bodies larger than this are refused unread (a candidate with every field is a few kB).
pub const MAX_WEBHOOK_BYTES: usize = 256 * 1024;

/// Why a delivery was refused; each is answered with a 4xx and recorded without its body.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejected {
    #[error("the delivery is larger than {MAX_WEBHOOK_BYTES} bytes")]
    Oversized,
    #[error("no connection has this webhook address")]
    UnknownConnection,
    #[error("the delivery carries no X-Workable-Signature")]
    Unsigned,
    #[error("the signature does not match the body")]
    Forged,
    #[error("the delivery is not a Workable candidate event: {0}")]
    Malformed(String),
}

impl Rejected {
    /// The HTTP status to answer with.
    pub fn status(&self) -> u16 {
        match self {
            Rejected::Oversized => 413,
            Rejected::UnknownConnection => 404,
            Rejected::Unsigned | Rejected::Forged => 401,
            Rejected::Malformed(_) => 400,
        }
    }

    fn outcome(&self) -> DeliveryOutcome {
        match self {
            Rejected::Oversized => DeliveryOutcome::Oversized,
            Rejected::UnknownConnection => DeliveryOutcome::UnknownConnection,
            Rejected::Unsigned => DeliveryOutcome::Unsigned,
            Rejected::Forged => DeliveryOutcome::Forged,
            Rejected::Malformed(_) => DeliveryOutcome::Malformed,
        }
    }
}

/// A candidate event as Workable delivers it; only what we read.
#[derive(Clone, Debug, Deserialize)]
struct Delivery {
    event_type: String,
    data: DeliveryData,
}

#[derive(Clone, Debug, Deserialize)]
struct DeliveryData {
    id: WorkableId,
    #[serde(default)]
    account: Option<DeliveryAccount>,
    #[serde(default)]
    job: Option<workable::CandidateJob>,
    #[serde(default)]
    stage: Option<String>,
    #[serde(default)]
    disqualified: Option<bool>,
    #[serde(default)]
    withdrew: Option<bool>,
}

#[derive(Clone, Debug, Deserialize)]
struct DeliveryAccount {
    subdomain: String,
}

/// A Workable id: digits or hex, as text (Workable sends both strings and numbers).
#[derive(Clone, Debug, PartialEq, Eq)]
struct WorkableId(String);

impl<'de> Deserialize<'de> for WorkableId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            _ => return Err(serde::de::Error::custom("the candidate id is not text or a number")),
        };
        let valid = !text.is_empty() && text.len() <= 64 && text.bytes().all(|b| b.is_ascii_alphanumeric());
        if valid { Ok(WorkableId(text)) } else { Err(serde::de::Error::custom("the candidate id is not an id")) }
    }
}

/// What became of an accepted delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    pub outcome: DeliveryOutcome,
    pub detail: &'static str,
}

/// Checks `X-Workable-Signature` (lower-case hex HMAC-SHA256 of the raw body) in constant time.
pub fn signature_matches(key: &[u8], body: &[u8], signature: &str) -> bool {
    let Ok(expected) = hex::decode(signature.trim()) else { return false };
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// Records a refused delivery (no body) and returns the refusal.
pub async fn refuse(db: &Db, company: Option<CompanyId>, rejected: Rejected) -> Rejected {
    let detail = rejected.to_string();
    let record = DeliveryRecord { company, detail: Some(&detail), ..DeliveryRecord::default() };
    if let Err(err) = db.record_webhook_delivery(rejected.outcome(), &record, None).await {
        tracing::error!(error = %err, "could not record a refused webhook delivery");
    }
    tracing::warn!(company.id = ?company.map(|c| c.0), reason = %rejected, "webhook delivery refused");
    rejected
}

/// One delivery to `/webhooks/workable/{token}/…`, its body already read within
/// [`MAX_WEBHOOK_BYTES`].
pub async fn receive(
    db: &Db,
    integrations: &Integrations,
    token: &str,
    signature: Option<&str>,
    body: &[u8],
) -> Result<Received, Rejected> {
    let company = match integrations.webhook_company(token).await {
        Ok(Some(company)) => company,
        Ok(None) => return Err(refuse(db, None, Rejected::UnknownConnection).await),
        Err(err) => {
            tracing::error!(error = %err, "could not look the webhook address up");
            return Err(Rejected::UnknownConnection);
        }
    };
    let Some(signature) = signature.filter(|s| !s.trim().is_empty()) else {
        return Err(refuse(db, Some(company), Rejected::Unsigned).await);
    };
    let (key, subdomain) = match integrations.webhook_key(company).await {
        Ok(found) => found,
        Err(err) => {
            tracing::warn!(company.id = %company, error = %err, "no key to verify a webhook with");
            return Err(refuse(db, Some(company), Rejected::Forged).await);
        }
    };
    if !signature_matches(key.expose().as_bytes(), body, signature) {
        return Err(refuse(db, Some(company), Rejected::Forged).await);
    }
    let delivery: Delivery = match serde_json::from_slice(body) {
        Ok(delivery) => delivery,
        Err(err) => return Err(refuse(db, Some(company), Rejected::Malformed(err.to_string())).await),
    };
    let hash = hex::encode(Sha256::digest(body));
    let data = &delivery.data;
    let mut record = DeliveryRecord {
        company: Some(company),
        body_sha256: Some(&hash),
        event: Some(&delivery.event_type),
        workable_candidate_id: Some(&data.id.0),
        detail: None,
    };
    let (outcome, detail, work) = classify(db, company, &subdomain, &delivery).await.map_err(|err| {
        tracing::error!(error = %err, "could not classify a webhook delivery");
        Rejected::Malformed("could not be recorded".into())
    })?;
    record.detail = Some(detail);
    let recorded = db.record_webhook_delivery(outcome, &record, work.map(|id| (WORKABLE_CHANGE, id))).await;
    match recorded {
        Ok(outcome) => Ok(Received { outcome, detail }),
        Err(err) => {
            tracing::error!(error = %err, "could not record a webhook delivery");
            // Not a 4xx: Workable will deliver it again.
            Err(Rejected::Malformed("could not be recorded".into()))
        }
    }
}

/// What a verified delivery means for us, and the export to read back, if any.
async fn classify(
    db: &Db,
    company: CompanyId,
    subdomain: &str,
    delivery: &Delivery,
) -> Result<(DeliveryOutcome, &'static str, Option<i64>), storage::StorageError> {
    use DeliveryOutcome::{Accepted, Ignored};
    let data = &delivery.data;
    if !matches!(delivery.event_type.as_str(), "candidate_moved" | "candidate_created" | "candidate_deleted") {
        return Ok((Ignored, "not a candidate event ats-bridge subscribes to", None));
    }
    if let Some(account) = &data.account
        && !account.subdomain.eq_ignore_ascii_case(subdomain)
    {
        return Ok((Ignored, "from another Workable account than the connected one", None));
    }
    let Some(export) = db.export_by_workable_id(company, &data.id.0).await? else {
        return Ok((Ignored, "not a candidate ats-bridge exported (or in a job no role maps to)", None));
    };
    if data.job.as_ref().is_some_and(|j| Some(&j.shortcode) != export.job_shortcode.as_ref()) {
        return Ok((Ignored, "in a job no role maps to", None));
    }
    let mapped = db.configuration_for_role(company, export.role_id).await?;
    if mapped.is_none_or(|c| Some(&c.job.shortcode) != export.job_shortcode.as_ref()) {
        return Ok((Ignored, "in a job no role maps to any more", None));
    }
    match delivery.event_type.as_str() {
        "candidate_deleted" => {
            db.add_ledger(
                export.id,
                "from_workable",
                "The candidate was deleted in Workable; marketplace moves no longer reach Workable.",
            )
            .await?;
            Ok((Accepted, "deleted in Workable", None))
        }
        // We created (or linked) them; the export knows where they are.
        "candidate_created" => Ok((Accepted, "created by ats-bridge's own export", None)),
        _ => {
            // Signed by Workable and as of delivery time: when it shows exactly what we know,
            // it is our own move coming back and costs no call.
            let known = export.workable_seen();
            let echo = data.stage.is_some()
                && data.stage == known.stage
                && data.disqualified == Some(known.disqualified)
                && data.withdrew.unwrap_or(false) == known.withdrew;
            if echo {
                Ok((Accepted, "already known (ats-bridge's own change coming back)", None))
            } else {
                Ok((Accepted, "queued: read the candidate back from Workable", Some(export.id)))
            }
        }
    }
}

/// The endpoint, `POST /webhooks/workable/{token}/{event}`, ready to merge into a router.
pub fn routes<S: Clone + Send + Sync + 'static>(db: Db, integrations: Integrations) -> axum::Router<S> {
    axum::Router::new()
        .route("/webhooks/workable/{token}/{event}", axum::routing::post(endpoint))
        .with_state((db, integrations))
}

async fn endpoint(
    axum::extract::State((db, integrations)): axum::extract::State<(Db, Integrations)>,
    axum::extract::Path((token, _event)): axum::extract::Path<(String, String)>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> (axum::http::StatusCode, &'static str) {
    use axum::http::StatusCode;
    let answer = |rejected: &Rejected| {
        let status = StatusCode::from_u16(rejected.status()).unwrap_or(StatusCode::BAD_REQUEST);
        let text = match rejected {
            Rejected::Oversized => "too large",
            Rejected::UnknownConnection => "unknown webhook address",
            Rejected::Unsigned | Rejected::Forged => "signature missing or wrong",
            Rejected::Malformed(_) => "not a Workable candidate event",
        };
        (status, text)
    };
    // Read raw, within the limit, before anything else.
    let body = match axum::body::to_bytes(body, MAX_WEBHOOK_BYTES).await {
        Ok(body) => body,
        Err(_) => return answer(&refuse(&db, None, Rejected::Oversized).await),
    };
    let signature = headers.get("x-workable-signature").and_then(|v| v.to_str().ok());
    match receive(&db, &integrations, &token, signature, &body).await {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(rejected) => answer(&rejected),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_right_key_over_the_exact_body_verifies() {
        // RFC 4231 test case 2.
        let sig = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert!(signature_matches(b"Jefe", b"what do ya want for nothing?", sig));
        assert!(signature_matches(b"Jefe", b"what do ya want for nothing?", &sig.to_uppercase()));
        assert!(!signature_matches(b"Jefe", b"what do ya want for nothing!", sig));
        assert!(!signature_matches(b"jefe", b"what do ya want for nothing?", sig));
        assert!(!signature_matches(b"Jefe", b"what do ya want for nothing?", "not hex"));
        assert!(!signature_matches(b"Jefe", b"what do ya want for nothing?", &sig[..32]));
    }

    #[test]
    fn a_delivery_is_typed_at_the_boundary() {
        let ok: Delivery = serde_json::from_str(
            r#"{"id":"d1","event_type":"candidate_moved","data":{"id":"3f2a","stage":"Interview","disqualified":false,"job":{"shortcode":"AB12"}}}"#,
        )
        .unwrap();
        assert_eq!(ok.data.id, WorkableId("3f2a".into()));
        let numeric: Delivery = serde_json::from_str(r#"{"event_type":"candidate_deleted","data":{"id":42}}"#).unwrap();
        assert_eq!(numeric.data.id.0, "42");
        assert!(serde_json::from_str::<Delivery>(r#"{"event_type":"candidate_moved","data":{"id":"../x"}}"#).is_err());
        assert!(serde_json::from_str::<Delivery>(r#"{"event_type":"candidate_moved"}"#).is_err());
        assert!(serde_json::from_str::<Delivery>("not json").is_err());
    }
}
