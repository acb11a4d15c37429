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

mod lever;
mod workable;

pub use lever::LeverLists;

use domain::mapping::{JobRef, ReasonOption, StageOption};
use domain::{AtsKind, CompanyId};
use storage::{AtsCandidateRow, SharedCandidate};

use storage::ConnectionStatus;

use crate::{AccountCalls, CallError, ConnectError, Integrations};

/// Why the ATS refused or failed a call, in the port's words: by what the caller can do about it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AtsFailure {
    /// The ATS's rate limit is spent.
    #[error("its rate limit is spent")]
    RateLimited,
    /// No answer, or a failure on the ATS's side: worth trying again.
    #[error("it did not answer ({0})")]
    Transient(String),
    /// The connection's credentials are no longer accepted.
    #[error("it no longer accepts this connection's access")]
    Unauthorized,
    /// The connection lacks a permission for the call.
    #[error("this connection is not allowed to do this (a permission is missing)")]
    Forbidden,
    /// The candidate, job or stage is not there (any more).
    #[error("the job or candidate no longer exists")]
    NotFound,
    /// The thing asked for belongs to another account than the one connected.
    #[error("the job belongs to another account than the one connected")]
    WrongAccount,
    /// The ATS refuses a second candidate with the same e-mail in the job.
    #[error("it reported the candidate as a duplicate")]
    Duplicate,
    /// The ATS refused what was sent, in its words.
    #[error("it refused the request: {0}")]
    Invalid(String),
    /// The ATS says this exists already.
    #[error("it says this exists already")]
    Conflict,
    /// An answer the adapter could not read.
    #[error("it answered something unexpected ({0})")]
    Unexpected(String),
}

impl From<::workable::WorkableError> for AtsFailure {
    fn from(err: ::workable::WorkableError) -> Self {
        use ::workable::WorkableError as W;
        match err {
            W::RateLimited { .. } => AtsFailure::RateLimited,
            W::Transient(why) => AtsFailure::Transient(why),
            W::Unauthorized => AtsFailure::Unauthorized,
            W::Forbidden => AtsFailure::Forbidden,
            W::NotFound => AtsFailure::NotFound,
            W::WrongAccount => AtsFailure::WrongAccount,
            W::Duplicate => AtsFailure::Duplicate,
            W::Invalid { message } => AtsFailure::Invalid(message),
            W::Conflict => AtsFailure::Conflict,
            W::UnexpectedResponse(why) => AtsFailure::Unexpected(why),
        }
    }
}

/// A call's error in the port's words: an ATS's own error becomes [`CallError::Ats`].
fn in_port_words(ats: AtsKind, err: CallError) -> CallError {
    match err {
        CallError::Workable(err) => CallError::Ats { ats, failure: err.into() },
        other => other,
    }
}

/// How the ledger says an ATS's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutcomeWords {
    /// Taken out of the pipeline ("Disqualified", "Archived").
    pub closed: &'static str,
    /// Brought back ("Disqualification reverted", "Unarchived").
    pub reopened: &'static str,
}

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
    /// Out of the pipeline (Workable: disqualified; Lever: archived — a hire too, see `hired`).
    pub closed: bool,
    /// Whether they withdrew (rather than being rejected), when the answer says.
    pub withdrew: Option<bool>,
    /// At a stage (Lever: archived with a reason) that means hired.
    pub hired: bool,
    /// The outcome reason they were taken out with (Lever's archive reason id), when the answer
    /// names one: a mapping may say which marketplace stage it is.
    pub reason: Option<String>,
    /// When the ATS last changed them, ms.
    pub updated_at: Option<i64>,
    /// What *Insights* keeps of them, when their job is known.
    pub insights: Option<AtsCandidateRow>,
}

/// A job of the ATS, as a stored configuration names it, checked for the ATS's form.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AtsJob {
    Workable(::workable::Shortcode),
    Lever(::lever::PostingId),
}

impl AtsJob {
    /// The job's id as stored.
    pub fn as_str(&self) -> &str {
        match self {
            AtsJob::Workable(code) => code.as_str(),
            AtsJob::Lever(id) => id.as_str(),
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
    Lever(::lever::StageId),
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
    Lever(lever::LeverAdapter<'i>),
}

impl Integrations {
    /// The company's connected ATS.
    pub async fn ats_calls(&self, company: CompanyId) -> Result<AtsCalls<'_>, CallError> {
        let connection = self.db().connection(company).await?.ok_or(ConnectError::NotConnected)?;
        match connection.status {
            ConnectionStatus::Connected => {}
            // Said by the ATS's name: the work pauses until a master account reconnects it.
            ConnectionStatus::ReconnectNeeded => {
                return Err(CallError::Ats { ats: connection.ats, failure: AtsFailure::Unauthorized });
            }
            ConnectionStatus::Disconnected => return Err(ConnectError::NotConnected.into()),
        }
        let adapter = match connection.ats {
            AtsKind::Workable => {
                let calls: AccountCalls<'_> = self.account_calls_of(connection).await?;
                Adapter::Workable(workable::WorkableAdapter::new(self, calls))
            }
            AtsKind::Lever => {
                let calls = self.lever_calls_of(&connection)?;
                Adapter::Lever(lever::LeverAdapter::new(self, calls))
            }
        };
        Ok(AtsCalls { adapter })
    }
}

impl AtsCalls<'_> {
    /// Which ATS this is.
    pub fn kind(&self) -> AtsKind {
        match &self.adapter {
            Adapter::Workable(_) => AtsKind::Workable,
            Adapter::Lever(_) => AtsKind::Lever,
        }
    }

    /// The ATS's own words for taking a candidate out of the pipeline and bringing them back
    /// (Workable disqualifies; Lever archives), as the ledger says them.
    pub fn outcome_words(&self) -> OutcomeWords {
        match self.kind() {
            AtsKind::Workable => OutcomeWords { closed: "Disqualified", reopened: "Disqualification reverted" },
            AtsKind::Lever => OutcomeWords { closed: "Archived", reopened: "Unarchived" },
        }
    }

    /// Whether the ATS refuses a second candidate with the same e-mail in a job (Workable), or
    /// makes another (Lever): then an export always looks before it creates.
    pub fn refuses_duplicates(&self) -> bool {
        matches!(self.adapter, Adapter::Workable(_))
    }

    /// The ATS's name, as the product's words name it ("Workable").
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }

    /// The account's key in the ATS (Workable's subdomain; Lever names none): a configuration
    /// made under another account's key has lost its job.
    pub fn account_key(&self) -> String {
        match &self.adapter {
            Adapter::Workable(a) => a.account_key(),
            Adapter::Lever(_) => String::new(),
        }
    }

    /// The account's jobs (Lever: postings), as the wizard lists them. A read a person waits for.
    pub async fn jobs(&mut self) -> Result<Vec<JobRef>, CallError> {
        match &mut self.adapter {
            Adapter::Workable(a) => a.jobs().await.map_err(|e| in_port_words(AtsKind::Workable, e)),
            Adapter::Lever(a) => a.jobs().await,
        }
    }

    /// One job, as the wizard shows it; `NotFound` when the ATS no longer has it.
    pub async fn job_ref(&mut self, job: &AtsJob) -> Result<JobRef, CallError> {
        match &mut self.adapter {
            Adapter::Workable(a) => a.job_ref(job).await.map_err(|e| in_port_words(AtsKind::Workable, e)),
            Adapter::Lever(a) => a.job_ref(job).await,
        }
    }

    /// The stages a candidate of the job can be moved to (Lever: the account's one list).
    pub async fn stages(&mut self, job: &AtsJob) -> Result<Vec<StageOption>, CallError> {
        match &mut self.adapter {
            Adapter::Workable(a) => a.stages(job).await.map_err(|e| in_port_words(AtsKind::Workable, e)),
            Adapter::Lever(a) => a.stages(job).await,
        }
    }

    /// The job a stored configuration names, if it has this ATS's form.
    pub fn job(&self, id: &str) -> Option<AtsJob> {
        match &self.adapter {
            Adapter::Workable(_) => ::workable::Shortcode::parse(id).ok().map(AtsJob::Workable),
            Adapter::Lever(_) => ::lever::PostingId::parse(id).ok().map(AtsJob::Lever),
        }
    }

    /// The stage a stored configuration names, if it has this ATS's form.
    #[doc(alias = "stage_id")]
    pub fn stage(&self, id: &str) -> Option<AtsStage> {
        match &self.adapter {
            Adapter::Workable(_) => ::workable::StageSlug::parse(id).ok().map(AtsStage::Workable),
            Adapter::Lever(_) => ::lever::StageId::parse(id).ok().map(AtsStage::Lever),
        }
    }

    /// One candidate by the ATS's id (`job`: where the configuration says they are, for what
    /// *Insights* keeps when the answer does not say).
    pub async fn candidate(&mut self, job: Option<&AtsJob>, id: &str) -> Result<AtsCandidate, CallError> {
        match &mut self.adapter {
            Adapter::Workable(a) => a.candidate(job, id).await.map_err(|e| in_port_words(AtsKind::Workable, e)),
            Adapter::Lever(a) => a.candidate(job, id).await,
        }
    }

    /// The candidate with this e-mail in this job, if the ATS has one.
    pub async fn find_in_job(&mut self, job: &AtsJob, email: &str) -> Result<Option<AtsCandidate>, CallError> {
        match &mut self.adapter {
            Adapter::Workable(a) => a.find_in_job(job, email).await.map_err(|e| in_port_words(AtsKind::Workable, e)),
            Adapter::Lever(a) => a.find_in_job(job, email).await,
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
            Adapter::Workable(a) => a.create(job, stage, new).await.map_err(|e| in_port_words(AtsKind::Workable, e)),
            Adapter::Lever(a) => a.create(job, stage, new).await,
        }
    }

    /// The names of the files the ATS keeps for the candidate (resume and attachments).
    pub async fn file_names(&mut self, id: &str) -> Result<Vec<String>, CallError> {
        match &mut self.adapter {
            Adapter::Workable(a) => a.file_names(id).await.map_err(|e| in_port_words(AtsKind::Workable, e)),
            Adapter::Lever(a) => a.file_names(id).await,
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
            Adapter::Workable(a) => {
                a.changed_since(job, after_s, page).await.map_err(|e| in_port_words(AtsKind::Workable, e))
            }
            Adapter::Lever(a) => a.changed_since(job, after_s, page).await,
        }
    }

    /// Moves the candidate to a stage of their job.
    pub async fn move_to(&mut self, id: &str, stage: &AtsStage) -> Result<(), CallError> {
        match &mut self.adapter {
            Adapter::Workable(a) => a.move_to(id, stage).await.map_err(|e| in_port_words(AtsKind::Workable, e)),
            Adapter::Lever(a) => a.move_to(id, stage).await,
        }
    }

    /// Takes the candidate out of the pipeline as rejected, or as withdrawn, with the ATS's
    /// reason for it when it has one; answers the reason's words.
    pub async fn close(&mut self, id: &str, withdrew: bool) -> Result<Option<String>, CallError> {
        match &mut self.adapter {
            Adapter::Workable(a) => a.close(id, withdrew).await.map_err(|e| in_port_words(AtsKind::Workable, e)),
            Adapter::Lever(a) => a.close(id, withdrew).await,
        }
    }

    /// Takes the candidate out of the pipeline with this outcome reason of the account's (the
    /// mapping's choice: Lever's archive reasons); answers the reason's words. Workable has none
    /// to choose (its mappings disqualify).
    pub async fn close_with(&mut self, id: &str, reason: &str) -> Result<String, CallError> {
        match &mut self.adapter {
            Adapter::Workable(_) => Err(CallError::Ats {
                ats: AtsKind::Workable,
                failure: AtsFailure::Invalid("Workable's mappings disqualify; they choose no archive reason".into()),
            }),
            Adapter::Lever(a) => a.close_with(id, reason).await,
        }
    }

    /// The account's outcome reasons a mapping may choose (Lever's active archive reasons;
    /// none for Workable). A read a person waits for.
    pub async fn outcome_reasons(&mut self) -> Result<Vec<ReasonOption>, CallError> {
        match &mut self.adapter {
            Adapter::Workable(_) => Ok(Vec::new()),
            Adapter::Lever(a) => a.outcome_reasons().await,
        }
    }

    /// Brings a closed candidate back into the pipeline; one not closed (any more) stays as is.
    pub async fn reopen(&mut self, id: &str) -> Result<(), CallError> {
        match &mut self.adapter {
            Adapter::Workable(a) => a.reopen(id).await.map_err(|e| in_port_words(AtsKind::Workable, e)),
            Adapter::Lever(a) => a.reopen(id).await,
        }
    }

    /// A note on the candidate's timeline, as the connection's acting user.
    pub async fn note(&mut self, id: &str, text: &str) -> Result<(), CallError> {
        match &mut self.adapter {
            Adapter::Workable(a) => a.note(id, text).await.map_err(|e| in_port_words(AtsKind::Workable, e)),
            Adapter::Lever(a) => a.note(id, text).await,
        }
    }

    /// A note on the candidate's timeline with one file, as the connection's acting user; the
    /// note's id, when the ATS's answer gave one (which confirms the file).
    pub async fn attach(&mut self, id: &str, body: &str, file: Attachment<'_>) -> Result<Option<String>, CallError> {
        match &mut self.adapter {
            Adapter::Workable(a) => a.attach(id, body, file).await.map_err(|e| in_port_words(AtsKind::Workable, e)),
            Adapter::Lever(a) => a.attach(id, body, file).await,
        }
    }
}
