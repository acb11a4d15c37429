//! Exports of accepted requests to Workable and their ledger. Each step's completion is its own
//! update, so a crash between two steps resumes at the one that did not finish.

use domain::export::{ExportState, ExportStatus, ExportTally, LedgerEntry, LedgerStep};
use domain::{CandidateId, CompanyId, ConfigurationId, ExportId, RequestId, RoleId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{ConfigurationRecord, Db, PipelineSlice, Result, StorageError, Write, now_ms};

/// The company's latest candidate in Workable, for the Candidate Source guide's live check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastExported {
    pub workable_candidate_id: String,
    pub candidate_name: String,
    pub role_title: String,
    pub exported_at_ms: i64,
    /// Already in the Workable job: linked, not created by the export.
    pub linked: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExportRecord {
    pub id: ExportId,
    pub company_id: CompanyId,
    pub request_id: RequestId,
    pub candidate_id: CandidateId,
    pub role_id: RoleId,
    pub configuration_id: Option<ConfigurationId>,
    pub subdomain: Option<String>,
    pub job_shortcode: Option<String>,
    pub job_title: Option<String>,
    pub state: ExportState,
    pub workable_candidate_id: Option<String>,
    pub profile_url: Option<String>,
    pub workable_stage: Option<String>,
    pub linked_existing: bool,
    pub created_in_workable_at: Option<i64>,
    pub resume_confirmed_at: Option<i64>,
    pub profile_attached_at: Option<i64>,
    pub profile_confirmed_at: Option<i64>,
    pub at_stage_at: Option<i64>,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<i64>,
    /// The marketplace stage the Workable candidate was last brought to.
    pub synced_stage: Option<domain::MarketplaceStage>,
    /// The candidate is disqualified in Workable (a later move reverts that first).
    pub workable_disqualified: bool,
    /// … as withdrawn.
    pub workable_withdrew: bool,
    /// … with this outcome reason of the ATS's (Lever's archive reason id).
    pub ats_reason: Option<String>,
    /// Workable's `updated_at` (ms) of the newest state of the candidate we applied.
    pub workable_updated_at: Option<i64>,
    /// A marketplace move on its way to Workable (its writes started, not all done).
    pub pushing_stage: Option<domain::MarketplaceStage>,
}

/// Where Workable has a candidate, as far as we know it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkableSeen {
    /// The stage's name, as Workable sends it.
    pub stage: Option<String>,
    pub disqualified: bool,
    pub withdrew: bool,
    /// The outcome reason they were taken out with (Lever's archive reason id).
    pub reason: Option<String>,
}

impl ExportRecord {
    pub fn workable_seen(&self) -> WorkableSeen {
        WorkableSeen {
            stage: self.workable_stage.clone(),
            disqualified: self.workable_disqualified,
            withdrew: self.workable_withdrew,
            reason: self.ats_reason.clone(),
        }
    }
}

/// A step of an export that finished.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportStep {
    /// The candidate exists in Workable: created now, or an existing one linked.
    Created {
        workable_id: String,
        profile_url: Option<String>,
        stage: Option<String>,
        linked: bool,
    },
    ProfileAttached,
    /// Both files read back from Workable.
    FilesConfirmed,
    AtStage {
        stage: String,
    },
}

pub(crate) fn export_from_row(row: &AnyRow) -> Result<ExportRecord> {
    Ok(ExportRecord {
        id: ExportId(row.try_get("id")?),
        company_id: CompanyId(row.try_get("company_id")?),
        request_id: RequestId(row.try_get("request_id")?),
        candidate_id: CandidateId(row.try_get("candidate_id")?),
        role_id: RoleId(row.try_get("role_id")?),
        configuration_id: row.try_get::<Option<i64>, _>("configuration_id")?.map(ConfigurationId),
        subdomain: row.try_get("subdomain")?,
        job_shortcode: row.try_get("job_shortcode")?,
        job_title: row.try_get("job_title")?,
        state: ExportState::parse(row.try_get::<String, _>("state")?.as_str())?,
        workable_candidate_id: row.try_get("workable_candidate_id")?,
        profile_url: row.try_get("profile_url")?,
        workable_stage: row.try_get("workable_stage")?,
        linked_existing: row.try_get::<i64, _>("linked_existing")? != 0,
        created_in_workable_at: row.try_get("created_in_workable_at")?,
        resume_confirmed_at: row.try_get("resume_confirmed_at")?,
        profile_attached_at: row.try_get("profile_attached_at")?,
        profile_confirmed_at: row.try_get("profile_confirmed_at")?,
        at_stage_at: row.try_get("at_stage_at")?,
        attempts: row.try_get("attempts")?,
        last_error: row.try_get("last_error")?,
        next_attempt_at: row.try_get("next_attempt_at")?,
        synced_stage: row
            .try_get::<Option<String>, _>("synced_stage")?
            .map(|s| domain::MarketplaceStage::parse(&s))
            .transpose()?,
        workable_disqualified: row.try_get::<i64, _>("workable_disqualified")? != 0,
        workable_withdrew: row.try_get::<i64, _>("workable_withdrew")? != 0,
        ats_reason: row.try_get("ats_reason")?,
        workable_updated_at: row.try_get("workable_updated_at")?,
        pushing_stage: row
            .try_get::<Option<String>, _>("pushing_stage")?
            .map(|s| domain::MarketplaceStage::parse(&s))
            .transpose()?,
    })
}

impl ExportRecord {
    /// What the employer is shown of the export as of `now`.
    pub fn status(&self, ledger: Vec<LedgerEntry>, now: i64) -> ExportStatus {
        let next = self.next_attempt_at.filter(|_| matches!(self.state, ExportState::Waiting | ExportState::Queued));
        ExportStatus {
            eta_seconds: next.map(|at| ((at - now) as f64 / 1000.0).ceil().max(0.0) as i64),
            id: self.id,
            state: self.state,
            job_title: self.job_title.clone(),
            workable_url: self.profile_url.clone(),
            last_error: self.last_error.clone(),
            next_attempt_at_ms: self
                .next_attempt_at
                .filter(|_| matches!(self.state, ExportState::Waiting | ExportState::Queued)),
            ledger,
        }
    }
}

impl Write {
    /// The request's export, created if missing: queued into the configuration's job, or
    /// `not_mapped` without one. A `not_mapped` export takes the configuration once there is
    /// one; the answer says whether it just did (a back-fill, which the use case tells the
    /// employer about).
    pub async fn prepare_export(
        &mut self,
        company: CompanyId,
        request: RequestId,
        config: Option<&ConfigurationRecord>,
        at: i64,
    ) -> Result<(ExportRecord, bool)> {
        let (candidate, role): (i64, i64) = {
            let row = sqlx::query(
                "SELECT candidate_id, role_id FROM requests WHERE company_id = $1 AND id = $2 AND status = 'accepted'",
            )
            .bind(company.0)
            .bind(request.0)
            .fetch_optional(self.conn())
            .await?
            .ok_or(StorageError::NotFound)?;
            (row.try_get("candidate_id")?, row.try_get("role_id")?)
        };
        let state = if config.is_some() { ExportState::Queued } else { ExportState::NotMapped };
        sqlx::query(
            "INSERT INTO exports (company_id, request_id, candidate_id, role_id, configuration_id, subdomain, job_shortcode,
                job_title, state, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
             ON CONFLICT (request_id) DO NOTHING",
        )
        .bind(company.0)
        .bind(request.0)
        .bind(candidate)
        .bind(role)
        .bind(config.map(|c| c.id.0))
        .bind(config.map(|c| c.subdomain.clone()))
        .bind(config.map(|c| c.job.shortcode.clone()))
        .bind(config.map(|c| c.job.title.clone()))
        .bind(state.as_str())
        .bind(at)
        .execute(self.conn())
        .await?;
        let mut took_mapping = false;
        if let Some(config) = config {
            let moved = sqlx::query(
                "UPDATE exports SET configuration_id = $1, subdomain = $2, job_shortcode = $3, job_title = $4,
                    state = 'queued', updated_at = $5
                 WHERE request_id = $6 AND state = 'not_mapped'",
            )
            .bind(config.id.0)
            .bind(&config.subdomain)
            .bind(&config.job.shortcode)
            .bind(&config.job.title)
            .bind(at)
            .bind(request.0)
            .execute(self.conn())
            .await?;
            took_mapping = moved.rows_affected() == 1;
        }
        let export = export_by_request(self.conn(), company, request).await?.ok_or(StorageError::NotFound)?;
        Ok((export, took_mapping))
    }

    /// A failed export queued again from the step that did not finish (conflict unless it had
    /// failed).
    pub async fn requeue_failed_export(
        &mut self,
        company: CompanyId,
        export: ExportId,
        at: i64,
    ) -> Result<ExportRecord> {
        let done = sqlx::query(
            "UPDATE exports SET state = 'queued', next_attempt_at = NULL, updated_at = $1
             WHERE company_id = $2 AND id = $3 AND state = 'failed'",
        )
        .bind(at)
        .bind(company.0)
        .bind(export.0)
        .execute(self.conn())
        .await?;
        let record = sqlx::query("SELECT * FROM exports WHERE company_id = $1 AND id = $2")
            .bind(company.0)
            .bind(export.0)
            .fetch_optional(self.conn())
            .await?;
        let record = record.as_ref().map(export_from_row).transpose()?.ok_or(StorageError::NotFound)?;
        if done.rows_affected() == 1 {
            Ok(record)
        } else {
            Err(StorageError::Conflict("only a failed export can be retried"))
        }
    }

    /// Sets the export's state, with the reason and the next attempt's time; `attempt` counts
    /// one more attempt that ended in `error`.
    pub async fn set_export_state(
        &mut self,
        export: ExportId,
        state: ExportState,
        error: Option<&str>,
        next_attempt_at: Option<i64>,
        attempt: bool,
        at: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE exports SET state = $1, last_error = $2, next_attempt_at = $3, attempts = attempts + $4, updated_at = $5
             WHERE id = $6",
        )
        .bind(state.as_str())
        .bind(error)
        .bind(next_attempt_at)
        .bind(i64::from(attempt))
        .bind(at)
        .bind(export.0)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Marks the stage the export created the candidate at (no ledger line: creation said it).
    pub async fn set_synced_stage(&mut self, export: ExportId, stage: domain::MarketplaceStage) -> Result<()> {
        sqlx::query("UPDATE exports SET synced_stage = $1 WHERE id = $2")
            .bind(stage.as_str())
            .bind(export.0)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Remembers what Workable shows of the exported candidate (its stage, whether disqualified
    /// or withdrawn, as of Workable's `updated_at`).
    pub async fn record_workable_seen(
        &mut self,
        export: ExportId,
        seen: &WorkableSeen,
        updated_at: Option<i64>,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
        "UPDATE exports SET workable_stage = COALESCE($1, workable_stage), workable_disqualified = $2, workable_withdrew = $3,
            workable_updated_at = CASE WHEN workable_updated_at IS NULL OR workable_updated_at < COALESCE($4, -1)
                                       THEN $4 ELSE workable_updated_at END,
            updated_at = $5, ats_reason = $7
         WHERE id = $6",
    )
    .bind(seen.stage.as_deref())
    .bind(i64::from(seen.disqualified))
    .bind(i64::from(seen.withdrew))
    .bind(updated_at)
    .bind(now)
    .bind(export.0)
    .bind(seen.reason.as_deref())
    .execute(self.conn())
    .await?;
        Ok(())
    }
}

async fn export_by_request<'e, E>(executor: E, company: CompanyId, request: RequestId) -> Result<Option<ExportRecord>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let row = sqlx::query("SELECT * FROM exports WHERE company_id = $1 AND request_id = $2")
        .bind(company.0)
        .bind(request.0)
        .fetch_optional(executor)
        .await?;
    row.as_ref().map(export_from_row).transpose()
}

impl Db {
    pub async fn export_by_request(&self, company: CompanyId, request: RequestId) -> Result<Option<ExportRecord>> {
        export_by_request(self.pool(), company, request).await
    }

    pub async fn export(&self, company: CompanyId, id: ExportId) -> Result<Option<ExportRecord>> {
        let row = sqlx::query("SELECT * FROM exports WHERE company_id = $1 AND id = $2")
            .bind(company.0)
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(export_from_row).transpose()
    }

    /// Another export that already put this candidate into this Workable job (identity is
    /// candidate + job, whichever request did it).
    pub async fn export_with_identity(&self, export: &ExportRecord) -> Result<Option<ExportRecord>> {
        let row = sqlx::query(
            "SELECT * FROM exports WHERE candidate_id = $1 AND subdomain = $2 AND job_shortcode = $3
                AND workable_candidate_id IS NOT NULL AND id <> $4 ORDER BY id LIMIT 1",
        )
        .bind(export.candidate_id.0)
        .bind(export.subdomain.as_deref())
        .bind(export.job_shortcode.as_deref())
        .bind(export.id.0)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(export_from_row).transpose()
    }

    /// Takes, until `until`, the right to put `export`'s candidate into its Workable job (see
    /// migration 0010): true when `export` holds it now, false while another export does.
    pub async fn claim_export_identity(&self, export: &ExportRecord, now: i64, until: i64) -> Result<bool> {
        let taken = sqlx::query(
            "INSERT INTO export_claims (company_id, subdomain, job_shortcode, candidate_id, export_id, until)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (company_id, subdomain, job_shortcode, candidate_id)
             DO UPDATE SET export_id = excluded.export_id, until = excluded.until
             WHERE export_claims.export_id = excluded.export_id OR export_claims.until < $7",
        )
        .bind(export.company_id.0)
        .bind(export.subdomain.as_deref().unwrap_or_default())
        .bind(export.job_shortcode.as_deref().unwrap_or_default())
        .bind(export.candidate_id.0)
        .bind(export.id.0)
        .bind(until)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(taken.rows_affected() == 1)
    }

    /// Gives up what [`Db::claim_export_identity`] took.
    pub async fn release_export_identity(&self, export: ExportId) -> Result<()> {
        sqlx::query("DELETE FROM export_claims WHERE export_id = $1").bind(export.0).execute(self.pool()).await?;
        Ok(())
    }

    /// Records a finished step (at `now`) and its ledger line in one transaction.
    pub async fn record_export_step(&self, export: ExportId, step: &ExportStep, detail: &str, now: i64) -> Result<()> {
        let mut write = self.write().await?;
        let (name, query) = match step {
            ExportStep::Created { workable_id, profile_url, stage, linked } => (
                if *linked { LedgerStep::Linked } else { LedgerStep::Created },
                sqlx::query(
                    "UPDATE exports SET workable_candidate_id = $1, profile_url = $2, workable_stage = $3, linked_existing = $4,
                        created_in_workable_at = $5, updated_at = $5 WHERE id = $6",
                )
                .bind(workable_id.clone())
                .bind(profile_url.clone())
                .bind(stage.clone())
                .bind(i64::from(*linked))
                .bind(now)
                .bind(export.0),
            ),
            ExportStep::ProfileAttached => (
                LedgerStep::ProfileAttached,
                sqlx::query("UPDATE exports SET profile_attached_at = $1, updated_at = $1 WHERE id = $2").bind(now).bind(export.0),
            ),
            ExportStep::FilesConfirmed => (
                LedgerStep::FilesConfirmed,
                sqlx::query(
                    "UPDATE exports SET resume_confirmed_at = $1, profile_confirmed_at = $1, updated_at = $1 WHERE id = $2",
                )
                .bind(now)
                .bind(export.0),
            ),
            ExportStep::AtStage { stage } => (
                LedgerStep::AtStage,
                sqlx::query(
                    "UPDATE exports SET at_stage_at = $1, workable_stage = $2, state = 'done', last_error = NULL,
                        next_attempt_at = NULL, updated_at = $1 WHERE id = $3",
                )
                .bind(now)
                .bind(stage.clone())
                .bind(export.0),
            ),
        };
        query.execute(write.conn()).await?;
        write.add_ledger(export, now, name, detail).await?;
        write.commit().await
    }

    /// The role's exports, by request, with their ledgers.
    pub async fn role_exports(
        &self,
        company: CompanyId,
        role: RoleId,
        now: i64,
    ) -> Result<Vec<(RequestId, ExportStatus)>> {
        self.slice_exports(company, role, PipelineSlice::ALL, now).await
    }

    /// The exports of the candidates `slice` shows, by request, with their ledgers: two queries,
    /// however many exports.
    pub async fn slice_exports(
        &self,
        company: CompanyId,
        role: RoleId,
        slice: PipelineSlice,
        now: i64,
    ) -> Result<Vec<(RequestId, ExportStatus)>> {
        let query = sqlx::query(
            "SELECT * FROM exports WHERE company_id = $1 AND request_id IN (
                SELECT q.id FROM requests q
                WHERE q.company_id = $1 AND q.role_id = $2 AND q.status = 'accepted'
                  AND (CAST($3 AS TEXT) IS NULL OR q.stage = $3)
                ORDER BY q.answered_at, q.id LIMIT $4 OFFSET $5)
             ORDER BY id",
        );
        let rows = slice.bind(query, company, role).fetch_all(self.pool()).await?;
        let mut ledgers = self.slice_ledgers(company, role, slice).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let record = export_from_row(row)?;
            let ledger = ledgers.remove(&record.id).unwrap_or_default();
            out.push((record.request_id, record.status(ledger, now)));
        }
        Ok(out)
    }

    /// Counts per role of the company's exports, and accepted requests no export covers yet.
    /// The company's most recently exported candidate that reached Workable, if any.
    pub async fn last_exported(&self, company: CompanyId) -> Result<Option<LastExported>> {
        let row = sqlx::query(
            "SELECT e.workable_candidate_id, e.linked_existing, COALESCE(e.created_in_workable_at, e.updated_at) AS exported_at,
                    c.name AS candidate_name, r.title AS role_title
               FROM exports e
               JOIN candidates c ON c.id = e.candidate_id
               JOIN roles r ON r.id = e.role_id
              WHERE e.company_id = $1 AND e.state = 'done' AND e.workable_candidate_id IS NOT NULL
              ORDER BY COALESCE(e.created_in_workable_at, e.updated_at) DESC, e.id DESC
              LIMIT 1",
        )
        .bind(company.0)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(LastExported {
                workable_candidate_id: row.try_get("workable_candidate_id")?,
                candidate_name: row.try_get("candidate_name")?,
                role_title: row.try_get("role_title")?,
                exported_at_ms: row.try_get("exported_at")?,
                linked: row.try_get::<i64, _>("linked_existing")? != 0,
            })
        })
        .transpose()
    }

    pub async fn export_tallies(&self, company: CompanyId) -> Result<Vec<(RoleId, ExportTally)>> {
        self.tallies(company, None).await
    }

    /// The same counts for one role only.
    pub async fn role_export_tally(&self, company: CompanyId, role: RoleId) -> Result<ExportTally> {
        Ok(self.tallies(company, Some(role)).await?.into_iter().next().map(|(_, tally)| tally).unwrap_or_default())
    }

    async fn tallies(&self, company: CompanyId, role: Option<RoleId>) -> Result<Vec<(RoleId, ExportTally)>> {
        let rows = sqlx::query(
            "SELECT q.role_id,
                SUM(CASE WHEN e.state = 'done' THEN 1 ELSE 0 END) AS done,
                SUM(CASE WHEN e.state IN ('queued', 'waiting') THEN 1 ELSE 0 END) AS in_progress,
                SUM(CASE WHEN e.state = 'failed' THEN 1 ELSE 0 END) AS failed,
                SUM(CASE WHEN e.state = 'paused' THEN 1 ELSE 0 END) AS paused,
                SUM(CASE WHEN e.id IS NULL OR e.state = 'not_mapped' THEN 1 ELSE 0 END) AS not_mapped
             FROM requests q LEFT JOIN exports e ON e.request_id = q.id
             WHERE q.company_id = $1 AND q.status = 'accepted' AND (CAST($2 AS BIGINT) IS NULL OR q.role_id = $2)
             GROUP BY q.role_id",
        )
        .bind(company.0)
        .bind(role.map(|r| r.0))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    RoleId(r.try_get("role_id")?),
                    ExportTally {
                        done: r.try_get("done")?,
                        in_progress: r.try_get("in_progress")?,
                        failed: r.try_get("failed")?,
                        paused: r.try_get("paused")?,
                        not_mapped: r.try_get("not_mapped")?,
                    },
                ))
            })
            .collect()
    }

    /// The role's accepted requests that no export covers, or whose export waited for a mapping:
    /// what back-fill exports.
    pub async fn requests_to_backfill(&self, company: CompanyId, role: RoleId) -> Result<Vec<RequestId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT q.id FROM requests q LEFT JOIN exports e ON e.request_id = q.id
             WHERE q.company_id = $1 AND q.role_id = $2 AND q.status = 'accepted' AND (e.id IS NULL OR e.state = 'not_mapped')
             ORDER BY q.id",
        )
        .bind(company.0)
        .bind(role.0)
        .fetch_all(self.pool())
        .await?;
        Ok(ids.into_iter().map(RequestId).collect())
    }
}

/// What the exported profile says about the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportContext {
    pub role_title: String,
    pub company_name: String,
    pub accepted_at: i64,
    /// Where the candidate is in the marketplace now (further than *accepted* when back-filled).
    pub stage: domain::MarketplaceStage,
}

impl Db {
    pub async fn export_context(&self, export: &ExportRecord) -> Result<ExportContext> {
        let row = sqlx::query(
            "SELECT r.title AS role_title, c.name AS company_name, q.answered_at, q.stage FROM requests q
             JOIN roles r ON r.id = q.role_id JOIN companies c ON c.id = q.company_id
             WHERE q.id = $1 AND q.company_id = $2",
        )
        .bind(export.request_id.0)
        .bind(export.company_id.0)
        .fetch_one(self.pool())
        .await?;
        Ok(ExportContext {
            role_title: row.try_get("role_title")?,
            company_name: row.try_get("company_name")?,
            accepted_at: row.try_get::<Option<i64>, _>("answered_at")?.unwrap_or_else(now_ms),
            stage: match row.try_get::<Option<String>, _>("stage")? {
                Some(stage) => domain::MarketplaceStage::parse(&stage)?,
                None => domain::MarketplaceStage::Accepted,
            },
        })
    }
}

impl Db {
    /// The role of an accepted request of the company.
    pub async fn request_role(&self, company: CompanyId, request: RequestId) -> Result<Option<RoleId>> {
        let role: Option<i64> = sqlx::query_scalar(
            "SELECT role_id FROM requests WHERE company_id = $1 AND id = $2 AND status = 'accepted'",
        )
        .bind(company.0)
        .bind(request.0)
        .fetch_optional(self.pool())
        .await?;
        Ok(role.map(RoleId))
    }
}

impl Db {
    /// Records that the Workable candidate now reflects marketplace stage `stage`, and where it
    /// is in Workable after our change (so its echo is recognised), with a ledger line.
    pub async fn record_stage_synced(
        &self,
        export: ExportId,
        stage: domain::MarketplaceStage,
        seen: &WorkableSeen,
        detail: &str,
        now: i64,
    ) -> Result<()> {
        let mut write = self.write().await?;
        sqlx::query(
            "UPDATE exports SET synced_stage = $1, workable_stage = COALESCE($2, workable_stage), workable_disqualified = $3,
                workable_withdrew = $4, pushing_stage = NULL, updated_at = $5, ats_reason = $7 WHERE id = $6",
        )
        .bind(stage.as_str())
        .bind(seen.stage.as_deref())
        .bind(i64::from(seen.disqualified))
        .bind(i64::from(seen.withdrew))
        .bind(now)
        .bind(export.0)
        .bind(seen.reason.as_deref())
        .execute(write.conn())
        .await?;
        write.add_ledger(export, now, LedgerStep::Stage, detail).await?;
        write.commit().await
    }

    /// [`Write::set_synced_stage`] on its own.
    pub async fn set_synced_stage(&self, export: ExportId, stage: domain::MarketplaceStage) -> Result<()> {
        let mut write = self.write().await?;
        write.set_synced_stage(export, stage).await?;
        write.commit().await
    }

    /// Marks a marketplace move as being pushed to Workable (`None`: no longer).
    pub async fn set_pushing_stage(&self, export: ExportId, stage: Option<domain::MarketplaceStage>) -> Result<()> {
        sqlx::query("UPDATE exports SET pushing_stage = $1 WHERE id = $2")
            .bind(stage.map(domain::MarketplaceStage::as_str))
            .bind(export.0)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
