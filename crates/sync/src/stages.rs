//! Marketplace → Workable: after a move in the marketplace, the exported Workable candidate is
//! brought to the stage mapped to it — moved, disqualified (rejected / withdrawn, with a reason
//! from Workable's list), or reverted first when leaving an outcome. A blank mapping changes
//! nothing and says so in the ledger. A move on a candidate whose export is still on its way
//! waits for it; the export itself creates them at the stage mapped to where they are.

use domain::export::ExportState;
use domain::mapping::StageAction;
use domain::{MarketplaceStage, RequestId};
use storage::{WorkItem, WorkableSeen};

use crate::{Engine, Outcome};
use integrations::CallError;
use integrations::ats::AtsStage;

/// What the mapping asks of the ATS for the marketplace's stage.
enum Step {
    Nothing,
    Move(AtsStage, String),
    Close,
    /// Out of the pipeline with the outcome reason the mapping chose (its id).
    CloseWith(String),
}

/// How often a move waiting for its export looks again.
const WAIT_FOR_EXPORT_MS: i64 = 2_000;

impl Engine {
    pub(crate) async fn sync_stage(&self, item: &WorkItem) -> Outcome {
        let company = item.company_id;
        let request = RequestId(item.subject_id);
        let export = match self.db.export_by_request(company, request).await {
            Ok(export) => export,
            Err(err) => return crate::export::storage_failure(err),
        };
        let Some(export) = export else {
            // Not exported (yet): the export will create the candidate at the current stage.
            return Outcome::Done;
        };
        match export.state {
            ExportState::NotMapped => return Outcome::Done,
            ExportState::Done => {}
            // Still on its way, or waiting for a person: look again later (not an attempt).
            _ => return Outcome::Wait(WAIT_FOR_EXPORT_MS),
        }
        // Workable told us of a change not applied yet: it decides first (the later move wins)
        // — unless our own push is half done, which finishes first (the change waits for it).
        if export.pushing_stage.is_none() {
            match self.db.work_pending(domain::WorkKind::WorkableChange, export.id.0).await {
                Ok(true) => return Outcome::Wait(WAIT_FOR_EXPORT_MS / 4),
                Ok(false) => {}
                Err(err) => return crate::export::storage_failure(err),
            }
        }
        let context = match self.db.export_context(&export).await {
            Ok(context) => context,
            Err(err) => return crate::export::storage_failure(err),
        };
        let now_at = context.stage;
        if export.synced_stage == Some(now_at) {
            return Outcome::Done;
        }
        let config = match self.db.configuration_for_role(company, export.role_id).await {
            Ok(Some(config)) => config,
            Ok(None) => {
                let detail = format!(
                    "Moved to {} in the marketplace; the role has no ATS configuration any more, so the ATS was not changed.",
                    now_at.label()
                );
                return self.synced(export.id, now_at, &export.workable_seen(), &detail).await;
            }
            Err(err) => return crate::export::storage_failure(err),
        };
        let Some(workable_id) = export.workable_candidate_id.clone() else { return Outcome::Done };
        let mut calls = match self.integrations.ats_calls(company).await {
            Ok(calls) => calls,
            Err(err) => return err.into(),
        };
        // Stored from the ATS's answers when the role was mapped: a stage without the ATS's form
        // means the database was edited by hand.
        let step = match config.action(now_at) {
            StageAction::Nothing => Step::Nothing,
            StageAction::Move { slug, name } => match calls.stage(&slug) {
                Some(stage) => Step::Move(stage, name),
                None => {
                    return Outcome::Fail(format!(
                        "The role's ATS configuration names a {} stage that cannot exist; edit it.",
                        calls.name()
                    ));
                }
            },
            StageAction::Disqualify => Step::Close,
            StageAction::Archive { reason, .. } => Step::CloseWith(reason),
        };
        // From the first write on, Workable may show a state in between (revert, then move): the
        // read-backs of Workable changes wait until this is done.
        if !matches!(step, Step::Nothing)
            && let Err(err) = self.db.set_pushing_stage(export.id, Some(now_at)).await
        {
            return crate::export::storage_failure(err);
        }
        let workable_id = workable_id.as_str();
        let (ats, words) = (calls.name(), calls.outcome_words());
        let result: Result<(WorkableSeen, String), CallError> = async {
            match step {
                Step::Nothing => Ok((
                    export.workable_seen(),
                    format!(
                        "Moved to {} in the marketplace; that stage is blank in the mapping, so {ats} was not changed.",
                        now_at.label()
                    ),
                )),
                Step::Move(stage, name) => {
                    if export.workable_disqualified {
                        calls.reopen(workable_id).await?;
                    }
                    calls.move_to(workable_id, &stage).await?;
                    let reverted = if export.workable_disqualified {
                        format!("{}; moved", words.reopened)
                    } else {
                        "Moved".to_owned()
                    };
                    let seen =
                        WorkableSeen { stage: Some(name.clone()), disqualified: false, withdrew: false, reason: None };
                    Ok((seen, format!("{reverted} to “{name}” in {ats} (marketplace: {}).", now_at.label())))
                }
                Step::Close => {
                    let withdrew = now_at == MarketplaceStage::Withdrawn;
                    let reason = calls.close(workable_id, withdrew).await?;
                    let why = reason.map(|r| format!(" (“{r}”)")).unwrap_or_default();
                    // The reason's id comes back with the next read (the mapping named none).
                    let seen = WorkableSeen {
                        stage: export.workable_stage.clone(),
                        disqualified: true,
                        withdrew,
                        reason: None,
                    };
                    Ok((seen, format!("{} in {ats}{why}: {} in the marketplace.", words.closed, now_at.label())))
                }
                Step::CloseWith(reason) => {
                    let words_of_reason = calls.close_with(workable_id, &reason).await?;
                    let withdrew = now_at == MarketplaceStage::Withdrawn;
                    let stage = export.workable_stage.clone();
                    let seen = WorkableSeen { stage, disqualified: true, withdrew, reason: Some(reason) };
                    Ok((
                        seen,
                        format!(
                            "{} in {ats} (“{words_of_reason}”): {} in the marketplace.",
                            words.closed,
                            now_at.label()
                        ),
                    ))
                }
            }
        }
        .await;
        let outcome = match result {
            Ok((seen, detail)) => return self.synced(export.id, now_at, &seen, &detail).await,
            Err(err) if err.is_not_found() => Outcome::Fail(format!(
                "The candidate is no longer in {ats}, so the move to {} could not follow.",
                now_at.label()
            )),
            Err(err) => Outcome::from(err),
        };
        // A move that will not be tried again is no longer under way.
        if matches!(outcome, Outcome::Fail(_))
            && let Err(err) = self.db.set_pushing_stage(export.id, None).await
        {
            return crate::export::storage_failure(err);
        }
        outcome
    }

    async fn synced(
        &self,
        export: domain::ExportId,
        stage: MarketplaceStage,
        seen: &WorkableSeen,
        detail: &str,
    ) -> Outcome {
        match self.db.record_stage_synced(export, stage, seen, detail, self.clock().now_ms()).await {
            Ok(()) => Outcome::Done,
            Err(err) => crate::export::storage_failure(err),
        }
    }
}
