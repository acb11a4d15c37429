//! A company's roles (its jobs on the marketplace). Every query is scoped by company.

use domain::views::{AtsState, RoleSummary};
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
