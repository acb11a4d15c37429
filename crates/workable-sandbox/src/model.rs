//! The sandbox's world: accounts with their members, jobs, pipelines and candidates, plus the
//! tokens and OAuth grants that reach them. Plain data, serialisable so it can be persisted.

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct World {
    /// Source of Workable-style ids: increasing numbers written in lower-case hex.
    pub next_id: u64,
    /// Source of integer ids (stages, subscriptions, comments).
    pub next_int_id: i64,
    pub accounts: Vec<Account>,
    pub tokens: Vec<Token>,
    pub refresh_tokens: Vec<RefreshToken>,
    pub clients: Vec<OAuthClient>,
    pub codes: Vec<AuthCode>,
    pub grants: Vec<Grant>,
}

impl World {
    pub fn hex_id(&mut self) -> String {
        self.next_id += 1;
        format!("{:x}", self.next_id)
    }

    pub fn int_id(&mut self) -> i64 {
        self.next_int_id += 1;
        self.next_int_id
    }

    pub fn account(&self, subdomain: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.subdomain == subdomain)
    }

    pub fn account_mut(&mut self, subdomain: &str) -> Option<&mut Account> {
        self.accounts.iter_mut().find(|a| a.subdomain == subdomain)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub subdomain: String,
    pub website_url: Option<String>,
    pub members: Vec<Member>,
    pub jobs: Vec<Job>,
    pub disqualification_reasons: Vec<DisqualificationReason>,
    pub candidates: Vec<Candidate>,
    pub subscriptions: Vec<Subscription>,
}

impl Account {
    pub fn job(&self, shortcode: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.shortcode == shortcode)
    }

    pub fn job_mut(&mut self, shortcode: &str) -> Option<&mut Job> {
        self.jobs.iter_mut().find(|j| j.shortcode == shortcode)
    }

    pub fn candidate(&self, id: &str) -> Option<&Candidate> {
        self.candidates.iter().find(|c| c.id == id && !c.deleted)
    }

    pub fn candidate_mut(&mut self, id: &str) -> Option<&mut Candidate> {
        self.candidates.iter_mut().find(|c| c.id == id && !c.deleted)
    }

    pub fn member(&self, id: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.id == id && m.active)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Member {
    pub id: String,
    pub name: String,
    pub email: String,
    /// `admin`, `simple` or `reviewer`.
    pub role: String,
    pub active: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Job {
    pub id: String,
    pub title: String,
    pub shortcode: String,
    pub code: Option<String>,
    /// `draft`, `published`, `closed` or `archived`.
    pub state: String,
    pub department: Option<String>,
    pub city: String,
    pub country: String,
    pub country_code: String,
    pub workplace_type: String,
    pub description: String,
    pub created_at: Millis,
    pub updated_at: Millis,
    /// The job's own pipeline.
    pub stages: Vec<Stage>,
}

impl Job {
    pub fn stage(&self, slug: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.slug == slug)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    pub id: i64,
    pub identifier: String,
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub position: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DisqualificationReason {
    pub id: String,
    pub description: String,
    pub candidate_withdrew: bool,
    pub position: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Candidate {
    pub id: String,
    pub job_shortcode: String,
    pub firstname: String,
    pub lastname: String,
    pub email: String,
    pub headline: Option<String>,
    pub summary: Option<String>,
    pub cover_letter: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub domain: Option<String>,
    pub stage_slug: String,
    pub sourced: bool,
    pub disqualified: bool,
    pub disqualified_at: Option<Millis>,
    pub withdrew: bool,
    pub disqualification_reason: Option<String>,
    pub hired_at: Option<Millis>,
    pub moved_to_offer_at: Option<Millis>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub education_entries: Vec<serde_json::Value>,
    pub experience_entries: Vec<serde_json::Value>,
    pub skills: Vec<String>,
    pub tags: Vec<String>,
    pub social_profiles: Vec<serde_json::Value>,
    pub resume: Option<StoredFile>,
    pub files: Vec<StoredFile>,
    pub comments: Vec<Comment>,
    pub activities: Vec<Activity>,
    pub deleted: bool,
}

impl Candidate {
    pub fn name(&self) -> String {
        format!("{} {}", self.firstname, self.lastname).trim().to_owned()
    }
}

/// A file kept by the sandbox (a resume or a comment's attachment), served under `/files/`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredFile {
    pub id: String,
    pub name: String,
    /// `upload` for a resume, `comment` for an attachment.
    pub source: String,
    #[serde(with = "base64_bytes")]
    pub data: Vec<u8>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Comment {
    pub id: String,
    pub member_id: String,
    pub body: String,
    pub policy: Vec<String>,
    pub attachment_file_id: Option<String>,
    pub created_at: Millis,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Activity {
    pub id: String,
    pub action: String,
    /// The stage the candidate was in when it happened.
    pub stage_slug: String,
    pub target_stage_slug: Option<String>,
    pub member_id: Option<String>,
    pub body: Option<String>,
    pub created_at: Millis,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Subscription {
    pub id: i64,
    pub event: String,
    pub target: String,
    pub job_shortcode: Option<String>,
    pub stage_slug: Option<String>,
    pub created_at: Millis,
    /// The HMAC key for deliveries: the account token, or the OAuth client's secret.
    pub signing_key: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenKind {
    /// An account's API access token: 10 requests per 10 s.
    Account,
    /// An OAuth 2.0 access token: 50 requests per 10 s.
    OAuth,
}

impl TokenKind {
    pub fn limit(self) -> u32 {
        match self {
            TokenKind::Account => 10,
            TokenKind::OAuth => 50,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Token {
    pub secret: String,
    pub kind: TokenKind,
    /// Subdomains this token reaches.
    pub accounts: Vec<String>,
    pub scopes: Vec<String>,
    pub expires_at: Option<Millis>,
    pub revoked: bool,
    pub grant_id: Option<i64>,
    /// A short, loggable name (never the secret).
    pub label: String,
}

impl Token {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RefreshToken {
    pub secret: String,
    pub grant_id: i64,
    pub used: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OAuthClient {
    pub client_id: String,
    pub client_secret: String,
    pub name: String,
    pub redirect_uris: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AuthCode {
    pub code: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub grant_id: i64,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub expires_at: Millis,
    pub used: bool,
}

/// What a person allowed an OAuth client to do.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Grant {
    pub id: i64,
    pub client_id: String,
    pub member_email: String,
    pub accounts: Vec<String>,
    pub scopes: Vec<String>,
    pub revoked: bool,
}

mod base64_bytes {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}
