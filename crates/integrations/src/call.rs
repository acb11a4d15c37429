//! The one Workable call policy. Every call the product makes for a connection — the wizard's
//! reads, webhook subscriptions, the connect pre-check, the sync engine's exports, moves and
//! read-backs — goes through [`AccountCalls::call`], which:
//!
//! - takes a turn in the connection's rate limiter: waits for it ([`WhenLimited::Wait`], people
//!   waiting on a page) or hands the wait back ([`WhenLimited::Defer`], workers, which never sleep
//!   on the limit: their item is put back with the time it can run);
//! - after a 401 refreshes the token once (a grant nobody can refresh marks the connection
//!   *Reconnect needed*) and calls again;
//! - after a 429 tells the limiter the reset, then waits and calls again (a few times at most) or
//!   defers;
//! - records the outcome on the connection: the last success with the rate-limit state (at most
//!   once a second per connection), or the last error when the error is the connection's (not one
//!   candidate's or job's).
//!
//! A read a person waits for ([`AccountCalls::read`]) is also tried again after a transient
//! failure (a 5xx, a timeout), twice, 250 ms then 500 ms later: reads are safe to repeat, and one
//! blip should not fail a *Connect*. Writes are never repeated here (a lost answer may have
//! committed); the sync engine retries those with its own exactly-once checks.

use domain::CompanyId;
use storage::StorageError;
use workable::{AccountApi, MemberId, RateLimit, Reply, Secret, Subdomain, WorkableError};

use crate::{ConnectError, Credentials, Integrations, rate_tuple};

/// How many 429s in a row a waiting call sits out before giving Workable's refusal back.
const MAX_THROTTLED: u32 = 3;
/// The wait handed back after a 429 when the limiter knows no reset (Workable's window).
const DEFAULT_DEFER_MS: i64 = 10_000;
/// How many times a read a person waits for is tried when Workable fails transiently.
pub(crate) const READ_ATTEMPTS: u32 = 3;

/// The pause before try `attempt + 1` of a read (250 ms, 500 ms).
pub(crate) fn read_pause_ms(attempt: u32) -> i64 {
    250 << attempt
}

/// What a call does when the connection's rate limit is spent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhenLimited {
    /// Wait for the limit (a person is waiting for the answer).
    Wait,
    /// Give the wait back to the caller as [`CallError::Deferred`] (a worker puts its item back).
    Defer,
}

/// Why a Workable call gave no answer, by what the caller can do about it.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The rate limit is spent (asked to defer): try again in this many milliseconds.
    #[error("Workable's rate limit for this connection is spent; it goes on in {wait_ms} ms.")]
    Deferred { wait_ms: i64 },
    /// The connection cannot be used: not connected, or a master account must reconnect.
    #[error(transparent)]
    Connection(ConnectError),
    /// Workable refused the call (the call policy's own words; the port says it as [`CallError::Ats`]).
    #[error(transparent)]
    Workable(#[from] WorkableError),
    /// The connected ATS refused or failed the call.
    #[error("{} refused or failed the call: {failure}", .ats.name())]
    Ats { ats: domain::AtsKind, failure: crate::ats::AtsFailure },
    /// Our own storage failed (the caller retries).
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl CallError {
    /// The ATS says the candidate (or job) is not there.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            CallError::Workable(WorkableError::NotFound)
                | CallError::Ats { failure: crate::ats::AtsFailure::NotFound, .. }
        )
    }
}

impl From<ConnectError> for CallError {
    fn from(err: ConnectError) -> Self {
        match err {
            ConnectError::Storage(inner) => CallError::Storage(inner),
            other => CallError::Connection(other),
        }
    }
}

impl From<CallError> for ConnectError {
    fn from(err: CallError) -> Self {
        match err {
            CallError::Deferred { .. } => ConnectError::Unavailable("Your ATS"),
            CallError::Connection(inner) => inner,
            CallError::Workable(inner) => inner.into(),
            CallError::Ats { ats, failure } => ConnectError::from_ats(ats, failure),
            CallError::Storage(inner) => ConnectError::Storage(inner),
        }
    }
}

/// One company's calls to Workable, with its credentials read once and renewed when Workable
/// asks for it.
pub struct AccountCalls<'i> {
    integrations: &'i Integrations,
    company: CompanyId,
    credentials: Credentials,
    /// A connection being set up (the pre-check): nothing is stored yet, so a 401 is final and
    /// nothing is recorded on a connection row.
    stored: bool,
    /// The rate-limit state of the last answer that reported one.
    last_rate_limit: Option<RateLimit>,
}

impl Integrations {
    /// The company's Workable account, ready for calls.
    pub async fn account_calls(&self, company: CompanyId) -> Result<AccountCalls<'_>, CallError> {
        let credentials = self.credentials(company).await?;
        Ok(AccountCalls { integrations: self, company, credentials, stored: true, last_rate_limit: None })
    }

    /// [`account_calls`](Self::account_calls) of a connection already read.
    pub(crate) async fn account_calls_of(
        &self,
        connection: storage::ConnectionRecord,
    ) -> Result<AccountCalls<'_>, CallError> {
        let company = connection.company_id;
        let credentials = self.credentials_of(connection).await?;
        Ok(AccountCalls { integrations: self, company, credentials, stored: true, last_rate_limit: None })
    }

    /// Calls with a token that is not saved yet (the pre-check of *Connect*): the same limiter,
    /// no refresh, nothing recorded.
    pub(crate) fn unsaved_account_calls(
        &self,
        company: CompanyId,
        subdomain: &Subdomain,
        token: &Secret,
    ) -> AccountCalls<'_> {
        let credentials =
            Credentials { subdomain: subdomain.clone(), member_id: None, token: token.clone(), version: 0 };
        AccountCalls { integrations: self, company, credentials, stored: false, last_rate_limit: None }
    }
}

impl AccountCalls<'_> {
    /// A read a person is waiting for: [`call`](Self::call) with [`WhenLimited::Wait`], tried
    /// up to [`READ_ATTEMPTS`] times while Workable fails transiently. Only for calls that change
    /// nothing in Workable.
    pub async fn read<T, F, Fut>(&mut self, mut op: F) -> Result<T, CallError>
    where
        F: FnMut(AccountApi) -> Fut,
        Fut: Future<Output = Result<Reply<T>, WorkableError>>,
    {
        let clock = self.integrations.clock().clone();
        let mut attempt = 0;
        loop {
            match self.call(WhenLimited::Wait, &mut op).await {
                Err(CallError::Workable(WorkableError::Transient(why))) if attempt + 1 < READ_ATTEMPTS => {
                    tracing::info!(company.id = %self.company, error = %why, attempt, "Workable read failed transiently: trying again");
                    clock.sleep(read_pause_ms(attempt)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// The Workable member the connection acts as (moves and comments name one); a connection
    /// without a valid one stored must be reconnected.
    pub fn member_id(&self) -> Result<MemberId, CallError> {
        self.credentials.member_id.clone().ok_or(CallError::Connection(ConnectError::ReconnectNeeded))
    }

    pub fn subdomain(&self) -> &Subdomain {
        &self.credentials.subdomain
    }

    /// What Workable last reported of the rate limit, if any answer did.
    pub fn last_rate_limit(&self) -> Option<RateLimit> {
        self.last_rate_limit
    }

    /// One Workable call under the policy (see the module's doc). `op` may run more than once
    /// (after a refresh, after a 429), so it must be safe to repeat: `|api| async move {
    /// api.candidate(id).await }` with `id` a reference.
    ///
    /// (A closure returning a future rather than an async closure: the sync engine's work runs
    /// on spawned tasks, and the compiler cannot yet prove an async closure's future `Send`.)
    pub async fn call<T, F, Fut>(&mut self, when_limited: WhenLimited, mut op: F) -> Result<T, CallError>
    where
        F: FnMut(AccountApi) -> Fut,
        Fut: Future<Output = Result<Reply<T>, WorkableError>>,
    {
        let integrations = self.integrations;
        let limiter = integrations.rate_limiter();
        let company = self.company;
        let (mut refreshed, mut throttled) = (false, 0);
        loop {
            match when_limited {
                WhenLimited::Wait => limiter.acquire(company).await,
                WhenLimited::Defer => {
                    if let Err(wait_ms) = limiter.try_acquire(company).await {
                        return Err(CallError::Deferred { wait_ms });
                    }
                }
            }
            let api = integrations.client().account(&self.credentials.subdomain, &self.credentials.token);
            let err = match op(api).await {
                Ok(reply) => {
                    limiter.observe(company, reply.rate_limit).await;
                    self.last_rate_limit = reply.rate_limit.or(self.last_rate_limit);
                    if self.stored && integrations.success_due(company) {
                        integrations.db().record_workable_success(company, reply.rate_limit.map(rate_tuple)).await?;
                    }
                    return Ok(reply.value);
                }
                Err(err) => err,
            };
            match err {
                WorkableError::Unauthorized if self.stored && !refreshed => {
                    refreshed = true;
                    self.credentials = integrations.after_unauthorized(company, self.credentials.version).await?;
                }
                WorkableError::RateLimited { reset_at } => {
                    limiter.throttled(company, reset_at).await;
                    match when_limited {
                        WhenLimited::Wait if throttled < MAX_THROTTLED => throttled += 1,
                        WhenLimited::Wait => return Err(CallError::Workable(err)),
                        WhenLimited::Defer => {
                            let wait_ms = limiter.wait_ms(company).unwrap_or(DEFAULT_DEFER_MS);
                            return Err(CallError::Deferred { wait_ms });
                        }
                    }
                }
                err => {
                    if self.stored && concerns_the_connection(&err) {
                        let words = ConnectError::from(err.clone()).to_string();
                        integrations.db().record_workable_error(company, &words).await?;
                    }
                    return Err(CallError::Workable(err));
                }
            }
        }
    }
}

/// Errors that say something about the connection (shown as its last error on the card), rather
/// than about one candidate or job.
fn concerns_the_connection(err: &WorkableError) -> bool {
    matches!(
        err,
        WorkableError::Transient(_)
            | WorkableError::Forbidden
            | WorkableError::WrongAccount
            | WorkableError::UnexpectedResponse(_)
            | WorkableError::Unauthorized
    )
}
