//! The port's Workable adapter: Workable's candidates in the port's words, what an export sends
//! Workable (the new candidate's fields — experience, education, links, tag, sourced, the
//! marketplace as source — with dates in Workable's form), and what *Insights* keeps of a
//! Workable candidate.

use ::workable::{
    Candidate, MemberId, NewCandidate, NewEducation, NewExperience, NewSocialProfile, SourceDomain, Upload,
};
use ::workable::{Shortcode, StageSlug, WorkableError};
use domain::mapping::{JobRef, StageOption};
use storage::{AtsCandidateRow, SharedCandidate};

use crate::mapping::{job_ref, stage_option};

use super::{AtsCandidate, AtsJob, AtsStage, Attachment, NewExport};
use crate::{AccountCalls, CallError, Integrations, WhenLimited};

pub(super) struct WorkableAdapter<'i> {
    integrations: &'i Integrations,
    calls: AccountCalls<'i>,
}

/// The job's shortcode; a job of another ATS is not in this Workable.
fn shortcode(job: &AtsJob) -> Result<&Shortcode, CallError> {
    match job {
        AtsJob::Workable(code) => Ok(code),
        AtsJob::Lever(_) => Err(CallError::Workable(WorkableError::NotFound)),
    }
}

fn slug(stage: &AtsStage) -> Result<&StageSlug, CallError> {
    match stage {
        AtsStage::Workable(slug) => Ok(slug),
        AtsStage::Lever(_) => Err(CallError::Workable(WorkableError::NotFound)),
    }
}

impl<'i> WorkableAdapter<'i> {
    pub(super) fn new(integrations: &'i Integrations, calls: AccountCalls<'i>) -> Self {
        WorkableAdapter { integrations, calls }
    }

    fn described(&self, job: Option<&Shortcode>, candidate: Candidate) -> AtsCandidate {
        let ours = candidate.domain.as_deref() == self.integrations.source_domain().map(|d| d.as_str());
        let listed_in = candidate.job.as_ref().map(|j| &j.shortcode).or(job);
        AtsCandidate {
            insights: listed_in.map(|job| insights_row(job, &candidate)),
            job: candidate.job.as_ref().map(|j| j.shortcode.as_str().to_owned()),
            closed: candidate.disqualified,
            withdrew: candidate.withdrew,
            hired: candidate.stage_kind == Some(::workable::StageKind::Hired),
            // Workable's disqualification reasons are not mapped (its mappings disqualify).
            reason: None,
            updated_at: candidate.updated_at.as_deref().and_then(parse_time),
            id: candidate.id,
            profile_url: candidate.profile_url,
            stage: candidate.stage,
            source: candidate.common_source.or(candidate.domain),
            ours,
            resume_stored: candidate.resume_url.is_some(),
        }
    }

    pub(super) fn account_key(&self) -> String {
        self.calls.subdomain().to_string()
    }

    pub(super) async fn jobs(&mut self) -> Result<Vec<JobRef>, CallError> {
        let jobs = self.calls.read(|api| async move { api.jobs(None).await }).await?;
        Ok(jobs.iter().map(job_ref).collect())
    }

    pub(super) async fn job_ref(&mut self, job: &AtsJob) -> Result<JobRef, CallError> {
        let code = shortcode(job)?;
        Ok(job_ref(&self.calls.read(|api| async move { api.job(code).await }).await?))
    }

    pub(super) async fn stages(&mut self, job: &AtsJob) -> Result<Vec<StageOption>, CallError> {
        let code = shortcode(job)?;
        let stages = self.calls.read(|api| async move { api.job_stages(code).await }).await?;
        Ok(stages.iter().map(stage_option).collect())
    }

    pub(super) async fn candidate(&mut self, job: Option<&AtsJob>, id: &str) -> Result<AtsCandidate, CallError> {
        let found = self.calls.call(WhenLimited::Defer, |api| async move { api.candidate(id).await }).await?;
        Ok(self.described(job.and_then(|j| shortcode(j).ok()), found))
    }

    /// Workable's `updated_after` list of the job, `paging.next` as the next page.
    pub(super) async fn changed_since(
        &mut self,
        job: &AtsJob,
        after_s: i64,
        page: Option<&str>,
    ) -> Result<(Vec<AtsCandidate>, Option<String>), CallError> {
        let code = shortcode(job)?;
        let (candidates, next) = self
            .calls
            .call(WhenLimited::Defer, |api| async move { api.updated_candidates(code, after_s, page).await })
            .await?;
        Ok((candidates.into_iter().map(|c| self.described(Some(code), c)).collect(), next))
    }

    pub(super) async fn find_in_job(&mut self, job: &AtsJob, email: &str) -> Result<Option<AtsCandidate>, CallError> {
        let code = shortcode(job)?;
        let found =
            self.calls.call(WhenLimited::Defer, |api| async move { api.find_candidate(code, email).await }).await?;
        Ok(found.map(|c| self.described(Some(code), c)))
    }

    /// Workable refuses a second candidate with the same e-mail in a job (422 *already exists*).
    pub(super) async fn create(
        &mut self,
        job: &AtsJob,
        stage: Option<&AtsStage>,
        new: &NewExport<'_>,
    ) -> Result<Option<AtsCandidate>, CallError> {
        let code = shortcode(job)?;
        let stage = stage.map(slug).transpose()?;
        let body = new_candidate(new.candidate, new.tag, new.link, self.integrations.source_domain());
        let body = &body;
        match self
            .calls
            .call(WhenLimited::Defer, |api| async move { api.create_candidate(code, stage, body).await })
            .await
        {
            Ok(created) => Ok(Some(self.described(Some(code), created))),
            Err(CallError::Workable(WorkableError::Duplicate)) => Ok(None),
            Err(other) => Err(other),
        }
    }

    pub(super) async fn file_names(&mut self, id: &str) -> Result<Vec<String>, CallError> {
        let files = self.calls.call(WhenLimited::Defer, |api| async move { api.candidate_files(id).await }).await?;
        Ok(files.into_iter().map(|f| f.name).collect())
    }

    pub(super) async fn move_to(&mut self, id: &str, stage: &AtsStage) -> Result<(), CallError> {
        let member = &self.calls.member_id()?;
        let slug = slug(stage)?;
        self.calls.call(WhenLimited::Defer, |api| async move { api.move_candidate(id, member, slug).await }).await
    }

    /// Disqualifies with the account's first reason of the kind (withdrew or not), if any.
    pub(super) async fn close(&mut self, id: &str, withdrew: bool) -> Result<Option<String>, CallError> {
        let member = &self.calls.member_id()?;
        let reasons =
            self.calls.call(WhenLimited::Defer, |api| async move { api.disqualification_reasons().await }).await?;
        let reason = reasons.iter().find(|r| r.candidate_withdrew == withdrew);
        let reason_id = reason.map(|r| r.id.as_str());
        self.calls
            .call(WhenLimited::Defer, |api| async move { api.disqualify(id, member, reason_id, withdrew).await })
            .await?;
        Ok(reason.map(|r| r.description.clone()))
    }

    /// Workable refuses to revert a candidate who is not disqualified (422): already reopened,
    /// by an earlier attempt that then waited for the limit before moving.
    pub(super) async fn reopen(&mut self, id: &str) -> Result<(), CallError> {
        let member = &self.calls.member_id()?;
        match self.calls.call(WhenLimited::Defer, |api| async move { api.revert(id, member).await }).await {
            Ok(()) | Err(CallError::Workable(WorkableError::Invalid { .. })) => Ok(()),
            Err(err) => Err(err),
        }
    }

    /// A comment without a file, as the connection's member.
    pub(super) async fn note(&mut self, id: &str, text: &str) -> Result<(), CallError> {
        let member = &self.calls.member_id()?;
        self.calls.call(WhenLimited::Defer, |api| async move { api.comment(id, member, text, None).await }).await?;
        Ok(())
    }

    /// A comment with the file, as the connection's member.
    pub(super) async fn attach(
        &mut self,
        id: &str,
        body: &str,
        file: Attachment<'_>,
    ) -> Result<Option<String>, CallError> {
        let member: MemberId = self.calls.member_id()?;
        let upload = Upload::new(file.file_name, file.pdf);
        let (member, upload) = (&member, &upload);
        self.calls
            .call(WhenLimited::Defer, |api| async move { api.comment(id, member, body, Some(upload)).await })
            .await
    }
}

/// `2019-01` or `2019` → a date Workable takes (`YYYY-MM-DD`).
fn workable_date(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.trim().split('-').collect();
    let numeric = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    match parts.as_slice() {
        [y] if y.len() == 4 && numeric(y) => Some(format!("{y}-01-01")),
        [y, m] if y.len() == 4 && numeric(y) && numeric(m) => Some(format!("{y}-{m:0>2}-01")),
        [y, m, d] if y.len() == 4 && numeric(y) && numeric(m) && numeric(d) => Some(format!("{y}-{m:0>2}-{d:0>2}")),
        _ => None,
    }
}

/// The new candidate an export sends Workable.
fn new_candidate(candidate: &SharedCandidate, tag: &str, link: &str, domain: Option<&SourceDomain>) -> NewCandidate {
    let profile = &candidate.profile;
    NewCandidate {
        name: candidate.name.clone(),
        email: candidate.email.clone(),
        phone: candidate.phone.clone(),
        headline: candidate.headline.clone(),
        summary: format!("{}\n\nShared through the marketplace: {link}", candidate.summary),
        skills: profile.skills.clone(),
        experience_entries: profile
            .experience
            .iter()
            .map(|e| NewExperience {
                title: e.title.clone(),
                company: e.company.clone(),
                summary: e.summary.clone(),
                start_date: workable_date(&e.start),
                end_date: e.end.as_deref().and_then(workable_date),
                current: e.end.is_none(),
            })
            .collect(),
        education_entries: profile
            .education
            .iter()
            .map(|e| NewEducation {
                school: e.school.clone(),
                degree: e.degree.clone(),
                field_of_study: e.field.clone(),
                start_date: workable_date(&e.start),
                end_date: workable_date(&e.end),
            })
            .collect(),
        social_profiles: profile
            .links
            .iter()
            .filter(|l| l.url.starts_with("https://") || l.url.starts_with("http://"))
            .map(|l| NewSocialProfile { kind: l.kind.to_lowercase(), url: l.url.clone() })
            .collect(),
        tags: vec![tag.to_owned()],
        resume: candidate.cv.as_ref().map(|cv| Upload::new(&cv.filename, &cv.pdf)),
        domain: domain.cloned(),
    }
}

/// A listed candidate as Insights stores it: Workable's source ("Unknown" when it has none), and
/// how far they got — by the stage's kind and the offer and hire times Workable keeps.
fn insights_row(job: &Shortcode, candidate: &Candidate) -> AtsCandidateRow {
    let time = |t: &Option<String>| t.as_deref().and_then(parse_time);
    let updated_at = time(&candidate.updated_at).unwrap_or_else(storage::now_ms);
    let hired_at = time(&candidate.hired_at);
    let by_kind = match candidate.stage_kind {
        Some(::workable::StageKind::Hired) => 3,
        Some(::workable::StageKind::Offer) => 2,
        Some(::workable::StageKind::Interview) => 1,
        _ => 0,
    };
    let furthest = if hired_at.is_some() {
        3
    } else if time(&candidate.moved_to_offer_at).is_some() {
        by_kind.max(2)
    } else {
        by_kind
    };
    AtsCandidateRow {
        candidate_id: candidate.id.clone(),
        job_shortcode: candidate.job.as_ref().map_or(job, |j| &j.shortcode).as_str().to_owned(),
        source: candidate
            .common_source
            .clone()
            .or_else(|| candidate.domain.clone())
            .map(|s| s.trim().chars().take(100).collect::<String>())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "Unknown".to_owned()),
        furthest,
        disqualified: candidate.disqualified,
        created_at: time(&candidate.created_at).unwrap_or(updated_at),
        hired_at,
        updated_at,
    }
}

/// Workable's timestamps (`2026-07-23T18:58:15Z`, with or without fractions) as ms.
fn parse_time(text: &str) -> Option<i64> {
    let at = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    Some((at.unix_timestamp_nanos() / 1_000_000) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_dates_become_workable_dates() {
        assert_eq!(workable_date("2019-01").as_deref(), Some("2019-01-01"));
        assert_eq!(workable_date("2014").as_deref(), Some("2014-01-01"));
        assert_eq!(workable_date("2020-3-9").as_deref(), Some("2020-03-09"));
        assert_eq!(workable_date("present"), None);
        assert_eq!(workable_date(""), None);
    }

    #[test]
    fn workable_times_are_read_with_or_without_fractions() {
        assert_eq!(parse_time("2026-07-23T18:58:15Z"), Some(1_784_833_095_000));
        assert_eq!(parse_time("2026-07-23T19:53:40.273Z"), Some(1_784_836_420_273));
        assert_eq!(parse_time("yesterday"), None);
    }
}
