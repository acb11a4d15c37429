//! What Insights counts: the marketplace funnel from the company's own requests and moves, and
//! hires by source from the Workable candidates the reconciliation stored (`ats_candidates`).
//! Every query is scoped by company and counts in the database: one statement per chart.

use std::collections::HashMap;

use domain::{CompanyId, RoleId};
use sqlx::Row;

use crate::{Db, Result};

/// A Workable candidate as Insights keeps it, from one list item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AtsCandidateRow {
    pub candidate_id: String,
    pub job_shortcode: String,
    /// Workable's `common_source` (its reports' name for where the candidate came from).
    pub source: String,
    /// 0 before interview, 1 interview, 2 offer, 3 hired; the stored value never goes down.
    pub furthest: i64,
    pub disqualified: bool,
    pub created_at: i64,
    pub hired_at: Option<i64>,
    pub updated_at: i64,
}

/// How far one mapped job has been read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobRead {
    /// Workable's `updated_at` (ms) of the newest candidate stored by a finished pass.
    pub watermark: Option<i64>,
    /// When the last full pass over the job ended (0: none has).
    pub read_at: i64,
    /// A pass under way: the page it goes on from, and the newest `updated_at` it has seen.
    pub next_page: Option<String>,
    pub pass_watermark: Option<i64>,
}

/// One role's funnel: requests sent in the range, then how many of them reached each step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunnelRow {
    pub role_id: RoleId,
    pub title: String,
    /// Sent, accepted, in Workable, screening, technical interview, final interview, offer, hired.
    pub steps: [i64; 8],
}

/// One source's candidates in the mapped jobs, created in the range.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceTally {
    pub source: String,
    pub applicants: i64,
    pub interviewed: i64,
    pub offered: i64,
    pub hired: i64,
    /// Days from created to hired of each hire, in ascending order.
    pub days_to_hire: Vec<f64>,
}

impl Db {
    /// Stores a page of a job's candidates as Workable listed them, in one transaction; a
    /// candidate already stored keeps the furthest step it reached.
    pub async fn store_ats_candidates(&self, company: CompanyId, rows: &[AtsCandidateRow]) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        for row in rows {
            // One statement per candidate inside one transaction: a page is at most 100, read
            // in the background, and the statement stays a literal both engines prepare.
            sqlx::query(
                "INSERT INTO ats_candidates (company_id, candidate_id, job_shortcode, source, furthest, disqualified, created_at, hired_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (company_id, candidate_id) DO UPDATE SET
                    job_shortcode = excluded.job_shortcode, source = excluded.source,
                    furthest = CASE WHEN excluded.furthest > ats_candidates.furthest THEN excluded.furthest ELSE ats_candidates.furthest END,
                    disqualified = excluded.disqualified, created_at = excluded.created_at,
                    hired_at = excluded.hired_at, updated_at = excluded.updated_at",
            )
            .bind(company.0)
            .bind(&row.candidate_id)
            .bind(&row.job_shortcode)
            .bind(&row.source)
            .bind(row.furthest)
            .bind(i64::from(row.disqualified))
            .bind(row.created_at)
            .bind(row.hired_at)
            .bind(row.updated_at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records where a pass over `job` goes on (`next`, Workable's address of the next page) and
    /// the newest `updated_at` it has seen: a pass the rate limit interrupts resumes there.
    pub async fn record_job_page(&self, company: CompanyId, job: &str, next: &str, seen: Option<i64>) -> Result<()> {
        sqlx::query(
            "INSERT INTO ats_job_reads (company_id, job_shortcode, watermark, read_at, next_page, pass_watermark)
             VALUES ($1, $2, NULL, 0, $3, $4)
             ON CONFLICT (company_id, job_shortcode) DO UPDATE SET
                next_page = excluded.next_page, pass_watermark = excluded.pass_watermark",
        )
        .bind(company.0)
        .bind(job)
        .bind(next)
        .bind(seen)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Records that a full pass over `job` ended at `at`, having stored up to `watermark`.
    pub async fn record_job_read(&self, company: CompanyId, job: &str, watermark: Option<i64>, at: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO ats_job_reads (company_id, job_shortcode, watermark, read_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (company_id, job_shortcode) DO UPDATE SET
                watermark = COALESCE(excluded.watermark, ats_job_reads.watermark), read_at = excluded.read_at,
                next_page = NULL, pass_watermark = NULL",
        )
        .bind(company.0)
        .bind(job)
        .bind(watermark)
        .bind(at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// How far each of the company's jobs has been read, by shortcode.
    pub async fn job_reads(&self, company: CompanyId) -> Result<HashMap<String, JobRead>> {
        let rows = sqlx::query(
            "SELECT job_shortcode, watermark, read_at, next_page, pass_watermark FROM ats_job_reads WHERE company_id = $1",
        )
            .bind(company.0)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get("job_shortcode")?,
                    JobRead {
                        watermark: row.try_get("watermark")?,
                        read_at: row.try_get("read_at")?,
                        next_page: row.try_get("next_page")?,
                        pass_watermark: row.try_get("pass_watermark")?,
                    },
                ))
            })
            .collect()
    }

    /// The marketplace funnel per role of the requests sent in `[from, to)` (one role, or all
    /// when `role` is none), busiest role first.
    pub async fn funnel(
        &self,
        company: CompanyId,
        (from, to): (i64, i64),
        role: Option<RoleId>,
    ) -> Result<Vec<FunnelRow>> {
        let rows = sqlx::query(
            "SELECT r.role_id, MIN(o.title) AS title, COUNT(*) AS sent,
                    COALESCE(SUM(CASE WHEN r.status = 'accepted' THEN 1 ELSE 0 END), 0) AS accepted,
                    COALESCE(SUM(CASE WHEN e.created_in_workable_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS in_ats,
                    COALESCE(SUM(CASE WHEN m.reached >= 1 THEN 1 ELSE 0 END), 0) AS screening,
                    COALESCE(SUM(CASE WHEN m.reached >= 2 THEN 1 ELSE 0 END), 0) AS technical,
                    COALESCE(SUM(CASE WHEN m.reached >= 3 THEN 1 ELSE 0 END), 0) AS final,
                    COALESCE(SUM(CASE WHEN m.reached >= 4 THEN 1 ELSE 0 END), 0) AS offer,
                    COALESCE(SUM(CASE WHEN m.reached >= 5 THEN 1 ELSE 0 END), 0) AS hired
               FROM requests r
               JOIN roles o ON o.id = r.role_id
               LEFT JOIN exports e ON e.request_id = r.id
               LEFT JOIN (SELECT request_id,
                                 MAX(CASE to_stage WHEN 'screening' THEN 1 WHEN 'technical_interview' THEN 2
                                                   WHEN 'final_interview' THEN 3 WHEN 'offer' THEN 4
                                                   WHEN 'hired' THEN 5 ELSE 0 END) AS reached
                            FROM stage_moves WHERE company_id = $1 GROUP BY request_id) m ON m.request_id = r.id
              WHERE r.company_id = $1 AND r.sent_at >= $2 AND r.sent_at < $3
                AND (CAST($4 AS BIGINT) IS NULL OR r.role_id = $4)
              GROUP BY r.role_id
              ORDER BY sent DESC, r.role_id",
        )
        .bind(company.0)
        .bind(from)
        .bind(to)
        .bind(role.map(|r| r.0))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let mut steps = [0; 8];
                for (step, column) in steps.iter_mut().zip([
                    "sent",
                    "accepted",
                    "in_ats",
                    "screening",
                    "technical",
                    "final",
                    "offer",
                    "hired",
                ]) {
                    *step = row.try_get(column)?;
                }
                Ok(FunnelRow { role_id: RoleId(row.try_get("role_id")?), title: row.try_get("title")?, steps })
            })
            .collect()
    }

    /// Hires by source: the candidates of the company's mapped Workable jobs (one job, or all
    /// when `job` is none) created in `[from, to)`, grouped by Workable's source, largest first.
    pub async fn hires_by_source(
        &self,
        company: CompanyId,
        (from, to): (i64, i64),
        job: Option<&str>,
    ) -> Result<Vec<SourceTally>> {
        let rows = sqlx::query(
            "SELECT c.source, COUNT(*) AS applicants,
                    COALESCE(SUM(CASE WHEN c.furthest >= 1 OR c.hired_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS interviewed,
                    COALESCE(SUM(CASE WHEN c.furthest >= 2 OR c.hired_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS offered,
                    COALESCE(SUM(CASE WHEN c.hired_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS hired
               FROM ats_candidates c
              WHERE c.company_id = $1 AND c.created_at >= $2 AND c.created_at < $3
                AND (CAST($4 AS TEXT) IS NULL OR c.job_shortcode = $4)
                AND c.job_shortcode IN (SELECT job_shortcode FROM ats_configurations WHERE company_id = $1 AND removed_at IS NULL)
              GROUP BY c.source
              ORDER BY applicants DESC, c.source",
        )
        .bind(company.0)
        .bind(from)
        .bind(to)
        .bind(job)
        .fetch_all(self.pool())
        .await?;
        let mut tallies = rows
            .iter()
            .map(|row| {
                Ok(SourceTally {
                    source: row.try_get("source")?,
                    applicants: row.try_get("applicants")?,
                    interviewed: row.try_get("interviewed")?,
                    offered: row.try_get("offered")?,
                    hired: row.try_get("hired")?,
                    days_to_hire: Vec::new(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // The hires themselves (far fewer than the candidates) for each source's median.
        let hires = sqlx::query(
            "SELECT c.source, c.hired_at - c.created_at AS took
               FROM ats_candidates c
              WHERE c.company_id = $1 AND c.created_at >= $2 AND c.created_at < $3 AND c.hired_at IS NOT NULL
                AND (CAST($4 AS TEXT) IS NULL OR c.job_shortcode = $4)
                AND c.job_shortcode IN (SELECT job_shortcode FROM ats_configurations WHERE company_id = $1 AND removed_at IS NULL)
              ORDER BY c.source, took",
        )
        .bind(company.0)
        .bind(from)
        .bind(to)
        .bind(job)
        .fetch_all(self.pool())
        .await?;
        let index: HashMap<String, usize> = tallies.iter().enumerate().map(|(i, t)| (t.source.clone(), i)).collect();
        for row in &hires {
            let source: String = row.try_get("source")?;
            let took: i64 = row.try_get("took")?;
            if let Some(&i) = index.get(&source) {
                tallies[i].days_to_hire.push(took.max(0) as f64 / 86_400_000.0);
            }
        }
        Ok(tallies)
    }
}
