//! What the pages show. These travel from the server to the browser, so they carry no secrets and
//! no other company's data.

use serde::{Deserialize, Serialize};

use crate::{CandidateId, FieldError, MarketplaceStage, RequestId, RequestStatus, RoleId, RoleStatus, UserRole};

/// The signed-in user, as the UI needs them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionUser {
    pub name: String,
    pub email: String,
    pub role: UserRole,
    pub company_name: String,
}

/// A role's ATS state on the Source page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AtsState {
    /// No ATS configuration: candidates who accept do not reach Workable.
    NotMapped,
    Mapped {
        job_title: String,
    },
    /// Workable changed under the mapping (job closed, stage renamed or deleted): what changed.
    NeedsAttention {
        job_title: String,
        problems: Vec<String>,
    },
}

impl AtsState {
    pub fn label(&self) -> String {
        match self {
            AtsState::NotMapped => "Not mapped".to_owned(),
            AtsState::Mapped { job_title } => format!("Mapped to {job_title}"),
            AtsState::NeedsAttention { .. } => "Mapping needs attention".to_owned(),
        }
    }

    pub fn is_mapped(&self) -> bool {
        !matches!(self, AtsState::NotMapped)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoleSummary {
    pub id: RoleId,
    pub title: String,
    pub location: String,
    pub status: RoleStatus,
    /// Every interview request the role sent, answered or not.
    pub requests_sent: i64,
    /// Sent and not answered yet.
    pub pending_requests: i64,
    /// Candidates who accepted (and so shared their CV and profile).
    pub accepted: i64,
    /// Accepted and not yet hired, rejected or withdrawn.
    pub in_pipeline: i64,
    pub ats_state: AtsState,
    /// Where the role's candidates stand with Workable.
    pub exports: crate::export::ExportTally,
}

/// One candidate in a role's pipeline: they accepted the request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PipelineEntry {
    pub request_id: RequestId,
    pub candidate_id: CandidateId,
    pub name: String,
    pub email: String,
    pub headline: String,
    pub stage: MarketplaceStage,
    pub last_moved_by: Option<String>,
    pub last_moved_at_ms: i64,
    pub has_cv: bool,
    /// The candidate's export to Workable, once there is one.
    pub export: Option<crate::export::ExportStatus>,
    /// Interviews scheduled for this request, soonest first.
    pub interviews: Vec<crate::interview::Interview>,
}

/// A request that is not in the pipeline: still pending, or declined.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenRequest {
    pub request_id: RequestId,
    pub name: String,
    pub headline: String,
    pub status: RequestStatus,
    pub sent_at_ms: i64,
}

/// A marketplace candidate a company may send a request to (public part of the profile only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CandidateOption {
    pub id: CandidateId,
    pub name: String,
    pub headline: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pipeline {
    pub role: RoleSummary,
    pub entries: Vec<PipelineEntry>,
    pub requests: Vec<OpenRequest>,
    /// The first candidates the role has not asked yet (those matching `find`, when given).
    pub can_request: Vec<CandidateOption>,
    /// How many candidates match in all (more than `can_request` holds: search to narrow).
    pub candidates_matching: i64,
    /// What the candidate search says.
    pub find: String,
    /// Demo mode lets a person accept on the candidate's behalf.
    pub demo: bool,
    /// The reader's time zone (an IANA name), which interview times are shown and entered in.
    pub time_zone: String,
    /// Which candidates `entries` and `requests` are (a page of each).
    pub filter: PipelineFilter,
    /// Candidates who accepted, in all and at the filtered stage; open requests in all.
    pub entries_total: usize,
    pub entries_matching: usize,
    pub requests_total: usize,
    /// What the page shows, summed up when it was read: the page follows `/events/roles/{id}`
    /// from it, and is told when it is out of date.
    pub version: String,
    /// The ATS the company connected (Workable when none is), which the export column names.
    pub ats: crate::AtsKind,
}

/// One recorded stage move, for a candidate's history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageMove {
    pub from: Option<MarketplaceStage>,
    pub to: MarketplaceStage,
    pub moved_by: Option<String>,
    pub moved_at_ms: i64,
}

/// The structured part of a candidate's profile.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CandidateProfile {
    pub skills: Vec<String>,
    pub experience: Vec<Experience>,
    pub education: Vec<Education>,
    pub links: Vec<ProfileLink>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Experience {
    pub title: String,
    pub company: String,
    pub start: String,
    pub end: Option<String>,
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Education {
    pub school: String,
    pub degree: String,
    pub field: String,
    pub start: String,
    pub end: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileLink {
    pub kind: String,
    pub url: String,
}

/// Where a company's Workable connection stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConnectionState {
    #[default]
    NotConnected,
    Connected,
    ReconnectNeeded,
    Disconnected,
}

impl ConnectionState {
    pub fn label(self) -> &'static str {
        match self {
            ConnectionState::NotConnected => "Not connected",
            ConnectionState::Connected => "Connected",
            ConnectionState::ReconnectNeeded => "Reconnect needed",
            ConnectionState::Disconnected => "Disconnected",
        }
    }
}

/// The *Candidate Source setup guide*'s live check: the source every export names, and the last
/// candidate exported as Workable reports their source.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceCheck {
    /// The domain exports name as the candidate's source (none when the product has no public
    /// address to take it from).
    pub expected: Option<String>,
    pub last: Option<SourceSeen>,
    /// Why Workable could not be asked just now, in plain words.
    pub unavailable: Option<String>,
}

/// The last candidate exported, and what Workable says of their source.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceSeen {
    pub candidate: String,
    pub role: String,
    pub exported_at_ms: i64,
    /// Already in the Workable job when exported: they keep the source Workable had.
    pub linked: bool,
    pub domain: Option<String>,
    pub common_source: Option<String>,
}

impl SourceSeen {
    /// Whether Workable attributes them to the marketplace.
    pub fn attributed(&self, expected: Option<&str>) -> bool {
        expected.is_some() && self.domain.as_deref() == expected
    }
}

/// The Workable card under *Account settings → ATS integrations*. No token ever appears here.
/// The default is the card of a company that never connected.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkableCard {
    pub state: ConnectionState,
    /// Which ATS the connection is (none before the first connect).
    pub ats: Option<crate::AtsKind>,
    /// This instance offers Lever beside Workable.
    pub lever_available: bool,
    pub account_name: Option<String>,
    pub subdomain: Option<String>,
    /// "OAuth" or "API token".
    pub auth: Option<String>,
    /// The Workable member ats-bridge acts as (moves and comments are recorded as theirs).
    pub acting_member: Option<String>,
    pub connected_by: Option<String>,
    pub connected_at_ms: Option<i64>,
    pub token_expires_at_ms: Option<i64>,
    /// The token expires soon and cannot be renewed without a person.
    pub expiry_warning: bool,
    pub last_success_ms: Option<i64>,
    pub last_webhook_ms: Option<i64>,
    /// Workable tells us about its moves (webhooks subscribed); otherwise only reconciliation.
    pub webhooks_active: bool,
    /// Why subscribing to Workable's webhooks failed, if it did.
    pub webhook_error: Option<String>,
    /// Deliveries to this connection's address refused for a bad or missing signature since the
    /// last one accepted (or since connecting): how many, and when the last came. Workable signing
    /// with a key this connection does not have: a reconnect subscribes again.
    pub webhooks_refused: Option<(i64, i64)>,
    pub last_reconciliation_ms: Option<i64>,
    /// Marketplace stages the last reconciliation corrected (moves a lost webhook missed).
    pub last_reconciliation_corrections: Option<i64>,
    pub reconciliation_error: Option<String>,
    /// Remaining, limit and window reset (ms) as Workable last reported them.
    pub rate_limit: Option<(i64, i64, i64)>,
    pub last_error: Option<String>,
    pub last_error_ms: Option<i64>,
    /// The viewer is the master account and may connect, reconnect and disconnect.
    pub can_manage: bool,
    /// This instance is configured for OAuth (otherwise only the API-token path exists).
    pub oauth_available: bool,
}

/// A Workable account the user can reach, to choose from after authorising.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountChoice {
    pub subdomain: String,
    pub name: String,
}

/// Which of a company's roles *Source* shows, as its filter form and links say it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleFilter {
    /// Words in the title or the location (any case).
    pub search: String,
    pub status: Option<RoleStatus>,
    pub ats: Option<AtsFilter>,
    /// 1-based.
    pub page: usize,
}

/// The ATS states *Source* filters by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AtsFilter {
    Mapped,
    NotMapped,
    NeedsAttention,
}
text_enum!(AtsFilter, "ATS filter", {
    Mapped => "mapped",
    NotMapped => "not_mapped",
    NeedsAttention => "needs_attention",
});

impl AtsFilter {
    pub fn label(self) -> &'static str {
        match self {
            AtsFilter::Mapped => "Mapped",
            AtsFilter::NotMapped => "Not mapped",
            AtsFilter::NeedsAttention => "Needs attention",
        }
    }
}

impl RoleFilter {
    /// The filter from its form's fields (a link's query): blank fields mean "all"; a page that
    /// is not a number is the first.
    pub fn parse(search: &str, status: &str, ats: &str, page: &str) -> Result<RoleFilter, FieldError> {
        let search = search.trim();
        if search.chars().count() > 100 {
            return Err(FieldError::new("search", "Search with up to 100 characters."));
        }
        let status = match status.trim() {
            "" | "all" => None,
            other => Some(
                RoleStatus::parse(other).map_err(|_| FieldError::new("status", "Choose a status from the list."))?,
            ),
        };
        let ats = match ats.trim() {
            "" | "all" => None,
            other => Some(
                AtsFilter::parse(other).map_err(|_| FieldError::new("ats", "Choose an ATS state from the list."))?,
            ),
        };
        let page = page.trim().parse::<usize>().ok().filter(|p| *p >= 1).unwrap_or(1);
        Ok(RoleFilter { search: search.to_owned(), status, ats, page })
    }

    /// The query of this filter at `page` (`?search=…&status=…&ats=…&page=…`, blanks left out).
    pub fn query(&self, page: usize) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if !self.search.is_empty() {
            query.append_pair("search", &self.search);
        }
        if let Some(status) = self.status {
            query.append_pair("status", status.as_str());
        }
        if let Some(ats) = self.ats {
            query.append_pair("ats", ats.as_str());
        }
        if page > 1 {
            query.append_pair("page", &page.to_string());
        }
        let query = query.finish();
        if query.is_empty() { query } else { format!("?{query}") }
    }
}

/// One page of *Source*: the roles the filter admits, [`RolesPage::PER_PAGE`] at a time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RolesPage {
    pub roles: Vec<RoleSummary>,
    pub filter: RoleFilter,
    /// Roles the filter admits, and all the company's roles.
    pub matching: usize,
    pub total: usize,
    pub pages: usize,
    /// Every live role without an ATS configuration, whatever the filter shows.
    pub unmapped_live: usize,
    /// The role the page was asked about (just published or mapped), wherever it is listed.
    pub focus: Option<RoleSummary>,
    /// What the page shows, summed up when it was read: the page follows `/events/source` from
    /// it, and is told when it is out of date.
    pub version: String,
    /// The ATS the company connected (Workable when none is), which the ATS column names.
    pub ats: crate::AtsKind,
}

impl RolesPage {
    pub const PER_PAGE: usize = 50;
}

/// Which of a role's candidates its pipeline page shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineFilter {
    pub stage: Option<MarketplaceStage>,
    /// 1-based page of the candidates who accepted.
    pub page: usize,
    /// 1-based page of the open requests.
    pub requests_page: usize,
}

impl PipelineFilter {
    pub const PER_PAGE: usize = 50;

    /// From the page's query: a blank stage means every stage; a page that is not a number is the
    /// first.
    pub fn parse(stage: &str, page: &str, requests_page: &str) -> Result<PipelineFilter, FieldError> {
        let stage = match stage.trim() {
            "" | "all" => None,
            other => Some(
                MarketplaceStage::parse(other)
                    .map_err(|_| FieldError::new("stage", "Choose a stage from the list."))?,
            ),
        };
        let number = |text: &str| text.trim().parse::<usize>().ok().filter(|p| *p >= 1).unwrap_or(1);
        Ok(PipelineFilter { stage, page: number(page), requests_page: number(requests_page) })
    }

    /// The query of this filter at these pages (blanks left out).
    pub fn query(&self, page: usize, requests_page: usize) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(stage) = self.stage {
            query.append_pair("stage", stage.as_str());
        }
        if page > 1 {
            query.append_pair("page", &page.to_string());
        }
        if requests_page > 1 {
            query.append_pair("rpage", &requests_page.to_string());
        }
        let query = query.finish();
        if query.is_empty() { query } else { format!("?{query}") }
    }
}

/// How many pages `count` rows take, at least one.
pub fn pages(count: usize, per_page: usize) -> usize {
    count.div_ceil(per_page).max(1)
}

/// A user of the connected ATS whom writes can be performed as (Lever's `perform_as`), to choose
/// from when connecting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActingUser {
    pub id: String,
    pub name: String,
    pub email: String,
    /// The ATS's word for their access ("super admin", "team member").
    pub access: String,
}
