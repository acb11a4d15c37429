//! Interviews scheduled on the marketplace. Scheduling or moving one queues its post to the
//! Workable timeline in the same transaction; `version` counts changes and `synced_version`
//! says which one Workable has.

use domain::interview::{Interview, InterviewKind, InterviewPlan};
use domain::{CompanyId, RequestId, UserId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Db, Result, StorageError, now_ms};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterviewRecord {
    pub id: i64,
    pub company_id: CompanyId,
    pub request_id: RequestId,
    pub kind: InterviewKind,
    pub starts_at: i64,
    pub duration_minutes: i64,
    pub interviewer: String,
    pub version: i64,
    pub synced_version: i64,
    /// The time Workable's timeline last said.
    pub synced_starts_at: Option<i64>,
    pub cancelled_at: Option<i64>,
}

impl InterviewRecord {
    pub fn view(&self) -> Interview {
        Interview {
            id: self.id,
            kind: self.kind,
            starts_at_ms: self.starts_at,
            duration_minutes: self.duration_minutes,
            interviewer: self.interviewer.clone(),
            in_workable: self.synced_version == self.version,
            cancelled: self.cancelled_at.is_some(),
        }
    }
}

fn interview_from_row(row: &AnyRow) -> Result<InterviewRecord> {
    Ok(InterviewRecord {
        id: row.try_get("id")?,
        company_id: CompanyId(row.try_get("company_id")?),
        request_id: RequestId(row.try_get("request_id")?),
        kind: InterviewKind::parse(&row.try_get::<String, _>("kind")?)?,
        starts_at: row.try_get("starts_at")?,
        duration_minutes: row.try_get("duration_minutes")?,
        interviewer: row.try_get("interviewer")?,
        version: row.try_get("version")?,
        synced_version: row.try_get("synced_version")?,
        synced_starts_at: row.try_get("synced_starts_at")?,
        cancelled_at: row.try_get("cancelled_at")?,
    })
}

impl Db {
    /// Schedules an interview for an accepted request of the company.
    pub async fn schedule_interview(
        &self,
        company: CompanyId,
        request: RequestId,
        plan: &InterviewPlan,
        by: UserId,
    ) -> Result<i64> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let accepted: Option<i64> =
            sqlx::query_scalar("SELECT id FROM requests WHERE company_id = $1 AND id = $2 AND status = 'accepted'")
                .bind(company.0)
                .bind(request.0)
                .fetch_optional(&mut *tx)
                .await?;
        if accepted.is_none() {
            return Err(StorageError::NotFound);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO interviews (company_id, request_id, kind, starts_at, duration_minutes, interviewer, scheduled_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        )
        .bind(company.0)
        .bind(request.0)
        .bind(plan.kind.as_str())
        .bind(plan.starts_at_ms)
        .bind(plan.duration_minutes)
        .bind(plan.interviewer.as_str())
        .bind(by.0)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        Db::enqueue_in(&mut tx, domain::WorkKind::InterviewSync, company, id, now).await?;
        tx.commit().await?;
        self.wake_workers().await;
        Ok(id)
    }

    /// Moves (or otherwise changes) an interview; the change follows to Workable.
    pub async fn reschedule_interview(&self, company: CompanyId, id: i64, plan: &InterviewPlan) -> Result<()> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE interviews SET kind = $1, starts_at = $2, duration_minutes = $3, interviewer = $4,
                version = version + 1, updated_at = $5
             WHERE company_id = $6 AND id = $7 AND cancelled_at IS NULL",
        )
        .bind(plan.kind.as_str())
        .bind(plan.starts_at_ms)
        .bind(plan.duration_minutes)
        .bind(plan.interviewer.as_str())
        .bind(now)
        .bind(company.0)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        self.follow_to_workable(tx, company, id, done.rows_affected(), now).await
    }

    /// Cancels an interview; Workable's timeline is told (if it knew of it).
    pub async fn cancel_interview(&self, company: CompanyId, id: i64) -> Result<()> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE interviews SET cancelled_at = $1, version = version + 1, updated_at = $1
             WHERE company_id = $2 AND id = $3 AND cancelled_at IS NULL",
        )
        .bind(now)
        .bind(company.0)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        self.follow_to_workable(tx, company, id, done.rows_affected(), now).await
    }

    /// After an interview's UPDATE (`changed` rows, in `tx`): not found unless it changed one,
    /// else its post to Workable queued with it, committed, and the workers woken.
    async fn follow_to_workable(
        &self,
        mut tx: sqlx::Transaction<'_, sqlx::Any>,
        company: CompanyId,
        id: i64,
        changed: u64,
        now: i64,
    ) -> Result<()> {
        if changed != 1 {
            return Err(StorageError::NotFound);
        }
        Db::enqueue_in(&mut tx, domain::WorkKind::InterviewSync, company, id, now).await?;
        tx.commit().await?;
        self.wake_workers().await;
        Ok(())
    }

    pub async fn interview(&self, company: CompanyId, id: i64) -> Result<Option<InterviewRecord>> {
        let row = sqlx::query("SELECT * FROM interviews WHERE company_id = $1 AND id = $2")
            .bind(company.0)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(interview_from_row).transpose()
    }

    /// The interviews of a role's requests, soonest first.
    pub async fn role_interviews(
        &self,
        company: CompanyId,
        role: domain::RoleId,
    ) -> Result<Vec<(RequestId, Interview)>> {
        let rows = sqlx::query(
            "SELECT i.* FROM interviews i JOIN requests q ON q.id = i.request_id
             WHERE i.company_id = $1 AND q.role_id = $2 ORDER BY i.starts_at, i.id",
        )
        .bind(company.0)
        .bind(role.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|row| interview_from_row(row).map(|i| (i.request_id, i.view()))).collect()
    }

    /// Workable's timeline now says `version` of the interview (at `starts_at`); with a line in
    /// the export's ledger.
    pub async fn record_interview_synced(
        &self,
        interview: &InterviewRecord,
        export: i64,
        detail: Option<&str>,
    ) -> Result<()> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE interviews SET synced_version = $1, synced_starts_at = $2 WHERE id = $3 AND synced_version < $1",
        )
        .bind(interview.version)
        .bind(interview.starts_at)
        .bind(interview.id)
        .execute(&mut *tx)
        .await?;
        if let Some(detail) = detail {
            crate::ledger::append(&mut *tx, export, now, domain::export::LedgerStep::Interview, detail).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
