//! What an export names in any ATS: the profile PDF's recognisable file name, and dates in the
//! words of the ledger and the timeline. (What is sent to Workable is the port's Workable adapter's:
//! `integrations::ats::workable`.)

use storage::{ExportRecord, SharedCandidate};

/// The file name of the profile PDF: the export's id makes it recognisable among the
/// candidate's files (to tell whether an unanswered attempt went through).
pub(super) fn profile_file_name(candidate: &SharedCandidate, export: &ExportRecord) -> String {
    format!("Marketplace profile - {} - {}.pdf", candidate.name, export.id)
}

pub(super) fn date(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms / 1000).map(|t| t.date().to_string()).unwrap_or_default()
}
