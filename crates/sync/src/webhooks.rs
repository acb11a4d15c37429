//! Workable's webhook deliveries: verified before anything is read, typed at the boundary,
//! recorded idempotently (never with their body) and turned into queued work; the answer is
//! immediate. The reading back and applying happens in the queue (see `inbound`).

use std::sync::{Arc, Mutex};

use domain::CompanyId;
use domain::WorkKind;
use integrations::Integrations;
use sha2::{Digest, Sha256};
use storage::{Db, DeliveryOutcome, DeliveryRecord};
use workable::webhook::{self, Delivery, Event};

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

/// What became of an accepted delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    pub outcome: DeliveryOutcome,
    pub detail: &'static str,
}

/// Refused deliveries recorded a minute, at most (per process); the rest are only logged, so a
/// stranger posting to random webhook addresses cannot fill the database.
pub const REFUSALS_RECORDED_PER_MINUTE: u32 = 60;

/// The webhook receiver: verifies, records and queues Workable's deliveries for the endpoint.
#[derive(Clone)]
pub struct Receiver {
    db: Db,
    integrations: Integrations,
    /// The minute (Unix minutes) and how many refusals were recorded in it.
    refusals: Arc<Mutex<(i64, u32)>>,
}

impl Receiver {
    pub fn new(db: Db, integrations: Integrations) -> Self {
        Receiver { db, integrations, refusals: Arc::default() }
    }

    /// Records a refused delivery (no body), within [`REFUSALS_RECORDED_PER_MINUTE`], and
    /// returns the refusal.
    pub async fn refuse(&self, company: Option<CompanyId>, rejected: Rejected) -> Rejected {
        tracing::warn!(company.id = ?company.map(|c| c.0), reason = %rejected, "webhook delivery refused");
        // Every refusal is counted; only some are recorded.
        metrics::counter!("webhook_deliveries_refused_total", "reason" => rejected.outcome().as_str()).increment(1);
        let minute = self.integrations.clock().now_ms() / 60_000;
        let recorded = {
            let mut refusals = self.refusals.lock().expect("the refusal count");
            if refusals.0 != minute {
                *refusals = (minute, 0);
            }
            refusals.1 += 1;
            refusals.1 <= REFUSALS_RECORDED_PER_MINUTE
        };
        if !recorded {
            return rejected;
        }
        let detail = rejected.to_string();
        let record = DeliveryRecord { company, detail: Some(&detail), ..DeliveryRecord::default() };
        if let Err(err) = record_delivery(&self.db, rejected.outcome(), &record, None).await {
            tracing::error!(error = %err, "could not record a refused webhook delivery");
        }
        rejected
    }

    /// The company whose webhook address has path part `token`; a stranger's is refused.
    async fn company_of(&self, token: &str) -> Result<CompanyId, Rejected> {
        match self.integrations.webhook_company(token).await {
            Ok(Some(company)) => Ok(company),
            Ok(None) => Err(self.refuse(None, Rejected::UnknownConnection).await),
            Err(err) => {
                tracing::error!(error = %err, "could not look the webhook address up");
                Err(Rejected::UnknownConnection)
            }
        }
    }

    /// One delivery to `/webhooks/workable/{token}/…`, its body already read within
    /// [`MAX_WEBHOOK_BYTES`].
    pub async fn receive(&self, token: &str, signature: Option<&str>, body: &[u8]) -> Result<Received, Rejected> {
        let (db, integrations) = (&self.db, &self.integrations);
        let company = self.company_of(token).await?;
        let Some(signature) = signature.filter(|s| !s.trim().is_empty()) else {
            return Err(self.refuse(Some(company), Rejected::Unsigned).await);
        };
        let (key, subdomain) = match integrations.webhook_key(company).await {
            Ok(found) => found,
            Err(err) => {
                tracing::warn!(company.id = %company, error = %err, "no key to verify a webhook with");
                return Err(self.refuse(Some(company), Rejected::Forged).await);
            }
        };
        if !webhook::verify(key.expose().as_bytes(), body, signature) {
            return Err(self.refuse(Some(company), Rejected::Forged).await);
        }
        let delivery: Delivery = match serde_json::from_slice(body) {
            Ok(delivery) => delivery,
            Err(err) => return Err(self.refuse(Some(company), Rejected::Malformed(err.to_string())).await),
        };
        let hash = hex::encode(Sha256::digest(body));
        let data = &delivery.data;
        let mut record = DeliveryRecord {
            company: Some(company),
            body_sha256: Some(&hash),
            event: Some(&delivery.event_type),
            workable_candidate_id: Some(data.id.as_str()),
            detail: None,
        };
        let (outcome, detail, work) =
            classify(db, integrations.clock(), company, &subdomain, &delivery).await.map_err(|err| {
                tracing::error!(error = %err, "could not classify a webhook delivery");
                Rejected::Malformed("could not be recorded".into())
            })?;
        record.detail = Some(detail);
        let recorded = record_delivery(db, outcome, &record, work).await;
        match recorded {
            Ok(outcome) => Ok(Received { outcome, detail }),
            Err(err) => {
                tracing::error!(error = %err, "could not record a webhook delivery");
                // Not a 4xx: Workable will deliver it again.
                Err(Rejected::Malformed("could not be recorded".into()))
            }
        }
    }
}

impl Receiver {
    /// One delivery to `/webhooks/lever/{token}`, its body already read within
    /// [`MAX_WEBHOOK_BYTES`]. Lever signs inside the body, and only the token and the time: the
    /// signature is checked against each of the connection's webhooks' tokens, and a delivery
    /// only ever names an opportunity to read back (its `data` is never believed).
    pub async fn receive_lever(&self, token: &str, body: &[u8]) -> Result<Received, Rejected> {
        let (db, integrations) = (&self.db, &self.integrations);
        let company = self.company_of(token).await?;
        let delivery: lever::webhook::Delivery = match serde_json::from_slice(body) {
            Ok(delivery) => delivery,
            Err(err) => return Err(self.refuse(Some(company), Rejected::Malformed(err.to_string())).await),
        };
        if delivery.signature.trim().is_empty() {
            return Err(self.refuse(Some(company), Rejected::Unsigned).await);
        }
        let tokens = match integrations.lever_webhook_tokens(company).await {
            Ok(tokens) => tokens,
            Err(err) => {
                tracing::warn!(company.id = %company, error = %err, "no token to verify a Lever webhook with");
                Vec::new()
            }
        };
        if !tokens.iter().any(|t| delivery.verify(t)) {
            return Err(self.refuse(Some(company), Rejected::Forged).await);
        }
        let hash = hex::encode(Sha256::digest(body));
        let opportunity = delivery.data.opportunity_id.as_ref().map(|id| id.as_str().to_owned());
        let (outcome, detail, work) = match (delivery.event(), &opportunity) {
            (None, _) => (DeliveryOutcome::Ignored, "not an event ats-bridge registers for", None),
            (Some(_), None) => (DeliveryOutcome::Ignored, "names no opportunity", None),
            (Some(event), Some(id)) => match db.export_by_workable_id(company, id).await {
                Ok(None) => (DeliveryOutcome::Ignored, "not a candidate ats-bridge exported", None),
                Ok(Some(export)) if event == lever::webhook::Event::Deleted => {
                    let said = "The opportunity was deleted in Lever; marketplace moves no longer reach Lever.";
                    if let Err(err) = db
                        .add_ledger(
                            export.id,
                            integrations.clock().now_ms(),
                            domain::export::LedgerStep::FromWorkable,
                            said,
                        )
                        .await
                    {
                        tracing::error!(error = %err, "could not record a deletion");
                    }
                    (DeliveryOutcome::Accepted, "deleted in Lever", None)
                }
                Ok(Some(export)) => {
                    (DeliveryOutcome::Accepted, "queued: read the opportunity back from Lever", Some(export.id.0))
                }
                Err(err) => {
                    tracing::error!(error = %err, "could not classify a Lever delivery");
                    return Err(Rejected::Malformed("could not be recorded".into()));
                }
            },
        };
        let record = DeliveryRecord {
            company: Some(company),
            body_sha256: Some(&hash),
            event: Some(&delivery.event),
            workable_candidate_id: opportunity.as_deref(),
            detail: Some(detail),
        };
        match record_delivery(db, outcome, &record, work).await {
            Ok(outcome) => Ok(Received { outcome, detail }),
            Err(err) => {
                tracing::error!(error = %err, "could not record a Lever delivery");
                // Not a 4xx: Lever delivers it again.
                Err(Rejected::Malformed("could not be recorded".into()))
            }
        }
    }
}

/// Records the delivery and, when it is new, the read-back of export `read_back` it asks for, in
/// one unit of work; a delivery from Workable (even a replay or one we ignore) also says the
/// connection's webhooks are heard.
async fn record_delivery(
    db: &Db,
    outcome: DeliveryOutcome,
    record: &DeliveryRecord<'_>,
    read_back: Option<i64>,
) -> Result<DeliveryOutcome, storage::StorageError> {
    let now = storage::now_ms();
    let mut write = db.write().await?;
    let recorded = write.record_webhook_delivery(outcome, record, now).await?;
    if let Some(company) = record.company {
        if let Some(export) = read_back.filter(|_| recorded != DeliveryOutcome::Replayed) {
            write.enqueue(WorkKind::WorkableChange, company, export, now).await?;
        }
        if matches!(recorded, DeliveryOutcome::Accepted | DeliveryOutcome::Replayed | DeliveryOutcome::Ignored) {
            write.webhook_heard(company, now).await?;
        }
    }
    write.commit().await?;
    Ok(recorded)
}

/// What a verified delivery means for us, and the export to read back, if any.
async fn classify(
    db: &Db,
    clock: &workable::Clock,
    company: CompanyId,
    subdomain: &str,
    delivery: &Delivery,
) -> Result<(DeliveryOutcome, &'static str, Option<i64>), storage::StorageError> {
    use DeliveryOutcome::{Accepted, Ignored};
    let data = &delivery.data;
    let Some(event) = delivery.event() else {
        return Ok((Ignored, "not a candidate event ats-bridge subscribes to", None));
    };
    if let Some(account) = &data.account
        && !account.subdomain.eq_ignore_ascii_case(subdomain)
    {
        return Ok((Ignored, "from another Workable account than the connected one", None));
    }
    let Some(export) = db.export_by_workable_id(company, data.id.as_str()).await? else {
        return Ok((Ignored, "not a candidate ats-bridge exported (or in a job no role maps to)", None));
    };
    if data.job.as_ref().is_some_and(|j| export.job_shortcode.as_deref() != Some(j.shortcode.as_str())) {
        return Ok((Ignored, "in a job no role maps to", None));
    }
    let mapped = db.configuration_for_role(company, export.role_id).await?;
    if mapped.is_none_or(|c| Some(&c.job.shortcode) != export.job_shortcode.as_ref()) {
        return Ok((Ignored, "in a job no role maps to any more", None));
    }
    match event {
        Event::CandidateDeleted => {
            db.add_ledger(
                export.id,
                clock.now_ms(),
                domain::export::LedgerStep::FromWorkable,
                "The candidate was deleted in Workable; marketplace moves no longer reach Workable.",
            )
            .await?;
            Ok((Accepted, "deleted in Workable", None))
        }
        // We created (or linked) them; the export knows where they are.
        Event::CandidateCreated => Ok((Accepted, "created by ats-bridge's own export", None)),
        Event::CandidateMoved => {
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
                Ok((Accepted, "queued: read the candidate back from Workable", Some(export.id.0)))
            }
        }
    }
}
