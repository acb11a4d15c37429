//! Where a candidate's export to Workable stands, as the pipeline and Source show it: the ledger
//! of steps (queued → created in Workable → resume confirmed → profile confirmed → at stage) and
//! every failure in plain words.

use serde::{Deserialize, Serialize};

/// An export's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportState {
    /// The role had no ATS configuration when the candidate accepted.
    NotMapped,
    /// Work remains and will be done without anyone's help.
    Queued,
    /// Waiting for Workable's rate limit (see the ETA).
    Waiting,
    /// The Workable connection needs a master account to reconnect.
    Paused,
    /// Needs a person: the reason says why; *Retry* queues it again.
    Failed,
    Done,
}
text_enum!(ExportState, "export state", {
    NotMapped => "not_mapped",
    Queued => "queued",
    Waiting => "waiting",
    Paused => "paused",
    Failed => "failed",
    Done => "done",
});

/// What a line of an export's ledger records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerStep {
    /// Queued for a job (back-fill after the role was mapped).
    Queued,
    /// Created in Workable.
    Created,
    /// Found in Workable already and linked.
    Linked,
    ProfileAttached,
    FilesConfirmed,
    AtStage,
    /// An attempt failed and another follows.
    Retrying,
    /// A person asked for another try.
    Retry,
    Paused,
    Failed,
    /// A marketplace move sent to Workable (or why it was not).
    Stage,
    /// A change in Workable read back and applied (or why not).
    FromWorkable,
    /// An interview posted on the Workable timeline.
    Interview,
}
text_enum!(LedgerStep, "ledger step", {
    Queued => "queued",
    Created => "created",
    Linked => "linked",
    ProfileAttached => "profile_attached",
    FilesConfirmed => "files_confirmed",
    AtStage => "at_stage",
    Retrying => "retrying",
    Retry => "retry",
    Paused => "paused",
    Failed => "failed",
    Stage => "stage",
    FromWorkable => "from_workable",
    Interview => "interview",
});

impl ExportState {
    /// The state as the pipeline says it, naming the connected ATS.
    pub fn label_in(self, ats: crate::AtsKind) -> String {
        let ats = ats.name();
        match self {
            ExportState::NotMapped => "Not exported — role not mapped".to_owned(),
            ExportState::Queued => format!("Exporting to {ats}"),
            ExportState::Waiting => format!("Waiting for {ats}'s rate limit"),
            ExportState::Paused => "Paused — reconnect needed".to_owned(),
            ExportState::Failed => "Export failed".to_owned(),
            ExportState::Done => format!("In {ats}"),
        }
    }

    /// A person may ask for another attempt.
    pub fn can_retry(self) -> bool {
        matches!(self, ExportState::Failed)
    }
}

/// One line of the ledger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub at_ms: i64,
    pub step: String,
    pub detail: String,
}

/// A candidate's export, for the pipeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportStatus {
    pub id: crate::ExportId,
    pub state: ExportState,
    pub job_title: Option<String>,
    /// The candidate's page in Workable, once created.
    pub workable_url: Option<String>,
    pub last_error: Option<String>,
    /// When the next attempt is due (waiting or retrying), Unix ms.
    pub next_attempt_at_ms: Option<i64>,
    /// Seconds until then, as of when this was read (the ETA on screen).
    pub eta_seconds: Option<i64>,
    pub ledger: Vec<LedgerEntry>,
}

/// A role's exports at a glance, for Source, with what back-fill could add.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportTally {
    pub done: i64,
    pub in_progress: i64,
    pub failed: i64,
    pub paused: i64,
    /// Accepted before the role was mapped and not exported yet.
    pub not_mapped: i64,
}
