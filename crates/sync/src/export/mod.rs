//! Exporting one accepted request: the candidate into the mapped Workable job at the stage mapped
//! to *Request accepted*, with the CV as the resume and the marketplace profile (a PDF) attached on
//! the timeline, both files then confirmed. Each finished step is recorded before the next one,
//! so a crash resumes where it stopped; before anything that could create twice, Workable is asked
//! first.
//!
//! Happy path: two Workable calls — the create with the resume, whose answer carries the stored
//! resume (`resume_url`), and the comment with the profile, whose answer carries the comment's id.
//! The candidate's files are read back only when an answer was lost or did not say so (a retried
//! attempt, an existing candidate linked, no `resume_url`, no comment id).

use documents::{CvContent, ProfileContent};
use domain::export::LedgerStep;
use domain::mapping::StageAction;
use domain::{CompanyId, RequestId};
use integrations::ats::{AtsCalls, AtsCandidate, AtsJob, AtsStage, Attachment, NewExport};
use storage::{ExportRecord, ExportStep, SharedCandidate, StorageError, WorkItem};

use crate::{Engine, Outcome};

/// How long an export waits while another export of the same person into the same job creates
/// them (one create takes a second or so; then the waiting one links).
const SAME_PERSON_WAIT_MS: i64 = 1_000;

mod content;

use content::{date, profile_file_name};

/// `?` for steps: a storage failure is a retry.
macro_rules! stored {
    ($e:expr) => {
        match $e {
            Ok(value) => value,
            Err(err) => return storage_failure(err),
        }
    };
}

pub(crate) fn storage_failure(err: StorageError) -> Outcome {
    tracing::error!(error = %err, "storage failure during an export");
    Outcome::Retry("Something went wrong on our side.".into())
}

impl Engine {
    /// The request's export as stored, created if missing; an export that waited for a mapping
    /// takes the role's new one and its ledger says so (the back-fill).
    async fn prepare_export(
        &self,
        company: CompanyId,
        request: RequestId,
        config: Option<&storage::ConfigurationRecord>,
    ) -> Result<storage::ExportRecord, StorageError> {
        let now = self.clock().now_ms();
        let mut write = self.db.write().await?;
        let (export, backfilled) = write.prepare_export(company, request, config, now).await?;
        if let Some(config) = config.filter(|_| backfilled) {
            let detail = format!("Back-fill: queued for the mapped job “{}”.", config.job.title);
            write.add_ledger(export.id, now, LedgerStep::Queued, &detail).await?;
        }
        write.commit().await?;
        Ok(export)
    }

    pub(crate) async fn export(&self, item: &WorkItem) -> Outcome {
        let company = item.company_id;
        let request = RequestId(item.subject_id);
        let config = stored!(self.current_configuration(company, request).await);
        let export = stored!(self.prepare_export(company, request, config.as_ref()).await);
        let Some(mut config) = config else {
            // Recorded as *Not exported — role not mapped*; back-fill picks it up later.
            return Outcome::Done;
        };
        if export.state == domain::export::ExportState::Done {
            return Outcome::Done;
        }
        let stale = config
            .checked_at
            .is_none_or(|at| self.clock().now_ms() - at > self.settings.drift_check_after.as_millis() as i64);
        if stale {
            match self.integrations.check_configuration(config.clone()).await {
                Ok(checked) => config = checked,
                Err(err @ (integrations::MappingError::ReconnectNeeded | integrations::MappingError::NotConnected)) => {
                    return Outcome::Pause(err.to_string());
                }
                Err(err) => return Outcome::Retry(err.to_string()),
            }
        }
        if !config.job.accepts_candidates() {
            return Outcome::Fail(format!(
                "Mapping needs attention: {} Edit the role's ATS configuration, then retry.",
                config
                    .attention
                    .first()
                    .cloned()
                    .unwrap_or_else(|| format!("The mapped job “{}” cannot take candidates.", config.job.title))
            ));
        }
        let candidate = match stored!(self.db.shared_candidate(company, export.candidate_id).await) {
            Some(candidate) => candidate,
            None => return Outcome::Fail("The candidate's profile is no longer shared with this company.".into()),
        };
        let mut calls = match self.integrations.ats_calls(company).await {
            Ok(calls) => calls,
            Err(err) => return err.into(),
        };
        // The stage mapped to where the candidate is now (a back-filled candidate may be further
        // along than *Request accepted*), else the one mapped to *Request accepted*.
        let context = stored!(self.db.export_context(&export).await);
        let now_at = context.stage;
        let stage = match (config.action(now_at), config.action(domain::MarketplaceStage::Accepted)) {
            (StageAction::Move { slug, .. }, _) | (_, StageAction::Move { slug, .. }) => Some(slug),
            _ => None,
        };
        // Stored when the role was mapped, from the ATS's own answers: they have its form unless
        // the database was edited by hand.
        let (Some(job), Some(stage)) =
            (calls.job(&config.job.shortcode), stage.map(|s| calls.stage(&s).ok_or(())).transpose().ok())
        else {
            return Outcome::Fail(format!(
                "The role's ATS configuration names a {} job or stage that cannot exist; edit it.",
                calls.name()
            ));
        };
        // Created while already *Rejected* / *Withdrawn* (or *Hired*, archiving with a reason) in
        // the marketplace: the stage sync takes them out right after (creation cannot).
        let then_disqualify = matches!(config.action(now_at), StageAction::Disqualify | StageAction::Archive { .. });
        match self.export_steps(item, export, &job, (stage, &context, then_disqualify), &candidate, &mut calls).await {
            Ok(()) => {
                if then_disqualify {
                    stored!(
                        self.db
                            .enqueue(domain::WorkKind::StageSync, company, item.subject_id, self.clock().now_ms())
                            .await
                    );
                }
                Outcome::Done
            }
            Err(outcome) => outcome,
        }
    }

    async fn current_configuration(
        &self,
        company: domain::CompanyId,
        request: RequestId,
    ) -> Result<Option<storage::ConfigurationRecord>, StorageError> {
        let Some(role) = self.db.request_role(company, request).await? else { return Ok(None) };
        self.db.configuration_for_role(company, role).await
    }

    async fn export_steps(
        &self,
        item: &WorkItem,
        mut export: ExportRecord,
        job: &AtsJob,
        (stage, context, then_disqualify): (Option<AtsStage>, &storage::ExportContext, bool),
        candidate: &SharedCandidate,
        calls: &mut AtsCalls<'_>,
    ) -> Result<(), Outcome> {
        let company = item.company_id;
        let ats = calls.name();
        let link = format!("{}/roles/{}", self.settings.public_url.trim_end_matches('/'), export.role_id);
        // An earlier attempt may have reached Workable without us hearing the answer.
        let uncertain = item.attempts > 1 || export.attempts > 0;
        // What Workable's own answers in this attempt confirmed: the resume stored by the create,
        // the profile posted by the comment. Anything less, and the files are read back.
        let (mut resume_confirmed, mut profile_confirmed) = (false, false);

        // 1. The candidate in the job: created, or found and linked.
        if export.workable_candidate_id.is_none() {
            // One export at a time creates this person in this job; the other then links to it.
            let now = self.clock().now_ms();
            let until = now + self.settings.lease.as_millis() as i64;
            if !self.db.claim_export_identity(&export, now, until).await.map_err(storage_failure)? {
                return Err(Outcome::After(SAME_PERSON_WAIT_MS));
            }
            let created = self.create_or_link(&export, job, stage.as_ref(), candidate, &link, uncertain, calls).await;
            let created = match created {
                Ok(created) => created,
                Err(outcome) => {
                    self.db.release_export_identity(export.id).await.map_err(storage_failure)?;
                    return Err(outcome);
                }
            };
            let step = ExportStep::Created {
                workable_id: created.0.id.clone(),
                profile_url: created.0.profile_url.clone(),
                stage: created.0.stage.clone(),
                linked: created.1,
            };
            let ours = created.0.ours;
            let detail = match (created.1, &created.0.profile_url) {
                // Someone else's candidate keeps the source Workable has for them.
                (true, _) if !ours => format!(
                    "Already in the {ats} job: linked to the existing candidate, not duplicated; they keep their \
                     source in {ats} ({}).",
                    created.0.source.as_deref().unwrap_or(&format!("as {ats} has it"))
                ),
                (true, _) => format!("Already in the {ats} job: linked to the existing candidate, not duplicated."),
                (false, Some(_)) => format!("Created in {ats}."),
                (false, None) => format!("Created in {ats} (no profile link returned)."),
            };
            self.db
                .record_export_step(export.id, &step, &detail, self.clock().now_ms())
                .await
                .map_err(storage_failure)?;
            // Recorded: another export of this person now finds it and links.
            self.db.release_export_identity(export.id).await.map_err(storage_failure)?;
            // Insights counts them from now, not from the next reconciliation.
            if let Some(row) = created.0.insights.clone() {
                self.db.store_ats_candidates(export.company_id, &[row]).await.map_err(storage_failure)?;
            }
            resume_confirmed = !uncertain && !created.1 && (candidate.cv.is_none() || created.0.resume_stored);
            export.workable_candidate_id = Some(created.0.id.clone());
            export.workable_stage = created.0.stage.clone();
            export.linked_existing = created.1;
            export.created_in_workable_at = Some(self.clock().now_ms());
        }
        let workable_id = export.workable_candidate_id.clone().unwrap_or_default();
        let workable_id = workable_id.as_str();
        let profile_name = profile_file_name(candidate, &export);

        // 2. The marketplace profile attached on the timeline (and, for a candidate who was
        //    already in the job with a resume of their own, the CV too).
        if export.profile_attached_at.is_none() {
            let present: Vec<String> = if uncertain || export.linked_existing {
                calls.file_names(workable_id).await.map_err(Outcome::from)?
            } else {
                Vec::new()
            };
            let accepted_on = date(context.accepted_at);
            if export.linked_existing
                && let Some(cv) = candidate.cv.as_ref().filter(|cv| !present.contains(&cv.filename))
            {
                let body = format!(
                    "{}'s CV, shared through the marketplace on {accepted_on}. Profile: {link}",
                    candidate.name
                );
                let cv = Attachment { file_name: &cv.filename, pdf: &cv.pdf };
                calls.attach(workable_id, &body, cv).await.map_err(Outcome::from)?;
            }
            if !present.contains(&profile_name) {
                let pdf = documents::render_profile(&ProfileContent {
                    candidate: CvContent {
                        name: &candidate.name,
                        email: &candidate.email,
                        phone: candidate.phone.as_deref(),
                        headline: &candidate.headline,
                        summary: &candidate.summary,
                        profile: &candidate.profile,
                    },
                    role_title: &context.role_title,
                    company_name: &context.company_name,
                    accepted_on: &accepted_on,
                    link: &link,
                });
                let body = format!(
                    "{} accepted {}'s request for {} on the marketplace on {accepted_on}. Their marketplace profile is attached; CV as the resume. Profile: {link}",
                    candidate.name, context.company_name, context.role_title
                );
                let profile = Attachment { file_name: &profile_name, pdf: &pdf };
                let id = calls.attach(workable_id, &body, profile).await.map_err(Outcome::from)?;
                profile_confirmed = id.is_some();
            }
            self.db
                .record_export_step(
                    export.id,
                    &ExportStep::ProfileAttached,
                    &format!("Marketplace profile attached on the {ats} timeline."),
                    self.clock().now_ms(),
                )
                .await
                .map_err(storage_failure)?;
        }

        // 3. Both files confirmed: by the answers above, or read back.
        if export.profile_confirmed_at.is_none() {
            let detail = if resume_confirmed && profile_confirmed {
                if candidate.cv.is_some() {
                    format!(
                        "CV (as the resume) confirmed by {ats}'s answer to the create, marketplace profile by its answer to the comment."
                    )
                } else {
                    format!(
                        "Marketplace profile confirmed by {ats}'s answer to the comment (the candidate shared no CV)."
                    )
                }
            } else {
                let files = calls.file_names(workable_id).await.map_err(Outcome::from)?;
                let has_profile = files.contains(&profile_name);
                let has_resume = match &candidate.cv {
                    Some(cv) => files.contains(&cv.filename),
                    None => true,
                };
                if !(has_profile && has_resume) {
                    let missing = match (has_resume, has_profile) {
                        (false, false) => "the CV and the profile",
                        (false, true) => "the CV",
                        _ => "the profile",
                    };
                    return Err(Outcome::Retry(format!("{ats} does not show {missing} on the candidate yet.")));
                }
                if candidate.cv.is_some() {
                    format!("CV (as the resume) and marketplace profile read back from {ats}.")
                } else {
                    format!("Marketplace profile read back from {ats} (the candidate shared no CV).")
                }
            };
            self.db
                .record_export_step(export.id, &ExportStep::FilesConfirmed, &detail, self.clock().now_ms())
                .await
                .map_err(storage_failure)?;
        }

        // 4. The stage: set at creation (`?stage=`); an existing candidate keeps theirs.
        let at = export.workable_stage.clone().unwrap_or_else(|| "the job's first stage".into());
        let detail = if export.linked_existing {
            format!("At “{at}” in {ats} (an existing candidate keeps their stage).")
        } else {
            format!("At “{at}” in {ats}.")
        };
        self.db
            .record_export_step(export.id, &ExportStep::AtStage { stage: at }, &detail, self.clock().now_ms())
            .await
            .map_err(storage_failure)?;
        // A created candidate is where the marketplace has them; a linked one is wherever
        // Workable has them, so the next marketplace move is sent whatever it is.
        if !export.linked_existing && !then_disqualify {
            self.db.set_synced_stage(export.id, context.stage).await.map_err(storage_failure)?;
        }
        tracing::info!(company.id = %company, export.id = %export.id, ats = calls.name(), "candidate exported");
        Ok(())
    }

    /// Creates the candidate, unless the ATS already has them in the job — another request's
    /// export, an unanswered earlier attempt, or (Workable) a 422 *already exists* — then links
    /// that one.
    /// Returns the candidate and whether it was linked rather than created.
    #[allow(clippy::too_many_arguments)]
    async fn create_or_link(
        &self,
        export: &ExportRecord,
        job: &AtsJob,
        stage: Option<&AtsStage>,
        candidate: &SharedCandidate,
        link: &str,
        uncertain: bool,
        calls: &mut AtsCalls<'_>,
    ) -> Result<(AtsCandidate, bool), Outcome> {
        if let Some(other) = self.db.export_with_identity(export).await.map_err(storage_failure)? {
            let id = other.workable_candidate_id.unwrap_or_default();
            let found = calls.candidate(Some(job), &id).await.map_err(Outcome::from)?;
            return Ok((found, true));
        }
        // An ATS that makes a second candidate for the same person and job (Lever) is always
        // asked first; one that refuses it (Workable) only after a doubt.
        let look_first = uncertain || !calls.refuses_duplicates();
        if look_first && let Some(found) = calls.find_in_job(job, &candidate.email).await.map_err(Outcome::from)? {
            return Ok((found, true));
        }
        let new = NewExport { candidate, tag: &self.settings.tag, link };
        match calls.create(job, stage, &new).await.map_err(Outcome::from)? {
            Some(created) => Ok((created, false)),
            None => {
                let found = calls.find_in_job(job, &candidate.email).await.map_err(Outcome::from)?;
                found.map(|c| (c, true)).ok_or_else(|| {
                    Outcome::Retry(format!(
                        "{} says the candidate exists in the job but does not list them yet.",
                        calls.name()
                    ))
                })
            }
        }
    }
}
