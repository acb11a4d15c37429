//! The ATS port: the product's concepts as the sync engine asks them of whichever ATS a company
//! connected, in the product's words, with each ATS's wire knowledge in its adapter. Every call
//! still goes through the one call policy ([`crate::AccountCalls`]).
//!
//! So far: the export of an accepted candidate — find them in a job, create them with the CV as
//! their resume, attach the marketplace profile, read their files back — and the stage sync out —
//! move, close with an outcome, reopen —, notes on the timeline (interviews) and the read-back
//! from the ATS (one candidate; a job's changes, paged). Workable is the one adapter so far (`workable.rs`);
//! webhook subscriptions and deliveries, the wizard and *Connect* follow, and Lever's adapter (on the `lever`
//! crate) beside it.

mod workable;

use domain::CompanyId;
use storage::{AtsCandidateRow, SharedCandidate};

use crate::{AccountCalls, CallError, Integrations};

/// A candidate as the ATS has them, in the port's words.
#[derive(Clone, Debug, PartialEq)]
pub struct AtsCandidate {
    /// The ATS's id for them (Workable's candidate id).
    pub id: String,
    /// Their page in the ATS, when it gave one.
    pub profile_url: Option<String>,
    /// The stage the ATS has them at, by the name it shows.
    pub stage: Option<String>,
    /// Where the ATS says they came from, when it says.
    pub source: Option<String>,
    /// Whether the ATS attributes them to the marketplace (our source).
    pub ours: bool,
    /// Whether the ATS's answer shows a resume stored for them.
    pub resume_stored: bool,
    /// The job the ATS has them in, when it says.
    pub job: Option<String>,
    /// Out of the pipeline (Workable: disqualified).
    pub closed: bool,
    /// Whether they withdrew (rather than being rejected), when the answer says.
    pub withdrew: Option<bool>,
    /// At a stage that means hired.
    pub hired: bool,
    /// When the ATS last changed them, ms.
    pub updated_at: Option<i64>,
    /// What *Insights* keeps of them, when their job is known.
    pub insights: Option<AtsCandidateRow>,
}

/// A job of the ATS, as a stored configuration names it, checked for the ATS's form.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AtsJob {
    Workable(::workable::Shortcode),
}

impl AtsJob {
    /// The job's id as stored.
    pub fn as_str(&self) -> &str {
        match self {
            AtsJob::Workable(code) => code.as_str(),
        }
    }
}

impl std::fmt::Display for AtsJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stage of a job, as a stored configuration names it, checked for the ATS's form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AtsStage {
    Workable(::workable::StageSlug),
}

/// What an export creates: the candidate the marketplace shares, the tag every export carries,
/// and the link back to the role on the marketplace.
pub struct NewExport<'a> {
    pub candidate: &'a SharedCandidate,
    pub tag: &'a str,
    pub link: &'a str,
}

/// A file to put on a candidate's timeline.
pub struct Attachment<'a> {
    pub file_name: &'a str,
    pub pdf: &'a [u8],
}

/// One company's ATS, ready for calls under the call policy.
pub struct AtsCalls<'i> {
    adapter: Adapter<'i>,
}

enum Adapter<'i> {
    Workable(workable::WorkableAdapter<'i>),
}

impl Integrations {
    /// The company's connected ATS.
    pub async fn ats_calls(&self, company: CompanyId) -> Result<AtsCalls<'_>, CallError> {
        let calls: AccountCalls<'_> = self.account_calls(company).await?;
        Ok(AtsCalls { adapter: Adapter::Workable(workable::WorkableAdapter::new(self, calls)) })
    }
}

impl AtsCalls<'_> {
    /// The ATS's name, as the product's words name it ("Workable").
    pub fn name(&self) -> &'static str {
        match &self.adapter {
            Adapter::Workable(_) => "Workable",
        }
    }

    /// The job a stored configuration names, if it has this ATS's form.
    pub fn job(&self, id: &str) -> Option<AtsJob> {
        match &self.adapter {
            Adapter::Workable(_) => ::workable::Shortcode::parse(id).ok().map(AtsJob::Workable),
        }
    }

    /// The stage a stored configuration names, if it has this ATS's form.
    pub fn stage(&self, id: &str) -> Option<AtsStage> {
        match &self.adapter {
            Adapter::Workable(_) => ::workable::StageSlug::parse(id).ok().map(AtsStage::Workable),
        }
    }

    /// One candidate by the ATS's id (`job`: where the configuration says they are, for what
    /// *Insights* keeps when the answer does not say).
    pub async fn candidate(&mut self, job: Option<&AtsJob>, id: &str) -> Result<AtsCandidate, CallError> {
        match &mut self.adapter {
            Adapter::Workable(a) => a.candidate(job, id).await,
        }
    }

    /// The candidate with this e-mail in this job, if the ATS has one.
    pub async fn find_in_job(&mut self, job: &AtsJob, email: &str) -> Result<Option<AtsCandidate>, CallError> {
        match &mut self.adapter {
            Adapter::Workable(a) => a.find_in_job(job, email).await,
        }
    }

    /// Creates the candidate in the job (at `stage` when given) with the CV as their resume;
    /// `None` when the ATS refuses because it has them in the job already.
    pub async fn create(
        &mut self,
        job: &AtsJob,
        stage: Option<&AtsStage>,
        new: &NewExport<'_>,
    ) -> Result<Option<AtsCandidate>, CallError> {
        match &mut self.adapter {
            Adapter::Workable(a) => a.create(job, stage, new).await,
        }
    }

    /// The names of the files the ATS keeps for the candidate (resume and attachments).
    pub async fn file_names(&mut self, id: &str) -> Result<Vec<String>, CallError> {
        match &mut self.adapter {
            Adapter::Workable(a) => a.file_names(id).await,
        }
    }

    /// One page of the job's candidates changed after `after_s` (Unix seconds, to the second),
    /// and where the next page is; give `page` to read it.
    pub async fn changed_since(
        &mut self,
        job: &AtsJob,
        after_s: i64,
        page: Option<&str>,
    ) -> Result<(Vec<AtsCandidate>, Option<String>), CallError> {
        match &mut self.adapter {
            Adapter::Workable(a) => a.changed_since(job, after_s, page).await,
        }
    }

    /// Moves the candidate to a stage of their job.
    pub async fn move_to(&mut self, id: &str, stage: &AtsStage) -> Result<(), CallError> {
        match &mut self.adapter {
            Adapter::Workable(a) => a.move_to(id, stage).await,
        }
    }

    /// Takes the candidate out of the pipeline as rejected, or as withdrawn, with the ATS's
    /// reason for it when it has one; answers the reason's words.
    pub async fn close(&mut self, id: &str, withdrew: bool) -> Result<Option<String>, CallError> {
        match &mut self.adapter {
            Adapter::Workable(a) => a.close(id, withdrew).await,
        }
    }

    /// Brings a closed candidate back into the pipeline; one not closed (any more) stays as is.
    pub async fn reopen(&mut self, id: &str) -> Result<(), CallError> {
        match &mut self.adapter {
            Adapter::Workable(a) => a.reopen(id).await,
        }
    }

    /// A note on the candidate's timeline, as the connection's acting user.
    pub async fn note(&mut self, id: &str, text: &str) -> Result<(), CallError> {
        match &mut self.adapter {
            Adapter::Workable(a) => a.note(id, text).await,
        }
    }

    /// A note on the candidate's timeline with one file, as the connection's acting user; the
    /// note's id, when the ATS's answer gave one (which confirms the file).
    pub async fn attach(&mut self, id: &str, body: &str, file: Attachment<'_>) -> Result<Option<String>, CallError> {
        match &mut self.adapter {
            Adapter::Workable(a) => a.attach(id, body, file).await,
        }
    }
}
