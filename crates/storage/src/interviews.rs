//! Interviews scheduled on the marketplace. `version` counts changes and `synced_version` says
//! which one Workable's timeline has.

use domain::interview::{Interview, InterviewKind, InterviewPlan};
use domain::{CompanyId, ExportId, InterviewId, RequestId, UserId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Db, Result, StorageError, Write};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterviewRecord {
    pub id: InterviewId,
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
    /// The IANA zone it was scheduled in.
    pub time_zone: String,
}

impl InterviewRecord {
    /// The interview as someone reading times in `zone` sees it.
    pub fn view(&self, zone: &clock::Zone) -> Interview {
        Interview {
            id: self.id,
            kind: self.kind,
            starts_at_ms: self.starts_at,
            starts: zone.describe(self.starts_at),
            starts_field: zone.field_value(self.starts_at),
            duration_minutes: self.duration_minutes,
            interviewer: self.interviewer.clone(),
            in_workable: self.synced_version == self.version,
            cancelled: self.cancelled_at.is_some(),
        }
    }
}

fn interview_from_row(row: &AnyRow) -> Result<InterviewRecord> {
    Ok(InterviewRecord {
        id: InterviewId(row.try_get("id")?),
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
        time_zone: row.try_get("time_zone")?,
    })
}

impl Write {
    /// A new interview for an accepted request of the company (not found otherwise).
    pub async fn insert_interview(
        &mut self,
        company: CompanyId,
        request: RequestId,
        plan: &InterviewPlan,
        by: UserId,
        at: i64,
    ) -> Result<InterviewId> {
        let accepted: Option<i64> =
            sqlx::query_scalar("SELECT id FROM requests WHERE company_id = $1 AND id = $2 AND status = 'accepted'")
                .bind(company.0)
                .bind(request.0)
                .fetch_optional(self.conn())
                .await?;
        if accepted.is_none() {
            return Err(StorageError::NotFound);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO interviews (company_id, request_id, kind, starts_at, duration_minutes, interviewer, scheduled_by, created_at, updated_at, time_zone)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) RETURNING id",
        )
        .bind(company.0)
        .bind(request.0)
        .bind(plan.kind.as_str())
        .bind(plan.starts_at_ms)
        .bind(plan.duration_minutes)
        .bind(plan.interviewer.as_str())
        .bind(by.0)
        .bind(at)
        .bind(plan.time_zone.as_str())
        .fetch_one(self.conn())
        .await?;
        Ok(InterviewId(id))
    }

    /// A new version of an interview that is not cancelled (not found otherwise).
    pub async fn update_interview(
        &mut self,
        company: CompanyId,
        id: InterviewId,
        plan: &InterviewPlan,
        at: i64,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE interviews SET kind = $1, starts_at = $2, duration_minutes = $3, interviewer = $4,
                version = version + 1, updated_at = $5, time_zone = $8
             WHERE company_id = $6 AND id = $7 AND cancelled_at IS NULL",
        )
        .bind(plan.kind.as_str())
        .bind(plan.starts_at_ms)
        .bind(plan.duration_minutes)
        .bind(plan.interviewer.as_str())
        .bind(at)
        .bind(company.0)
        .bind(id.0)
        .bind(plan.time_zone.as_str())
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 1 { Ok(()) } else { Err(StorageError::NotFound) }
    }

    /// Marks an interview cancelled, as a new version (not found when it was already).
    pub async fn cancel_interview(&mut self, company: CompanyId, id: InterviewId, at: i64) -> Result<()> {
        let done = sqlx::query(
            "UPDATE interviews SET cancelled_at = $1, version = version + 1, updated_at = $1
             WHERE company_id = $2 AND id = $3 AND cancelled_at IS NULL",
        )
        .bind(at)
        .bind(company.0)
        .bind(id.0)
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 1 { Ok(()) } else { Err(StorageError::NotFound) }
    }
}

impl Db {
    pub async fn interview(&self, company: CompanyId, id: InterviewId) -> Result<Option<InterviewRecord>> {
        let row = sqlx::query("SELECT * FROM interviews WHERE company_id = $1 AND id = $2")
            .bind(company.0)
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(interview_from_row).transpose()
    }

    /// The interviews of the candidates `slice` shows, soonest first.
    pub async fn slice_interviews(
        &self,
        company: CompanyId,
        role: domain::RoleId,
        slice: crate::PipelineSlice,
        zone: &clock::Zone,
    ) -> Result<Vec<(RequestId, Interview)>> {
        let query = sqlx::query(
            "SELECT i.* FROM interviews i
             WHERE i.company_id = $1 AND i.request_id IN (
                SELECT q.id FROM requests q
                WHERE q.company_id = $1 AND q.role_id = $2 AND q.status = 'accepted'
                  AND (CAST($3 AS TEXT) IS NULL OR q.stage = $3)
                ORDER BY q.answered_at, q.id LIMIT $4 OFFSET $5)
             ORDER BY i.starts_at, i.id",
        );
        let rows = slice.bind(query, company, role).fetch_all(self.pool()).await?;
        rows.iter().map(|row| interview_from_row(row).map(|i| (i.request_id, i.view(zone)))).collect()
    }

    /// Workable's timeline now says `version` of the interview (at `starts_at`); with a line in
    /// the export's ledger.
    pub async fn record_interview_synced(
        &self,
        interview: &InterviewRecord,
        export: ExportId,
        detail: Option<&str>,
        now: i64,
    ) -> Result<()> {
        let mut write = self.write().await?;
        sqlx::query(
            "UPDATE interviews SET synced_version = $1, synced_starts_at = $2 WHERE id = $3 AND synced_version < $1",
        )
        .bind(interview.version)
        .bind(interview.starts_at)
        .bind(interview.id.0)
        .execute(write.conn())
        .await?;
        if let Some(detail) = detail {
            write.add_ledger(export, now, domain::export::LedgerStep::Interview, detail).await?;
        }
        write.commit().await
    }
}
