//! Mapping roles to Workable: the *Add ATS configuration* wizard's reads (cached briefly per
//! connection), validation on save, removal, and drift — a mapped job closed or archived, a mapped
//! stage renamed or deleted — noticed when the wizard opens, before work that uses a mapping, and
//! by a periodic sweep.

use std::sync::Arc;
use std::time::Duration;

use domain::mapping::{
    ConfigurationView, JobChoices, JobRef, JobState, MappingRow, MappingTable, StageAction, StageChoice, StageOption,
    WizardStart, suggest_job,
};
use domain::{CompanyId, ConfigurationId, MarketplaceStage, RoleId, RoleStatus};
use storage::{ConfigurationRecord, ConnectionStatus, RoleRecord, SaveConfiguration, StorageError, now_ms};
use workable::{Job, Stage, WorkableError};

use crate::{AccountCalls, Actor, CallError, ConnectError, Integrations, WhenLimited};

/// How long the wizard's Workable reads are reused: long enough that opening the wizard, paging
/// through its steps and saving costs a handful of calls, short enough to see changes soon.
pub const READ_CACHE_TTL: Duration = Duration::from_secs(30);

/// Why a mapping action did not happen, in words a recruiter can act on. Cloneable, because one
/// failed Workable read answers everyone who waited for it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    /// Missing, or another company's: the two look the same on purpose.
    #[error("Not found.")]
    NotFound,
    #[error("This role is closed, so it cannot take an ATS configuration.")]
    RoleClosed,
    #[error("Connect Workable first: a master account can do it under Account settings → ATS integrations.")]
    NotConnected,
    #[error("Workable no longer accepts this connection's access. A master account needs to reconnect.")]
    ReconnectNeeded,
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// Workable is busy (rate limit) or unreachable: try again shortly.
    #[error("Workable is busy or unreachable right now; please try again in a minute.")]
    Unavailable,
    #[error("{0}")]
    Workable(String),
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
}

impl From<ConnectError> for MappingError {
    fn from(err: ConnectError) -> Self {
        match err {
            ConnectError::NotConnected => MappingError::NotConnected,
            ConnectError::ReconnectNeeded => MappingError::ReconnectNeeded,
            ConnectError::Unavailable => MappingError::Unavailable,
            ConnectError::Storage(inner) => inner.into(),
            other => MappingError::Workable(other.to_string()),
        }
    }
}

impl From<StorageError> for MappingError {
    fn from(err: StorageError) -> Self {
        tracing::error!(error = %err, "storage failure");
        MappingError::Internal
    }
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> MappingError {
    MappingError::Invalid { field: field.into(), message: message.into() }
}

/// The form field of a stage's select in the mapping table.
pub fn stage_field(stage: MarketplaceStage) -> String {
    format!("mapping[{}]", stage.as_str())
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub(crate) enum Read {
    Jobs,
    Job(String),
    Stages(String),
}

#[derive(Clone, Debug)]
pub(crate) enum ReadValue {
    Jobs(Arc<Vec<Job>>),
    Job(Arc<Job>),
    Stages(Arc<Vec<Stage>>),
}

/// Workable reads shared for [`READ_CACHE_TTL`], keyed by company, account and what was read;
/// concurrent misses for one key make one call.
pub(crate) type ReadCache = moka::future::Cache<(CompanyId, String, Read), ReadValue>;

pub(crate) fn read_cache(ttl: Duration) -> ReadCache {
    moka::future::Cache::builder().max_capacity(10_000).time_to_live(ttl).build()
}

pub(crate) fn job_ref(job: &Job) -> JobRef {
    let location = job.location.as_ref().and_then(|l| {
        l.location_str.clone().filter(|s| !s.trim().is_empty()).or_else(|| {
            let parts: Vec<&str> = [l.city.as_deref(), l.country.as_deref()].into_iter().flatten().collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        })
    });
    JobRef {
        shortcode: job.shortcode.clone(),
        title: job.title.clone(),
        code: job.code.clone().filter(|c| !c.is_empty()),
        department: job.department.clone().filter(|d| !d.is_empty()),
        location,
        state: job_state(job.state),
    }
}

/// Workable's word for a job's state, as the product reads it.
fn job_state(state: workable::JobState) -> JobState {
    match state {
        workable::JobState::Published => JobState::Published,
        workable::JobState::Draft => JobState::Draft,
        workable::JobState::Closed => JobState::Closed,
        workable::JobState::Archived => JobState::Archived,
        workable::JobState::Other => JobState::Other,
    }
}

fn stage_option(stage: &Stage) -> StageOption {
    StageOption { slug: stage.slug.clone(), name: stage.name.clone(), kind: stage.kind.clone() }
}

fn view(record: ConfigurationRecord) -> ConfigurationView {
    ConfigurationView {
        id: record.id,
        role_id: record.role_id,
        role_title: record.role_title,
        job: record.job,
        rows: record.rows,
        attention: record.attention,
    }
}

/// What a new configuration starts with: the stage of the matching kind (or name), and
/// Workable's disqualify action for the outcomes. Every row stays editable.
fn proposed(stage: MarketplaceStage, stages: &[Stage]) -> StageAction {
    let wanted: &[&str] = match stage {
        MarketplaceStage::Accepted => &["sourced", "applied"],
        MarketplaceStage::Screening => &["phone-screen", "screening"],
        MarketplaceStage::TechnicalInterview => &["assessment", "technical"],
        MarketplaceStage::FinalInterview => &["interview"],
        MarketplaceStage::Offer => &["offer"],
        MarketplaceStage::Hired => &["hired"],
        MarketplaceStage::Rejected | MarketplaceStage::Withdrawn => return StageAction::Disqualify,
    };
    wanted
        .iter()
        .find_map(|w| stages.iter().find(|s| s.kind == *w || s.slug == *w || s.name.eq_ignore_ascii_case(w)))
        .map_or(StageAction::Nothing, |s| StageAction::Move { slug: s.slug.clone(), name: s.name.clone() })
}

/// What changed in Workable under a configuration, one sentence each (empty: nothing).
fn drift(config: &ConfigurationRecord, job: Option<&Job>, stages: &[Stage]) -> Vec<String> {
    let title = &config.job.title;
    let Some(job) = job else {
        return vec![format!("The Workable job “{title}” no longer exists.")];
    };
    let mut problems = Vec::new();
    if matches!(job.state, workable::JobState::Closed | workable::JobState::Archived) {
        problems.push(format!("The Workable job “{title}” is {}.", job.state));
    }
    for (stage, action) in &config.rows {
        let StageAction::Move { slug, name } = action else { continue };
        match stages.iter().find(|s| &s.slug == slug) {
            None => problems
                .push(format!("Workable stage “{name}” (for {}) was deleted from the job's pipeline.", stage.label())),
            Some(now) if &now.name != name => {
                problems.push(format!("Workable stage “{name}” (for {}) was renamed to “{}”.", stage.label(), now.name))
            }
            Some(_) => {}
        }
    }
    problems
}

/// One Workable read under the call policy, waiting for the rate limit (a person is waiting).
async fn fetch(mut calls: AccountCalls<'_>, what: Read) -> Result<ReadValue, MappingError> {
    let read = match &what {
        Read::Jobs => calls
            .call(WhenLimited::Wait, |api| async move { api.jobs(None).await })
            .await
            .map(|v| ReadValue::Jobs(Arc::new(v))),
        Read::Job(shortcode) => calls
            .call(WhenLimited::Wait, |api| async move { api.job(shortcode).await })
            .await
            .map(|v| ReadValue::Job(Arc::new(v))),
        Read::Stages(shortcode) => calls
            .call(WhenLimited::Wait, |api| async move { api.job_stages(shortcode).await })
            .await
            .map(|v| ReadValue::Stages(Arc::new(v))),
    };
    match read {
        Ok(value) => Ok(value),
        Err(CallError::Workable(WorkableError::NotFound)) => Err(MappingError::NotFound),
        Err(err) => Err(ConnectError::from(err).into()),
    }
}

impl Integrations {
    /// Reuse Workable reads for `ttl` (zero: never), instead of [`READ_CACHE_TTL`].
    pub fn with_read_cache_ttl(mut self, ttl: Duration) -> Self {
        self.reads = (!ttl.is_zero()).then(|| read_cache(ttl));
        self
    }

    async fn read(&self, company: CompanyId, what: Read) -> Result<ReadValue, MappingError> {
        let calls = self.account_calls(company).await.map_err(ConnectError::from)?;
        match &self.reads {
            Some(cache) => cache
                .try_get_with((company, calls.subdomain().to_string(), what.clone()), fetch(calls, what))
                .await
                .map_err(|err| (*err).clone()),
            None => fetch(calls, what).await,
        }
    }

    async fn jobs(&self, company: CompanyId) -> Result<Arc<Vec<Job>>, MappingError> {
        match self.read(company, Read::Jobs).await? {
            ReadValue::Jobs(jobs) => Ok(jobs),
            _ => unreachable!("the jobs key holds jobs"),
        }
    }

    /// One job; `None` when Workable says it no longer exists.
    async fn job(&self, company: CompanyId, shortcode: &str) -> Result<Option<Arc<Job>>, MappingError> {
        match self.read(company, Read::Job(shortcode.to_owned())).await {
            Ok(ReadValue::Job(job)) => Ok(Some(job)),
            Ok(_) => unreachable!("a job key holds a job"),
            Err(MappingError::NotFound) => Ok(None),
            Err(err) => Err(err),
        }
    }

    async fn stages(&self, company: CompanyId, shortcode: &str) -> Result<Arc<Vec<Stage>>, MappingError> {
        match self.read(company, Read::Stages(shortcode.to_owned())).await? {
            ReadValue::Stages(stages) => Ok(stages),
            _ => unreachable!("a stages key holds stages"),
        }
    }

    /// The caller's role, if it may take a configuration: live, or a draft being published.
    async fn mappable_role(&self, actor: &Actor, role: RoleId) -> Result<RoleRecord, MappingError> {
        let role = self.db().find_role(actor.company_id, role).await?.ok_or(MappingError::NotFound)?;
        if role.status == RoleStatus::Closed {
            return Err(MappingError::RoleClosed);
        }
        Ok(role)
    }

    /// A job of the connected account that can take candidates, by shortcode; a field error
    /// otherwise. Only shortcodes Workable listed ever reach a URL.
    async fn chosen_job(&self, actor: &Actor, shortcode: &str) -> Result<Job, MappingError> {
        let jobs = self.jobs(actor.company_id).await?;
        let job = jobs
            .iter()
            .find(|j| j.shortcode == shortcode.trim())
            .ok_or_else(|| invalid("job", "Choose one of the Workable jobs listed."))?;
        if !job_ref(job).accepts_candidates() {
            return Err(invalid(
                "job",
                format!("The Workable job “{}” is {} and cannot take candidates.", job.title, job.state),
            ));
        }
        Ok(job.clone())
    }

    /// The wizard's first step: the role, its configuration (checked for drift now), and the
    /// company's other configurations to import from.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn wizard_start(&self, actor: &Actor, role: RoleId) -> Result<WizardStart, MappingError> {
        self.mappable_role(actor, role).await?;
        let connected =
            self.db().connection(actor.company_id).await?.is_some_and(|c| c.status == ConnectionStatus::Connected);
        let mut current = self.db().configuration_for_role(actor.company_id, role).await?;
        if connected && let Some(config) = current.take() {
            current = Some(match self.check_configuration(config.clone()).await {
                Ok(checked) => checked,
                Err(MappingError::Internal) => return Err(MappingError::Internal),
                // Workable unreachable right now: show the mapping as last checked.
                Err(err) => {
                    tracing::info!(error = %err, "drift check on opening the wizard failed");
                    config
                }
            });
        }
        let summary = self.db().role_summary(actor.company_id, role).await?.ok_or(MappingError::NotFound)?;
        let importable = self
            .db()
            .list_configurations(actor.company_id)
            .await?
            .into_iter()
            .filter(|c| c.role_id != role)
            .map(view)
            .collect();
        Ok(WizardStart { role: summary, current: current.map(view), importable, connected })
    }

    /// The configuration to import from, if one was named: the company's own, or not found.
    async fn import_source(
        &self,
        actor: &Actor,
        from: Option<ConfigurationId>,
    ) -> Result<Option<ConfigurationRecord>, MappingError> {
        match from {
            None => Ok(None),
            Some(id) => Ok(Some(self.db().configuration(actor.company_id, id).await?.ok_or_else(|| {
                invalid("from", "That configuration no longer exists; choose another or start a new one.")
            })?)),
        }
    }

    /// The wizard's second step: the account's jobs that can take candidates, published first,
    /// with the current job (when editing) or the title-based suggestion preselected.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn job_choices(
        &self,
        actor: &Actor,
        role: RoleId,
        from: Option<ConfigurationId>,
    ) -> Result<JobChoices, MappingError> {
        let record = self.mappable_role(actor, role).await?;
        let imported = self.import_source(actor, from).await?;
        let all = self.jobs(actor.company_id).await?;
        let mut jobs: Vec<JobRef> = all.iter().map(job_ref).filter(JobRef::accepts_candidates).collect();
        jobs.sort_by_key(|j| (j.state != JobState::Published, j.title.to_lowercase()));
        let hidden = all.len() - jobs.len();
        let suggested = suggest_job(&record.title, &jobs).map(|j| j.shortcode.clone());
        let current = self
            .db()
            .configuration_for_role(actor.company_id, role)
            .await?
            .map(|c| c.job.shortcode)
            .filter(|code| jobs.iter().any(|j| &j.shortcode == code));
        Ok(JobChoices {
            role_title: record.title,
            preselected: current.or_else(|| suggested.clone()),
            suggested,
            jobs,
            hidden,
            imported_from: imported.map(|c| c.role_title),
        })
    }

    /// The wizard's third step: one row per marketplace stage with the job's own stages to pick
    /// from. Rows come from the imported configuration, else the role's current one, else a
    /// proposal by stage kind; a carried-over stage missing from this job's pipeline is left
    /// unchosen and says why.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn mapping_table(
        &self,
        actor: &Actor,
        role: RoleId,
        shortcode: &str,
        from: Option<ConfigurationId>,
    ) -> Result<MappingTable, MappingError> {
        let record = self.mappable_role(actor, role).await?;
        let job = self.chosen_job(actor, shortcode).await?;
        let stages = self.stages(actor.company_id, &job.shortcode).await?;
        let imported = self.import_source(actor, from).await?;
        let imported_from = imported.as_ref().map(|c| c.role_title.clone());
        let carried = match imported {
            Some(config) => Some(config),
            None => self.db().configuration_for_role(actor.company_id, role).await?,
        };
        let rows = MarketplaceStage::ALL
            .iter()
            .map(|&stage| {
                let Some(config) = &carried else {
                    return MappingRow { stage, action: Some(proposed(stage, &stages)), needs_choice: None };
                };
                match config.action(stage) {
                    StageAction::Move { slug, name } => match stages.iter().find(|s| s.slug == slug) {
                        Some(found) => MappingRow {
                            stage,
                            action: Some(StageAction::Move { slug, name: found.name.clone() }),
                            needs_choice: None,
                        },
                        None => MappingRow {
                            stage,
                            action: None,
                            needs_choice: Some(format!(
                                "“{name}” is not a stage of this job: choose one, or leave it blank."
                            )),
                        },
                    },
                    other => MappingRow { stage, action: Some(other), needs_choice: None },
                }
            })
            .collect();
        Ok(MappingTable {
            role_title: record.title,
            job: job_ref(&job),
            stages: stages.iter().map(stage_option).collect(),
            rows,
            imported_from,
        })
    }

    /// *Save*: the role is the caller's and not closed, the job exists in the connected account
    /// and can take candidates, every stage has a choice and every chosen slug is in that job's
    /// pipeline. Any member of the company may save.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn save_configuration(
        &self,
        actor: &Actor,
        role: RoleId,
        shortcode: &str,
        choices: &[(MarketplaceStage, StageChoice)],
    ) -> Result<ConfigurationId, MappingError> {
        self.mappable_role(actor, role).await?;
        let credentials = self.credentials(actor.company_id).await?;
        let job = self.chosen_job(actor, shortcode).await?;
        let stages = self.stages(actor.company_id, &job.shortcode).await?;
        let mut rows = Vec::with_capacity(MarketplaceStage::ALL.len());
        for &stage in MarketplaceStage::ALL {
            let choice = choices.iter().find(|(s, _)| *s == stage).map(|(_, c)| c).ok_or_else(|| {
                invalid(stage_field(stage), format!("Choose what “{}” does in Workable.", stage.label()))
            })?;
            let action = match choice {
                StageChoice::Nothing => StageAction::Nothing,
                StageChoice::Disqualify => StageAction::Disqualify,
                StageChoice::Move(slug) => {
                    let found = stages.iter().find(|s| &s.slug == slug).ok_or_else(|| {
                        invalid(
                            stage_field(stage),
                            format!(
                                "The stage chosen for “{}” is not in the pipeline of “{}”.",
                                stage.label(),
                                job.title
                            ),
                        )
                    })?;
                    StageAction::Move { slug: found.slug.clone(), name: found.name.clone() }
                }
            };
            rows.push((stage, action));
        }
        let job = job_ref(&job);
        let id = self
            .db()
            .save_configuration(SaveConfiguration {
                company_id: actor.company_id,
                role_id: role,
                subdomain: credentials.subdomain.as_str(),
                job: &job,
                rows: &rows,
                by: actor.user_id,
            })
            .await?;
        tracing::info!(company.id = %actor.company_id, role.id = %role, workable.job = %job.shortcode, "ATS configuration saved");
        // The first mapping subscribes the connection to Workable's moves; a failure is shown on
        // the connection card and tried again by reconciliation, the save stands.
        let _ = self.ensure_webhooks(actor.company_id).await;
        Ok(id)
    }

    /// *Remove ATS configuration*. Earlier exports keep naming the job they went to.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn remove_configuration(&self, actor: &Actor, role: RoleId) -> Result<(), MappingError> {
        self.db().find_role(actor.company_id, role).await?.ok_or(MappingError::NotFound)?;
        match self.db().remove_configuration(actor.company_id, role, actor.user_id).await {
            Err(StorageError::NotFound) => Err(MappingError::NotFound),
            other => Ok(other?),
        }
    }

    /// Checks one configuration against Workable now (through the read cache) and records what
    /// changed; returns it as recorded. Export and stage moves call this before using a mapping.
    pub async fn check_configuration(&self, config: ConfigurationRecord) -> Result<ConfigurationRecord, MappingError> {
        let company = config.company_id;
        let credentials = self.credentials(company).await?;
        let mut problems = Vec::new();
        let mut state = config.job.state;
        if credentials.subdomain.as_str() != config.subdomain {
            problems.push(format!(
                "Workable is now connected to the account “{}”, not “{}” where this job lives.",
                credentials.subdomain, config.subdomain
            ));
        } else {
            let job = self.job(company, &config.job.shortcode).await?;
            let stages = match &job {
                Some(job) => self.stages(company, &job.shortcode).await?,
                None => Arc::default(),
            };
            problems = drift(&config, job.as_deref(), &stages);
            if let Some(job) = &job {
                state = job_state(job.state);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(slug: &str, name: &str, kind: &str) -> Stage {
        Stage { slug: slug.into(), name: name.into(), kind: kind.into(), position: 0 }
    }

    #[test]
    fn a_new_mapping_proposes_stages_by_kind() {
        let stages = [stage("sourced", "Sourced", "sourced"), stage("phone-screen", "Phone Screen", "phone-screen")];
        assert_eq!(
            proposed(MarketplaceStage::Screening, &stages),
            StageAction::Move { slug: "phone-screen".into(), name: "Phone Screen".into() }
        );
        assert_eq!(proposed(MarketplaceStage::Offer, &stages), StageAction::Nothing);
        assert_eq!(proposed(MarketplaceStage::Withdrawn, &stages), StageAction::Disqualify);
    }
}
