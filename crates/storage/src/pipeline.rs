//! Requests, the pipeline of candidates who accepted them, and the record of every stage move.

use domain::views::{OpenRequest, PipelineEntry, StageMove};
use domain::{CandidateId, CompanyId, MarketplaceStage, RequestId, RequestStatus, RoleId, UserId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Db, Result, StorageError, Write, now_ms};

/// What the rest of the system learns when a candidate accepts.
#[derive(Clone, Debug, PartialEq)]
pub struct AcceptedRequest {
    pub request_id: RequestId,
    pub company_id: CompanyId,
    pub role_id: RoleId,
    pub candidate_id: CandidateId,
}

/// Which of a role's candidates (accepted requests) a pipeline page shows: those at `stage` (or
/// every stage), `limit` of them from `offset`, in the order they accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PipelineSlice {
    pub stage: Option<MarketplaceStage>,
    pub limit: i64,
    pub offset: i64,
}

impl PipelineSlice {
    /// Every candidate of the role.
    pub const ALL: PipelineSlice = PipelineSlice { stage: None, limit: i64::MAX, offset: 0 };

    /// `query` with the slice's parameters bound: `$1` company, `$2` role, `$3` stage (or NULL),
    /// `$4` limit, `$5` offset — as every sliced statement numbers them.
    pub(crate) fn bind<'q>(
        self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
        company: CompanyId,
        role: RoleId,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        query.bind(company.0).bind(role.0).bind(self.stage.map(|s| s.as_str())).bind(self.limit).bind(self.offset)
    }
}

fn stage(row: &AnyRow, column: &str) -> Result<MarketplaceStage> {
    Ok(MarketplaceStage::parse(row.try_get::<String, _>(column)?.as_str())?)
}

impl Db {
    /// Records a request from `company` for `role` to `candidate`. Sending the same request twice
    /// is refused with `Duplicate`.
    pub async fn insert_request(
        &self,
        company: CompanyId,
        role: RoleId,
        candidate: CandidateId,
        sent_by: Option<UserId>,
    ) -> Result<RequestId> {
        self.insert_request_sent_at(company, role, candidate, sent_by, now_ms()).await
    }

    /// A request sent at `at` (the demo's history, and tests of what happened when).
    pub async fn insert_request_sent_at(
        &self,
        company: CompanyId,
        role: RoleId,
        candidate: CandidateId,
        sent_by: Option<UserId>,
        at: i64,
    ) -> Result<RequestId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO requests (company_id, role_id, candidate_id, status, sent_by, sent_at)
             VALUES ($1, $2, $3, 'pending', $4, $5) RETURNING id",
        )
        .bind(company.0)
        .bind(role.0)
        .bind(candidate.0)
        .bind(sent_by.map(|u| u.0))
        .bind(at)
        .fetch_one(self.pool())
        .await?;
        Ok(RequestId(id))
    }

    /// The role's pipeline: every candidate who accepted, with their stage and last move.
    pub async fn list_pipeline(&self, company: CompanyId, role: RoleId) -> Result<Vec<PipelineEntry>> {
        self.pipeline_slice(company, role, PipelineSlice::ALL).await
    }

    /// The candidates of `slice` (a stage, a page), in the order they accepted.
    pub async fn pipeline_slice(
        &self,
        company: CompanyId,
        role: RoleId,
        slice: PipelineSlice,
    ) -> Result<Vec<PipelineEntry>> {
        let query = sqlx::query(
            "SELECT q.id AS request_id, c.id AS candidate_id, c.name, c.email, c.headline, q.stage,
                    (c.cv_pdf IS NOT NULL) AS has_cv_flag,
                    m.moved_at,
                    CASE WHEN m.origin <> 'workable' THEN u.name WHEN a.ats = 'lever' THEN 'Lever' ELSE 'Workable' END AS moved_by
             FROM requests q
             JOIN candidates c ON c.id = q.candidate_id
             JOIN stage_moves m ON m.id = (SELECT MAX(id) FROM stage_moves WHERE request_id = q.id)
             LEFT JOIN users u ON u.id = m.moved_by
             LEFT JOIN ats_connections a ON a.company_id = q.company_id
             WHERE q.company_id = $1 AND q.role_id = $2 AND q.status = 'accepted'
               AND (CAST($3 AS TEXT) IS NULL OR q.stage = $3)
             ORDER BY q.answered_at, q.id LIMIT $4 OFFSET $5",
        );
        let rows = slice.bind(query, company, role).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| {
                Ok(PipelineEntry {
                    request_id: RequestId(row.try_get("request_id")?),
                    candidate_id: CandidateId(row.try_get("candidate_id")?),
                    name: row.try_get("name")?,
                    email: row.try_get("email")?,
                    headline: row.try_get("headline")?,
                    stage: stage(row, "stage")?,
                    last_moved_by: row.try_get("moved_by")?,
                    last_moved_at_ms: row.try_get("moved_at")?,
                    has_cv: flag(row, "has_cv_flag")?,
                    export: None,
                    interviews: Vec::new(),
                })
            })
            .collect()
    }

    /// What the company's *Source* page shows, summed up like [`Db::role_version`]: it changes
    /// whenever a role is created, published or closed, a request is sent or answered, an export
    /// moves, or a mapping is saved, checked or removed.
    pub async fn company_version(&self, company: CompanyId) -> Result<String> {
        let row = sqlx::query(
            "SELECT
                (SELECT COUNT(*) FROM roles WHERE company_id = $1) AS roles,
                (SELECT CAST(COALESCE(SUM(id * CASE status WHEN 'draft' THEN 1 WHEN 'live' THEN 2 ELSE 3 END), 0) AS BIGINT)
                  FROM roles WHERE company_id = $1) AS statuses,
                (SELECT COUNT(*) FROM requests WHERE company_id = $1) AS requests,
                (SELECT COALESCE(MAX(COALESCE(answered_at, sent_at)), 0) FROM requests WHERE company_id = $1) AS answered,
                (SELECT COUNT(*) FROM exports WHERE company_id = $1) AS exports,
                (SELECT COALESCE(MAX(updated_at), 0) FROM exports WHERE company_id = $1) AS exported,
                (SELECT CAST(COALESCE(SUM(id + COALESCE(checked_at, 0) + COALESCE(removed_at, 0)), 0) AS BIGINT)
                  FROM ats_configurations WHERE company_id = $1) AS mapping",
        )
        .bind(company.0)
        .fetch_one(self.pool())
        .await?;
        let mut parts = Vec::with_capacity(7);
        for column in ["roles", "statuses", "requests", "answered", "exports", "exported", "mapping"] {
            parts.push(row.try_get::<i64, _>(column)?.to_string());
        }
        Ok(parts.join("."))
    }

    /// How many candidates accepted the role's requests, and how many of them are at `stage`.
    pub async fn pipeline_counts(
        &self,
        company: CompanyId,
        role: RoleId,
        stage: Option<MarketplaceStage>,
    ) -> Result<(usize, usize)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS total,
                    COALESCE(SUM(CASE WHEN CAST($3 AS TEXT) IS NULL OR stage = $3 THEN 1 ELSE 0 END), 0) AS matching
             FROM requests WHERE company_id = $1 AND role_id = $2 AND status = 'accepted'",
        )
        .bind(company.0)
        .bind(role.0)
        .bind(stage.map(|s| s.as_str()))
        .fetch_one(self.pool())
        .await?;
        let count = |column| row.try_get::<i64, _>(column).map(|n| usize::try_from(n).unwrap_or_default());
        Ok((count("total")?, count("matching")?))
    }

    /// What a role's pipeline page shows, summed up: it changes whenever a request is sent or
    /// answered, a candidate moves, an export records a step, an interview changes or reaches
    /// Workable, or the role's mapping changes. Indexed reads only, so an open page can ask often.
    /// `None` when the role is not the company's.
    pub async fn role_version(&self, company: CompanyId, role: RoleId) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT
                (SELECT COUNT(*) FROM requests WHERE company_id = $1 AND role_id = $2) AS requests,
                (SELECT COALESCE(MAX(COALESCE(answered_at, sent_at)), 0) FROM requests
                  WHERE company_id = $1 AND role_id = $2) AS answered,
                (SELECT COALESCE(MAX(m.id), 0) FROM stage_moves m JOIN requests q ON q.id = m.request_id
                  WHERE q.company_id = $1 AND q.role_id = $2) AS moves,
                (SELECT COUNT(*) FROM exports WHERE company_id = $1 AND role_id = $2) AS exports,
                (SELECT COALESCE(MAX(updated_at), 0) FROM exports WHERE company_id = $1 AND role_id = $2) AS exported,
                (SELECT COALESCE(MAX(v.id), 0) FROM export_events v JOIN exports e ON e.id = v.export_id
                  WHERE e.company_id = $1 AND e.role_id = $2) AS steps,
                (SELECT CAST(COALESCE(SUM(i.version + i.synced_version), 0) AS BIGINT) FROM interviews i
                  JOIN requests q ON q.id = i.request_id WHERE q.company_id = $1 AND q.role_id = $2) AS interviews,
                (SELECT CAST(COALESCE(SUM(id + COALESCE(checked_at, 0)), 0) AS BIGINT) FROM ats_configurations
                  WHERE company_id = $1 AND role_id = $2) AS mapping,
                (SELECT COALESCE(published_at, created_at) FROM roles WHERE company_id = $1 AND id = $2) AS role",
        )
        .bind(company.0)
        .bind(role.0)
        .fetch_one(self.pool())
        .await?;
        let Some(role) = row.try_get::<Option<i64>, _>("role")? else { return Ok(None) };
        let mut parts = vec![role.to_string()];
        for column in ["requests", "answered", "moves", "exports", "exported", "steps", "interviews", "mapping"] {
            parts.push(row.try_get::<i64, _>(column)?.to_string());
        }
        Ok(Some(parts.join(".")))
    }

    /// Requests for the role that are not in the pipeline: pending first, then declined.
    pub async fn list_open_requests(&self, company: CompanyId, role: RoleId) -> Result<Vec<OpenRequest>> {
        self.open_requests_page(company, role, i64::MAX, 0).await
    }

    /// `limit` of the role's open requests from `offset`, in [`Db::list_open_requests`]' order.
    pub async fn open_requests_page(
        &self,
        company: CompanyId,
        role: RoleId,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<OpenRequest>> {
        let rows = sqlx::query(
            "SELECT q.id, c.name, c.headline, q.status, q.sent_at
             FROM requests q JOIN candidates c ON c.id = q.candidate_id
             WHERE q.company_id = $1 AND q.role_id = $2 AND q.status <> 'accepted'
             ORDER BY CASE q.status WHEN 'pending' THEN 0 ELSE 1 END, q.sent_at DESC, q.id DESC
             LIMIT $3 OFFSET $4",
        )
        .bind(company.0)
        .bind(role.0)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(OpenRequest {
                    request_id: RequestId(row.try_get("id")?),
                    name: row.try_get("name")?,
                    headline: row.try_get("headline")?,
                    status: RequestStatus::parse(row.try_get::<String, _>("status")?.as_str())?,
                    sent_at_ms: row.try_get("sent_at")?,
                })
            })
            .collect()
    }

    /// How many requests of the role are open (not accepted).
    pub async fn open_requests_count(&self, company: CompanyId, role: RoleId) -> Result<usize> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM requests WHERE company_id = $1 AND role_id = $2 AND status <> 'accepted'",
        )
        .bind(company.0)
        .bind(role.0)
        .fetch_one(self.pool())
        .await?;
        Ok(usize::try_from(n).unwrap_or_default())
    }

    /// The candidate declines a pending request.
    pub async fn decline_request(&self, company: CompanyId, request: RequestId) -> Result<()> {
        let done = sqlx::query(
            "UPDATE requests SET status = 'declined', answered_at = $1 WHERE company_id = $2 AND id = $3 AND status = 'pending'",
        )
        .bind(now_ms())
        .bind(company.0)
        .bind(request.0)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 1 { Ok(()) } else { Err(self.explain_missing_pending(company, request).await) }
    }

    async fn explain_missing_pending(&self, company: CompanyId, request: RequestId) -> StorageError {
        explain_missing_pending(self.pool(), company, request).await
    }

    /// Every recorded move of an accepted request, oldest first.
    pub async fn stage_history(&self, company: CompanyId, request: RequestId) -> Result<Vec<StageMove>> {
        let rows = sqlx::query(
            "SELECT m.from_stage, m.to_stage,
                    CASE WHEN m.origin <> 'workable' THEN u.name WHEN a.ats = 'lever' THEN 'Lever' ELSE 'Workable' END AS moved_by,
                    m.moved_at
             FROM stage_moves m LEFT JOIN users u ON u.id = m.moved_by
             LEFT JOIN ats_connections a ON a.company_id = m.company_id
             WHERE m.company_id = $1 AND m.request_id = $2 ORDER BY m.id",
        )
        .bind(company.0)
        .bind(request.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let from: Option<String> = row.try_get("from_stage")?;
                Ok(StageMove {
                    from: from.as_deref().map(MarketplaceStage::parse).transpose()?,
                    to: stage(row, "to_stage")?,
                    moved_by: row.try_get("moved_by")?,
                    moved_at_ms: row.try_get("moved_at")?,
                })
            })
            .collect()
    }
}

impl Write {
    /// The candidate's answer *accepted* on a pending request: it enters the pipeline at
    /// `accepted` (the use case records the move and whatever follows from it).
    pub async fn accept_request(&mut self, company: CompanyId, request: RequestId, at: i64) -> Result<AcceptedRequest> {
        let row = sqlx::query(
            "UPDATE requests SET status = 'accepted', stage = 'accepted', answered_at = $1
             WHERE company_id = $2 AND id = $3 AND status = 'pending'
             RETURNING role_id, candidate_id",
        )
        .bind(at)
        .bind(company.0)
        .bind(request.0)
        .fetch_optional(self.conn())
        .await?;
        let Some(row) = row else { return Err(explain_missing_pending(self.conn(), company, request).await) };
        Ok(AcceptedRequest {
            request_id: request,
            company_id: company,
            role_id: RoleId(row.try_get("role_id")?),
            candidate_id: CandidateId(row.try_get("candidate_id")?),
        })
    }

    /// The stage of an accepted request of the company, read inside the unit (what a
    /// compare-and-swap move starts from).
    pub async fn request_stage(&mut self, company: CompanyId, request: RequestId) -> Result<Option<MarketplaceStage>> {
        let current: Option<String> =
            sqlx::query_scalar("SELECT stage FROM requests WHERE company_id = $1 AND id = $2 AND status = 'accepted'")
                .bind(company.0)
                .bind(request.0)
                .fetch_optional(self.conn())
                .await?;
        Ok(current.as_deref().map(MarketplaceStage::parse).transpose()?)
    }
}

/// Why a request is not pending: answered already (conflict) or not the company's (not found).
async fn explain_missing_pending<'e, E>(executor: E, company: CompanyId, request: RequestId) -> StorageError
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let exists = sqlx::query_scalar::<_, i64>("SELECT id FROM requests WHERE company_id = $1 AND id = $2")
        .bind(company.0)
        .bind(request.0)
        .fetch_optional(executor)
        .await;
    match exists {
        Ok(Some(_)) => StorageError::Conflict("the request was already answered"),
        Ok(None) => StorageError::NotFound,
        Err(err) => err.into(),
    }
}

/// Booleans computed in SQL come back as integers from SQLite and as booleans from PostgreSQL.
fn flag(row: &AnyRow, column: &str) -> Result<bool> {
    match row.try_get::<bool, _>(column) {
        Ok(value) => Ok(value),
        Err(_) => Ok(row.try_get::<i64, _>(column)? != 0),
    }
}
