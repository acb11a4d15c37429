//! One rate limiter per Workable connection, shared by every call this process makes for it.
//! It follows what Workable reports (`X-Rate-Limit-Remaining` / `-Reset` on every answer, and a
//! 429 as "wait until the reset"), so it needs no configured quota: hand-written because the
//! limiter crates (governor and the like) count against a fixed quota of their own instead.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use domain::CompanyId;
use storage::now_ms;
use workable::RateLimit;

/// Waiting a little past Workable's reset second absorbs clock differences.
const MARGIN_MS: i64 = 100;
/// When a 429 names no reset, wait one Workable window.
const DEFAULT_WAIT_MS: i64 = 10_000;

#[derive(Debug, Default)]
struct Window {
    /// Calls left in the current window, as last reported minus those made since; `None` when
    /// unknown (nothing reported yet, or a new window began).
    remaining: Option<u32>,
    /// When the current window ends, Unix ms.
    reset_at_ms: i64,
}

#[derive(Clone, Debug, Default)]
pub struct RateLimiter {
    windows: Arc<Mutex<HashMap<CompanyId, Arc<tokio::sync::Mutex<Window>>>>>,
}

impl RateLimiter {
    fn window(&self, company: CompanyId) -> Arc<tokio::sync::Mutex<Window>> {
        self.windows.lock().expect("limiter lock").entry(company).or_default().clone()
    }

    /// Waits until a call for `company` fits in Workable's window, and counts it. Callers queue
    /// in arrival order (the lock is fair), so no caller is starved.
    pub async fn acquire(&self, company: CompanyId) {
        let window = self.window(company);
        let mut w = window.lock().await;
        if w.remaining == Some(0) {
            let wait = w.reset_at_ms + MARGIN_MS - now_ms();
            if wait > 0 {
                tracing::debug!(company.id = %company, wait_ms = wait, "waiting for Workable's rate-limit window");
                tokio::time::sleep(Duration::from_millis(wait as u64)).await;
            }
            w.remaining = None;
        }
        if now_ms() >= w.reset_at_ms + MARGIN_MS {
            w.remaining = None;
        }
        if let Some(n) = w.remaining.as_mut() {
            *n = n.saturating_sub(1);
        }
    }

    /// For workers, which must not sit on a queue slot: counts a call for `company` if it fits in
    /// the window now, else says how long until it would (the caller defers its work).
    pub async fn try_acquire(&self, company: CompanyId) -> Result<(), i64> {
        let window = self.window(company);
        let mut w = window.lock().await;
        let now = now_ms();
        if now >= w.reset_at_ms + MARGIN_MS {
            w.remaining = None;
        }
        match w.remaining.as_mut() {
            Some(0) => Err(w.reset_at_ms + MARGIN_MS - now),
            Some(n) => {
                *n -= 1;
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Records what an answer's headers said.
    pub async fn observe(&self, company: CompanyId, reported: Option<RateLimit>) {
        let Some(r) = reported else { return };
        let window = self.window(company);
        let mut w = window.lock().await;
        let reset_at_ms = r.reset_at * 1000;
        // A later window's report replaces; within one window the lowest count wins (answers
        // can arrive out of order).
        if reset_at_ms > w.reset_at_ms || w.remaining.is_none() {
            w.reset_at_ms = reset_at_ms;
            w.remaining = Some(r.remaining);
        } else if reset_at_ms == w.reset_at_ms {
            w.remaining = Some(w.remaining.map_or(r.remaining, |n| n.min(r.remaining)));
        }
    }

    /// Workable answered 429: nothing more until the reset it named.
    pub async fn throttled(&self, company: CompanyId, reset_at: Option<i64>) {
        let window = self.window(company);
        let mut w = window.lock().await;
        w.remaining = Some(0);
        w.reset_at_ms = reset_at.map_or_else(|| now_ms() + DEFAULT_WAIT_MS, |s| s * 1000);
    }

    /// How long until the next call for `company` may go, if it must wait (for an ETA on screen).
    pub fn wait_ms(&self, company: CompanyId) -> Option<i64> {
        let window = self.window(company);
        let w = window.try_lock().ok()?;
        let wait = w.reset_at_ms + MARGIN_MS - now_ms();
        (w.remaining == Some(0) && wait > 0).then_some(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn calls_go_until_the_window_is_spent_then_wait_for_its_reset() {
        let limiter = RateLimiter::default();
        let company = CompanyId(1);
        limiter.acquire(company).await;
        let reset_at = now_ms() / 1000 + 1;
        limiter.observe(company, Some(RateLimit { limit: 10, remaining: 2, reset_at })).await;
        limiter.acquire(company).await;
        limiter.acquire(company).await;
        assert!(limiter.wait_ms(company).is_some(), "the window is spent");
        let started = std::time::Instant::now();
        limiter.acquire(company).await;
        assert!(now_ms() >= reset_at * 1000, "waited for the reset ({:?})", started.elapsed());
        assert_eq!(limiter.wait_ms(company), None);
        // Another connection was never held up.
        assert_eq!(limiter.wait_ms(CompanyId(2)), None);
    }

    #[tokio::test]
    async fn a_429_blocks_until_the_named_reset() {
        let limiter = RateLimiter::default();
        let company = CompanyId(7);
        limiter.throttled(company, Some(now_ms() / 1000 + 1)).await;
        assert!(limiter.wait_ms(company).is_some_and(|ms| ms > 0 && ms <= 1_100));
    }
}
