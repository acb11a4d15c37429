//! The one Lever call policy, as [`crate::call`] is Workable's: every call the product makes to a
//! company's Lever goes through [`LeverCalls::call`], which
//!
//! - takes a turn in the company's token bucket — Lever's is about 10 requests a second with
//!   bursts of 20 and says nothing of it in its answers, so ours is a fixed quota a little under
//!   it (the `governor` crate's GCRA, keyed by company), waited for ([`WhenLimited::Wait`]) or
//!   handed back ([`WhenLimited::Defer`]);
//! - after a 429 waits a second (or the `Retry-After` Lever may one day send) and calls again, a
//!   few times at most, or defers;
//! - with an OAuth grant, renews the access token before its hour is up, and once after a 401
//!   (through the one refresh of `tokens.rs`: serialised per connection, the rotated refresh
//!   token stored first); a 401 that no renewal mends marks the connection *Reconnect needed*
//!   (an API key cannot be renewed at all);
//! - records the outcome on the connection: the last success (at most once a second), or the
//!   last error when the error is the connection's.
//!
//! Errors come back in the port's words ([`CallError::Ats`]).

use std::num::NonZeroU32;
use std::sync::Arc;

use domain::{AtsKind, CompanyId};
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use lever::{Credential, LeverApi, LeverError, UserId};

use crate::ats::AtsFailure;
use crate::{CallError, ConnectError, Integrations, WhenLimited};

/// Our bucket: 9 a second with bursts of 18, under Lever's 10 and 20 so that calls bunched up on
/// the way (or a clock a little apart) still find Lever's bucket with room.
const PER_SECOND: u32 = 9;
const BURST: u32 = 18;
/// A deferred worker comes back when this many calls are free, not one: an export's step makes
/// two or three calls in a row, and coming back for one call at a time it would never finish one.
const CALLS_PER_RETURN: u32 = 8;
/// How many 429s in a row a waiting call sits out before giving Lever's refusal back.
const MAX_THROTTLED: u32 = 3;
/// The wait after a 429 without `Retry-After`: Lever's bucket refills 10 a second.
const THROTTLED_WAIT_MS: i64 = 1_000;

/// Every company's Lever bucket in this process.
pub(crate) type LeverLimiter = Arc<DefaultKeyedRateLimiter<CompanyId>>;

pub(crate) fn lever_limiter() -> LeverLimiter {
    let quota = Quota::per_second(NonZeroU32::new(PER_SECOND).expect("non-zero"))
        .allow_burst(NonZeroU32::new(BURST).expect("non-zero"));
    Arc::new(DefaultKeyedRateLimiter::keyed(quota))
}

/// Renew an OAuth access token this long before it expires.
const REFRESH_AHEAD_MS: i64 = 5 * 60 * 1000;

/// A stored connection's OAuth grant, as far as its calls need it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Grant {
    /// The `token_version` the access token was read at (the refresh's compare-and-swap).
    pub version: i64,
    pub expires_at: Option<i64>,
}

/// One company's calls to Lever, with its credential read once (and renewed when it must be).
pub struct LeverCalls<'i> {
    integrations: &'i Integrations,
    company: CompanyId,
    credential: Credential,
    /// An OAuth connection's grant; `None` for an API key and before the connection is saved.
    grant: Option<Grant>,
    /// The Lever user writes are performed as; `None` only before the connection is saved.
    perform_as: Option<UserId>,
    /// A connection being set up (the pre-check): nothing is recorded on a connection row.
    stored: bool,
}

impl<'i> LeverCalls<'i> {
    pub(crate) fn new(
        integrations: &'i Integrations,
        company: CompanyId,
        credential: Credential,
        grant: Option<Grant>,
        perform_as: Option<UserId>,
        stored: bool,
    ) -> Self {
        LeverCalls { integrations, company, credential, grant, perform_as, stored }
    }

    /// Renews the OAuth grant (or takes the token another worker renewed meanwhile).
    async fn renew(&mut self, grant: Grant) -> Result<(), CallError> {
        let latest = self.integrations.refresh_grant(self.company, grant.version).await?;
        let (credential, perform_as) = self.integrations.lever_credential(&latest)?;
        self.credential = credential;
        self.perform_as = perform_as;
        self.grant = Some(Grant { version: latest.token_version, expires_at: latest.token_expires_at });
        Ok(())
    }

    /// The Lever user every write is performed as; a connection without a valid one stored must
    /// be reconnected.
    pub fn perform_as(&self) -> Result<UserId, CallError> {
        self.perform_as.clone().ok_or(CallError::Connection(ConnectError::ReconnectNeeded))
    }

    pub(crate) fn company(&self) -> CompanyId {
        self.company
    }

    /// A read a person is waiting for: [`call`](Self::call) with [`WhenLimited::Wait`], tried
    /// again after a transient failure as Workable's reads are.
    pub async fn read<T, F, Fut>(&mut self, op: F) -> Result<T, CallError>
    where
        F: FnMut(LeverApi) -> Fut,
        Fut: Future<Output = Result<T, LeverError>>,
    {
        self.repeat_read(WhenLimited::Wait, op).await
    }

    /// A worker's read: [`call`](Self::call) with [`WhenLimited::Defer`], tried again after a
    /// transient failure (a read is safe to repeat). An export's step on Lever makes up to four
    /// calls in a row; without this one blip in any of them would cost the whole step.
    pub async fn fetch<T, F, Fut>(&mut self, op: F) -> Result<T, CallError>
    where
        F: FnMut(LeverApi) -> Fut,
        Fut: Future<Output = Result<T, LeverError>>,
    {
        self.repeat_read(WhenLimited::Defer, op).await
    }

    async fn repeat_read<T, F, Fut>(&mut self, when_limited: WhenLimited, mut op: F) -> Result<T, CallError>
    where
        F: FnMut(LeverApi) -> Fut,
        Fut: Future<Output = Result<T, LeverError>>,
    {
        let clock = self.integrations.clock().clone();
        let mut attempt = 0;
        loop {
            match self.call(when_limited, &mut op).await {
                Err(CallError::Ats { failure: AtsFailure::Transient(why), .. })
                    if attempt + 1 < crate::call::READ_ATTEMPTS =>
                {
                    tracing::info!(company.id = %self.company, error = %why, attempt, "Lever read failed transiently: trying again");
                    clock.sleep(crate::call::read_pause_ms(attempt)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// One Lever call under the policy (see the module's doc). `op` may run more than once
    /// (after a 429), so it must be safe to repeat.
    pub async fn call<T, F, Fut>(&mut self, when_limited: WhenLimited, mut op: F) -> Result<T, CallError>
    where
        F: FnMut(LeverApi) -> Fut,
        Fut: Future<Output = Result<T, LeverError>>,
    {
        let integrations = self.integrations;
        let company = self.company;
        let limiter = integrations.lever_limiter();
        let client = integrations.lever_client().ok_or(CallError::Connection(ConnectError::NotConnected))?;
        let mut throttled = 0;
        let mut renewed_after_401 = false;
        loop {
            if let Some(grant) = self.grant
                && grant.expires_at.is_some_and(|at| at - storage::now_ms() < REFRESH_AHEAD_MS)
            {
                self.renew(grant).await?;
            }
            match when_limited {
                WhenLimited::Wait => limiter.until_key_ready(&company).await,
                WhenLimited::Defer => {
                    if let Err(not_until) = limiter.check_key(&company) {
                        let first = not_until.wait_time_from(DefaultClock::default().now()).as_millis() as i64;
                        let more = i64::from(CALLS_PER_RETURN - 1) * 1000 / i64::from(PER_SECOND);
                        return Err(CallError::Deferred { wait_ms: first.max(1) + more });
                    }
                }
            }
            let api = client.api(&self.credential).map_err(|e| in_port_words(&e))?;
            let err = match op(api).await {
                Ok(value) => {
                    if self.stored && integrations.success_due(company) {
                        integrations.db().record_workable_success(company, None).await?;
                    }
                    return Ok(value);
                }
                Err(err) => err,
            };
            match err {
                LeverError::RateLimited { retry_after_seconds } => {
                    let wait_ms =
                        retry_after_seconds.map_or(THROTTLED_WAIT_MS, |s| (s as i64 * 1000).clamp(250, 60_000));
                    match when_limited {
                        WhenLimited::Wait if throttled < MAX_THROTTLED => {
                            throttled += 1;
                            integrations.clock().sleep(wait_ms).await;
                        }
                        WhenLimited::Wait => return Err(in_port_words(&err)),
                        WhenLimited::Defer => return Err(CallError::Deferred { wait_ms }),
                    }
                }
                LeverError::Unauthorized if self.stored && !renewed_after_401 && self.grant.is_some() => {
                    // The access token may have been revoked or expired early: renew once.
                    renewed_after_401 = true;
                    let grant = self.grant.expect("checked above");
                    self.renew(grant).await?;
                }
                LeverError::Unauthorized if self.stored => {
                    integrations
                        .db()
                        .mark_reconnect_needed(company, "Lever no longer accepts this connection's key or token.")
                        .await?;
                    tracing::warn!(company.id = %company, "Lever refused the credential: reconnect needed");
                    return Err(in_port_words(&err));
                }
                err => {
                    let failure = in_port_words(&err);
                    if self.stored && concerns_the_connection(&err) {
                        integrations.db().record_workable_error(company, &failure.to_string()).await?;
                    }
                    return Err(failure);
                }
            }
        }
    }
}

impl From<&LeverError> for AtsFailure {
    fn from(err: &LeverError) -> Self {
        match err {
            LeverError::RateLimited { .. } => AtsFailure::RateLimited,
            LeverError::Unauthorized => AtsFailure::Unauthorized,
            LeverError::Forbidden => AtsFailure::Forbidden,
            LeverError::NotFound => AtsFailure::NotFound,
            LeverError::Invalid { message, .. } => AtsFailure::Invalid(message.clone()),
            LeverError::Transient(why) => AtsFailure::Transient(why.clone()),
            LeverError::UnexpectedResponse(why) => AtsFailure::Unexpected(why.clone()),
        }
    }
}

fn in_port_words(err: &LeverError) -> CallError {
    CallError::Ats { ats: AtsKind::Lever, failure: err.into() }
}

/// Errors that say something about the connection rather than about one candidate or posting.
fn concerns_the_connection(err: &LeverError) -> bool {
    matches!(err, LeverError::Transient(_) | LeverError::Forbidden | LeverError::UnexpectedResponse(_))
}
