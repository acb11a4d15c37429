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
    /// candidate already stored keeps the furthest step they reached, and the tally of hires by
    /// source moves them from where they were counted to where they are now.
    pub async fn store_ats_candidates(&self, company: CompanyId, rows: &[AtsCandidateRow]) -> Result<()> {
        // The write lock first (SQLite): the statements read before they write.
        let mut write = self.write().await?;
        // Rows are locked in one order (by id), so two pages sharing candidates cannot deadlock.
        let mut rows: Vec<&AtsCandidateRow> = rows.iter().collect();
        rows.sort_by(|a, b| a.candidate_id.cmp(&b.candidate_id));
        rows.dedup_by(|a, b| a.candidate_id == b.candidate_id);
        let mut moves: std::collections::BTreeMap<TallyKey, i64> = std::collections::BTreeMap::new();
        for row in rows {
            // A few statements per candidate inside one transaction: a page is at most 100, read
            // in the background, and each statement stays a literal both engines prepare.
            // The candidate's row is locked before it is read, so that two transactions storing
            // the same candidate (an export's answer and a reconciliation page) do not both move
            // them out of the same tally cell: a new one is inserted as it is (on PostgreSQL a
            // second insert waits for the first to commit, then finds the row); a known one is
            // locked by a no-op update, then read as committed.
            let inserted = sqlx::query(
                "INSERT INTO ats_candidates (company_id, candidate_id, job_shortcode, source, furthest, disqualified, created_at, hired_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (company_id, candidate_id) DO NOTHING",
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
            .execute(write.conn())
            .await?
            .rows_affected()
                == 1;
            let old = if inserted {
                None
            } else {
                sqlx::query(
                    "UPDATE ats_candidates SET updated_at = updated_at WHERE company_id = $1 AND candidate_id = $2",
                )
                .bind(company.0)
                .bind(&row.candidate_id)
                .execute(write.conn())
                .await?;
                sqlx::query(
                    "SELECT source, furthest, created_at, hired_at FROM ats_candidates WHERE company_id = $1 AND candidate_id = $2",
                )
                .bind(company.0)
                .bind(&row.candidate_id)
                .fetch_optional(write.conn())
                .await?
            };
            let mut row = (*row).clone();
            if let Some(old) = old {
                let furthest: i64 = old.try_get("furthest")?;
                row.furthest = row.furthest.max(furthest);
                let (source, created_at, hired_at): (String, i64, Option<i64>) =
                    (old.try_get("source")?, old.try_get("created_at")?, old.try_get("hired_at")?);
                *moves.entry(TallyKey::of(source, created_at, hired_at, furthest)).or_default() -= 1;
            }
            // A new candidate was stored as it is by the insert above; a known one is updated.
            if !inserted {
                sqlx::query(
                    "UPDATE ats_candidates SET job_shortcode = $3, source = $4, furthest = $5, disqualified = $6,
                        created_at = $7, hired_at = $8, updated_at = $9
                  WHERE company_id = $1 AND candidate_id = $2",
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
                .execute(write.conn())
                .await?;
            }
            *moves.entry(TallyKey::of(row.source.clone(), row.created_at, row.hired_at, row.furthest)).or_default() +=
                1;
        }
        // The tally's cells change after every candidate, in the cells' order: two transactions
        // lock what they share in the same order.
        for (key, by) in moves.into_iter().filter(|(_, by)| *by != 0) {
            sqlx::query(
                "INSERT INTO ats_source_days (company_id, created_day, source, hire_days, furthest, candidates)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (company_id, created_day, source, hire_days, furthest) DO UPDATE SET
                    candidates = ats_source_days.candidates + excluded.candidates",
            )
            .bind(company.0)
            .bind(key.created_day)
            .bind(&key.source)
            .bind(key.hire_days)
            .bind(key.furthest)
            .bind(by)
            .execute(write.conn())
            .await?;
        }
        write.commit().await?;
        Ok(())
    }

    /// Forgets the stored candidates and reads of every job no configuration of the company maps
    /// any more (a job mapped again is read from its start), and counts the tally again when it
    /// did. Returns how many candidates it forgot.
    pub async fn forget_unmapped_jobs(&self, company: CompanyId) -> Result<u64> {
        // The write lock first (SQLite): the statements read before they write.
        let mut write = self.write().await?;
        let forgotten = sqlx::query(
            "DELETE FROM ats_candidates WHERE company_id = $1
                AND job_shortcode NOT IN (SELECT job_shortcode FROM ats_configurations WHERE company_id = $1 AND removed_at IS NULL)",
        )
        .bind(company.0)
        .execute(write.conn())
        .await?
        .rows_affected();
        sqlx::query(
            "DELETE FROM ats_job_reads WHERE company_id = $1
                AND job_shortcode NOT IN (SELECT job_shortcode FROM ats_configurations WHERE company_id = $1 AND removed_at IS NULL)",
        )
        .bind(company.0)
        .execute(write.conn())
        .await?;
        if forgotten > 0 {
            sqlx::query("DELETE FROM ats_source_days WHERE company_id = $1")
                .bind(company.0)
                .execute(write.conn())
                .await?;
            sqlx::query(
                "INSERT INTO ats_source_days (company_id, created_day, source, hire_days, furthest, candidates)
                 SELECT company_id, created_day, source, hire_days, furthest, COUNT(*) FROM (
                     SELECT company_id, created_at / 86400000 AS created_day, source,
                            CASE WHEN hired_at IS NULL THEN -1 WHEN hired_at < created_at THEN 0
                                 ELSE (hired_at - created_at) / 86400000 END AS hire_days,
                            CASE WHEN hired_at IS NOT NULL THEN 3 WHEN furthest > 2 THEN 2 ELSE furthest END AS furthest
                       FROM ats_candidates WHERE company_id = $1) c
                  GROUP BY company_id, created_day, source, hire_days, furthest",
            )
            .bind(company.0)
            .execute(write.conn())
            .await?;
        }
        write.commit().await?;
        Ok(forgotten)
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
    /// when `job` is none) who entered them on the days `[from_day, to_day)` (UTC days since
    /// 1970-01-01), grouped by Workable's source, largest first. Every job is summed from the
    /// tally kept as candidates are stored; one job from its own candidates.
    pub async fn hires_by_source(
        &self,
        company: CompanyId,
        (from_day, to_day): (i64, i64),
        job: Option<&str>,
    ) -> Result<Vec<SourceTally>> {
        let rows = match job {
            None => {
                sqlx::query(
                    "SELECT source, hire_days, CAST(SUM(candidates) AS BIGINT) AS applicants,
                            CAST(SUM(CASE WHEN furthest >= 1 THEN candidates ELSE 0 END) AS BIGINT) AS interviewed,
                            CAST(SUM(CASE WHEN furthest >= 2 THEN candidates ELSE 0 END) AS BIGINT) AS offered
                       FROM ats_source_days
                      WHERE company_id = $1 AND created_day >= $2 AND created_day < $3
                      GROUP BY source, hire_days",
                )
                .bind(company.0)
                .bind(from_day)
                .bind(to_day)
                .fetch_all(self.pool())
                .await?
            }
            Some(job) => {
                sqlx::query(
                    "SELECT source, hire_days, CAST(COUNT(*) AS BIGINT) AS applicants,
                            CAST(SUM(CASE WHEN furthest >= 1 THEN 1 ELSE 0 END) AS BIGINT) AS interviewed,
                            CAST(SUM(CASE WHEN furthest >= 2 THEN 1 ELSE 0 END) AS BIGINT) AS offered
                       FROM (SELECT source,
                                    CASE WHEN hired_at IS NULL THEN -1 WHEN hired_at < created_at THEN 0
                                         ELSE (hired_at - created_at) / 86400000 END AS hire_days,
                                    CASE WHEN hired_at IS NOT NULL THEN 3 WHEN furthest > 2 THEN 2 ELSE furthest END AS furthest
                               FROM ats_candidates
                              WHERE company_id = $1 AND job_shortcode = $2 AND created_at >= $3 AND created_at < $4
                                AND job_shortcode IN (SELECT job_shortcode FROM ats_configurations WHERE company_id = $1 AND removed_at IS NULL)) c
                      GROUP BY source, hire_days",
                )
                .bind(company.0)
                .bind(job)
                .bind(from_day * DAY_MS)
                .bind(to_day * DAY_MS)
                .fetch_all(self.pool())
                .await?
            }
        };
        let mut tallies: Vec<SourceTally> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut hires: Vec<(usize, i64, i64)> = Vec::new();
        for row in &rows {
            let source: String = row.try_get("source")?;
            let (hire_days, applicants): (i64, i64) = (row.try_get("hire_days")?, row.try_get("applicants")?);
            let i = *index.entry(source.clone()).or_insert_with(|| {
                tallies.push(SourceTally {
                    source,
                    applicants: 0,
                    interviewed: 0,
                    offered: 0,
                    hired: 0,
                    days_to_hire: Vec::new(),
                });
                tallies.len() - 1
            });
            let tally = &mut tallies[i];
            tally.applicants += applicants;
            tally.interviewed += row.try_get::<i64, _>("interviewed")?;
            tally.offered += row.try_get::<i64, _>("offered")?;
            if hire_days >= 0 {
                tally.hired += applicants;
                hires.push((i, hire_days, applicants));
            }
        }
        hires.sort_by_key(|&(i, days, _)| (i, days));
        for (i, days, count) in hires {
            let days = days as f64;
            tallies[i].days_to_hire.extend(std::iter::repeat_n(days, usize::try_from(count).unwrap_or(0)));
        }
        tallies.retain(|t| t.applicants > 0);
        tallies.sort_by(|a, b| b.applicants.cmp(&a.applicants).then_with(|| a.source.cmp(&b.source)));
        Ok(tallies)
    }
}

const DAY_MS: i64 = 86_400_000;

/// Where a stored candidate is counted in `ats_source_days`, ordered as its key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct TallyKey {
    created_day: i64,
    source: String,
    hire_days: i64,
    furthest: i64,
}

impl TallyKey {
    fn of(source: String, created_at: i64, hired_at: Option<i64>, furthest: i64) -> TallyKey {
        TallyKey {
            created_day: created_at.div_euclid(DAY_MS),
            source,
            hire_days: hired_at.map_or(-1, |hired| (hired - created_at).max(0) / DAY_MS),
            furthest: if hired_at.is_some() { 3 } else { furthest.min(2) },
        }
    }
}
