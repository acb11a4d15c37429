//! Workable → marketplace. A webhook (or reconciliation) says a candidate changed; we read them
//! back from Workable — a payload reflects delivery time and may come late, twice or out of
//! order — and apply product.md's reverse mapping: the marketplace stage mapped to their
//! Workable stage (the furthest along when several are), *Rejected* / *Withdrawn* for a
//! disqualification, *Hired* for a stage of kind `hired`.
//!
//! Echo control: each export remembers where Workable has the candidate as far as we know
//! (after our own moves too); a Workable state equal to it, or one the marketplace's current
//! stage maps to, is not a change. Conflict: when both sides moved since the last sync, the later
//! move wins and the ledger says both.

use domain::export::{ExportState, LedgerStep};
use domain::mapping::{StageAction, marketplace_stage_for};
use domain::{CompanyId, MarketplaceStage, MoveOrigin, WorkKind};
use storage::{ConfigurationRecord, ExportRecord, StorageError, WorkItem, WorkableSeen};

use integrations::ats::{AtsCandidate, AtsJob};

use crate::export::storage_failure;
use crate::{Engine, Outcome};

/// How long a read-back waits for our own move of the candidate to finish.
const WAIT_FOR_OUR_MOVE_MS: i64 = 200;

/// How a Workable candidate looks now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Observed {
    /// The ATS that shows it (its name goes in the ledger).
    pub ats: domain::AtsKind,
    pub seen: WorkableSeen,
    /// At a stage (Lever: archived with a reason) that means hired.
    pub hired: bool,
    /// Workable's `updated_at`, ms.
    pub updated_at: Option<i64>,
}

impl Observed {
    pub(crate) fn of(candidate: &AtsCandidate, ats: domain::AtsKind) -> Self {
        Observed {
            ats,
            seen: WorkableSeen {
                stage: candidate.stage.clone(),
                disqualified: candidate.closed,
                withdrew: candidate.closed && candidate.withdrew.unwrap_or(false),
                reason: candidate.reason.clone(),
            },
            hired: candidate.hired,
            updated_at: candidate.updated_at,
        }
    }

    fn describe(&self) -> String {
        let ats = self.ats.name();
        let closed = match self.ats {
            domain::AtsKind::Workable => "Disqualified",
            domain::AtsKind::Lever => "Archived",
        };
        match (&self.seen.stage, self.seen.disqualified, self.seen.withdrew) {
            (_, true, _) if self.hired => format!("Hired in {ats}"),
            (_, true, true) => format!("Withdrawn in {ats}"),
            (_, true, false) => format!("{closed} in {ats}"),
            (Some(stage), false, _) => format!("Moved to “{stage}” in {ats}"),
            (None, false, _) => format!("Changed in {ats}"),
        }
    }
}

/// What applying an observation did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Applied {
    /// Nothing new (our own change coming back, a duplicate, an older state).
    Unchanged,
    /// Remembered, the marketplace stage stays.
    Recorded,
    /// The marketplace stage moved.
    Moved,
}

/// Whether the ATS's state is what the marketplace stage's mapping asks for.
fn consistent(action: &StageAction, observed: &Observed, stage: MarketplaceStage) -> bool {
    let seen = &observed.seen;
    match action {
        StageAction::Move { name, .. } => {
            !seen.disqualified && seen.stage.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(name))
        }
        StageAction::Disqualify => seen.disqualified && seen.withdrew == (stage == MarketplaceStage::Withdrawn),
        StageAction::Archive { reason, .. } => seen.reason.as_deref() == Some(reason.as_str()),
        StageAction::Nothing => false,
    }
}

fn clock(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::macros::format_description!("[hour]:[minute]:[second] UTC")).ok())
        .unwrap_or_default()
}

impl Engine {
    /// A webhook said the export's Workable candidate changed: read them and apply it.
    pub(crate) async fn workable_change(&self, item: &WorkItem) -> Outcome {
        let company = item.company_id;
        let export = match self.db.export(company, domain::ExportId(item.subject_id)).await {
            Ok(Some(export)) => export,
            Ok(None) => return Outcome::Done,
            Err(err) => return storage_failure(err),
        };
        let Some((config, workable_id)) = (match self.mapped_for(&export).await {
            Ok(found) => found,
            Err(err) => return storage_failure(err),
        }) else {
            return Outcome::Done;
        };
        // Our own move of this candidate is under way (a revert and a move are two calls, maybe
        // a rate-limit wait apart): Workable may show a state in between; look once it is done.
        match self.pushing(&export).await {
            Ok(true) => return Outcome::Wait(WAIT_FOR_OUR_MOVE_MS),
            Ok(false) => {}
            Err(err) => return storage_failure(err),
        }
        let mut calls = match self.integrations.ats_calls(company).await {
            Ok(calls) => calls,
            Err(err) => return err.into(),
        };
        let job = calls.job(export.job_shortcode.as_deref().unwrap_or_default());
        let candidate = match calls.candidate(job.as_ref(), workable_id.as_str()).await {
            Ok(candidate) => candidate,
            Err(err) if err.is_not_found() => return self.deleted_in_the_ats(&export, calls.kind()).await,
            Err(failure) => return failure.into(),
        };
        if candidate.job.as_deref().is_some_and(|j| export.job_shortcode.as_deref() != Some(j)) {
            return Outcome::Done;
        }
        // What was read for the move is what Insights keeps for the candidate.
        if let (Some(_), Some(row)) = (&job, &candidate.insights)
            && let Err(err) = self.db.store_ats_candidates(company, std::slice::from_ref(row)).await
        {
            return storage_failure(err);
        }
        match self.apply_observed(&export, &config, &Observed::of(&candidate, calls.kind()), "webhook").await {
            Ok(_) => Outcome::Done,
            Err(outcome) => outcome,
        }
    }

    /// Whether a marketplace move of ours is mid-way to Workable (and will go on: its work is
    /// still queued or running).
    async fn pushing(&self, export: &ExportRecord) -> Result<bool, StorageError> {
        Ok(export.pushing_stage.is_some()
            && self.db.work_pending(domain::WorkKind::StageSync, export.request_id.0).await?)
    }

    /// The export's configuration when it still maps the role to the job the candidate is in,
    /// and the Workable candidate's id; `None` when Workable changes no longer concern us.
    pub(crate) async fn mapped_for(
        &self,
        export: &ExportRecord,
    ) -> Result<Option<(ConfigurationRecord, String)>, StorageError> {
        if export.state != ExportState::Done {
            return Ok(None);
        }
        let Some(workable_id) = export.workable_candidate_id.clone() else { return Ok(None) };
        let config = self.db.configuration_for_role(export.company_id, export.role_id).await?;
        Ok(config
            .filter(|c| {
                Some(&c.job.shortcode) == export.job_shortcode.as_ref()
                    && Some(&c.subdomain) == export.subdomain.as_ref()
            })
            .map(|c| (c, workable_id)))
    }

    pub(crate) async fn deleted_in_the_ats(&self, export: &ExportRecord, ats: domain::AtsKind) -> Outcome {
        let ats = ats.name();
        let detail = format!("The candidate was deleted in {ats}; marketplace moves no longer reach {ats}.");
        match self.db.add_ledger(export.id, self.clock().now_ms(), LedgerStep::FromWorkable, &detail).await {
            Ok(()) => Outcome::Done,
            Err(err) => storage_failure(err),
        }
    }

    /// Applies how Workable has the candidate now to the marketplace (see the module's rules).
    pub(crate) async fn apply_observed(
        &self,
        export: &ExportRecord,
        config: &ConfigurationRecord,
        observed: &Observed,
        via: &str,
    ) -> Result<Applied, Outcome> {
        // An older state than one already applied (a late page, a slow read): nothing to do.
        if let (Some(at), Some(applied)) = (observed.updated_at, export.workable_updated_at)
            && at < applied
        {
            return Ok(Applied::Unchanged);
        }
        let known = export.workable_seen();
        if observed.seen == known {
            return Ok(Applied::Unchanged);
        }
        let context = self.db.export_context(export).await.map_err(storage_failure)?;
        let now_at = context.stage;
        let remember = |detail: Option<String>| async move {
            self.remember_seen(export, observed, detail.as_deref(), false)
                .await
                .map_err(storage_failure)
                .map(|()| Applied::Recorded)
        };
        // Where the marketplace's stage puts them: our own move (maybe before we noted it).
        if consistent(&config.action(now_at), observed, now_at) {
            return remember(None).await;
        }
        let slug = observed.seen.stage.as_deref().and_then(|name| {
            config.rows.iter().find_map(|(_, action)| match action {
                StageAction::Move { slug, name: mapped } if mapped.eq_ignore_ascii_case(name) => Some(slug.as_str()),
                _ => None,
            })
        });
        let target = marketplace_stage_for(
            &config.rows,
            slug,
            observed.seen.reason.as_deref(),
            observed.hired,
            observed.seen.disqualified,
            observed.seen.withdrew,
        );
        let what = observed.describe();
        let Some(target) = target else {
            return remember(Some(format!(
                "{what} ({via}); no marketplace stage is mapped to it, so the candidate stays at {}.",
                now_at.label()
            )))
            .await;
        };
        if target == now_at {
            return remember(None).await;
        }
        // Both sides moved since the last sync: the later wins. (The export may have been read
        // before another read-back applied the ATS's previous move: the marketplace's own move,
        // not the export's note of it, says whether the marketplace changed anything.)
        let marketplace_pending = export.synced_stage.is_some() && export.synced_stage != Some(now_at);
        let marketplace_moved_at = if marketplace_pending {
            self.db.last_marketplace_move_at(export.company_id, export.request_id).await.map_err(storage_failure)?
        } else {
            None
        };
        let mut detail = format!("{what} ({via}): moved to {} in the marketplace.", target.label());
        if let Some(marketplace_at) = marketplace_moved_at {
            let workable_at = observed.updated_at.unwrap_or_else(|| self.clock().now_ms());
            let both = format!(
                "Both sides changed: {what} at {}, and {} in the marketplace at {}",
                clock(workable_at),
                now_at.label(),
                clock(marketplace_at)
            );
            if marketplace_at > workable_at {
                let detail =
                    format!("{both} — the later, the marketplace's, wins and goes to {}.", observed.ats.name());
                self.remember_seen(export, observed, Some(&detail), true).await.map_err(storage_failure)?;
                return Ok(Applied::Recorded);
            }
            detail = format!(
                "{both} — the later, {}'s, wins: moved to {} in the marketplace.",
                observed.ats.name(),
                target.label()
            );
        }
        match self.apply_workable_move(export, (now_at, target), observed, &detail).await {
            Ok(true) => {
                tracing::info!(company.id = %export.company_id, export.id = %export.id, to = target.as_str(), via, "ATS move applied to the marketplace");
                Ok(Applied::Moved)
            }
            // Moved in the marketplace meanwhile: look again with that move known.
            Ok(false) => Err(Outcome::Retry("The candidate was moved in the marketplace meanwhile.".into())),
            Err(err) => Err(storage_failure(err)),
        }
    }

    /// Remembers what Workable shows of the candidate, with a ledger line when there is
    /// something to say; `send_ours` queues the marketplace's own move to Workable with it (the
    /// marketplace's was the later).
    async fn remember_seen(
        &self,
        export: &ExportRecord,
        observed: &Observed,
        detail: Option<&str>,
        send_ours: bool,
    ) -> Result<(), StorageError> {
        let now = self.clock().now_ms();
        let mut write = self.db.write().await?;
        write.record_workable_seen(export.id, &observed.seen, observed.updated_at, now).await?;
        if let Some(detail) = detail {
            write.add_ledger(export.id, now, LedgerStep::FromWorkable, detail).await?;
        }
        if send_ours {
            write.enqueue(WorkKind::StageSync, export.company_id, export.request_id.0, now).await?;
        }
        write.commit().await
    }

    /// Moves the request `from` → `to` because Workable moved the candidate — unless it was
    /// moved in the marketplace meanwhile (`false`, nothing written) — recorded with origin
    /// Workable and as already in Workable, so nothing is sent back.
    async fn apply_workable_move(
        &self,
        export: &ExportRecord,
        (from, to): (MarketplaceStage, MarketplaceStage),
        observed: &Observed,
        detail: &str,
    ) -> Result<bool, StorageError> {
        let now = self.clock().now_ms();
        let mut write = self.db.write().await?;
        let (company, request) = (export.company_id, export.request_id);
        if !write.move_request_stage(company, request, (from, to), None, MoveOrigin::Workable, now).await? {
            return Ok(false);
        }
        write.set_synced_stage(export.id, to).await?;
        write.record_workable_seen(export.id, &observed.seen, observed.updated_at, now).await?;
        write.add_ledger(export.id, now, LedgerStep::FromWorkable, detail).await?;
        write.commit().await?;
        Ok(true)
    }

    /// Reconciliation for one connection: every candidate updated in a mapped job since the
    /// watermark, page by page within the rate limit; corrects what a lost webhook missed.
    pub(crate) async fn reconcile(&self, item: &WorkItem) -> Outcome {
        let company = item.company_id;
        let result = self.reconcile_pages(company).await;
        // When the round ended: every job read in it was read before this.
        let ended = storage::now_ms();
        let recorded = match &result {
            Ok((watermark, corrections)) => {
                self.db.record_reconciliation(company, ended, *watermark, *corrections, None).await
            }
            Err(Outcome::Retry(why) | Outcome::Fail(why) | Outcome::Pause(why)) => {
                self.db.record_reconciliation(company, ended, None, 0, Some(why)).await
            }
            Err(_) => Ok(()),
        };
        if let Err(err) = recorded {
            return storage_failure(err);
        }
        match result {
            Ok((_, corrections)) => {
                tracing::info!(company.id = %company, corrections, "reconciliation finished");
                Outcome::Done
            }
            Err(outcome) => outcome,
        }
    }

    async fn reconcile_pages(&self, company: CompanyId) -> Result<(Option<i64>, i64), Outcome> {
        let connection = match self.db.connection(company).await.map_err(storage_failure)? {
            Some(c) if c.status == storage::ConnectionStatus::Connected => c,
            _ => return Ok((None, 0)),
        };
        // Subscribing failed earlier, or a subscription expired or was deleted in Workable:
        // subscribe again (the card shows a failure).
        if let Err(err) = self.integrations.verify_webhooks(company).await {
            tracing::warn!(company.id = %company, error = %err, "webhook subscriptions not verified");
        }
        let configs = self.db.list_configurations(company).await.map_err(storage_failure)?;
        let mut calls = self.integrations.ats_calls(company).await.map_err(Outcome::from)?;
        // Stored from the ATS's answers; one without its form cannot be read (nor exist).
        let mut jobs: Vec<AtsJob> = configs.iter().filter_map(|c| calls.job(&c.job.shortcode)).collect();
        jobs.sort();
        jobs.dedup();
        // Each job is read from its own watermark (a job mapped since starts from the beginning,
        // which Insights needs); a job already read since the last recorded round was read in
        // this one, before a deferral put the round back.
        let reads = self.db.job_reads(company).await.map_err(storage_failure)?;
        let mut watermark = connection.reconcile_watermark;
        let mut corrections = 0;
        'jobs: for job in jobs {
            let read = reads.get(job.as_str());
            let round = connection.reconciled_at.unwrap_or(0);
            if read.is_some_and(|read| read.read_at > round && read.next_page.is_none()) {
                continue;
            }
            // Workable's filter is "after" to the second: read a second back, applying is idempotent.
            let after = read.and_then(|r| r.watermark).map_or(0, |ms| ms / 1000 - 1);
            let mut job_watermark = read.and_then(|r| r.watermark.max(r.pass_watermark));
            // A pass the rate limit interrupted goes on where it stopped.
            let mut page: Option<String> = read.and_then(|r| r.next_page.clone());
            loop {
                let listed = calls.changed_since(&job, after, page.as_deref()).await;
                let (candidates, next) = match listed {
                    Ok(listed) => listed,
                    // Workable answers 404 for a job that was deleted: that job's configurations
                    // say so (drift), and the other jobs are still reconciled.
                    Err(err) if err.is_not_found() => {
                        tracing::warn!(company.id = %company, job = %job, "mapped Workable job gone: flagged, other jobs go on");
                        for config in configs.iter().filter(|c| c.job.shortcode == job.as_str()) {
                            if let Err(err) = self.integrations.check_configuration(config.clone()).await {
                                tracing::warn!(role.id = %config.role_id, error = %err, "drift check failed");
                            }
                        }
                        continue 'jobs;
                    }
                    Err(err) => return Err(Outcome::from(err)),
                };
                let stored: Vec<_> = candidates.iter().filter_map(|c| c.insights.clone()).collect();
                self.db.store_ats_candidates(company, &stored).await.map_err(storage_failure)?;
                for candidate in &candidates {
                    let mut observed = Observed::of(candidate, calls.kind());
                    watermark = watermark.max(observed.updated_at);
                    job_watermark = job_watermark.max(observed.updated_at);
                    let Some(export) =
                        self.db.export_by_workable_id(company, &candidate.id).await.map_err(storage_failure)?
                    else {
                        continue;
                    };
                    let Some((config, _)) = self.mapped_for(&export).await.map_err(storage_failure)? else { continue };
                    // Mid-way through our own move: its end state comes after the watermark.
                    if self.pushing(&export).await.map_err(storage_failure)? {
                        continue;
                    }
                    // A list item does not say whether a disqualified candidate withdrew: read
                    // the candidate when that is news.
                    if candidate.closed && candidate.withdrew.is_none() && observed.seen != export.workable_seen() {
                        let detail = calls.candidate(Some(&job), &candidate.id).await.map_err(Outcome::from)?;
                        observed = Observed::of(&detail, calls.kind());
                    }
                    if self.apply_observed(&export, &config, &observed, "reconciliation").await? == Applied::Moved {
                        corrections += 1;
                    }
                }
                match next {
                    Some(next) => {
                        self.db
                            .record_job_page(company, job.as_str(), &next, job_watermark)
                            .await
                            .map_err(storage_failure)?;
                        page = Some(next);
                    }
                    None => break,
                }
            }
            self.db
                .record_job_read(company, job.as_str(), job_watermark, storage::now_ms())
                .await
                .map_err(storage_failure)?;
        }
        Ok((watermark, corrections))
    }

    /// Queues a reconciliation for every connection whose last one is older than `every`.
    pub async fn schedule_reconciliations(&self, every: std::time::Duration) -> Result<usize, StorageError> {
        let now = storage::now_ms();
        let due = self.db.connections_to_reconcile(now - every.as_millis() as i64, 500).await?;
        for company in &due {
            self.db.enqueue(domain::WorkKind::Reconcile, *company, company.0, now).await?;
        }
        Ok(due.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(stage: &str, disqualified: bool, withdrew: bool) -> Observed {
        Observed {
            ats: domain::AtsKind::Workable,
            seen: WorkableSeen { stage: Some(stage.into()), disqualified, withdrew, reason: None },
            hired: false,
            updated_at: None,
        }
    }

    #[test]
    fn workable_is_consistent_with_the_stage_that_maps_to_where_it_is() {
        let interview = StageAction::Move { slug: "interview".into(), name: "Interview".into() };
        let technical = MarketplaceStage::TechnicalInterview;
        assert!(consistent(&interview, &seen("Interview", false, false), technical));
        assert!(!consistent(&interview, &seen("Interview", true, false), technical));
        assert!(!consistent(&interview, &seen("Offer", false, false), technical));
        assert!(consistent(&StageAction::Disqualify, &seen("Interview", true, false), MarketplaceStage::Rejected));
        assert!(!consistent(&StageAction::Disqualify, &seen("Interview", true, false), MarketplaceStage::Withdrawn));
        assert!(!consistent(&StageAction::Nothing, &seen("Offer", false, false), MarketplaceStage::Offer));
    }

    #[test]
    fn an_archive_with_a_chosen_reason_is_consistent_by_the_reason_alone() {
        let declined = StageAction::Archive { reason: "r-declined".into(), name: "Candidate declined".into() };
        let archived = |reason: &str| {
            let mut observed = seen("Recruiter screen", true, false);
            observed.seen.reason = Some(reason.into());
            Observed { ats: domain::AtsKind::Lever, ..observed }
        };
        // Lever's answer does not call "Candidate declined" a withdrawal; the mapping does.
        assert!(consistent(&declined, &archived("r-declined"), MarketplaceStage::Withdrawn));
        assert!(!consistent(&declined, &archived("r-underqualified"), MarketplaceStage::Withdrawn));
        assert!(!consistent(&declined, &seen("Recruiter screen", false, false), MarketplaceStage::Withdrawn));
    }
}
