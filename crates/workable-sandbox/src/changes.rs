//! The sandbox's own state changes to a candidate (what the SPI handlers and the page for people
//! both do): a move, a disqualification, a revert, each leaving an activity and a webhook.

use axum::http::StatusCode;

use crate::Sandbox;
use crate::api::ApiError;
use crate::model::{Activity, Candidate};
use crate::webhooks::Event;

/// The activity a change to a candidate leaves on their timeline.
pub(crate) struct Note<'a> {
    action: &'a str,
    target: Option<String>,
    member: Option<&'a str>,
    body: Option<String>,
}

impl Sandbox {
    /// Changes a candidate with `change`, records `note` as an activity and fires
    /// `candidate_moved`: what move, disqualify and revert share.
    fn change_candidate(
        &self,
        subdomain: &str,
        id: &str,
        note: Note<'_>,
        change: impl FnOnce(&mut Candidate, i64) -> Result<(), ApiError>,
    ) -> Result<(), ApiError> {
        let now = self.now_ms();
        self.write(|w| {
            let activity_id = w.hex_id();
            let c = w.account_mut(subdomain).and_then(|a| a.candidate_mut(id)).ok_or_else(ApiError::not_found)?;
            let stage_before = c.stage_slug.clone();
            change(c, now)?;
            c.updated_at = now;
            c.activities.push(Activity {
                id: activity_id,
                action: note.action.to_owned(),
                stage_slug: stage_before,
                target_stage_slug: note.target,
                member_id: note.member.map(str::to_owned),
                body: note.body,
                created_at: now,
            });
            Ok(())
        })?;
        self.fire(subdomain, Event::Moved, id);
        Ok(())
    }

    /// Moves a candidate to `target` in their job's pipeline, as `member`; shared by the SPI
    /// and the page for people.
    pub(crate) fn move_to_stage(
        &self,
        subdomain: &str,
        id: &str,
        target: &str,
        member: Option<&str>,
    ) -> Result<(), ApiError> {
        let stage = self.read(|w| {
            let account = w.account(subdomain).ok_or_else(ApiError::not_found)?;
            let job =
                account.candidate(id).and_then(|c| account.job(&c.job_shortcode)).ok_or_else(ApiError::not_found)?;
            job.stage(target).cloned().ok_or_else(|| ApiError::invalid("target_stage", "is not a stage of this job"))
        })?;
        let note = Note { action: &stage.slug, target: Some(stage.slug.clone()), member, body: None };
        self.change_candidate(subdomain, id, note, |c, now| {
            c.stage_slug = stage.slug.clone();
            match stage.kind.as_str() {
                "offer" => c.moved_to_offer_at = Some(now),
                "hired" => c.hired_at = Some(now),
                _ => {}
            }
            Ok(())
        })
    }

    /// Disqualifies a candidate (rejected, or withdrawn when `withdrew`). Workable has no
    /// separate disqualification event: it is a `candidate_moved`.
    pub(crate) fn disqualify(
        &self,
        subdomain: &str,
        id: &str,
        reason: Option<String>,
        note: Option<String>,
        withdrew: bool,
        member: Option<&str>,
    ) -> Result<(), ApiError> {
        let note = Note { action: "disqualified", target: None, member, body: note };
        self.change_candidate(subdomain, id, note, |c, now| {
            c.disqualified = true;
            c.disqualified_at = Some(now);
            c.withdrew = withdrew;
            c.disqualification_reason = reason;
            Ok(())
        })
    }

    pub(crate) fn revert(&self, subdomain: &str, id: &str, member: Option<&str>) -> Result<(), ApiError> {
        let note = Note { action: "reverted", target: None, member, body: None };
        self.change_candidate(subdomain, id, note, |c, _| {
            if !c.disqualified {
                return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "Candidate is not disqualified"));
            }
            c.disqualified = false;
            c.disqualified_at = None;
            c.withdrew = false;
            c.disqualification_reason = None;
            Ok(())
        })
    }
}
