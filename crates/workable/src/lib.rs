//! A client for Workable's SPI v3 and OAuth 2.0 endpoints. One shared `reqwest::Client` with
//! timeouts; base URLs are configuration (Workable or the sandbox); methods are named after
//! Workable's resources; pagination follows `paging.next`; rate-limit headers are read on every
//! response; errors say what the caller can do.

mod client;
mod error;
mod model;
pub mod oauth;
mod secret;
mod values;
pub mod webhook;

pub use client::{AccountApi, Reply, WorkableClient};
pub use clock::Clock;
pub use error::WorkableError;
pub use model::{
    Account, Candidate, CandidateFile, CandidateJob, DisqualificationReason, Job, JobState, Member, NewCandidate,
    NewEducation, NewExperience, NewSocialProfile, RateLimit, Stage, StageKind, Subscription, Upload,
};
pub use secret::Secret;
pub use values::{CandidateId, MemberId, ParseError, Shortcode, SourceDomain, StageSlug, Subdomain};

/// Where Workable lives. The account API base is a template with `{subdomain}`:
/// `https://{subdomain}.workable.com` for Workable, `http://127.0.0.1:3000/sandbox/{subdomain}`
/// for the sandbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoints {
    pub account_base_template: String,
    pub accounts_url: String,
    pub authorize_url: String,
    pub token_url: String,
    pub revoke_url: String,
}

impl Endpoints {
    /// The real Workable.
    pub fn workable() -> Self {
        Endpoints {
            account_base_template: "https://{subdomain}.workable.com".into(),
            accounts_url: "https://www.workable.com/spi/v3/accounts".into(),
            authorize_url: "https://www.workable.com/oauth/authorize".into(),
            token_url: "https://www.workable.com/oauth/token".into(),
            revoke_url: "https://www.workable.com/oauth/revoke".into(),
        }
    }

    /// A Workable sandbox whose root is `base` (`http://127.0.0.1:4000`).
    pub fn sandbox(base: &str) -> Self {
        let base = base.trim_end_matches('/');
        Endpoints {
            account_base_template: format!("{base}/{{subdomain}}"),
            accounts_url: format!("{base}/spi/v3/accounts"),
            authorize_url: format!("{base}/oauth/authorize"),
            token_url: format!("{base}/oauth/token"),
            revoke_url: format!("{base}/oauth/revoke"),
        }
    }

    pub fn account_api(&self, subdomain: &Subdomain) -> String {
        format!("{}/spi/v3", self.account_base_template.replace("{subdomain}", subdomain.as_str()))
    }
}

/// The scopes ats-bridge asks for: read jobs and candidates, write candidates.
pub const REQUIRED_SCOPES: [&str; 3] = ["r_jobs", "r_candidates", "w_candidates"];
