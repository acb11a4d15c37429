//! Requests to candidates and the pipeline of those who accepted.

use std::collections::HashMap;

use domain::interview::InterviewPlan;
use domain::views::{Pipeline, PipelineFilter, StageMove, pages};
use domain::{
    CandidateId, CompanyId, InterviewId, MarketplaceStage, MoveOrigin, RequestId, RoleId, RoleStatus, UserId, WorkKind,
};
use storage::{AcceptedRequest, CvFile, Db, PipelineSlice, StorageError};

use crate::{Actor, Marketplace, MarketplaceError, Result};

/// How many candidates *Send request* offers at once (search for the others).
pub const CANDIDATES_OFFERED: i64 = 25;

impl Marketplace {
    /// Everything a role's pipeline page shows.
    pub async fn pipeline(&self, actor: &Actor, role: RoleId) -> Result<Pipeline> {
        self.pipeline_finding(actor, role, "", PipelineFilter::default()).await
    }

    /// What the role's pipeline page shows, summed up in one indexed query: another value than
    /// [`Pipeline::version`] means the page is out of date. `NotFound` for another company's role.
    pub async fn pipeline_version(&self, actor: &Actor, role: RoleId) -> Result<String> {
        self.db.role_version(actor.company_id, role).await?.ok_or(MarketplaceError::NotFound)
    }

    /// One page of the pipeline: the candidates at `filter`'s stage and its page of them
    /// ([`PipelineFilter::PER_PAGE`] at a time; a page past the last shows the last), its page of
    /// open requests, and the candidates *Send request* offers, narrowed to those whose name or
    /// headline contains `find` (the first [`CANDIDATES_OFFERED`] by name, and how many match).
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn pipeline_finding(
        &self,
        actor: &Actor,
        role: RoleId,
        find: &str,
        filter: PipelineFilter,
    ) -> Result<Pipeline> {
        let find = find.trim();
        if find.chars().count() > 100 {
            return Err(MarketplaceError::invalid("find", "Search with up to 100 characters."));
        }
        let summary = self.role(actor, role).await?;
        // Read before what it sums up: a change in between makes the page look once more.
        let version = self.pipeline_version(actor, role).await?;
        // Only what the page shows is read: its candidates, their exports (with their ledgers)
        // and interviews, its open requests; the same statements however large the role.
        let per_page = PipelineFilter::PER_PAGE;
        let (entries_total, entries_matching) = self.db.pipeline_counts(actor.company_id, role, filter.stage).await?;
        let page = filter.page.clamp(1, pages(entries_matching, per_page));
        let slice =
            PipelineSlice { stage: filter.stage, limit: per_page as i64, offset: ((page - 1) * per_page) as i64 };
        let mut entries = self.db.pipeline_slice(actor.company_id, role, slice).await?;
        let mut exports: HashMap<RequestId, _> =
            self.db.slice_exports(actor.company_id, role, slice, self.clock.now_ms()).await?.into_iter().collect();
        let zone = self.zone_of(actor).await?;
        let mut interviews: HashMap<RequestId, Vec<_>> = HashMap::new();
        for (request, interview) in self.db.slice_interviews(actor.company_id, role, slice, &zone).await? {
            interviews.entry(request).or_default().push(interview);
        }
        for entry in &mut entries {
            entry.export = exports.remove(&entry.request_id);
            entry.interviews = interviews.remove(&entry.request_id).unwrap_or_default();
        }
        let requests_total = self.db.open_requests_count(actor.company_id, role).await?;
        let requests_page = filter.requests_page.clamp(1, pages(requests_total, per_page));
        let requests = self
            .db
            .open_requests_page(actor.company_id, role, per_page as i64, ((requests_page - 1) * per_page) as i64)
            .await?;
        let (can_request, candidates_matching) = if summary.status == RoleStatus::Live {
            self.db.candidates_without_request(role, find, CANDIDATES_OFFERED).await?
        } else {
            (Vec::new(), 0)
        };
        let ats = self.db.connected_ats(actor.company_id).await?.unwrap_or(domain::AtsKind::Workable);
        Ok(Pipeline {
            ats,
            role: summary,
            entries,
            requests,
            can_request,
            candidates_matching,
            find: find.to_owned(),
            demo: self.demo,
            time_zone: zone.name().to_owned(),
            filter: PipelineFilter { page, requests_page, ..filter },
            version,
            entries_total,
            entries_matching,
            requests_total,
        })
    }

    /// Sends a request for a live role to a candidate.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn send_request(&self, actor: &Actor, role: RoleId, candidate: CandidateId) -> Result<RequestId> {
        let role = self.db.find_role(actor.company_id, role).await?.ok_or(MarketplaceError::NotFound)?;
        if role.status != RoleStatus::Live {
            return Err(MarketplaceError::Conflict("Requests can only be sent for a live role.".into()));
        }
        if !self.db.candidate_exists(candidate).await? {
            return Err(MarketplaceError::invalid("candidate", "no such candidate"));
        }
        match self.db.insert_request(actor.company_id, role.id, candidate, Some(actor.user_id)).await {
            Ok(id) => Ok(id),
            Err(StorageError::Duplicate) => {
                Err(MarketplaceError::Conflict("This candidate already has a request for this role.".into()))
            }
            Err(err) => Err(err.into()),
        }
    }

    /// The candidate accepts (in demo mode a company user may do it on their behalf). The
    /// acceptance is written with its export's work item, in one transaction.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn accept_on_behalf(&self, actor: &Actor, request: RequestId) -> Result<AcceptedRequest> {
        self.require_demo()?;
        let accepted = accept(&self.db, actor.company_id, request, self.clock.now_ms()).await.map_err(answer_error)?;
        tracing::info!(request.id = %request, "request accepted; its export is queued");
        Ok(accepted)
    }

    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn decline_on_behalf(&self, actor: &Actor, request: RequestId) -> Result<()> {
        self.require_demo()?;
        self.db.decline_request(actor.company_id, request).await.map_err(answer_error)
    }

    /// Moves a candidate in the pipeline to another marketplace stage.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn move_candidate(&self, actor: &Actor, request: RequestId, stage: &str) -> Result<bool> {
        let stage = MarketplaceStage::parse(stage).map_err(|e| MarketplaceError::invalid("stage", e))?;
        match move_to(&self.db, actor.company_id, request, stage, actor.user_id, self.clock.now_ms()).await {
            Ok(moved) => {
                if moved {
                    tracing::info!(request.id = %request, stage = %stage, "candidate moved");
                }
                Ok(moved)
            }
            Err(StorageError::NotFound) => Err(MarketplaceError::NotFound),
            Err(StorageError::Conflict(why)) => {
                Err(MarketplaceError::Conflict(format!("Not moved: {why}. Reload to see the current stage.")))
            }
            Err(err) => Err(err.into()),
        }
    }

    /// Schedules an interview for a candidate in the pipeline; it goes to their Workable
    /// timeline when they are in Workable.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn schedule_interview(
        &self,
        actor: &Actor,
        request: RequestId,
        kind: &str,
        starts_at: &str,
        duration_minutes: i64,
        interviewer: &str,
    ) -> Result<InterviewId> {
        let zone = self.zone_of(actor).await?;
        let plan = InterviewPlan::parse(kind, starts_at, duration_minutes, interviewer, zone.name(), |wall| {
            zone.instant_of_wall(wall)
        })
        .map_err(MarketplaceError::Invalid)?;
        let scheduled = async {
            let now = self.clock.now_ms();
            let mut write = self.db.write().await?;
            let id = write.insert_interview(actor.company_id, request, &plan, actor.user_id, now).await?;
            write.enqueue(WorkKind::InterviewSync, actor.company_id, id.0, now).await?;
            write.commit().await.map(|()| id)
        };
        match scheduled.await {
            Ok(id) => {
                tracing::info!(request.id = %request, interview.id = %id, "interview scheduled");
                Ok(id)
            }
            Err(StorageError::NotFound) => Err(MarketplaceError::NotFound),
            Err(err) => Err(err.into()),
        }
    }

    /// Moves (or changes) an interview; Workable's timeline is told.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn reschedule_interview(
        &self,
        actor: &Actor,
        interview: InterviewId,
        kind: &str,
        starts_at: &str,
        duration_minutes: i64,
        interviewer: &str,
    ) -> Result<()> {
        let zone = self.zone_of(actor).await?;
        let plan = InterviewPlan::parse(kind, starts_at, duration_minutes, interviewer, zone.name(), |wall| {
            zone.instant_of_wall(wall)
        })
        .map_err(MarketplaceError::Invalid)?;
        let changed = async {
            let now = self.clock.now_ms();
            let mut write = self.db.write().await?;
            write.update_interview(actor.company_id, interview, &plan, now).await?;
            write.enqueue(WorkKind::InterviewSync, actor.company_id, interview.0, now).await?;
            write.commit().await
        };
        match changed.await {
            Ok(()) => Ok(()),
            Err(StorageError::NotFound) => Err(MarketplaceError::NotFound),
            Err(err) => Err(err.into()),
        }
    }

    /// Cancels an interview; Workable's timeline is told.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn cancel_interview(&self, actor: &Actor, interview: InterviewId) -> Result<()> {
        let cancelled = async {
            let now = self.clock.now_ms();
            let mut write = self.db.write().await?;
            write.cancel_interview(actor.company_id, interview, now).await?;
            write.enqueue(WorkKind::InterviewSync, actor.company_id, interview.0, now).await?;
            write.commit().await
        };
        match cancelled.await {
            Ok(()) => Ok(()),
            Err(StorageError::NotFound) => Err(MarketplaceError::NotFound),
            Err(err) => Err(err.into()),
        }
    }

    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn stage_history(&self, actor: &Actor, request: RequestId) -> Result<Vec<StageMove>> {
        let history = self.db.stage_history(actor.company_id, request).await?;
        if history.is_empty() { Err(MarketplaceError::NotFound) } else { Ok(history) }
    }

    /// A candidate's CV, for a company whose request they accepted.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn cv(&self, actor: &Actor, candidate: CandidateId) -> Result<CvFile> {
        self.db.cv_for_company(actor.company_id, candidate).await?.ok_or(MarketplaceError::NotFound)
    }

    fn require_demo(&self) -> Result<()> {
        if self.demo { Ok(()) } else { Err(MarketplaceError::Forbidden("Only the candidate can answer a request.")) }
    }
}

/// The candidate accepts, as one unit of work: the request enters the pipeline at *accepted*,
/// the move is recorded, and the export to the ATS is queued with it — nothing accepted is ever
/// missed, and nothing is queued for an acceptance that did not happen.
pub(crate) async fn accept(
    db: &Db,
    company: CompanyId,
    request: RequestId,
    now: i64,
) -> storage::Result<AcceptedRequest> {
    let mut write = db.write().await?;
    let accepted = write.accept_request(company, request, now).await?;
    write.record_move(company, request, (None, MarketplaceStage::Accepted), None, MoveOrigin::Candidate, now).await?;
    write.enqueue(WorkKind::Export, company, request.0, now).await?;
    write.commit().await?;
    Ok(accepted)
}

/// A person moves an accepted candidate to `to`: `false` when they were already there (nothing
/// recorded); a concurrent move fails with `Conflict` instead of being overwritten unseen. The
/// move follows to the ATS (the worker decides whether there is anything to do).
pub(crate) async fn move_to(
    db: &Db,
    company: CompanyId,
    request: RequestId,
    to: MarketplaceStage,
    by: UserId,
    now: i64,
) -> storage::Result<bool> {
    let mut write = db.write().await?;
    let from = write.request_stage(company, request).await?.ok_or(StorageError::NotFound)?;
    if from == to {
        return Ok(false);
    }
    if !write.move_request_stage(company, request, (from, to), Some(by), MoveOrigin::Marketplace, now).await? {
        return Err(StorageError::Conflict("the candidate was moved by someone else meanwhile"));
    }
    write.enqueue(WorkKind::StageSync, company, request.0, now).await?;
    write.commit().await?;
    Ok(true)
}

fn answer_error(err: StorageError) -> MarketplaceError {
    match err {
        StorageError::NotFound => MarketplaceError::NotFound,
        StorageError::Conflict(_) => MarketplaceError::Conflict("This request was already answered.".into()),
        err => err.into(),
    }
}
