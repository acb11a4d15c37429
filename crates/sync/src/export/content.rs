//! What an export sends Workable, built from the candidate the marketplace shares: the new
//! candidate's fields (experience, education, links, tag, sourced, the marketplace as source), the dates in Workable's form,
//! and the profile PDF's recognisable file name.

use storage::{ExportRecord, SharedCandidate};
use workable::{NewCandidate, NewEducation, NewExperience, NewSocialProfile, SourceDomain, Upload};

/// The file name of the profile PDF: the export's id makes it recognisable among the
/// candidate's files (to tell whether an unanswered attempt went through).
pub(super) fn profile_file_name(candidate: &SharedCandidate, export: &ExportRecord) -> String {
    format!("Marketplace profile - {} - {}.pdf", candidate.name, export.id)
}

pub(super) fn date(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms / 1000).map(|t| t.date().to_string()).unwrap_or_default()
}

/// `2019-01` or `2019` → a date Workable takes (`YYYY-MM-DD`).
pub(super) fn workable_date(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.trim().split('-').collect();
    let numeric = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    match parts.as_slice() {
        [y] if y.len() == 4 && numeric(y) => Some(format!("{y}-01-01")),
        [y, m] if y.len() == 4 && numeric(y) && numeric(m) => Some(format!("{y}-{m:0>2}-01")),
        [y, m, d] if y.len() == 4 && numeric(y) && numeric(m) && numeric(d) => Some(format!("{y}-{m:0>2}-{d:0>2}")),
        _ => None,
    }
}

pub(super) fn new_candidate(
    candidate: &SharedCandidate,
    tag: &str,
    link: &str,
    domain: Option<&SourceDomain>,
) -> NewCandidate {
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
}
