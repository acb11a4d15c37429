//! Lever's resources as the product reads them; unknown fields are ignored (Lever adds fields
//! without a version change), empty text is `""`, absent objects are `null`, times are Unix
//! milliseconds.

use serde::{Deserialize, Serialize};

use crate::{
    ApplicationId, ArchiveReasonId, ContactId, FileId, InterviewId, NoteId, OpportunityId, PanelId, PostingId, StageId,
    UserId, WebhookId,
};

/// One page of a list: `{"data": [...], "hasNext": …, "next": "<token>"}`. `/webhooks` and a few
/// others send no `hasNext`: read as the last page.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    #[serde(default, rename = "hasNext")]
    pub has_next: bool,
    /// An opaque token for the next page's `offset`, used verbatim.
    #[serde(default)]
    pub next: Option<String>,
}

/// A posting's `state`, in Lever's words; one Lever adds later reads as `Other`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PostingState {
    Published,
    Internal,
    Closed,
    Draft,
    Pending,
    Rejected,
    #[serde(other)]
    Other,
}

impl PostingState {
    pub fn as_str(self) -> &'static str {
        match self {
            PostingState::Published => "published",
            PostingState::Internal => "internal",
            PostingState::Closed => "closed",
            PostingState::Draft => "draft",
            PostingState::Pending => "pending",
            PostingState::Rejected => "rejected",
            PostingState::Other => "other",
        }
    }

    /// Whether candidates can still be added to it: published, or internal (unlisted).
    pub fn is_open(self) -> bool {
        matches!(self, PostingState::Published | PostingState::Internal)
    }
}

/// A posting (Lever's job).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Posting {
    pub id: PostingId,
    /// The title.
    pub text: String,
    pub state: PostingState,
    #[serde(default)]
    pub categories: Categories,
    pub owner: Option<UserId>,
    #[serde(default)]
    pub hiring_manager: Option<UserId>,
    pub confidentiality: Option<String>,
    pub created_at: i64,
    pub updated_at: Option<i64>,
    /// The public job site's links; `null` for draft and closed postings.
    pub urls: Option<PostingUrls>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Categories {
    pub commitment: Option<String>,
    pub department: Option<String>,
    pub level: Option<String>,
    pub location: Option<String>,
    pub team: Option<String>,
    #[serde(default)]
    pub all_locations: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct PostingUrls {
    pub list: String,
    pub show: String,
    pub apply: Option<String>,
}

/// A stage of the account's one pipeline (every posting's opportunities move through the same).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Stage {
    pub id: StageId,
    pub text: String,
}

/// Whether archiving with a reason means hired; one Lever adds later reads as `Other`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonType {
    Hired,
    NonHired,
    #[serde(other)]
    Other,
}

/// An archive reason: how an opportunity leaves the pipeline (hired, or one of the not-hired
/// reasons such as "Withdrew" — Lever has no withdrawn flag).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ArchiveReason {
    pub id: ArchiveReasonId,
    pub text: String,
    /// `active` or `inactive` (no longer offered in Lever's UI).
    pub status: String,
    /// `null` in `/disposition_stages`' copy of the list.
    #[serde(rename = "type")]
    pub kind: Option<ReasonType>,
}

impl ArchiveReason {
    pub fn is_active(&self) -> bool {
        self.status == "active"
    }
}

/// A Lever user, whom writes are performed as.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub username: Option<String>,
    pub email: String,
    /// `super admin`, `admin`, `team member`, `limited team member`, `interviewer`.
    pub access_role: String,
    pub created_at: Option<i64>,
    pub deactivated_at: Option<i64>,
}

impl User {
    pub fn is_active(&self) -> bool {
        self.deactivated_at.is_none()
    }
}

/// How an opportunity left the pipeline: `{reason, archivedAt}`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Archived {
    pub reason: Option<ArchiveReasonId>,
    pub archived_at: i64,
}

/// One entry of an opportunity's stage history.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageChange {
    pub to_stage_id: StageId,
    pub to_stage_index: Option<u32>,
    pub updated_at: i64,
    /// Absent on old records.
    #[serde(default)]
    pub user_id: Option<UserId>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct OpportunityUrls {
    pub list: String,
    pub show: String,
}

/// One candidacy of a person (the contact) through the pipeline.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Opportunity {
    pub id: OpportunityId,
    pub name: String,
    pub contact: ContactId,
    #[serde(default)]
    pub headline: String,
    pub stage: StageId,
    #[serde(default)]
    pub emails: Vec<String>,
    #[serde(default)]
    pub links: Vec<String>,
    pub archived: Option<Archived>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub stage_changes: Vec<StageChange>,
    pub origin: Option<String>,
    pub owner: Option<UserId>,
    #[serde(default)]
    pub applications: Vec<ApplicationId>,
    pub created_at: i64,
    /// `null` on legacy records.
    pub updated_at: Option<i64>,
    pub last_advanced_at: Option<i64>,
    pub urls: OpportunityUrls,
}

/// The answer to a create: the opportunity, and whether Lever matched an existing person by
/// e-mail (it never matches an existing opportunity: exactly-once is the caller's).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Created {
    #[serde(default)]
    pub deduped: bool,
    pub data: Opportunity,
}

/// A contact: the person.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Contact {
    pub id: ContactId,
    pub name: String,
    #[serde(default)]
    pub headline: String,
    #[serde(default)]
    pub emails: Vec<String>,
    #[serde(default)]
    pub phones: Vec<Phone>,
    pub location: Option<ContactLocation>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ContactLocation {
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct Phone {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub value: String,
}

/// An opportunity's link to a posting.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub id: ApplicationId,
    #[serde(rename = "type")]
    pub kind: String,
    pub opportunity_id: OpportunityId,
    pub posting: Option<PostingId>,
    pub archived: Option<Archived>,
    pub created_at: i64,
}

/// A note on the opportunity's timeline.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    pub id: NoteId,
    #[serde(default)]
    pub fields: Vec<NoteField>,
    pub user: Option<UserId>,
    #[serde(default)]
    pub secret: bool,
    pub created_at: i64,
    pub deleted_at: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteField {
    #[serde(rename = "type")]
    pub kind: String,
    pub text: String,
    pub value: serde_json::Value,
    pub user: Option<UserId>,
    pub stage: Option<StageId>,
    pub created_at: i64,
}

impl Note {
    /// The note's text (its first field's value).
    pub fn text(&self) -> Option<&str> {
        self.fields.first().and_then(|f| f.value.as_str())
    }
}

/// A file on an opportunity (the marketplace profile goes here): its id beside what a resume's
/// file says of itself.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct File {
    pub id: FileId,
    #[serde(flatten)]
    pub file: FileDetails,
}

/// A resume (the CV given at creation).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resume {
    pub id: FileId,
    pub created_at: i64,
    pub file: FileDetails,
}

/// What Lever says of a stored file, a resume's or an opportunity's.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileDetails {
    pub name: String,
    pub ext: Option<String>,
    pub download_url: Option<String>,
    pub uploaded_at: Option<i64>,
    /// `processing`, `processed`, `failed`… (Lever's word).
    pub status: Option<String>,
    pub size: Option<u64>,
}

/// A webhook registered by API. `signature_token` is in the create answer only.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    pub id: WebhookId,
    pub event: String,
    pub url: String,
    #[serde(default)]
    pub configuration: WebhookConfiguration,
    pub created_at: i64,
    pub updated_at: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookConfiguration {
    pub conditions: Option<WebhookConditions>,
    /// Kept where the client hands it: the key that signs every delivery of this webhook.
    pub signature_token: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct WebhookConditions {
    #[serde(default)]
    pub origins: Vec<String>,
}

/// A value in use (`/sources`, `/tags`) and how many opportunities carry it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Tally {
    pub text: String,
    pub count: u64,
}

/// A panel of interviews on the opportunity's timeline.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Panel {
    pub id: PanelId,
    #[serde(default)]
    pub applications: Vec<ApplicationId>,
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub timezone: Option<String>,
    #[serde(default)]
    pub externally_managed: bool,
    #[serde(default)]
    pub interviews: Vec<Interview>,
    pub canceled_at: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Interview {
    pub id: InterviewId,
    pub subject: Option<String>,
    pub note: Option<String>,
    pub date: i64,
    /// Minutes.
    pub duration: u32,
    pub location: Option<String>,
    #[serde(default)]
    pub interviewers: Vec<Interviewer>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Interviewer {
    pub id: UserId,
    pub name: Option<String>,
    pub email: Option<String>,
}

/// A file to upload: the CV (as the resume) or the profile PDF (as a file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upload {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A candidate to create on a posting, with what Lever attributes the marketplace by.
#[derive(Clone, Debug, PartialEq)]
pub struct NewOpportunity {
    pub name: String,
    pub headline: Option<String>,
    pub emails: Vec<String>,
    pub phones: Vec<Phone>,
    pub location: Option<String>,
    /// Addresses on the person: the marketplace profile.
    pub links: Vec<String>,
    pub posting: PostingId,
    /// Where they start; Lever's default is `lead-new`.
    pub stage: Option<StageId>,
    /// `sourced` or `agency`.
    pub origin: String,
    /// The marketplace's name, which Lever's source reports group by.
    pub sources: Vec<String>,
    pub tags: Vec<String>,
    /// Sent as the `resumeFile` part (Lever parses it into the resume).
    pub resume: Option<Upload>,
}
