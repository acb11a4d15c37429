//! Interview times on the Workable timeline, which the seed product cannot do: each interview
//! scheduled on the marketplace is posted to the candidate's timeline as a comment, and a new
//! comment says so when it moves (Workable's API cannot edit a comment). An interview for a
//! candidate whose export is still on its way waits for it.

use clock::Zone;
use domain::interview::Interview;
use storage::{InterviewRecord, WorkItem};

use crate::export::storage_failure;
use crate::{Engine, Outcome};

const WAIT_FOR_EXPORT_MS: i64 = 2_000;

/// The timeline comment for the interview as it is now (`was`: the time Workable last showed),
/// its times in the zone it was scheduled in and in UTC.
pub fn comment_body(interview: &Interview, zone: &Zone, was: Option<i64>, marketplace: &str) -> String {
    let what = format!(
        "{}: {} ({} min), with {}.",
        interview.kind.label(),
        zone.describe_with_utc(interview.starts_at_ms),
        interview.duration_minutes,
        interview.interviewer
    );
    match was {
        _ if interview.cancelled => format!("Interview cancelled on {marketplace} — {what}"),
        None => format!("Interview scheduled on {marketplace} — {what}"),
        Some(was) if was != interview.starts_at_ms => {
            format!("Interview moved on {marketplace} (was {}) — {what}", zone.describe_with_utc(was))
        }
        Some(_) => format!("Interview updated on {marketplace} — {what}"),
    }
}

impl Engine {
    pub(crate) async fn sync_interview(&self, item: &WorkItem) -> Outcome {
        let company = item.company_id;
        let interview: InterviewRecord = match self.db.interview(company, domain::InterviewId(item.subject_id)).await {
            Ok(Some(interview)) => interview,
            Ok(None) => return Outcome::Done,
            Err(err) => return storage_failure(err),
        };
        if interview.synced_version >= interview.version {
            return Outcome::Done;
        }
        let export = match self.db.export_by_request(company, interview.request_id).await {
            Ok(Some(export)) => export,
            // The role is not mapped: there is no Workable candidate to tell.
            Ok(None) => return Outcome::Done,
            Err(err) => return storage_failure(err),
        };
        match export.state {
            domain::export::ExportState::Done => {}
            domain::export::ExportState::NotMapped => return Outcome::Done,
            _ => return Outcome::Wait(WAIT_FOR_EXPORT_MS),
        }
        let Some((_, workable_id)) = (match self.mapped_for(&export).await {
            Ok(found) => found,
            Err(err) => return storage_failure(err),
        }) else {
            return Outcome::Done;
        };
        let mut calls = match self.integrations.ats_calls(company).await {
            Ok(calls) => calls,
            Err(err) => return err.into(),
        };
        // Cancelled before Workable heard of it: nothing to say.
        if interview.cancelled_at.is_some() && interview.synced_version == 0 {
            return match self.db.record_interview_synced(&interview, export.id, None, self.clock().now_ms()).await {
                Ok(()) => Outcome::Done,
                Err(err) => storage_failure(err),
            };
        }
        let zone = Zone::stored(Some(&interview.time_zone));
        let body =
            comment_body(&interview.view(&zone), &zone, interview.synced_starts_at, &self.settings.marketplace_name);
        if let Err(failure) = calls.note(workable_id.as_str(), &body).await {
            return failure.into();
        }
        let detail = format!("On the {} timeline: {body}", calls.name());
        match self.db.record_interview_synced(&interview, export.id, Some(&detail), self.clock().now_ms()).await {
            Ok(()) => Outcome::Done,
            Err(err) => storage_failure(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::interview::InterviewKind;

    #[test]
    fn the_comment_says_what_when_how_long_and_who_and_what_moved() {
        let utc = Zone::utc();
        let mut interview = Interview {
            id: domain::InterviewId(1),
            kind: InterviewKind::Technical,
            starts_at_ms: 1_796_308_200_000,
            starts: String::new(),
            starts_field: String::new(),
            duration_minutes: 60,
            interviewer: "Dana Kim".into(),
            in_workable: false,
            cancelled: false,
        };
        assert_eq!(
            comment_body(&interview, &utc, None, "the marketplace"),
            "Interview scheduled on the marketplace — Technical interview: Thu 3 Dec 2026, 14:30 UTC (60 min), with Dana Kim."
        );
        let was = interview.starts_at_ms;
        interview.starts_at_ms += 86_400_000;
        assert_eq!(
            comment_body(&interview, &utc, Some(was), "the marketplace"),
            "Interview moved on the marketplace (was Thu 3 Dec 2026, 14:30 UTC) — Technical interview: Fri 4 Dec 2026, 14:30 UTC (60 min), with Dana Kim."
        );
        interview.cancelled = true;
        assert_eq!(
            comment_body(&interview, &utc, Some(interview.starts_at_ms), "the marketplace"),
            "Interview cancelled on the marketplace — Technical interview: Fri 4 Dec 2026, 14:30 UTC (60 min), with Dana Kim."
        );
    }

    #[test]
    fn the_comment_gives_the_schedulers_zone_and_utc() {
        let new_york = Zone::named("America/New_York").unwrap();
        let interview = Interview {
            id: domain::InterviewId(1),
            kind: InterviewKind::PhoneScreen,
            starts_at_ms: 1_796_308_200_000,
            starts: String::new(),
            starts_field: String::new(),
            duration_minutes: 30,
            interviewer: "Dana Kim".into(),
            in_workable: false,
            cancelled: false,
        };
        assert_eq!(
            comment_body(&interview, &new_york, None, "the marketplace"),
            "Interview scheduled on the marketplace — Phone screen: Thu 3 Dec 2026, 09:30 EST (America/New_York) = 14:30 UTC (30 min), with Dana Kim."
        );
    }
}
