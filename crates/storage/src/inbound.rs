//! Workable → marketplace: webhook deliveries, the connection's subscriptions and
//! reconciliation, and the moves Workable makes (recorded with origin `workable` and never sent
//! back to Workable).

use domain::{CompanyId, MoveOrigin, RequestId};
use sqlx::Row;

use crate::{Db, ExportRecord, Result, Write};

/// What became of a webhook delivery (recorded without its body).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryOutcome {
    Accepted,
    Replayed,
    Ignored,
    Unsigned,
    Forged,
    Malformed,
    Oversized,
    UnknownConnection,
}

impl DeliveryOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryOutcome::Accepted => "accepted",
            DeliveryOutcome::Replayed => "replayed",
            DeliveryOutcome::Ignored => "ignored",
            DeliveryOutcome::Unsigned => "unsigned",
            DeliveryOutcome::Forged => "forged",
            DeliveryOutcome::Malformed => "malformed",
            DeliveryOutcome::Oversized => "oversized",
            DeliveryOutcome::UnknownConnection => "unknown_connection",
        }
    }
}

/// A delivery to record.
#[derive(Clone, Debug, Default)]
pub struct DeliveryRecord<'a> {
    pub company: Option<CompanyId>,
    pub body_sha256: Option<&'a str>,
    pub event: Option<&'a str>,
    pub workable_candidate_id: Option<&'a str>,
    pub detail: Option<&'a str>,
}

impl Db {
    /// Deliveries for `company` refused as forged or unsigned after `since` (ms): how many, and
    /// the time of the last; `None` when there were none.
    pub async fn refused_deliveries_since(&self, company: CompanyId, since: i64) -> Result<Option<(i64, i64)>> {
        let (count, last): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MAX(received_at) FROM webhook_deliveries
              WHERE company_id = $1 AND outcome IN ('forged', 'unsigned') AND received_at > $2",
        )
        .bind(company.0)
        .bind(since)
        .fetch_one(self.pool())
        .await?;
        Ok(last.filter(|_| count > 0).map(|last| (count, last)))
    }

    /// Forgets deliveries received before `before` (their record only serves replay detection
    /// and diagnosis; Workable does not redeliver after days). Returns how many.
    pub async fn prune_webhook_deliveries(&self, before: i64) -> Result<u64> {
        let done = sqlx::query("DELETE FROM webhook_deliveries WHERE received_at < $1")
            .bind(before)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// The connection a webhook path belongs to.
    pub async fn company_by_webhook_token(&self, token: &str) -> Result<Option<CompanyId>> {
        let company: Option<i64> = sqlx::query_scalar(
            "SELECT company_id FROM ats_connections WHERE webhook_token = $1 AND status <> 'disconnected'",
        )
        .bind(token)
        .fetch_optional(self.pool())
        .await?;
        Ok(company.map(CompanyId))
    }

    /// Stores the connection's webhook path part and the subscriptions made at Workable (or why
    /// subscribing failed).
    pub async fn set_webhooks(
        &self,
        company: CompanyId,
        token: Option<&str>,
        subscriptions: &[String],
        error: Option<&str>,
    ) -> Result<()> {
        let subscriptions = (!subscriptions.is_empty()).then(|| subscriptions.join(","));
        sqlx::query(
            "UPDATE ats_connections SET webhook_token = $1, webhook_subscriptions = $2, webhook_error = $3
             WHERE company_id = $4",
        )
        .bind(token)
        .bind(subscriptions)
        .bind(error)
        .bind(company.0)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Stores (or, with `None`, forgets) the sealed signature tokens of the connection's Lever
    /// webhooks.
    pub async fn set_webhook_secrets(&self, company: CompanyId, sealed: Option<&[u8]>) -> Result<()> {
        sqlx::query("UPDATE ats_connections SET webhook_secrets_enc = $1 WHERE company_id = $2")
            .bind(sealed.map(<[u8]>::to_vec))
            .bind(company.0)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Connected companies with at least one mapped role whose last reconciliation started
    /// before `before` (or never ran).
    pub async fn connections_to_reconcile(&self, before: i64, limit: i64) -> Result<Vec<CompanyId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT w.company_id FROM ats_connections w
             WHERE w.status = 'connected' AND (w.reconciled_at IS NULL OR w.reconciled_at < $1)
               AND EXISTS (SELECT 1 FROM ats_configurations c WHERE c.company_id = w.company_id AND c.removed_at IS NULL)
             ORDER BY w.reconciled_at IS NOT NULL, w.reconciled_at LIMIT $2",
        )
        .bind(before)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(ids.into_iter().map(CompanyId).collect())
    }

    /// A finished reconciliation run: when, up to which Workable `updated_at` (ms) it read, and
    /// how many marketplace stages it corrected.
    pub async fn record_reconciliation(
        &self,
        company: CompanyId,
        at: i64,
        watermark: Option<i64>,
        corrections: i64,
        error: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE ats_connections SET reconciled_at = $1,
                reconcile_watermark = COALESCE($2, reconcile_watermark),
                reconcile_corrections = $3, reconcile_error = $4
             WHERE company_id = $5",
        )
        .bind(at)
        .bind(watermark)
        .bind(corrections)
        .bind(error)
        .bind(company.0)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The export that created (or linked) this Workable candidate for the company.
    pub async fn export_by_workable_id(&self, company: CompanyId, workable_id: &str) -> Result<Option<ExportRecord>> {
        let row = sqlx::query(
            "SELECT * FROM exports WHERE company_id = $1 AND workable_candidate_id = $2 ORDER BY id LIMIT 1",
        )
        .bind(company.0)
        .bind(workable_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(crate::exports::export_from_row).transpose()
    }

    /// When the marketplace itself (a person, or the candidate) made the request's latest move;
    /// `None` when the latest move came from the ATS — then the marketplace has no change of its
    /// own waiting to go out, whatever an export read a moment earlier says. (Latest by id: each
    /// move is a compare-and-swap on the request's stage, so ids follow the moves' order.)
    pub async fn last_marketplace_move_at(&self, company: CompanyId, request: RequestId) -> Result<Option<i64>> {
        let latest = sqlx::query(
            "SELECT moved_at, origin FROM stage_moves WHERE company_id = $1 AND request_id = $2
             ORDER BY id DESC LIMIT 1",
        )
        .bind(company.0)
        .bind(request.0)
        .fetch_optional(self.pool())
        .await?;
        latest
            .map(|row| {
                let origin: String = row.try_get("origin")?;
                let at: i64 = row.try_get("moved_at")?;
                Ok::<_, crate::StorageError>((origin != MoveOrigin::Workable.as_str()).then_some(at))
            })
            .transpose()
            .map(Option::flatten)
    }
}

impl Write {
    /// Records a webhook delivery. An accepted body seen before for the connection is recorded
    /// as `replayed` instead; returns the outcome as recorded.
    pub async fn record_webhook_delivery(
        &mut self,
        outcome: DeliveryOutcome,
        record: &DeliveryRecord<'_>,
        at: i64,
    ) -> Result<DeliveryOutcome> {
        let insert = |outcome: DeliveryOutcome| {
            sqlx::query(
                "INSERT INTO webhook_deliveries (company_id, received_at, outcome, body_sha256, event, workable_candidate_id, detail)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (company_id, body_sha256) WHERE outcome = 'accepted' DO NOTHING",
            )
            .bind(record.company.map(|c| c.0))
            .bind(at)
            .bind(outcome.as_str())
            .bind(record.body_sha256)
            .bind(record.event)
            .bind(record.workable_candidate_id)
            .bind(record.detail)
        };
        let done = insert(outcome).execute(self.conn()).await?;
        if done.rows_affected() == 1 {
            return Ok(outcome);
        }
        insert(DeliveryOutcome::Replayed).execute(self.conn()).await?;
        Ok(DeliveryOutcome::Replayed)
    }

    /// Workable was heard from on the company's webhooks at `at` (the card's "last delivery").
    pub async fn webhook_heard(&mut self, company: CompanyId, at: i64) -> Result<()> {
        sqlx::query("UPDATE ats_connections SET last_webhook_at = $1 WHERE company_id = $2")
            .bind(at)
            .bind(company.0)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}
