//! A company's roles (its jobs on the marketplace). Every query is scoped by company.

use domain::export::ExportTally;
use domain::views::{AtsState, RoleFilter, RoleSummary};
use domain::{CompanyId, Location, RoleId, RoleStatus, RoleTitle};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Db, Result, StorageError, now_ms};

#[derive(Clone, Debug)]
pub struct RoleRecord {
    pub id: RoleId,
    pub company_id: CompanyId,
    pub title: String,
    pub location: String,
    pub status: RoleStatus,
}

/// `SELECT` of role summaries (with request counts), followed by the given clauses.
macro_rules! select_summary {
    ($tail:literal) => {
        concat!(
            "SELECT r.id, r.title, r.location, r.status,
        COALESCE(q.sent, 0) AS requests_sent, COALESCE(q.pending, 0) AS pending_requests,
        COALESCE(q.accepted, 0) AS accepted, COALESCE(q.in_pipeline, 0) AS in_pipeline,
        c.job_title AS ats_job_title, c.attention AS ats_attention
     FROM roles r
     LEFT JOIN ats_configurations c ON c.role_id = r.id AND c.removed_at IS NULL
     LEFT JOIN (SELECT role_id, COUNT(*) AS sent,
                       SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS pending,
                       SUM(CASE WHEN status = 'accepted' THEN 1 ELSE 0 END) AS accepted,
                       SUM(CASE WHEN status = 'accepted' AND stage NOT IN ('hired', 'rejected', 'withdrawn') THEN 1 ELSE 0 END) AS in_pipeline
                  FROM requests GROUP BY role_id) q ON q.role_id = r.id ",
            $tail
        )
    };
}

/// What *Source* counts besides its page: every role of the company, those the filter admits,
/// and the live ones without an ATS configuration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoleCounts {
    pub total: usize,
    pub matching: usize,
    pub unmapped_live: usize,
}

fn summary_from_row(row: &AnyRow) -> Result<RoleSummary> {
    Ok(RoleSummary {
        id: RoleId(row.try_get("id")?),
        title: row.try_get("title")?,
        location: row.try_get("location")?,
        status: RoleStatus::parse(row.try_get::<String, _>("status")?.as_str())?,
        requests_sent: row.try_get("requests_sent")?,
        pending_requests: row.try_get("pending_requests")?,
        accepted: row.try_get("accepted")?,
        in_pipeline: row.try_get("in_pipeline")?,
        ats_state: ats_state(row.try_get("ats_job_title")?, row.try_get("ats_attention")?),
        exports: domain::export::ExportTally::default(),
    })
}

fn ats_state(job_title: Option<String>, attention: Option<String>) -> AtsState {
    match (job_title, attention) {
        (None, _) => AtsState::NotMapped,
        (Some(job_title), None) => AtsState::Mapped { job_title },
        (Some(job_title), Some(attention)) => {
            AtsState::NeedsAttention { job_title, problems: attention.lines().map(str::to_owned).collect() }
        }
    }
}

impl Db {
    pub async fn insert_role(
        &self,
        company: CompanyId,
        title: &RoleTitle,
        location: &Location,
        status: RoleStatus,
    ) -> Result<RoleId> {
        let now = now_ms();
        let published_at = (status == RoleStatus::Live).then_some(now);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO roles (company_id, title, location, status, created_at, published_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(company.0)
        .bind(title.as_str())
        .bind(location.as_str())
        .bind(status.as_str())
        .bind(now)
        .bind(published_at)
        .fetch_one(self.pool())
        .await?;
        Ok(RoleId(id))
    }

    /// The company's roles, live first, then drafts, then closed; newest first within each.
    pub async fn list_roles(&self, company: CompanyId) -> Result<Vec<RoleSummary>> {
        let rows = sqlx::query(select_summary!(
            "WHERE r.company_id = $1 ORDER BY CASE r.status WHEN 'live' THEN 0 WHEN 'draft' THEN 1 ELSE 2 END, r.id DESC"
        )).bind(company.0).fetch_all(self.pool()).await?;
        rows.iter().map(summary_from_row).collect()
    }

    /// `limit` roles of the company that `filter` admits from the `offset`th on, in
    /// [`Db::list_roles`]'s order, with their request counts and export tallies: one statement,
    /// which counts the requests and exports of the page's roles only.
    pub async fn roles_page(
        &self,
        company: CompanyId,
        filter: &RoleFilter,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<RoleSummary>> {
        // Written out whole (storage's statements are single literals, each prepared by a test);
        // its filter is the same as `role_counts`' and binds as `filter_binds` says.
        let rows = sqlx::query(
            "WITH page AS (
                SELECT r.id, r.title, r.location, r.status, c.job_title AS ats_job_title, c.attention AS ats_attention,
                       CASE r.status WHEN 'live' THEN 0 WHEN 'draft' THEN 1 ELSE 2 END AS listed
                  FROM roles r
                  LEFT JOIN ats_configurations c ON c.role_id = r.id AND c.removed_at IS NULL
                 WHERE r.company_id = $1
                   AND (CAST($2 AS TEXT) IS NULL OR LOWER(r.title) LIKE $2 ESCAPE '\\' OR LOWER(r.location) LIKE $2 ESCAPE '\\')
                   AND (CAST($3 AS TEXT) IS NULL OR r.status = $3)
                   AND (CAST($4 AS TEXT) IS NULL OR $4 = CASE WHEN c.job_title IS NULL THEN 'not_mapped'
                                                             WHEN c.attention IS NULL THEN 'mapped'
                                                             ELSE 'needs_attention' END)
                 ORDER BY listed, r.id DESC
                 LIMIT $5 OFFSET $6)
             SELECT p.id, p.title, p.location, p.status, p.ats_job_title, p.ats_attention,
                    COALESCE(q.sent, 0) AS requests_sent, COALESCE(q.pending, 0) AS pending_requests,
                    COALESCE(q.accepted, 0) AS accepted, COALESCE(q.in_pipeline, 0) AS in_pipeline,
                    COALESCE(q.done, 0) AS done, COALESCE(q.in_progress, 0) AS in_progress,
                    COALESCE(q.failed, 0) AS failed, COALESCE(q.paused, 0) AS paused,
                    COALESCE(q.not_mapped, 0) AS not_mapped
               FROM page p
               LEFT JOIN (
                 SELECT q.role_id, COUNT(*) AS sent,
                        SUM(CASE WHEN q.status = 'pending' THEN 1 ELSE 0 END) AS pending,
                        SUM(CASE WHEN q.status = 'accepted' THEN 1 ELSE 0 END) AS accepted,
                        SUM(CASE WHEN q.status = 'accepted' AND q.stage NOT IN ('hired', 'rejected', 'withdrawn') THEN 1 ELSE 0 END) AS in_pipeline,
                        SUM(CASE WHEN q.status = 'accepted' AND e.state = 'done' THEN 1 ELSE 0 END) AS done,
                        SUM(CASE WHEN q.status = 'accepted' AND e.state IN ('queued', 'waiting') THEN 1 ELSE 0 END) AS in_progress,
                        SUM(CASE WHEN q.status = 'accepted' AND e.state = 'failed' THEN 1 ELSE 0 END) AS failed,
                        SUM(CASE WHEN q.status = 'accepted' AND e.state = 'paused' THEN 1 ELSE 0 END) AS paused,
                        SUM(CASE WHEN q.status = 'accepted' AND (e.id IS NULL OR e.state = 'not_mapped') THEN 1 ELSE 0 END) AS not_mapped
                   FROM requests q
                   LEFT JOIN exports e ON e.request_id = q.id
                  WHERE q.company_id = $1 AND q.role_id IN (SELECT id FROM page)
                  GROUP BY q.role_id) q ON q.role_id = p.id
              ORDER BY p.listed, p.id DESC",
        );
        let rows = filter_binds(rows, company, filter)
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .bind(i64::try_from(offset).unwrap_or(i64::MAX))
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                let mut summary = summary_from_row(row)?;
                summary.exports = ExportTally {
                    done: row.try_get("done")?,
                    in_progress: row.try_get("in_progress")?,
                    failed: row.try_get("failed")?,
                    paused: row.try_get("paused")?,
                    not_mapped: row.try_get("not_mapped")?,
                };
                Ok(summary)
            })
            .collect()
    }

    /// The counts *Source* shows around its page, for the same `filter`, in one statement: the
    /// company's roles are counted in one pass (all, and the live ones; the live roles without a
    /// mapping are the live roles less the mapped ones), and only a filter looks through them a
    /// second time.
    pub async fn role_counts(&self, company: CompanyId, filter: &RoleFilter) -> Result<RoleCounts> {
        let row = filter_binds(
            sqlx::query(
                "SELECT t.total,
                        CASE WHEN CAST($2 AS TEXT) IS NULL AND CAST($3 AS TEXT) IS NULL AND CAST($4 AS TEXT) IS NULL
                             THEN t.total
                             ELSE (SELECT COUNT(*) FROM roles r
                                     LEFT JOIN ats_configurations c ON c.role_id = r.id AND c.removed_at IS NULL
                                    WHERE r.company_id = $1
                                      AND (CAST($2 AS TEXT) IS NULL OR LOWER(r.title) LIKE $2 ESCAPE '\\' OR LOWER(r.location) LIKE $2 ESCAPE '\\')
                                      AND (CAST($3 AS TEXT) IS NULL OR r.status = $3)
                                      AND (CAST($4 AS TEXT) IS NULL OR $4 = CASE WHEN c.job_title IS NULL THEN 'not_mapped'
                                                                                WHEN c.attention IS NULL THEN 'mapped'
                                                                                ELSE 'needs_attention' END))
                        END AS matching,
                        t.live - (SELECT COUNT(*) FROM ats_configurations c JOIN roles r ON r.id = c.role_id
                                   WHERE c.company_id = $1 AND c.removed_at IS NULL AND r.status = 'live') AS unmapped_live
                   FROM (SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN status = 'live' THEN 1 ELSE 0 END), 0) AS live
                           FROM roles WHERE company_id = $1) t",
            ),
            company,
            filter,
        )
        .fetch_one(self.pool())
        .await?;
        let count =
            |column: &str| -> Result<usize> { Ok(usize::try_from(row.try_get::<i64, _>(column)?).unwrap_or(0)) };
        Ok(RoleCounts { total: count("total")?, matching: count("matching")?, unmapped_live: count("unmapped_live")? })
    }

    pub async fn role_summary(&self, company: CompanyId, role: RoleId) -> Result<Option<RoleSummary>> {
        let row = sqlx::query(select_summary!("WHERE r.company_id = $1 AND r.id = $2"))
            .bind(company.0)
            .bind(role.0)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(summary_from_row).transpose()
    }

    pub async fn find_role(&self, company: CompanyId, role: RoleId) -> Result<Option<RoleRecord>> {
        let row =
            sqlx::query("SELECT id, company_id, title, location, status FROM roles WHERE company_id = $1 AND id = $2")
                .bind(company.0)
                .bind(role.0)
                .fetch_optional(self.pool())
                .await?;
        row.map(|row| {
            Ok(RoleRecord {
                id: RoleId(row.try_get("id")?),
                company_id: CompanyId(row.try_get("company_id")?),
                title: row.try_get("title")?,
                location: row.try_get("location")?,
                status: RoleStatus::parse(row.try_get::<String, _>("status")?.as_str())?,
            })
        })
        .transpose()
    }

    /// Moves a role from `from` to `to`; fails with `Conflict` if it is no longer in `from`
    /// (two people clicking *Publish* at once publish it once).
    pub async fn change_role_status(
        &self,
        company: CompanyId,
        role: RoleId,
        from: RoleStatus,
        to: RoleStatus,
    ) -> Result<()> {
        let published_at = (to == RoleStatus::Live).then(now_ms);
        let done = sqlx::query(
            "UPDATE roles SET status = $1, published_at = COALESCE($2, published_at)
             WHERE company_id = $3 AND id = $4 AND status = $5",
        )
        .bind(to.as_str())
        .bind(published_at)
        .bind(company.0)
        .bind(role.0)
        .bind(from.as_str())
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 1 {
            Ok(())
        } else if self.find_role(company, role).await?.is_some() {
            Err(StorageError::Conflict("the role's status changed meanwhile"))
        } else {
            Err(StorageError::NotFound)
        }
    }
}

/// Binds `$1`–`$4` of the filter [`Db::roles_page`] and [`Db::role_counts`] share: the company and the filter's search (lower case, its `%`,
/// `_` and backslash taken literally), status and ATS state.
fn filter_binds<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    company: CompanyId,
    filter: &RoleFilter,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    let search = (!filter.search.is_empty()).then(|| {
        let mut pattern = String::from("%");
        for c in filter.search.to_lowercase().chars() {
            if matches!(c, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push('%');
        pattern
    });
    query
        .bind(company.0)
        .bind(search)
        .bind(filter.status.map(|s| s.as_str().to_owned()))
        .bind(filter.ats.map(|a| a.as_str().to_owned()))
}
