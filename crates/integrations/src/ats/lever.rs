//! The port's Lever adapter: Lever's opportunities in the port's words, what an export sends
//! Lever (a new opportunity on the posting with the CV as its resume, the marketplace as its
//! source, the profile as a file), and what *Insights* keeps of a Lever candidate.
//!
//! Lever differs from Workable where the port feels it: a create with a known e-mail makes a
//! second opportunity on the same person (so [`AtsCalls::refuses_duplicates`] is false and the
//! exporter always looks first); a stage is an id in Lever's answers, named from the account's
//! one stage list; an outcome is an archive reason (hired or not), not a flag.
//!
//! [`AtsCalls::refuses_duplicates`]: super::AtsCalls::refuses_duplicates

use domain::mapping::{JobRef, JobState, ReasonOption, StageOption};
use lever::{
    ArchiveReason, Opportunity, OpportunityId, Phone, PostingId, PostingState, ReasonType, Stage, StageId, Upload,
    UserId,
};
use storage::{AtsCandidateRow, SharedCandidate};

use super::{AtsCandidate, AtsJob, AtsStage, Attachment, NewExport};
use crate::ats::AtsFailure;
use crate::{CallError, Integrations, LeverCalls, WhenLimited};

/// The account's stage list and archive reasons, as last read (at most a minute old).
#[derive(Clone, Debug, Default)]
pub struct LeverLists {
    stages: Vec<Stage>,
    reasons: Vec<ArchiveReason>,
}

impl LeverLists {
    fn stage_name(&self, id: &StageId) -> Option<String> {
        self.stages.iter().find(|s| &s.id == id).map(|s| s.text.clone())
    }

    fn reason(&self, opportunity: &Opportunity) -> Option<&ArchiveReason> {
        let id = opportunity.archived.as_ref()?.reason.as_ref()?;
        self.reasons.iter().find(|r| &r.id == id)
    }

    /// The reason an outcome archives with: for a hire the first active *hired* reason; for a
    /// withdrawal the first active reason whose name says so (*Withdrew*, *Withdrawn*); for a
    /// rejection the first active not-hired reason that is not one. (Until the wizard maps
    /// *Rejected* / *Withdrawn* to a chosen reason, which `lever-api.md` leaves to the account.)
    fn closing_reason(&self, withdrew: bool) -> Option<&ArchiveReason> {
        let active_not_hired = || self.reasons.iter().filter(|r| r.is_active() && r.kind != Some(ReasonType::Hired));
        active_not_hired().find(|r| says_withdrawn(r) == withdrew)
    }
}

fn says_withdrawn(reason: &ArchiveReason) -> bool {
    reason.text.to_lowercase().contains("withdr")
}

pub(super) struct LeverAdapter<'i> {
    integrations: &'i Integrations,
    calls: LeverCalls<'i>,
}

fn posting(job: &AtsJob) -> Result<&PostingId, CallError> {
    match job {
        AtsJob::Lever(id) => Ok(id),
        AtsJob::Workable(_) => Err(not_found()),
    }
}

fn not_found() -> CallError {
    CallError::Ats { ats: domain::AtsKind::Lever, failure: AtsFailure::NotFound }
}

/// An opportunity id as stored; one that is not Lever's form is not there.
fn opportunity_id(id: &str) -> Result<OpportunityId, CallError> {
    OpportunityId::parse(id).map_err(|_| not_found())
}

impl<'i> LeverAdapter<'i> {
    pub(super) fn new(integrations: &'i Integrations, calls: LeverCalls<'i>) -> Self {
        LeverAdapter { integrations, calls }
    }

    fn perform_as(&self) -> Result<UserId, CallError> {
        self.calls.perform_as()
    }

    /// The account's stages and reasons, from the minute-long cache or read now (two calls).
    async fn lists(&mut self) -> Result<LeverLists, CallError> {
        let company = self.calls.company();
        if let Some(lists) = self.integrations.lever_lists().get(&company).await {
            return Ok(lists);
        }
        let stages = self.calls.fetch(|api| async move { api.stages().await }).await?;
        let reasons = self.calls.fetch(|api| async move { api.archive_reasons().await }).await?;
        let lists = LeverLists { stages, reasons };
        self.integrations.lever_lists().insert(company, lists.clone()).await;
        Ok(lists)
    }

    fn source(&self) -> Option<&str> {
        self.integrations.source_domain().map(|d| d.as_str())
    }

    fn described(&self, lists: &LeverLists, job: Option<&PostingId>, opportunity: Opportunity) -> AtsCandidate {
        let reason = lists.reason(&opportunity);
        let hired = reason.is_some_and(|r| r.kind == Some(ReasonType::Hired));
        // Every outcome is an archive in Lever, a hire too: `closed` says archived, `hired` which.
        let archived = opportunity.archived.is_some();
        let lost = archived && !hired;
        let ours = self.source().is_some_and(|ours| opportunity.sources.iter().any(|s| s == ours));
        AtsCandidate {
            insights: job.map(|job| insights_row(lists, job, &opportunity, hired, lost)),
            job: None,
            closed: archived,
            withdrew: archived.then(|| lost && reason.is_some_and(says_withdrawn)),
            hired,
            reason: opportunity.archived.as_ref().and_then(|a| a.reason.as_ref()).map(|r| r.as_str().to_owned()),
            updated_at: opportunity.updated_at,
            stage: lists.stage_name(&opportunity.stage),
            source: opportunity.sources.first().cloned(),
            ours,
            // Lever's answers do not say; the resumes are read to confirm.
            resume_stored: false,
            profile_url: Some(opportunity.urls.show),
            id: opportunity.id.as_str().to_owned(),
        }
    }

    /// Every posting, as the wizard lists them (it keeps those that take candidates).
    pub(super) async fn jobs(&mut self) -> Result<Vec<JobRef>, CallError> {
        let postings = self.calls.read(|api| async move { api.postings(&[]).await }).await?;
        Ok(postings.iter().map(posting_ref).collect())
    }

    pub(super) async fn job_ref(&mut self, job: &AtsJob) -> Result<JobRef, CallError> {
        let id = posting(job)?;
        Ok(posting_ref(&self.calls.read(|api| async move { api.posting(id).await }).await?))
    }

    /// The account's one stage list, whatever the posting (read fresh: the wizard shows it).
    pub(super) async fn stages(&mut self, job: &AtsJob) -> Result<Vec<StageOption>, CallError> {
        posting(job)?;
        let stages = self.calls.read(|api| async move { api.stages().await }).await?;
        Ok(stages.iter().map(stage_option).collect())
    }

    pub(super) async fn candidate(&mut self, job: Option<&AtsJob>, id: &str) -> Result<AtsCandidate, CallError> {
        let id = &opportunity_id(id)?;
        let lists = self.lists().await?;
        let found = self.calls.fetch(|api| async move { api.opportunity(id).await }).await?;
        let job = job.and_then(|j| posting(j).ok());
        Ok(self.described(&lists, job, found))
    }

    /// Lever's `updated_at_start` list on the posting, its `next` token as the next page.
    pub(super) async fn changed_since(
        &mut self,
        job: &AtsJob,
        after_s: i64,
        page: Option<&str>,
    ) -> Result<(Vec<AtsCandidate>, Option<String>), CallError> {
        let posting = posting(job)?;
        let lists = self.lists().await?;
        let since_ms = after_s.saturating_mul(1000);
        let found = self
            .calls
            .fetch(|api| async move { api.updated_opportunities(since_ms, Some(posting), page).await })
            .await?;
        let next = found.next.filter(|_| found.has_next);
        Ok((found.data.into_iter().map(|o| self.described(&lists, Some(posting), o)).collect(), next))
    }

    /// The person's opportunity on the posting, archived or not; the earliest when there are
    /// several (a duplicate made by hand, or by another tool).
    pub(super) async fn find_in_job(&mut self, job: &AtsJob, email: &str) -> Result<Option<AtsCandidate>, CallError> {
        let posting = posting(job)?;
        let lists = self.lists().await?;
        let found = self.calls.fetch(|api| async move { api.find_opportunities(email, posting).await }).await?;
        let earliest = found.into_iter().min_by_key(|o| (o.created_at, o.id.clone()));
        Ok(earliest.map(|o| self.described(&lists, Some(posting), o)))
    }

    /// Lever never refuses a create: the answer is always the new opportunity.
    pub(super) async fn create(
        &mut self,
        job: &AtsJob,
        stage: Option<&AtsStage>,
        new: &NewExport<'_>,
    ) -> Result<Option<AtsCandidate>, CallError> {
        let posting = posting(job)?;
        let stage = match stage {
            Some(AtsStage::Lever(id)) => Some(id.clone()),
            _ => None,
        };
        let perform_as = &self.perform_as()?;
        let lists = self.lists().await?;
        let body = &new_opportunity(new.candidate, new.tag, new.link, posting, stage, self.source());
        let created = self
            .calls
            .call(WhenLimited::Defer, |api| async move { api.create_opportunity(perform_as, body).await })
            .await?;
        Ok(Some(self.described(&lists, Some(posting), created.data)))
    }

    /// The resume's and the files' names (two calls).
    pub(super) async fn file_names(&mut self, id: &str) -> Result<Vec<String>, CallError> {
        let id = &opportunity_id(id)?;
        let resumes = self.calls.fetch(|api| async move { api.resumes(id).await }).await?;
        let files = self.calls.fetch(|api| async move { api.files(id).await }).await?;
        Ok(resumes.into_iter().map(|r| r.file.name).chain(files.into_iter().map(|f| f.file.name)).collect())
    }

    pub(super) async fn move_to(&mut self, id: &str, stage: &AtsStage) -> Result<(), CallError> {
        let id = &opportunity_id(id)?;
        let perform_as = &self.perform_as()?;
        let AtsStage::Lever(stage) = stage else { return Err(not_found()) };
        self.calls.call(WhenLimited::Defer, |api| async move { api.move_stage(id, perform_as, stage).await }).await?;
        Ok(())
    }

    /// Archives with the account's reason for a rejection or a withdrawal.
    pub(super) async fn close(&mut self, id: &str, withdrew: bool) -> Result<Option<String>, CallError> {
        let id = &opportunity_id(id)?;
        let perform_as = &self.perform_as()?;
        let lists = self.lists().await?;
        let reason = lists.closing_reason(withdrew).ok_or_else(|| CallError::Ats {
            ats: domain::AtsKind::Lever,
            failure: AtsFailure::Invalid(format!(
                "the Lever account has no active archive reason for a {}",
                if withdrew { "withdrawal" } else { "rejection" }
            )),
        })?;
        let reason_id = &reason.id;
        self.calls.call(WhenLimited::Defer, |api| async move { api.archive(id, perform_as, reason_id).await }).await?;
        Ok(Some(reason.text.clone()))
    }

    /// Archives with the reason the mapping chose (checked to be one of the account's, active).
    pub(super) async fn close_with(&mut self, id: &str, reason: &str) -> Result<String, CallError> {
        let id = &opportunity_id(id)?;
        let perform_as = &self.perform_as()?;
        let lists = self.lists().await?;
        let reason = lists.reasons.iter().find(|r| r.id.as_str() == reason && r.is_active()).ok_or_else(|| {
            CallError::Ats {
                ats: domain::AtsKind::Lever,
                failure: AtsFailure::Invalid(
                    "the archive reason the mapping chose is no longer one of the Lever account's; edit the role's ATS configuration".into(),
                ),
            }
        })?;
        let reason_id = &reason.id;
        self.calls.call(WhenLimited::Defer, |api| async move { api.archive(id, perform_as, reason_id).await }).await?;
        Ok(reason.text.clone())
    }

    /// The account's active archive reasons, as the mapping table offers them (read fresh: the
    /// wizard shows them).
    pub(super) async fn outcome_reasons(&mut self) -> Result<Vec<ReasonOption>, CallError> {
        let reasons = self.calls.read(|api| async move { api.archive_reasons().await }).await?;
        Ok(reasons
            .into_iter()
            .filter(ArchiveReason::is_active)
            .map(|r| ReasonOption {
                id: r.id.as_str().to_owned(),
                hired: r.kind == Some(ReasonType::Hired),
                name: r.text,
            })
            .collect())
    }

    /// Unarchives; one not archived (any more) stays as is.
    pub(super) async fn reopen(&mut self, id: &str) -> Result<(), CallError> {
        let id = &opportunity_id(id)?;
        let perform_as = &self.perform_as()?;
        let current = self.calls.fetch(|api| async move { api.opportunity(id).await }).await?;
        if current.archived.is_none() {
            return Ok(());
        }
        self.calls.call(WhenLimited::Defer, |api| async move { api.unarchive(id, perform_as).await }).await?;
        Ok(())
    }

    pub(super) async fn note(&mut self, id: &str, text: &str) -> Result<(), CallError> {
        let id = &opportunity_id(id)?;
        let perform_as = &self.perform_as()?;
        self.calls.call(WhenLimited::Defer, |api| async move { api.add_note(id, perform_as, text).await }).await?;
        Ok(())
    }

    /// The file uploaded to the opportunity, then the words as a note beside it; the file's id
    /// confirms it. (Lever's notes carry no files: two calls where Workable's comment is one.)
    pub(super) async fn attach(
        &mut self,
        id: &str,
        body: &str,
        file: Attachment<'_>,
    ) -> Result<Option<String>, CallError> {
        let opportunity = &opportunity_id(id)?;
        let perform_as = &self.perform_as()?;
        let upload = &pdf(file.file_name, file.pdf);
        let uploaded = self
            .calls
            .call(WhenLimited::Defer, |api| async move { api.upload_file(opportunity, perform_as, upload).await })
            .await?;
        // The file is there now: the note waits for the bucket rather than handing the step back,
        // and if it still fails the failure is a doubt (a retry reads the files before uploading
        // again), never a deferral that would upload the file twice.
        let text = body;
        let noted = self
            .calls
            .call(WhenLimited::Wait, |api| async move { api.add_note(opportunity, perform_as, text).await })
            .await;
        match noted {
            Ok(_) => Ok(Some(uploaded.id.as_str().to_owned())),
            Err(err @ CallError::Connection(_)) => Err(err),
            Err(err) => Err(CallError::Ats {
                ats: domain::AtsKind::Lever,
                failure: AtsFailure::Transient(format!("the note beside the uploaded file failed: {err}")),
            }),
        }
    }
}

/// A posting as the wizard and *Source* show a job: its team and location from its categories;
/// *internal* (unlisted, still hiring) counts as published, *pending* (awaiting approval) as a
/// draft, *rejected* as archived.
fn posting_ref(posting: &lever::Posting) -> JobRef {
    let state = match posting.state {
        PostingState::Published | PostingState::Internal => JobState::Published,
        PostingState::Draft | PostingState::Pending => JobState::Draft,
        PostingState::Closed => JobState::Closed,
        PostingState::Rejected => JobState::Archived,
        PostingState::Other => JobState::Other,
    };
    let non_empty = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
    JobRef {
        shortcode: posting.id.as_str().to_owned(),
        title: posting.text.clone(),
        code: None,
        department: non_empty(&posting.categories.team).or_else(|| non_empty(&posting.categories.department)),
        location: non_empty(&posting.categories.location),
        state,
    }
}

/// A stage as the mapping table offers it, with a kind the proposal can match where Lever's
/// built-in ids say one (Lever's API names no kinds).
fn stage_option(stage: &Stage) -> StageOption {
    let kind = match stage.id.as_str() {
        id if id.starts_with("lead-") => "sourced",
        "applicant-new" => "applied",
        "offer" => "offer",
        _ => "",
    };
    StageOption { slug: stage.id.as_str().to_owned(), name: stage.text.clone(), kind: kind.to_owned() }
}

fn pdf(name: &str, bytes: &[u8]) -> Upload {
    Upload { name: name.to_owned(), content_type: "application/pdf".to_owned(), bytes: bytes.to_vec() }
}

/// The opportunity an export creates: the person, the marketplace link among their links, the
/// marketplace as the source Lever reports by, `sourced` as the origin, our tag.
fn new_opportunity(
    candidate: &SharedCandidate,
    tag: &str,
    link: &str,
    posting: &PostingId,
    stage: Option<StageId>,
    source: Option<&str>,
) -> lever::NewOpportunity {
    let links = candidate
        .profile
        .links
        .iter()
        .map(|l| l.url.clone())
        .filter(|url| url.starts_with("https://") || url.starts_with("http://"))
        .chain(std::iter::once(link.to_owned()))
        .collect();
    lever::NewOpportunity {
        name: candidate.name.clone(),
        headline: Some(candidate.headline.clone()).filter(|h| !h.is_empty()),
        emails: vec![candidate.email.clone()],
        phones: candidate.phone.iter().map(|p| Phone { kind: Some("mobile".into()), value: p.clone() }).collect(),
        location: None,
        links,
        posting: posting.clone(),
        stage,
        origin: "sourced".into(),
        sources: source.map(str::to_owned).into_iter().collect(),
        tags: vec![tag.to_owned()],
        resume: candidate.cv.as_ref().map(|cv| pdf(&cv.filename, &cv.pdf)),
    }
}

/// What *Insights* keeps of an opportunity: its source ("Unknown" without one), and how far it
/// got — hired by a hired archive reason; offer from the *Offer* stage on; interview from the
/// first stage after *New applicant* (Lever's API names no stage kinds, only the order).
fn insights_row(
    lists: &LeverLists,
    posting: &PostingId,
    opportunity: &Opportunity,
    hired: bool,
    closed: bool,
) -> AtsCandidateRow {
    let position = |id: &str| lists.stages.iter().position(|s| s.id.as_str() == id);
    let reached = |stage: &StageId| {
        let at = position(stage.as_str());
        match (at, position("offer"), position("applicant-new")) {
            (Some(at), Some(offer), _) if at >= offer => 2,
            (Some(at), _, Some(applicant)) if at > applicant => 1,
            _ => 0,
        }
    };
    let by_history = opportunity.stage_changes.iter().map(|c| reached(&c.to_stage_id)).max().unwrap_or(0);
    let furthest = if hired { 3 } else { reached(&opportunity.stage).max(by_history) };
    let updated_at = opportunity.updated_at.unwrap_or(opportunity.created_at);
    AtsCandidateRow {
        candidate_id: opportunity.id.as_str().to_owned(),
        job_shortcode: posting.as_str().to_owned(),
        source: opportunity
            .sources
            .first()
            .map(|s| s.trim().chars().take(100).collect::<String>())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "Unknown".to_owned()),
        furthest,
        disqualified: closed,
        created_at: opportunity.created_at,
        hired_at: if hired { opportunity.archived.as_ref().map(|a| a.archived_at) } else { None },
        updated_at,
    }
}
