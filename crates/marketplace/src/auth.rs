//! Signing in with email and password (argon2).

use std::sync::LazyLock;
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use domain::Email;
use storage::UserRecord;

use crate::{Marketplace, MarketplaceError, Result};

/// Failed sign-ins wait this long, whatever the reason, so that guessing is slow and an unknown
/// email cannot be told from a wrong password by timing.
const FAILURE_DELAY: Duration = Duration::from_millis(400);

/// Failed sign-ins for one email within [`FAILURE_WINDOW`] before its sign-in is refused for
/// [`LOCKOUT`], whatever the password: guessing gets five tries a quarter of an hour.
const FAILURES_ALLOWED: i64 = 5;
const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
const LOCKOUT: Duration = Duration::from_secs(15 * 60);

/// How long a sign-in may wait for its turn to check a password before it is refused as busy.
const CHECK_WAIT: Duration = Duration::from_secs(3);

/// Password checks running at once, one per core but one (at least one): argon2 takes 19 MiB and
/// a core for each check, so a flood of sign-ins costs bounded memory and CPU instead of growing
/// the blocking pool (a probe saw 50 concurrent attempts take the server from 266 MiB to 1.2 GB),
/// and a core stays free for everyone else's pages. Hand-written on a tokio semaphore: the bound
/// is on work inside one process, not on requests.
struct PasswordChecks {
    turns: tokio::sync::Semaphore,
    wait: Duration,
}

static CHECKS: LazyLock<PasswordChecks> = LazyLock::new(|| PasswordChecks {
    turns: tokio::sync::Semaphore::new(
        std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1).max(1)),
    ),
    wait: CHECK_WAIT,
});

impl PasswordChecks {
    /// Whether `password` matches `hash`, checked when a turn is free within the wait; `Busy`
    /// otherwise.
    async fn check(&self, hash: String, password: String) -> Result<bool> {
        let turn = tokio::time::timeout(self.wait, self.turns.acquire())
            .await
            .ok()
            .and_then(|acquired| acquired.ok())
            .ok_or(MarketplaceError::Busy("Too many sign-ins at once right now; please try again in a moment."))?;
        let matches = tokio::task::spawn_blocking(move || password_matches(&hash, &password)).await.unwrap_or(false);
        drop(turn);
        Ok(matches)
    }
}

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 hashes any password").to_string()
}

fn password_matches(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

impl Marketplace {
    /// Checks the credentials; the same error (after the same delay) for an unknown email, a
    /// malformed one and a wrong password.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<UserRecord> {
        let now = self.clock.now_ms();
        let email = Email::parse(email).ok();
        if let Some(email) = &email
            && let Some(until) = self.db.sign_in_locked_until(email, now).await?
        {
            let minutes = ((until - now) as f64 / 60_000.0).ceil().max(1.0);
            return Err(MarketplaceError::TooManyAttempts(format!(
                "Too many failed sign-ins for this account: try again in {minutes} minutes, or ask a colleague to check the address."
            )));
        }
        let user = match &email {
            Some(email) => self.db.find_user_by_email(email).await?,
            None => None,
        };
        // Verify against a throwaway hash when the user is unknown, so both paths cost the same.
        let hash = user.as_ref().map_or_else(|| DUMMY_HASH.clone(), |u| u.password_hash.clone());
        let matches = CHECKS.check(hash, password.to_owned()).await?;
        match user {
            Some(user) if matches => {
                self.db.clear_sign_in_failures(&user.email).await?;
                Ok(user)
            }
            _ => {
                if let Some(email) = &email {
                    let window_start = now - FAILURE_WINDOW.as_millis() as i64;
                    if self.db.record_sign_in_failure(email, now, window_start).await? >= FAILURES_ALLOWED {
                        self.db.lock_sign_in(email, now + LOCKOUT.as_millis() as i64).await?;
                        tracing::warn!("sign-in locked after repeated failures");
                    }
                }
                tokio::time::sleep(FAILURE_DELAY).await;
                Err(MarketplaceError::BadCredentials)
            }
        }
    }

    /// The user of a session that signed in at `signed_in_at` (from [`Marketplace::sign_in_time`]),
    /// or `None` once the sign-in is older than [`SIGN_IN_LASTS`] or the user is gone.
    pub async fn session_user(&self, user_id: domain::UserId, signed_in_at: i64) -> Result<Option<UserRecord>> {
        let age = self.clock.now_ms().saturating_sub(signed_in_at);
        if age > SIGN_IN_LASTS.as_millis() as i64 {
            return Ok(None);
        }
        Ok(self.db.find_user(user_id).await?)
    }

    /// The time a session that signs in now records, on the marketplace's clock.
    pub fn sign_in_time(&self) -> i64 {
        self.clock.now_ms()
    }
}

/// How long a sign-in lasts at most, however active the session (inactivity ends it sooner):
/// then the person signs in again, so a stolen cookie does not last for ever.
pub const SIGN_IN_LASTS: std::time::Duration = std::time::Duration::from_secs(30 * 86_400);

static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_password("not a real password"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password("correct horse");
        assert!(hash.starts_with("$argon2id$"));
        assert!(password_matches(&hash, "correct horse"));
        assert!(!password_matches(&hash, "battery staple"));
        assert!(!password_matches("not a hash", "correct horse"));
    }

    #[tokio::test]
    async fn a_check_waits_for_a_free_turn_and_is_refused_as_busy_when_none_comes() {
        let checks = PasswordChecks { turns: tokio::sync::Semaphore::new(1), wait: Duration::from_millis(50) };
        let hash = hash_password("correct horse");
        assert!(checks.check(hash.clone(), "correct horse".into()).await.unwrap());
        // Every turn taken (a flood in progress): the next check does no argon2 work at all.
        let taken = checks.turns.acquire().await.unwrap();
        let refused = checks.check(hash.clone(), "correct horse".into()).await;
        assert!(matches!(refused, Err(MarketplaceError::Busy(_))), "{refused:?}");
        // A turn freed while waiting is taken.
        let freeing = async {
            tokio::task::yield_now().await;
            drop(taken);
        };
        let (checked, ()) = tokio::join!(checks.check(hash, "battery staple".into()), freeing);
        assert!(!checked.unwrap());
    }
}
