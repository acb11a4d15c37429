//! Marketplace → Workable: after a move in the marketplace, the exported Workable candidate is
//! brought to the stage mapped to it — moved, disqualified (rejected / withdrawn, with a reason
//! from Workable's list), or reverted first when leaving an outcome. A blank mapping changes
//! nothing and says so in the ledger. A move on a candidate whose export is still on its way
//! waits for it; the export itself creates them at the stage mapped to where they are.

use domain::export::ExportState;
use domain::mapping::StageAction;
use domain::{MarketplaceStage, RequestId};
use storage::{WorkItem, WorkableSeen};

use crate::export::workable_call;
use crate::{Engine, Outcome};

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
            match self.db.work_pending(storage::WORKABLE_CHANGE, export.id).await {
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
                    "Moved to {} in the marketplace; the role has no ATS configuration any more, so Workable was not changed.",
                    now_at.label()
                );
                return self.synced(export.id, now_at, &export.workable_seen(), &detail).await;
            }
            Err(err) => return crate::export::storage_failure(err),
        };
        let Some(workable_id) = export.workable_candidate_id.clone() else { return Outcome::Done };
        let mut credentials = match self.integrations.credentials(company).await {
            Ok(credentials) => credentials,
            Err(err) => return Outcome::from_connect(err),
        };
        let credentials = &mut credentials;
        // From the first write on, Workable may show a state in between (revert, then move): the
        // read-backs of Workable changes wait until this is done.
        if !matches!(config.action(now_at), StageAction::Nothing)
            && let Err(err) = self.db.set_pushing_stage(export.id, Some(now_at)).await
        {
            return crate::export::storage_failure(err);
        }
        let result: Result<(WorkableSeen, String), Outcome> = async {
            match config.action(now_at) {
                StageAction::Nothing => Ok((
                    export.workable_seen(),
                    format!("Moved to {} in the marketplace; that stage is blank in the mapping, so Workable was not changed.", now_at.label()),
                )),
                StageAction::Move { slug, name } => {
                    if export.workable_disqualified {
                        match workable_call!(self, company, credentials, |api| api.revert(&workable_id, &credentials.member_id)) {
                            Ok(()) => {}
                            // Not disqualified (any more): an earlier attempt reverted them and
                            // then waited for the limit before moving.
                            Err(crate::export::Failure::Workable(workable::WorkableError::Invalid { .. })) => {}
                            Err(failure) => return Err(failure.into()),
                        }
                    }
                    workable_call!(self, company, credentials, |api| api.move_candidate(&workable_id, &credentials.member_id, &slug))
                        .map_err(Outcome::from)?;
                    let reverted = if export.workable_disqualified { "Disqualification reverted; moved" } else { "Moved" };
                    let seen = WorkableSeen { stage: Some(name.clone()), disqualified: false, withdrew: false };
                    Ok((seen, format!("{reverted} to “{name}” in Workable (marketplace: {}).", now_at.label())))
                }
                StageAction::Disqualify => {
                    let withdrew = now_at == MarketplaceStage::Withdrawn;
                    let reasons = workable_call!(self, company, credentials, |api| api.disqualification_reasons())
                        .map_err(Outcome::from)?;
                    let reason = reasons.iter().find(|r| r.candidate_withdrew == withdrew);
                    workable_call!(self, company, credentials, |api| api.disqualify(
                        &workable_id,
                        &credentials.member_id,
                        reason.map(|r| r.id.as_str()),
                        withdrew
                    ))
                    .map_err(Outcome::from)?;
                    let why = reason.map(|r| format!(" (“{}”)", r.description)).unwrap_or_default();
                    let seen = WorkableSeen { stage: export.workable_stage.clone(), disqualified: true, withdrew };
                    Ok((seen, format!("Disqualified in Workable{why}: {} in the marketplace.", now_at.label())))
                }
            }
        }
        .await;
        if let Err(Outcome::Fail(_)) = &result
            && let Err(err) = self.db.set_pushing_stage(export.id, None).await
        {
            return crate::export::storage_failure(err);
        }
        match result {
            Ok((seen, detail)) => self.synced(export.id, now_at, &seen, &detail).await,
            Err(Outcome::Fail(why)) if why.contains("no longer exists") => Outcome::Fail(format!(
                "The candidate is no longer in Workable, so the move to {} could not follow: {why}",
                now_at.label()
            )),
            Err(outcome) => outcome,
        }
    }

    async fn synced(&self, export: i64, stage: MarketplaceStage, seen: &WorkableSeen, detail: &str) -> Outcome {
        match self.db.record_stage_synced(export, stage, seen, detail).await {
            Ok(()) => Outcome::Done,
            Err(err) => crate::export::storage_failure(err),
        }
    }
}
