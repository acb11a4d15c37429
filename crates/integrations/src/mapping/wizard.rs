//! The *Add ATS configuration* wizard's steps: the start (new or import), the job choice, the
//! mapping table with its proposal, validation on *Save*, and removal.

use domain::AtsKind;
use domain::mapping::{
    JobChoices, JobRef, JobState, MappingRow, MappingTable, StageAction, StageChoice, WizardStart, suggest_job,
};
use domain::mapping::{ReasonOption, StageOption};
use domain::{ConfigurationId, MarketplaceStage, RoleId, RoleStatus};
use storage::{ConfigurationRecord, ConnectionStatus, RoleRecord, SaveConfiguration, StorageError};

use crate::{Actor, Integrations};

use super::*;

/// What a new configuration starts with: the stage of the matching kind (or name), and the ATS's
/// way out of the pipeline for the outcomes — with outcome reasons (Lever), the first active
/// reason that fits: a hired one for *Hired*, one that says *withdr…* for *Withdrawn*, another
/// not-hired one for *Rejected*. Every row stays editable.
pub(super) fn proposed(stage: MarketplaceStage, stages: &[StageOption], reasons: &[ReasonOption]) -> StageAction {
    let says_withdrawn = |r: &ReasonOption| r.name.to_lowercase().contains("withdr");
    let reason = match stage {
        MarketplaceStage::Hired => reasons.iter().find(|r| r.hired),
        MarketplaceStage::Withdrawn => reasons.iter().find(|r| !r.hired && says_withdrawn(r)),
        MarketplaceStage::Rejected => reasons.iter().find(|r| !r.hired && !says_withdrawn(r)),
        _ => None,
    };
    if let Some(reason) = reason {
        return StageAction::Archive { reason: reason.id.clone(), name: reason.name.clone() };
    }
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

impl Integrations {
    /// The caller's role, if it may take a configuration: live, or a draft being published.
    pub(super) async fn mappable_role(&self, actor: &Actor, role: RoleId) -> Result<RoleRecord, MappingError> {
        let role = self.db().find_role(actor.company_id, role).await?.ok_or(MappingError::NotFound)?;
        if role.status == RoleStatus::Closed {
            return Err(MappingError::RoleClosed);
        }
        Ok(role)
    }

    /// A job of the connected account that can take candidates, by its id; a field error
    /// otherwise. Only ids the ATS listed ever reach a URL.
    pub(super) async fn chosen_job(
        &self,
        actor: &Actor,
        ats: AtsKind,
        shortcode: &str,
    ) -> Result<JobRef, MappingError> {
        let jobs = self.jobs(actor.company_id).await?;
        let job = jobs
            .iter()
            .find(|j| j.shortcode == shortcode.trim())
            .ok_or_else(|| invalid("job", format!("Choose one of the {} jobs listed.", ats.name())))?;
        if !job.accepts_candidates() {
            return Err(invalid(
                "job",
                format!("The {} job “{}” is {} and cannot take candidates.", ats.name(), job.title, job.state),
            ));
        }
        Ok(job.clone())
    }

    /// The wizard's first step: the role, its configuration (checked for drift now), and the
    /// company's other configurations to import from.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn wizard_start(&self, actor: &Actor, role: RoleId) -> Result<WizardStart, MappingError> {
        self.mappable_role(actor, role).await?;
        let connection = self.db().connection(actor.company_id).await?;
        let connected = connection.as_ref().is_some_and(|c| c.status == ConnectionStatus::Connected);
        let ats = connection.map_or(domain::AtsKind::Workable, |c| c.ats);
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
        Ok(WizardStart { ats, role: summary, current: current.map(view), importable, connected })
    }

    /// The configuration to import from, if one was named: the company's own, or not found.
    pub(super) async fn import_source(
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
        let (ats, _) = self.connected_ats(actor.company_id).await?;
        let all = self.jobs(actor.company_id).await?;
        let mut jobs: Vec<JobRef> = all.iter().filter(|j| j.accepts_candidates()).cloned().collect();
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
            ats,
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
        let (ats, _) = self.connected_ats(actor.company_id).await?;
        let job = self.chosen_job(actor, ats, shortcode).await?;
        let stages = self.stages(actor.company_id, &job.shortcode).await?;
        // Asked only of an ATS whose mappings choose reasons: no read at all for Workable.
        let reasons =
            if ats.chooses_outcome_reasons() { self.reasons(actor.company_id).await? } else { Default::default() };
        let imported = self.import_source(actor, from).await?;
        let imported_from = imported.as_ref().map(|c| c.role_title.clone());
        let importing = imported.is_some();
        let carried = match imported {
            Some(config) => Some(config),
            None => self.db().configuration_for_role(actor.company_id, role).await?,
        };
        let rows = MarketplaceStage::ALL
            .iter()
            .map(|&stage| {
                let fresh =
                    || MappingRow { stage, action: Some(proposed(stage, &stages, &reasons)), needs_choice: None };
                let Some(config) = &carried else { return fresh() };
                match config.action(stage) {
                    // Saved before reasons were chosen: the proposal names the reason now.
                    StageAction::Disqualify if !reasons.is_empty() => fresh(),
                    StageAction::Archive { reason, name } => match reasons.iter().find(|r| r.id == reason) {
                        Some(found) if found.fits(stage) => MappingRow {
                            stage,
                            action: Some(StageAction::Archive { reason, name: found.name.clone() }),
                            needs_choice: None,
                        },
                        _ => MappingRow {
                            stage,
                            action: None,
                            needs_choice: Some(format!(
                                "“{name}” is not an archive reason of this {} account: choose one, or leave it blank.",
                                ats.name()
                            )),
                        },
                    },
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
        // The role's own configuration, for the same job: this is editing it.
        let editing = !importing && carried.as_ref().is_some_and(|c| c.job.shortcode == job.shortcode);
        Ok(MappingTable {
            ats,
            role_title: record.title,
            job,
            stages: stages.to_vec(),
            reasons: reasons.to_vec(),
            rows,
            imported_from,
            editing,
        })
    }

    /// The Workable job the role is mapped to now (*Edit ATS configuration* opens its mapping
    /// table directly); a field error when the role has no configuration.
    pub async fn current_job(&self, actor: &Actor, role: RoleId) -> Result<String, MappingError> {
        self.mappable_role(actor, role).await?;
        match self.db().configuration_for_role(actor.company_id, role).await? {
            Some(config) => Ok(config.job.shortcode),
            None => Err(MappingError::Invalid(FieldError::new("job", "Choose a Workable job first."))),
        }
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
        let (ats, account) = self.connected_ats(actor.company_id).await?;
        let job = self.chosen_job(actor, ats, shortcode).await?;
        let stages = self.stages(actor.company_id, &job.shortcode).await?;
        let chooses_reasons = choices.iter().any(|(_, c)| matches!(c, StageChoice::Archive(_)));
        let reasons = if chooses_reasons { self.reasons(actor.company_id).await? } else { Default::default() };
        let mut rows = Vec::with_capacity(MarketplaceStage::ALL.len());
        for &stage in MarketplaceStage::ALL {
            let choice = choices.iter().find(|(s, _)| *s == stage).map(|(_, c)| c).ok_or_else(|| {
                invalid(stage_field(stage), format!("Choose what “{}” does in {}.", stage.label(), ats.name()))
            })?;
            let action = match choice {
                StageChoice::Nothing => StageAction::Nothing,
                StageChoice::Disqualify => StageAction::Disqualify,
                StageChoice::Archive(id) => {
                    let found = reasons.iter().find(|r| &r.id == id && r.fits(stage)).ok_or_else(|| {
                        invalid(
                            stage_field(stage),
                            format!(
                                "Choose one of the {} archive reasons listed for “{}”{}.",
                                ats.name(),
                                stage.label(),
                                if stage == MarketplaceStage::Hired { " (a hired one)" } else { "" }
                            ),
                        )
                    })?;
                    StageAction::Archive { reason: found.id.clone(), name: found.name.clone() }
                }
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
        let id = self
            .db()
            .save_configuration(SaveConfiguration {
                company_id: actor.company_id,
                role_id: role,
                subdomain: &account,
                job: &job,
                rows: &rows,
                by: actor.user_id,
            })
            .await?;
        tracing::info!(company.id = %actor.company_id, role.id = %role, ats = ats.name(), ats.job = %job.shortcode, "ATS configuration saved");
        // The first mapping subscribes the connection to Workable's moves; a failure is shown on
        // the connection card and tried again by reconciliation, the save stands.
        let _ = self.ensure_webhooks(actor.company_id).await;
        // The job this role mapped to before, if no other role maps it, leaves Insights.
        self.db().forget_unmapped_jobs(actor.company_id).await?;
        // A job never read before is read now (Insights counts its candidates) instead of at the
        // next round; the others are read from their watermarks, a call each.
        if !self.db().job_reads(actor.company_id).await?.contains_key(job.shortcode.as_str()) {
            let now = storage::now_ms();
            self.db().enqueue(domain::WorkKind::Reconcile, actor.company_id, actor.company_id.0, now).await?;
        }
        Ok(id)
    }

    /// *Remove ATS configuration*. Earlier exports keep naming the job they went to.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn remove_configuration(&self, actor: &Actor, role: RoleId) -> Result<(), MappingError> {
        self.db().find_role(actor.company_id, role).await?.ok_or(MappingError::NotFound)?;
        match self.db().remove_configuration(actor.company_id, role, actor.user_id).await {
            Err(StorageError::NotFound) => return Err(MappingError::NotFound),
            other => other?,
        }
        // Its job, if no other role maps it, leaves Insights (mapped again, it is read again).
        self.db().forget_unmapped_jobs(actor.company_id).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(slug: &str, name: &str, kind: &str) -> StageOption {
        StageOption { slug: slug.into(), name: name.into(), kind: kind.into() }
    }

    #[test]
    fn a_new_mapping_proposes_stages_by_kind() {
        let stages = [stage("sourced", "Sourced", "sourced"), stage("phone-screen", "Phone Screen", "phone-screen")];
        assert_eq!(
            proposed(MarketplaceStage::Screening, &stages, &[]),
            StageAction::Move { slug: "phone-screen".into(), name: "Phone Screen".into() }
        );
        assert_eq!(proposed(MarketplaceStage::Offer, &stages, &[]), StageAction::Nothing);
        assert_eq!(proposed(MarketplaceStage::Withdrawn, &stages, &[]), StageAction::Disqualify);
    }

    #[test]
    fn with_outcome_reasons_each_outcome_proposes_the_first_that_fits() {
        let reason = |id: &str, hired: bool| ReasonOption { id: id.into(), name: id.into(), hired };
        let reasons = [reason("Hired", true), reason("Withdrew", false), reason("Underqualified", false)];
        let archive = |id: &str| StageAction::Archive { reason: id.into(), name: id.into() };
        assert_eq!(proposed(MarketplaceStage::Rejected, &[], &reasons), archive("Underqualified"));
        assert_eq!(proposed(MarketplaceStage::Withdrawn, &[], &reasons), archive("Withdrew"));
        assert_eq!(proposed(MarketplaceStage::Hired, &[], &reasons), archive("Hired"));
        // No reason says "withdr": Withdrawn falls back to the ATS's way out.
        assert_eq!(proposed(MarketplaceStage::Withdrawn, &[], &reasons[2..]), StageAction::Disqualify);
    }
}
