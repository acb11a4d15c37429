//! The kinds of background work the sync engine does, as the durable queue stores them.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkKind {
    /// An accepted request's candidate into the mapped Workable job.
    Export,
    /// A marketplace move sent to Workable.
    StageSync,
    /// A Workable change (a webhook) read back and applied.
    WorkableChange,
    /// A company's candidates compared with Workable's.
    Reconcile,
    /// An interview posted on the Workable timeline.
    InterviewSync,
}
text_enum!(WorkKind, "kind of work", {
    Export => "export",
    StageSync => "stage_sync",
    WorkableChange => "workable_change",
    Reconcile => "reconcile",
    InterviewSync => "interview_sync",
});
