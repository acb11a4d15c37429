//! A client for Lever's Data API v1 (`https://api.lever.co/v1`). One shared `reqwest::Client`
//! with timeouts; the API base is configuration (Lever, Lever's own sandbox, or ours); methods
//! are named after Lever's resources; lists follow `next` tokens; errors say what the caller
//! can do. Lever sends no rate-limit headers: pacing (about 10 requests a second, bursts of 20)
//! is the caller's.

mod client;
mod error;
mod model;
pub mod oauth;
mod values;
pub mod webhook;

use secrecy::{ExposeSecret, SecretString};

pub use client::{LeverApi, LeverClient};
pub use error::LeverError;
pub use model::{
    Application, ArchiveReason, Archived, Categories, Contact, ContactLocation, Created, File, FileDetails, Interview,
    Interviewer, NewOpportunity, Note, NoteField, Opportunity, OpportunityUrls, Page, Panel, Phone, Posting,
    PostingState, PostingUrls, ReasonType, Resume, Stage, StageChange, Tally, Upload, User, Webhook, WebhookConditions,
    WebhookConfiguration,
};
pub use values::{
    ApplicationId, ArchiveReasonId, ContactId, FileId, InterviewId, NoteId, OpportunityId, PanelId, ParseError,
    PostingId, StageId, UserId, WebhookId,
};

/// Where Lever lives: the Data API and the OAuth authorisation server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoints {
    /// `https://api.lever.co/v1`.
    pub api_base: String,
    pub authorize_url: String,
    pub token_url: String,
    /// The `audience` an authorisation must name for its token to reach the Data API.
    pub audience: String,
}

impl Endpoints {
    /// The real Lever.
    pub fn lever() -> Self {
        Endpoints {
            api_base: "https://api.lever.co/v1".into(),
            authorize_url: "https://auth.lever.co/authorize".into(),
            token_url: "https://auth.lever.co/oauth/token".into(),
            audience: "https://api.lever.co/v1/".into(),
        }
    }

    /// A local Lever sandbox whose root is `base` (`http://127.0.0.1:3000/lever-sandbox`).
    pub fn local(base: &str) -> Self {
        let base = base.trim_end_matches('/');
        Endpoints {
            api_base: format!("{base}/v1"),
            authorize_url: format!("{base}/authorize"),
            token_url: format!("{base}/oauth/token"),
            audience: format!("{base}/v1/"),
        }
    }
}

/// The scopes ats-bridge asks for (OAuth): read postings, stages, reasons and users; write
/// opportunities, notes and files; manage webhooks; and a refresh token.
pub const REQUIRED_SCOPES: [&str; 11] = [
    "offline_access",
    "postings:read:admin",
    "stages:read:admin",
    "archive_reasons:read:admin",
    "users:read:admin",
    "opportunities:write:admin",
    "contact:read:admin",
    "notes:write:admin",
    "files:write:admin",
    "resumes:read:admin",
    "webhooks:write:admin",
];

/// How calls are authorised: an API key (HTTP Basic, the key as user name, no password) or an
/// OAuth access token (Bearer). Neither can leak through `Debug`.
#[derive(Clone, Debug)]
pub enum Credential {
    ApiKey(SecretString),
    AccessToken(SecretString),
}

impl Credential {
    pub fn api_key(key: impl Into<String>) -> Self {
        Credential::ApiKey(SecretString::from(key.into()))
    }

    pub fn access_token(token: impl Into<String>) -> Self {
        Credential::AccessToken(SecretString::from(token.into()))
    }

    fn authorize(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Credential::ApiKey(key) => request.basic_auth(key.expose_secret(), Some("")),
            Credential::AccessToken(token) => request.bearer_auth(token.expose_secret()),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_output_never_shows_a_credential() {
        let key = super::Credential::api_key("lvr_abc123");
        assert!(!format!("{key:?}").contains("abc123"));
        let token = super::Credential::access_token("eyJabc123");
        assert!(!format!("{token:?}").contains("abc123"));
    }
}
