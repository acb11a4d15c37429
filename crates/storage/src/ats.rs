//! Roles' ATS configurations (Workable job + stage mapping). Every query is scoped by company,
//! except the sweep that checks every configuration for drift.

use domain::mapping::{JobRef, JobState, StageAction};
use domain::{CompanyId, ConfigurationId, MarketplaceStage, RoleId, UserId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Db, Result, StorageError, now_ms};

/// A configuration as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigurationRecord {
    pub id: ConfigurationId,
    pub company_id: CompanyId,
    pub role_id: RoleId,
    pub role_title: String,
    pub subdomain: String,
    pub job: JobRef,
    /// One entry per marketplace stage, in the stages' order.
    pub rows: Vec<(MarketplaceStage, StageAction)>,
    pub attention: Vec<String>,
    pub checked_at: Option<i64>,
    pub updated_at: i64,
}

impl ConfigurationRecord {
    pub fn action(&self, stage: MarketplaceStage) -> StageAction {
        self.rows.iter().find(|(s, _)| *s == stage).map_or(StageAction::Nothing, |(_, a)| a.clone())
    }
}

/// What a save writes.
pub struct SaveConfiguration<'a> {
    pub company_id: CompanyId,
    pub role_id: RoleId,
    pub subdomain: &'a str,
    pub job: &'a JobRef,
    pub rows: &'a [(MarketplaceStage, StageAction)],
    pub by: UserId,
}

macro_rules! select_configuration {
    ($tail:literal) => {
        concat!(
            "SELECT c.id, c.company_id, c.role_id, r.title AS role_title, c.subdomain, c.job_shortcode,
                    c.job_title, c.job_code, c.job_department, c.job_location, c.job_state,
                    c.attention, c.checked_at, c.updated_at
             FROM ats_configurations c JOIN roles r ON r.id = c.role_id ",
            $tail
        )
    };
}

fn configuration_from_row(row: &AnyRow) -> Result<ConfigurationRecord> {
    let attention: Option<String> = row.try_get("attention")?;
    Ok(ConfigurationRecord {
        id: ConfigurationId(row.try_get("id")?),
        company_id: CompanyId(row.try_get("company_id")?),
        role_id: RoleId(row.try_get("role_id")?),
        role_title: row.try_get("role_title")?,
        subdomain: row.try_get("subdomain")?,
        job: JobRef {
            shortcode: row.try_get("job_shortcode")?,
            title: row.try_get("job_title")?,
            code: row.try_get("job_code")?,
            department: row.try_get("job_department")?,
            location: row.try_get("job_location")?,
            state: JobState::parse(row.try_get::<String, _>("job_state")?.as_str())?,
        },
        rows: Vec::new(),
        attention: attention.map(|a| a.lines().map(str::to_owned).collect()).unwrap_or_default(),
        checked_at: row.try_get("checked_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn action_from_row(row: &AnyRow) -> Result<(MarketplaceStage, StageAction)> {
    let stage = MarketplaceStage::parse(row.try_get::<String, _>("marketplace_stage")?.as_str())?;
    let action = match row.try_get::<String, _>("action")?.as_str() {
        "none" => StageAction::Nothing,
        "disqualify" => StageAction::Disqualify,
        "move" => StageAction::Move {
            slug: row.try_get::<Option<String>, _>("ats_ref")?.ok_or_else(|| missing("move"))?,
            name: row.try_get::<Option<String>, _>("ats_name")?.unwrap_or_default(),
        },
        "archive" => StageAction::Archive {
            reason: row.try_get::<Option<String>, _>("ats_ref")?.ok_or_else(|| missing("archive"))?,
            name: row.try_get::<Option<String>, _>("ats_name")?.unwrap_or_default(),
        },
        other => return Err(StorageError::Corrupt(format!("unknown stage action {other}"))),
    };
    Ok((stage, action))
}

fn missing(action: &str) -> StorageError {
    StorageError::Corrupt(format!("ats_ref is empty for a mapping that says {action}"))
}

impl Db {
    /// Saves the role's configuration: creates it, or updates the active one in place (so work
    /// that refers to it stays attached). Marks it as checked now, with nothing to attend to.
    pub async fn save_configuration(&self, save: SaveConfiguration<'_>) -> Result<ConfigurationId> {
        let now = now_ms();
        let mut tx = self.write().await?;
        let job = save.job;
        // One active configuration per role: a save on a mapped role updates that row in place.
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO ats_configurations (company_id, role_id, subdomain, job_shortcode, job_title, job_code,
                job_department, job_location, job_state, checked_at, created_by, created_at, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10, $11, $10)
             ON CONFLICT (role_id) WHERE removed_at IS NULL DO UPDATE SET
                subdomain = excluded.subdomain, job_shortcode = excluded.job_shortcode, job_title = excluded.job_title,
                job_code = excluded.job_code, job_department = excluded.job_department, job_location = excluded.job_location,
                job_state = excluded.job_state, attention = NULL, checked_at = excluded.checked_at,
                updated_by = excluded.updated_by, updated_at = excluded.updated_at
             RETURNING id",
        )
        .bind(save.company_id.0)
        .bind(save.role_id.0)
        .bind(save.subdomain)
        .bind(&job.shortcode)
        .bind(&job.title)
        .bind(job.code.as_deref())
        .bind(job.department.as_deref())
        .bind(job.location.as_deref())
        .bind(job.state.as_str())
        .bind(now)
        .bind(save.by.0)
        .fetch_one(tx.conn())
        .await?;
        sqlx::query("DELETE FROM ats_stage_mappings WHERE configuration_id = $1").bind(id).execute(tx.conn()).await?;
        for (stage, action) in save.rows {
            let (kind, slug, name) = match action {
                StageAction::Nothing => ("none", None, None),
                StageAction::Disqualify => ("disqualify", None, None),
                StageAction::Move { slug, name } => ("move", Some(slug.as_str()), Some(name.as_str())),
                StageAction::Archive { reason, name } => ("archive", Some(reason.as_str()), Some(name.as_str())),
            };
            sqlx::query(
                "INSERT INTO ats_stage_mappings (configuration_id, marketplace_stage, action, ats_ref, ats_name)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(stage.as_str())
            .bind(kind)
            .bind(slug)
            .bind(name)
            .execute(tx.conn())
            .await?;
        }
        tx.commit().await?;
        Ok(ConfigurationId(id))
    }

    /// The role's active configuration, if it has one.
    pub async fn configuration_for_role(
        &self,
        company: CompanyId,
        role: RoleId,
    ) -> Result<Option<ConfigurationRecord>> {
        let row =
            sqlx::query(select_configuration!("WHERE c.company_id = $1 AND c.role_id = $2 AND c.removed_at IS NULL"))
                .bind(company.0)
                .bind(role.0)
                .fetch_optional(self.pool())
                .await?;
        self.configuration_with_rows(row).await
    }

    /// One of the company's active configurations by id (to import from).
    pub async fn configuration(&self, company: CompanyId, id: ConfigurationId) -> Result<Option<ConfigurationRecord>> {
        let row = sqlx::query(select_configuration!("WHERE c.company_id = $1 AND c.id = $2 AND c.removed_at IS NULL"))
            .bind(company.0)
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?;
        self.configuration_with_rows(row).await
    }

    async fn configuration_with_rows(&self, row: Option<AnyRow>) -> Result<Option<ConfigurationRecord>> {
        match row {
            Some(row) => Ok(Some(self.with_rows(configuration_from_row(&row)?).await?)),
            None => Ok(None),
        }
    }

    /// The company's active configurations, by role title.
    pub async fn list_configurations(&self, company: CompanyId) -> Result<Vec<ConfigurationRecord>> {
        let rows = sqlx::query(select_configuration!(
            "WHERE c.company_id = $1 AND c.removed_at IS NULL ORDER BY r.title, c.id"
        ))
        .bind(company.0)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(self.with_rows(configuration_from_row(row)?).await?);
        }
        Ok(out)
    }

    /// Every active configuration of every company whose last check is older than `before`,
    /// oldest check first: the periodic drift sweep.
    pub async fn configurations_to_check(&self, before: i64, limit: i64) -> Result<Vec<ConfigurationRecord>> {
        let rows = sqlx::query(select_configuration!(
            "WHERE c.removed_at IS NULL AND COALESCE(c.checked_at, 0) < $1 ORDER BY COALESCE(c.checked_at, 0), c.id LIMIT $2"
        ))
        .bind(before)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(self.with_rows(configuration_from_row(row)?).await?);
        }
        Ok(out)
    }

    async fn with_rows(&self, mut record: ConfigurationRecord) -> Result<ConfigurationRecord> {
        let rows = sqlx::query(
            "SELECT marketplace_stage, action, ats_ref, ats_name FROM ats_stage_mappings
             WHERE configuration_id = $1",
        )
        .bind(record.id.0)
        .fetch_all(self.pool())
        .await?;
        let mut actions = rows.iter().map(action_from_row).collect::<Result<Vec<_>>>()?;
        actions.sort_by_key(|(stage, _)| *stage);
        record.rows = actions;
        Ok(record)
    }

    /// Records the outcome of a drift check: what changed in Workable (empty: nothing), and the
    /// job's current state. Only for a configuration still updated at `seen_updated_at`, so a
    /// check that raced with a save does not flag the new mapping with the old one's problems.
    pub async fn record_configuration_check(
        &self,
        id: ConfigurationId,
        seen_updated_at: i64,
        job_state: JobState,
        attention: &[String],
    ) -> Result<bool> {
        let attention = (!attention.is_empty()).then(|| attention.join("\n"));
        let done = sqlx::query(
            "UPDATE ats_configurations SET attention = $1, job_state = $2, checked_at = $3
             WHERE id = $4 AND updated_at = $5 AND removed_at IS NULL",
        )
        .bind(attention)
        .bind(job_state.as_str())
        .bind(now_ms())
        .bind(id.0)
        .bind(seen_updated_at)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// *Remove ATS configuration*: the row stays (for the export history), no longer active.
    pub async fn remove_configuration(&self, company: CompanyId, role: RoleId, by: UserId) -> Result<()> {
        let done = sqlx::query(
            "UPDATE ats_configurations SET removed_at = $1, removed_by = $2
             WHERE company_id = $3 AND role_id = $4 AND removed_at IS NULL",
        )
        .bind(now_ms())
        .bind(by.0)
        .bind(company.0)
        .bind(role.0)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 1 { Ok(()) } else { Err(StorageError::NotFound) }
    }
}
