//! A company's Workable connection: the OAuth and API-token paths with the permission pre-check
//! (`connect`), token custody (sealed at rest, refreshed on the server) and the card's health
//! (`card`); the one Workable call policy every call goes through (`call`: rate limiter, refresh
//! once after a 401, 429s, the outcome recorded on the connection); mapping roles (`mapping`: the
//! wizard's reads, the wizard, drift); webhook subscriptions (`webhooks`); and the ATS port
//! (`ats`: what the sync engine asks of the connected ATS, in the product's words, with each ATS's
//! wire knowledge in its adapter).

pub mod ats;
mod call;
mod card;
mod connect;
mod connect_lever;
pub mod custody;
mod error;
mod insights;
mod lever_call;
mod lever_webhooks;
pub mod limiter;
pub mod mapping;
mod source;
mod tokens;
pub mod webhooks;

pub use call::{AccountCalls, CallError, WhenLimited};
pub use lever_call::LeverCalls;
pub use lever_webhooks::{LEVER_WEBHOOK_ROUTE, lever_webhook_target};
pub use mapping::MappingError;
pub use tokens::Credentials;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use domain::{CompanyId, UserRole};
use storage::Db;
use workable::oauth::OAuthApp;
use workable::{RateLimit, WorkableClient};

pub use custody::TokenCipher;
pub use error::ConnectError;

/// Who acts: the one `Actor` of every use case.
pub use domain::Actor;

/// Warn on the card when the token expires within this long and cannot be renewed unattended.
const EXPIRY_WARNING_MS: i64 = 7 * 86_400_000;
/// A connection's last success is written at most this often.
const SUCCESS_WRITE_EVERY_MS: i64 = 1_000;
/// How long the choice between several accounts may wait.
pub(crate) const PENDING_MS: i64 = 15 * 60 * 1000;

/// The result of a finished authorisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Completion {
    Connected,
    /// Several accounts: the user picks one on the next page.
    ChooseAccount {
        pending_id: String,
    },
}

#[derive(Clone)]
pub struct Integrations {
    db: Db,
    client: WorkableClient,
    oauth: Option<OAuthApp>,
    cipher: TokenCipher,
    refresh_locks: Arc<Mutex<HashMap<CompanyId, Arc<tokio::sync::Mutex<()>>>>>,
    /// When each connection's last success was written (see `success_due`).
    successes_recorded: Arc<Mutex<HashMap<CompanyId, i64>>>,
    reads: Option<mapping::ReadCache>,
    limiter: limiter::RateLimiter,
    /// The product's public address: webhooks are subscribed only when it is known.
    public_url: Option<String>,
    /// The source every export names in Workable: by default the public address's host.
    source_domain: Option<workable::SourceDomain>,
    /// Lever, when this instance offers it.
    lever: Option<lever::LeverClient>,
    /// The OAuth application Lever registered for this product, when it has one.
    lever_oauth: Option<lever::oauth::OAuthApp>,
    /// Every company's Lever bucket.
    lever_limiter: lever_call::LeverLimiter,
    /// Each company's Lever stages and archive reasons, read at most once a minute (a candidate's
    /// stage is an id in Lever's answers; the port says it by name).
    lever_lists: moka::future::Cache<CompanyId, ats::LeverLists>,
}

impl Integrations {
    pub fn new(db: Db, client: WorkableClient, oauth: Option<OAuthApp>, cipher: TokenCipher) -> Self {
        Integrations {
            db,
            client,
            oauth,
            cipher,
            refresh_locks: Arc::default(),
            successes_recorded: Arc::default(),
            reads: Some(mapping::read_cache(mapping::READ_CACHE_TTL)),
            limiter: limiter::RateLimiter::default(),
            public_url: None,
            source_domain: None,
            lever: None,
            lever_oauth: None,
            lever_limiter: lever_call::lever_limiter(),
            lever_lists: moka::future::Cache::builder()
                .time_to_live(std::time::Duration::from_secs(60))
                .max_capacity(10_000)
                .build(),
        }
    }

    /// Another instance of the product beside this one: the same database, clients, token key and
    /// configuration, and its own process-wide state (refresh locks, rate limiters, caches) — what
    /// a second process started with the same configuration holds.
    pub fn instance_beside(&self) -> Self {
        let fresh = Integrations::new(self.db.clone(), self.client.clone(), self.oauth.clone(), self.cipher.clone());
        Integrations {
            reads: self.reads.as_ref().map(|_| mapping::read_cache(mapping::READ_CACHE_TTL)),
            limiter: limiter::RateLimiter::with_clock(self.clock().clone()),
            public_url: self.public_url.clone(),
            source_domain: self.source_domain.clone(),
            lever: self.lever.clone(),
            lever_oauth: self.lever_oauth.clone(),
            ..fresh
        }
    }

    /// Offers Lever beside Workable, through this client (the real Lever, or a sandbox).
    pub fn with_lever(mut self, client: lever::LeverClient) -> Self {
        self.lever = Some(client);
        self
    }

    /// Offers Lever's OAuth path beside its API-key path, with this registered application.
    pub fn with_lever_oauth(mut self, app: Option<lever::oauth::OAuthApp>) -> Self {
        self.lever_oauth = app;
        self
    }

    /// Whether *Connect* under Lever offers Lever's authorisation page (an OAuth application is
    /// configured), not only the API key.
    pub fn lever_oauth_offered(&self) -> bool {
        self.lever.is_some() && self.lever_oauth.is_some()
    }

    /// Lever's client with the OAuth application, or why the OAuth path is not offered.
    pub(crate) fn lever_oauth_client(&self) -> Result<(&lever::LeverClient, &lever::oauth::OAuthApp), ConnectError> {
        match (&self.lever, &self.lever_oauth) {
            (Some(client), Some(app)) => Ok((client, app)),
            _ => Err(ConnectError::OAuthNotConfigured),
        }
    }

    /// The Lever client, when this instance offers Lever.
    pub fn lever_client(&self) -> Option<&lever::LeverClient> {
        self.lever.as_ref()
    }

    pub(crate) fn lever_limiter(&self) -> &lever_call::LeverLimiter {
        &self.lever_limiter
    }

    pub(crate) fn lever_lists(&self) -> &moka::future::Cache<CompanyId, ats::LeverLists> {
        &self.lever_lists
    }

    /// Where Workable can reach this product (its webhooks are subscribed to this address).
    pub fn with_public_url(mut self, url: impl Into<String>) -> Self {
        let url = url.into().trim_end_matches('/').to_owned();
        if self.source_domain.is_none() {
            self.source_domain = workable::SourceDomain::parse(&url).ok();
        }
        self.public_url = Some(url);
        self
    }

    /// The domain Workable attributes exported candidates to, when not the public address's host.
    pub fn with_source_domain(mut self, domain: Option<workable::SourceDomain>) -> Self {
        if domain.is_some() {
            self.source_domain = domain;
        }
        self
    }

    /// The source every export names (Workable's `domain`), if the product has one.
    pub fn source_domain(&self) -> Option<&workable::SourceDomain> {
        self.source_domain.as_ref()
    }

    /// Workable's windows are timed by `clock` (tests share theirs with the sandbox's).
    pub fn with_clock(mut self, clock: workable::Clock) -> Self {
        self.limiter = limiter::RateLimiter::with_clock(clock);
        self
    }

    /// The clock Workable's windows, and the workers' waits for them, go by.
    pub fn clock(&self) -> &workable::Clock {
        self.limiter.clock()
    }

    pub fn client(&self) -> &WorkableClient {
        &self.client
    }

    /// The per-connection rate limiter every Workable call of this process goes through.
    pub fn rate_limiter(&self) -> &limiter::RateLimiter {
        &self.limiter
    }

    fn require_master(actor: &Actor) -> Result<(), ConnectError> {
        if actor.role == UserRole::Master { Ok(()) } else { Err(ConnectError::NotMaster) }
    }

    fn oauth_app(&self) -> Result<&OAuthApp, ConnectError> {
        self.oauth.as_ref().ok_or(ConnectError::OAuthNotConfigured)
    }

    pub(crate) fn db(&self) -> &Db {
        &self.db
    }

    pub(crate) fn cipher(&self) -> &TokenCipher {
        &self.cipher
    }

    pub(crate) fn oauth(&self) -> Option<&OAuthApp> {
        self.oauth.as_ref()
    }

    /// Whether a success of `company`'s is worth writing now: at most one write a second per
    /// connection, so a busy worker's every call is not an UPDATE (the card shows the time to the
    /// minute and the rate-limit state as of the last write).
    pub(crate) fn success_due(&self, company: CompanyId) -> bool {
        let now = self.clock().now_ms();
        let mut recorded = self.successes_recorded.lock().expect("successes recorded");
        if recorded.get(&company).is_some_and(|last| now - last < SUCCESS_WRITE_EVERY_MS) {
            return false;
        }
        recorded.insert(company, now);
        true
    }

    pub(crate) fn refresh_lock(&self, company: CompanyId) -> Arc<tokio::sync::Mutex<()>> {
        self.refresh_locks.lock().expect("refresh locks").entry(company).or_default().clone()
    }
}

pub(crate) fn rate_tuple(r: RateLimit) -> (i64, i64, i64) {
    (i64::from(r.limit), i64::from(r.remaining), r.reset_at)
}
