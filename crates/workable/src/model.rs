//! Workable's resources as the product reads them; unknown fields are ignored.

use serde::Deserialize;

use crate::{MemberId, Shortcode, StageSlug};

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub subdomain: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Job {
    pub id: String,
    pub title: String,
    pub shortcode: Shortcode,
    pub code: Option<String>,
    pub state: JobState,
    pub department: Option<String>,
    #[serde(default)]
    pub location: Option<JobLocation>,
}

/// A job's `state`, in Workable's words; one Workable adds later reads as `Other`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    Draft,
    Published,
    Closed,
    Archived,
    #[serde(other)]
    Other,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Draft => "draft",
            JobState::Published => "published",
            JobState::Closed => "closed",
            JobState::Archived => "archived",
            JobState::Other => "other",
        }
    }
}

impl std::fmt::Display for JobState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct JobLocation {
    pub location_str: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
}

/// What a pipeline stage is for, in Workable's words (a job's own stages have their own slugs
/// and names; the kind is Workable's fixed vocabulary); one Workable adds later reads as `Other`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StageKind {
    Sourced,
    Applied,
    Shortlisted,
    Assessment,
    PhoneScreen,
    Interview,
    Offer,
    Hired,
    #[serde(other)]
    Other,
}

impl StageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StageKind::Sourced => "sourced",
            StageKind::Applied => "applied",
            StageKind::Shortlisted => "shortlisted",
            StageKind::Assessment => "assessment",
            StageKind::PhoneScreen => "phone-screen",
            StageKind::Interview => "interview",
            StageKind::Offer => "offer",
            StageKind::Hired => "hired",
            StageKind::Other => "other",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Stage {
    pub slug: StageSlug,
    pub name: String,
    pub kind: StageKind,
    pub position: i64,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Member {
    pub id: MemberId,
    pub name: String,
    pub email: Option<String>,
    pub role: Option<String>,
    #[serde(default = "active")]
    pub active: bool,
}

fn active() -> bool {
    true
}

/// Workable's `X-Rate-Limit-*` headers, when a response carried them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub limit: u32,
    pub remaining: u32,
    /// Start of the next window, Unix seconds.
    pub reset_at: i64,
}

/// A candidate as Workable returns it (list item or detail); only what the product reads.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Candidate {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    /// The stage's display name (not its slug), as Workable sends it.
    pub stage: Option<String>,
    pub stage_kind: Option<StageKind>,
    #[serde(default)]
    pub disqualified: bool,
    /// Only in the detail (`GET /candidates/:id`); list items leave it out.
    #[serde(default)]
    pub withdrew: Option<bool>,
    /// Shown to people as *Open in Workable*: only an `http(s)` address is kept (never a
    /// `javascript:` or `data:` one).
    #[serde(default, deserialize_with = "web_address")]
    pub profile_url: Option<String>,
    #[serde(default, deserialize_with = "web_address")]
    pub resume_url: Option<String>,
    pub job: Option<CandidateJob>,
    pub updated_at: Option<String>,
    /// Where Workable says the candidate came from (the referrer or job board, or the domain an
    /// upload named), and the source its reports show for it.
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub common_source: Option<String>,
    /// When the candidate entered the job, and reached *Offer* and *Hired* (Workable's
    /// timestamps, as sent); Insights counts from them.
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub moved_to_offer_at: Option<String>,
    #[serde(default)]
    pub hired_at: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct CandidateJob {
    pub shortcode: Shortcode,
    pub title: Option<String>,
}

/// A file on a candidate (`GET /candidates/:id/files`): the resume and comment attachments.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct CandidateFile {
    pub name: String,
    pub kind: Option<String>,
    pub source: Option<String>,
}

/// A candidate to create in a job (`POST /jobs/:shortcode/candidates`).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NewCandidate {
    pub name: String,
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    pub headline: String,
    pub summary: String,
    pub skills: Vec<String>,
    pub experience_entries: Vec<NewExperience>,
    pub education_entries: Vec<NewEducation>,
    pub social_profiles: Vec<NewSocialProfile>,
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resume: Option<Upload>,
    /// Where the candidate came from: Workable's reports attribute them to this domain
    /// (`common_source`) instead of "Unknown".
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "as_text")]
    pub domain: Option<crate::SourceDomain>,
}

fn as_text<S: serde::Serializer>(domain: &Option<crate::SourceDomain>, s: S) -> Result<S::Ok, S::Error> {
    match domain {
        Some(domain) => s.serialize_str(domain.as_str()),
        None => s.serialize_none(),
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NewExperience {
    pub title: String,
    pub company: String,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    pub current: bool,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NewEducation {
    pub school: String,
    pub degree: String,
    pub field_of_study: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NewSocialProfile {
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
}

/// A file sent inline: Workable wants its bytes base64-encoded.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Upload {
    pub name: String,
    pub data: String,
}

impl Upload {
    pub fn new(name: impl Into<String>, bytes: &[u8]) -> Self {
        use base64::Engine;
        Upload { name: name.into(), data: base64::engine::general_purpose::STANDARD.encode(bytes) }
    }
}

/// A reason to disqualify, from the account's list.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct DisqualificationReason {
    pub id: String,
    pub description: String,
    #[serde(default)]
    pub candidate_withdrew: bool,
}

/// A webhook subscription (`GET /subscriptions`); Workable's ids are integers, kept as text.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Subscription {
    #[serde(deserialize_with = "id_text")]
    pub id: String,
    pub event: String,
    pub target: String,
}

fn id_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => Ok(n.to_string()),
        serde_json::Value::String(s) => Ok(s),
        other => Err(serde::de::Error::custom(format!("an id, not {other}"))),
    }
}

/// An address a browser may be sent to: `http` or `https`, else none.
fn web_address<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let raw: Option<String> = Option::deserialize(d)?;
    Ok(raw.filter(|raw| reqwest::Url::parse(raw).is_ok_and(|url| matches!(url.scheme(), "http" | "https"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_addresses_are_kept_for_people_to_follow() {
        let read = |url: &str| {
            let json = serde_json::json!({ "id": "1", "profile_url": url, "resume_url": url });
            serde_json::from_value::<Candidate>(json).unwrap().profile_url
        };
        assert_eq!(
            read("https://acme.workable.com/backend/candidates/1").as_deref(),
            Some("https://acme.workable.com/backend/candidates/1")
        );
        for hostile in ["javascript:alert(1)", "data:text/html,<script>x</script>", "not a url"] {
            assert_eq!(read(hostile), None, "{hostile}");
        }
    }
}
