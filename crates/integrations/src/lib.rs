//! A company's Workable connection: the OAuth and API-token paths with the permission pre-check,
//! token custody (sealed at rest, refreshed on the server) and the card's health; the one Workable
//! call policy every call goes through (`call`: rate limiter, refresh once after a 401, 429s,
//! the outcome recorded on the connection); the mapping wizard's reads and drift (`mapping`);
//! webhook subscriptions (`webhooks`).

mod call;
pub mod custody;
mod error;
pub mod limiter;
pub mod mapping;
mod tokens;
pub mod webhooks;

pub use call::{AccountCalls, CallError, WhenLimited};
pub use mapping::MappingError;
pub use tokens::Credentials;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use domain::views::{AccountChoice, ConnectionState, WorkableCard};
use domain::{CompanyId, UserRole};
use storage::{AuthKind, ConnectionStatus, Db, NewConnection, PendingConnection, now_ms};
use workable::oauth::{Authorization, OAuthApp, Tokens};
use workable::{Member, REQUIRED_SCOPES, RateLimit, Secret, Subdomain, WorkableClient, WorkableError};

pub use custody::TokenCipher;
pub use error::ConnectError;

/// Who acts: the one `Actor` of every use case.
pub use domain::Actor;

/// Warn on the card when the token expires within this long and cannot be renewed unattended.
const EXPIRY_WARNING_MS: i64 = 7 * 86_400_000;
/// A connection's last success is written at most this often.
const SUCCESS_WRITE_EVERY_MS: i64 = 1_000;
/// How long the choice between several accounts may wait.
const PENDING_MS: i64 = 15 * 60 * 1000;

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
        }
    }

    /// Where Workable can reach this product (its webhooks are subscribed to this address).
    pub fn with_public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into().trim_end_matches('/').to_owned());
        self
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

    /// The card for *Account settings → ATS integrations*.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn card(&self, actor: &Actor) -> Result<WorkableCard, ConnectError> {
        let connection = self.db.connection(actor.company_id).await?;
        let can_manage = actor.role == UserRole::Master;
        let oauth_available = self.oauth.is_some();
        let Some(c) = connection else {
            return Ok(WorkableCard { can_manage, oauth_available, ..WorkableCard::default() });
        };
        let state = match c.status {
            ConnectionStatus::Connected => ConnectionState::Connected,
            ConnectionStatus::ReconnectNeeded => ConnectionState::ReconnectNeeded,
            ConnectionStatus::Disconnected => ConnectionState::Disconnected,
        };
        // OAuth tokens renew themselves while the grant lives; an API token's expiry is final.
        let renewable = c.auth_kind == AuthKind::OAuth && c.refresh_token_enc.is_some();
        let expiry_warning = state == ConnectionState::Connected
            && !renewable
            && c.token_expires_at.is_some_and(|at| at - now_ms() < EXPIRY_WARNING_MS);
        Ok(WorkableCard {
            state,
            account_name: Some(c.account_name.clone()),
            subdomain: Some(c.subdomain.clone()),
            auth: Some(match c.auth_kind {
                AuthKind::OAuth => "OAuth".to_owned(),
                AuthKind::ApiToken => "API token".to_owned(),
            }),
            acting_member: Some(c.member_name.clone()),
            connected_by: c.connected_by.clone(),
            connected_at_ms: Some(c.connected_at),
            token_expires_at_ms: c.token_expires_at,
            expiry_warning,
            last_success_ms: c.last_success_at,
            last_webhook_ms: c.last_webhook_at,
            webhooks_active: !c.webhook_subscriptions.is_empty(),
            webhook_error: c.webhook_error.clone(),
            last_reconciliation_ms: c.reconciled_at,
            last_reconciliation_corrections: c.reconcile_corrections,
            reconciliation_error: c.reconcile_error.clone(),
            rate_limit: c.rate_limit.map(|(limit, remaining, reset)| (remaining, limit, reset * 1000)),
            last_error: c.last_error.clone(),
            last_error_ms: c.last_error_at,
            can_manage,
            oauth_available,
        })
    }

    /// Step one of *Connect*: where to send the browser. The caller keeps `state` and the PKCE
    /// verifier in the server-side session.
    pub fn begin_oauth(&self, actor: &Actor) -> Result<Authorization, ConnectError> {
        Self::require_master(actor)?;
        Ok(self.client.authorization_url(self.oauth_app()?)?)
    }

    /// The callback: exchange the code, check scopes and accounts, and connect (or ask which
    /// account when there are several). Nothing is saved unless every check passed.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn complete_oauth(
        &self,
        actor: &Actor,
        code: &str,
        pkce_verifier: &Secret,
    ) -> Result<Completion, ConnectError> {
        Self::require_master(actor)?;
        let app = self.oauth_app()?;
        let tokens = self.client.exchange_code(app, code, pkce_verifier).await.map_err(|err| match err {
            WorkableError::Unauthorized => ConnectError::CodeRejected,
            other => other.into(),
        })?;
        let missing: Vec<&'static str> = if tokens.scopes.is_empty() {
            Vec::new()
        } else {
            REQUIRED_SCOPES.iter().filter(|s| !tokens.scopes.iter().any(|t| t == *s)).map(|s| scope_words(s)).collect()
        };
        if !missing.is_empty() {
            self.revoke_quietly(&tokens).await;
            return Err(ConnectError::MissingPermissions(missing));
        }
        let accounts = self.client.accounts(&tokens.access_token).await?.value;
        match accounts.len() {
            0 => {
                self.revoke_quietly(&tokens).await;
                Err(ConnectError::NoAccount)
            }
            1 => {
                let account = &accounts[0];
                let subdomain = Subdomain::parse(&account.subdomain).map_err(|_| ConnectError::UnexpectedAccount)?;
                self.finish(actor, AuthKind::OAuth, &subdomain, &account.name, &tokens).await?;
                Ok(Completion::Connected)
            }
            _ => {
                let pending_id = random_id();
                let choices: Vec<AccountChoice> = accounts
                    .iter()
                    .map(|a| AccountChoice { subdomain: a.subdomain.clone(), name: a.name.clone() })
                    .collect();
                self.db
                    .insert_pending_connection(&PendingConnection {
                        id: pending_id.clone(),
                        company_id: actor.company_id,
                        user_id: actor.user_id,
                        access_token_enc: self.cipher.seal(actor.company_id, "pending-access", &tokens.access_token),
                        refresh_token_enc: tokens
                            .refresh_token
                            .as_ref()
                            .map(|t| self.cipher.seal(actor.company_id, "pending-refresh", t)),
                        token_expires_at: tokens.expires_in_seconds.map(|s| now_ms() + s as i64 * 1000),
                        scopes: tokens.scopes.join(" "),
                        accounts_json: serde_json::to_string(&choices).unwrap_or_default(),
                        expires_at: now_ms() + PENDING_MS,
                    })
                    .await?;
                Ok(Completion::ChooseAccount { pending_id })
            }
        }
    }

    /// The accounts waiting to be chosen from.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn pending_accounts(&self, actor: &Actor, pending_id: &str) -> Result<Vec<AccountChoice>, ConnectError> {
        Ok(self.pending(actor, pending_id).await?.1)
    }

    /// The actor's own pending connection and its accounts.
    async fn pending(
        &self,
        actor: &Actor,
        pending_id: &str,
    ) -> Result<(PendingConnection, Vec<AccountChoice>), ConnectError> {
        Self::require_master(actor)?;
        let pending = self
            .db
            .pending_connection(pending_id, actor.company_id, actor.user_id)
            .await?
            .ok_or(ConnectError::PendingExpired)?;
        let choices = serde_json::from_str(&pending.accounts_json).map_err(|_| ConnectError::PendingExpired)?;
        Ok((pending, choices))
    }

    /// Connects the account the user chose among several.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn choose_account(&self, actor: &Actor, pending_id: &str, subdomain: &str) -> Result<(), ConnectError> {
        let (pending, choices) = self.pending(actor, pending_id).await?;
        let choice = choices.iter().find(|c| c.subdomain == subdomain).ok_or(ConnectError::InvalidInput {
            field: "account",
            message: "Choose one of the listed accounts.".into(),
        })?;
        let access_token = self
            .cipher
            .open(actor.company_id, "pending-access", &pending.access_token_enc)
            .map_err(|_| ConnectError::PendingExpired)?;
        let refresh_token = pending
            .refresh_token_enc
            .as_deref()
            .map(|b| self.cipher.open(actor.company_id, "pending-refresh", b))
            .transpose()
            .map_err(|_| ConnectError::PendingExpired)?;
        let tokens = Tokens {
            access_token,
            refresh_token,
            expires_in_seconds: pending.token_expires_at.map(|at| ((at - now_ms()) / 1000).max(0) as u64),
            scopes: pending.scopes.split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
        };
        let subdomain = Subdomain::parse(&choice.subdomain).map_err(|_| ConnectError::UnexpectedAccount)?;
        self.finish(actor, AuthKind::OAuth, &subdomain, &choice.name, &tokens).await?;
        self.db.delete_pending_connection(pending_id).await?;
        Ok(())
    }

    /// The API-token path, for accounts without OAuth: validated by real calls before saving.
    /// `expires_on` (`YYYY-MM-DD`, optional) is the expiry chosen when the token was created in
    /// Workable, which its API does not report; the card warns a week ahead of it.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn connect_with_api_token(
        &self,
        actor: &Actor,
        subdomain: &str,
        token: &str,
        expires_on: Option<&str>,
    ) -> Result<(), ConnectError> {
        Self::require_master(actor)?;
        let subdomain = Subdomain::parse(subdomain)
            .map_err(|e| ConnectError::InvalidInput { field: "subdomain", message: e.to_string() })?;
        let token = token.trim();
        if token.is_empty() || token.len() > 512 || token.chars().any(char::is_whitespace) {
            return Err(ConnectError::InvalidInput {
                field: "token",
                message: "Paste the access token exactly as Workable showed it.".into(),
            });
        }
        let expires_in_seconds =
            expires_on.map(str::trim).filter(|d| !d.is_empty()).map(seconds_until_end_of).transpose()?;
        let tokens =
            Tokens { access_token: Secret::new(token), refresh_token: None, expires_in_seconds, scopes: Vec::new() };
        // The account's display name; the pre-check in `finish` then validates subdomain and
        // token with the calls it makes anyway.
        let account = match self.client.accounts(&tokens.access_token).await {
            Err(WorkableError::Unauthorized) => return Err(ConnectError::TokenRejected),
            Ok(reply) => reply.value.into_iter().find(|a| a.subdomain == subdomain.as_str()),
            Err(_) => None,
        };
        let name = account.map_or_else(|| subdomain.to_string(), |a| a.name);
        self.finish(actor, AuthKind::ApiToken, &subdomain, &name, &tokens).await
    }

    /// Pre-check, pick the member to act as, seal the tokens and save — all or nothing.
    async fn finish(
        &self,
        actor: &Actor,
        kind: AuthKind,
        subdomain: &Subdomain,
        account_name: &str,
        tokens: &Tokens,
    ) -> Result<(), ConnectError> {
        let (members, rate_limit) = match self.precheck(actor.company_id, subdomain, &tokens.access_token).await {
            Ok(found) => found,
            Err(err) => {
                if kind == AuthKind::OAuth {
                    self.revoke_quietly(tokens).await;
                }
                return Err(err);
            }
        };
        let member = members
            .iter()
            .find(|m| m.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(actor.email.as_str())))
            .or_else(|| members.iter().find(|m| m.role.as_deref() == Some("admin")))
            .or_else(|| members.first())
            .ok_or(ConnectError::MissingPermissions(vec![
                "act as a member of the account (it has no active members)",
            ]))?;
        let access = self.cipher.seal(actor.company_id, "access", &tokens.access_token);
        let refresh = tokens.refresh_token.as_ref().map(|t| self.cipher.seal(actor.company_id, "refresh", t));
        self.db
            .save_connection(NewConnection {
                company_id: actor.company_id,
                auth_kind: kind,
                subdomain: subdomain.as_str(),
                account_name,
                member_id: &member.id,
                member_name: &member.name,
                connected_by: actor.user_id,
                access_token_enc: &access,
                refresh_token_enc: refresh.as_deref(),
                token_expires_at: tokens.expires_in_seconds.map(|s| now_ms() + s as i64 * 1000),
                scopes: &tokens.scopes.join(" "),
            })
            .await?;
        self.db.record_workable_success(actor.company_id, rate_limit.map(rate_tuple)).await?;
        // Work paused while the connection was broken goes on, into the same mappings.
        let resumed = self.db.resume_company_work(actor.company_id).await?;
        // A reconnect of a company with mapped roles subscribes to Workable's moves again.
        if !self.db.list_configurations(actor.company_id).await?.is_empty() {
            let _ = self.ensure_webhooks(actor.company_id).await;
        }
        tracing::info!(company.id = %actor.company_id, workable.subdomain = %subdomain, auth = kind.as_str(), resumed, "Workable connected");
        Ok(())
    }

    /// Everything the product will need, tried for real: list jobs, read a job's stages, list
    /// members, create candidates, subscribe to webhooks. Returns the members and the last
    /// rate-limit state; names every missing permission in plain words.
    async fn precheck(
        &self,
        company: CompanyId,
        subdomain: &Subdomain,
        token: &Secret,
    ) -> Result<(Vec<Member>, Option<RateLimit>), ConnectError> {
        // Each call waits its turn in the company's rate-limit window (workers may be busy too).
        let mut calls = self.unsaved_account_calls(company, subdomain, token);
        let mut missing: Vec<&'static str> = Vec::new();
        let jobs = match calls.call(WhenLimited::Wait, |api| async move { api.jobs(None).await }).await {
            Ok(jobs) => jobs,
            Err(CallError::Workable(WorkableError::Forbidden)) => {
                missing.push("list jobs");
                Vec::new()
            }
            Err(CallError::Workable(err)) => {
                return Err(match err {
                    WorkableError::NotFound => ConnectError::UnknownSubdomain(subdomain.to_string()),
                    WorkableError::Transient(_) => ConnectError::UnreachableSubdomain(subdomain.to_string()),
                    WorkableError::WrongAccount => ConnectError::WrongAccount(subdomain.to_string()),
                    WorkableError::Unauthorized => ConnectError::TokenRejected,
                    other => other.into(),
                });
            }
            Err(err) => return Err(err.into()),
        };
        if let Some(job) = jobs.first() {
            match calls.call(WhenLimited::Wait, |api| async move { api.job_stages(&job.shortcode).await }).await {
                Ok(_) => {}
                Err(CallError::Workable(WorkableError::Forbidden)) => missing.push("read a job's stages"),
                Err(err) => return Err(err.into()),
            }
        }
        let members = match calls.call(WhenLimited::Wait, |api| async move { api.members().await }).await {
            Ok(members) => members.into_iter().filter(|m| m.active).collect(),
            Err(CallError::Workable(WorkableError::Forbidden)) => {
                missing.push("list members");
                Vec::new()
            }
            Err(err) => return Err(err.into()),
        };
        if !calls.call(WhenLimited::Wait, |api| async move { api.can_write_candidates().await }).await? {
            missing.push("create candidates");
        }
        if !calls.call(WhenLimited::Wait, |api| async move { api.can_read_subscriptions().await }).await? {
            missing.push("subscribe to webhooks");
        }
        if missing.is_empty() {
            Ok((members, calls.last_rate_limit()))
        } else {
            Err(ConnectError::MissingPermissions(missing))
        }
    }

    /// *Disconnect*: revoke at Workable (best effort), forget the tokens, keep the row.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn disconnect(&self, actor: &Actor) -> Result<(), ConnectError> {
        Self::require_master(actor)?;
        let connection = self.db.connection(actor.company_id).await?.ok_or(ConnectError::NotConnected)?;
        // Workable stops delivering before the tokens go.
        if let Err(err) = self.remove_webhooks(actor.company_id).await {
            tracing::warn!(error = %err, "could not remove the webhook subscriptions");
        }
        if connection.auth_kind == AuthKind::OAuth
            && let Some(app) = &self.oauth
            && let Some(access) = connection
                .access_token_enc
                .as_deref()
                .and_then(|b| self.cipher.open(actor.company_id, "access", b).ok())
        {
            let refresh = connection
                .refresh_token_enc
                .as_deref()
                .and_then(|b| self.cipher.open(actor.company_id, "refresh", b).ok());
            if let Err(err) = self.client.revoke(app, &access, refresh.as_ref()).await {
                tracing::warn!(error = %err, "could not revoke at Workable; forgetting the tokens anyway");
            }
        }
        self.db.disconnect(actor.company_id).await?;
        tracing::info!(company.id = %actor.company_id, "Workable disconnected");
        Ok(())
    }

    async fn revoke_quietly(&self, tokens: &Tokens) {
        if let Some(app) = &self.oauth {
            let _ = self.client.revoke(app, &tokens.access_token, tokens.refresh_token.as_ref()).await;
        }
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

fn scope_words(scope: &str) -> &'static str {
    match scope {
        "r_jobs" => "list jobs and read their stages (r_jobs)",
        "r_candidates" => "read candidates and subscribe to webhooks (r_candidates)",
        _ => "create and move candidates (w_candidates)",
    }
}

/// Seconds from now to the end (UTC) of the day `date` (`YYYY-MM-DD`), which must be ahead.
fn seconds_until_end_of(date: &str) -> Result<u64, ConnectError> {
    let invalid = |message: &str| ConnectError::InvalidInput { field: "expires_on", message: message.to_owned() };
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = time::Date::parse(date, &format).map_err(|_| invalid("Give the expiry date as YYYY-MM-DD."))?;
    let end = day.next_day().ok_or_else(|| invalid("That expiry date is too far ahead."))?.midnight().assume_utc();
    let seconds = (end.unix_timestamp() * 1000 - now_ms()) / 1000;
    u64::try_from(seconds)
        .ok()
        .filter(|s| *s > 0)
        .ok_or_else(|| invalid("That expiry date has passed: create a new token in Workable."))
}

fn random_id() -> String {
    use rand::Rng;
    rand::thread_rng().sample_iter(&rand::distributions::Alphanumeric).take(32).map(char::from).collect()
}
