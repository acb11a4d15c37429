//! Drift: a mapped job closed or archived, a mapped stage or outcome reason renamed or deleted
//! (or, for a reason, deactivated) — checked when the
//! wizard opens, before work that uses a mapping, and by the periodic sweep.

use std::sync::Arc;
use std::time::Duration;

use domain::AtsKind;
use domain::mapping::{JobRef, JobState, ReasonOption, StageAction, StageOption};
use storage::{ConfigurationRecord, now_ms};

use crate::Integrations;

use super::*;

/// What changed in the ATS under a configuration, one sentence each (empty: nothing).
pub(super) fn drift(
    ats: AtsKind,
    config: &ConfigurationRecord,
    job: Option<&JobRef>,
    stages: &[StageOption],
    reasons: &[ReasonOption],
) -> Vec<String> {
    let (title, ats) = (&config.job.title, ats.name());
    let Some(job) = job else {
        return vec![format!("The {ats} job “{title}” no longer exists.")];
    };
    let mut problems = Vec::new();
    if matches!(job.state, JobState::Closed | JobState::Archived) {
        problems.push(format!("The {ats} job “{title}” is {}.", job.state));
    }
    for (stage, action) in &config.rows {
        if let StageAction::Archive { reason, name } = action {
            match reasons.iter().find(|r| &r.id == reason) {
                None => problems
                    .push(format!("{ats} archive reason “{name}” (for {}) was deleted or deactivated.", stage.label())),
                Some(now) if &now.name != name => problems.push(format!(
                    "{ats} archive reason “{name}” (for {}) was renamed to “{}”.",
                    stage.label(),
                    now.name
                )),
                Some(_) => {}
            }
            continue;
        }
        let StageAction::Move { slug, name } = action else { continue };
        match stages.iter().find(|s| &s.slug == slug) {
            None => problems
                .push(format!("{ats} stage “{name}” (for {}) was deleted from the job's pipeline.", stage.label())),
            Some(now) if &now.name != name => {
                problems.push(format!("{ats} stage “{name}” (for {}) was renamed to “{}”.", stage.label(), now.name))
            }
            Some(_) => {}
        }
    }
    problems
}

impl Integrations {
    /// Checks one configuration against Workable now (through the read cache) and records what
    /// changed; returns it as recorded. Export and stage moves call this before using a mapping.
    pub async fn check_configuration(&self, config: ConfigurationRecord) -> Result<ConfigurationRecord, MappingError> {
        let company = config.company_id;
        let (ats, account) = self.connected_ats(company).await?;
        let mut problems = Vec::new();
        let mut state = config.job.state;
        if account != config.subdomain {
            problems.push(format!(
                "{} is now connected to the account “{account}”, not “{}” where this job lives.",
                ats.name(),
                config.subdomain
            ));
        } else {
            let job = self.job(company, &config.job.shortcode).await?;
            let stages = match &job {
                Some(job) => self.stages(company, &job.shortcode).await?,
                None => Arc::default(),
            };
            // Reasons are read only when the mapping archives with one (never for Workable).
            let reasons = if config.rows.iter().any(|(_, a)| a.reason().is_some()) {
                self.reasons(company).await?
            } else {
                Arc::default()
            };
            problems = drift(ats, &config, job.as_deref(), &stages, &reasons);
            if let Some(job) = &job {
                state = job.state;
            }
            if job.is_none() {
                state = JobState::Deleted;
            }
        }
        if problems != config.attention {
            tracing::info!(company.id = %company, role.id = %config.role_id, problems = problems.len(), "ATS configuration drift changed");
        }
        self.db().record_configuration_check(config.id, config.updated_at, state, &problems).await?;
        Ok(ConfigurationRecord {
            attention: problems,
            job: JobRef { state, ..config.job },
            checked_at: Some(now_ms()),
            ..config
        })
    }

    /// The periodic sweep: checks up to `limit` configurations not checked for `every`, oldest
    /// first. A company whose connection is down is skipped (its card already says so). Returns
    /// how many were checked.
    pub async fn check_due_configurations(&self, every: Duration, limit: i64) -> Result<usize, MappingError> {
        let before = now_ms() - every.as_millis() as i64;
        let mut checked = 0;
        for config in self.db().configurations_to_check(before, limit).await? {
            let role = config.role_id;
            match self.check_configuration(config).await {
                Ok(_) => checked += 1,
                Err(err) => tracing::info!(role.id = %role, error = %err, "drift check skipped"),
            }
        }
        Ok(checked)
    }
}
