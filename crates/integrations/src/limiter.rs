//! One rate limiter per Workable connection, shared by every call this process makes for it.
//! It follows what Workable reports (`X-Rate-Limit-Remaining` / `-Reset` on every answer, and a
//! 429 as "wait until the reset"), so it needs no configured quota: hand-written because the
//! limiter crates (governor and the like) count against a fixed quota of their own instead.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use domain::CompanyId;
use workable::{Clock, RateLimit};

/// Waiting a little past Workable's reset second absorbs clock differences.
const MARGIN_MS: i64 = 100;
/// Workable's interval; also the wait when a 429 names no reset.
const WINDOW_MS: i64 = 10_000;
/// Until Workable reports the limit, assume the lowest (account tokens).
const DEFAULT_LIMIT: u32 = 10;
/// A reset further ahead than this is not believed (clock skew): one window is assumed instead.
const MAX_RESET_AHEAD_MS: i64 = 60_000;

#[derive(Debug)]
struct Window {
    limit: u32,
    /// Calls left in the current window: as last reported, minus those made since.
    remaining: u32,
    /// Calls made in the current window (as we count it).
    used: u32,
    /// When the current window ends, Unix ms.
    reset_at_ms: i64,
    /// The window's end came from Workable (not assumed from our own clock).
    known: bool,
}

impl Default for Window {
    fn default() -> Self {
        Window { limit: DEFAULT_LIMIT, remaining: DEFAULT_LIMIT, used: 0, reset_at_ms: 0, known: false }
    }
}

impl Window {
    /// Moves to the next window once the current one is over: Workable's windows follow each
    /// other every 10 s, so a known window's successor is known too.
    fn roll(&mut self, now: i64) {
        if now < self.reset_at_ms + MARGIN_MS {
            return;
        }
        if self.known {
            let behind = (now - self.reset_at_ms) / WINDOW_MS + 1;
            self.reset_at_ms += behind * WINDOW_MS;
        } else {
            self.reset_at_ms = now + WINDOW_MS;
        }
        self.remaining = self.limit;
        self.used = 0;
    }

    /// How long until a call may go now, if it must wait: the window is spent, or we are within
    /// the margin around a known window's end, where a call could count in either window.
    fn wait(&self, now: i64) -> Option<i64> {
        let boundary = self.known && now >= self.reset_at_ms;
        (self.remaining == 0 || boundary).then(|| (self.reset_at_ms + MARGIN_MS - now).max(1))
    }

    fn take(&mut self) {
        self.remaining -= 1;
        self.used += 1;
    }

    fn believable(reset_at_ms: i64, now: i64) -> i64 {
        if reset_at_ms > now + MAX_RESET_AHEAD_MS { now + WINDOW_MS } else { reset_at_ms }
    }
}

#[derive(Clone, Debug, Default)]
pub struct RateLimiter {
    windows: Arc<Mutex<HashMap<CompanyId, Arc<tokio::sync::Mutex<Window>>>>>,
    clock: Clock,
}

impl RateLimiter {
    /// A limiter going by `clock` (tests advance it with the sandbox's).
    pub fn with_clock(clock: Clock) -> Self {
        RateLimiter { windows: Arc::default(), clock }
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    fn window(&self, company: CompanyId) -> Arc<tokio::sync::Mutex<Window>> {
        self.windows.lock().expect("limiter lock").entry(company).or_default().clone()
    }

    /// Waits until a call for `company` fits in Workable's window, and counts it. Callers queue
    /// in arrival order (the lock is fair), so no caller is starved.
    pub async fn acquire(&self, company: CompanyId) {
        let window = self.window(company);
        let mut w = window.lock().await;
        loop {
            w.roll(self.clock.now_ms());
            match w.wait(self.clock.now_ms()) {
                Some(wait) => {
                    tracing::debug!(company.id = %company, wait_ms = wait, "waiting for Workable's rate-limit window");
                    self.clock.sleep(wait).await;
                }
                None => break,
            }
        }
        w.take();
    }

    /// For workers, which must not sit on a queue slot: counts a call for `company` if it fits in
    /// the window now, else says how long until it would (the caller defers its work).
    pub async fn try_acquire(&self, company: CompanyId) -> Result<(), i64> {
        let window = self.window(company);
        let mut w = window.lock().await;
        let now = self.clock.now_ms();
        w.roll(now);
        if let Some(wait) = w.wait(now) {
            return Err(wait);
        }
        w.take();
        Ok(())
    }

    /// Records what an answer's headers said.
    pub async fn observe(&self, company: CompanyId, reported: Option<RateLimit>) {
        let Some(r) = reported else { return };
        let window = self.window(company);
        let mut w = window.lock().await;
        let now = self.clock.now_ms();
        let reset_at_ms = Window::believable(r.reset_at * 1000, now);
        let previous_limit = std::mem::replace(&mut w.limit, r.limit.max(1));
        if w.known && reset_at_ms == w.reset_at_ms {
            w.remaining = if w.limit == previous_limit {
                // The same window: answers can arrive out of order, the lowest count wins.
                w.remaining.min(r.remaining)
            } else {
                // The limit changed (another kind of token, or Workable's own change).
                r.remaining.min(w.limit.saturating_sub(w.used))
            };
        } else if !w.known || reset_at_ms > w.reset_at_ms {
            // Workable's own window replaces the one we assumed (or a newer one began). Calls we
            // made that Workable had not counted yet when it answered must still be allowed for.
            w.remaining = r.remaining.min(w.limit.saturating_sub(w.used));
            w.reset_at_ms = reset_at_ms;
            w.known = true;
        }
    }

    /// Workable answered 429: nothing more until the reset it named.
    pub async fn throttled(&self, company: CompanyId, reset_at: Option<i64>) {
        let window = self.window(company);
        let mut w = window.lock().await;
        let now = self.clock.now_ms();
        w.remaining = 0;
        w.reset_at_ms = reset_at.map_or(now + WINDOW_MS, |s| Window::believable(s * 1000, now));
        w.known = reset_at.is_some();
    }

    /// How long until the next call for `company` may go, if it must wait (for an ETA on screen).
    pub fn wait_ms(&self, company: CompanyId) -> Option<i64> {
        let window = self.window(company);
        let w = window.try_lock().ok()?;
        let now = self.clock.now_ms();
        (w.reset_at_ms + MARGIN_MS > now).then(|| w.wait(now)).flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use storage::now_ms;

    #[tokio::test]
    async fn calls_go_until_the_window_is_spent_then_wait_for_its_reset() {
        // A skipping clock: the wait moves it to the reset instead of taking two seconds.
        let limiter = RateLimiter::with_clock(Clock::skipping());
        let company = CompanyId(1);
        limiter.acquire(company).await;
        let reset_at = limiter.clock().now_ms() / 1000 + 2;
        limiter.observe(company, Some(RateLimit { limit: 10, remaining: 2, reset_at })).await;
        limiter.acquire(company).await;
        limiter.acquire(company).await;
        assert!(limiter.wait_ms(company).is_some(), "the window is spent");
        limiter.acquire(company).await;
        assert!(limiter.clock().now_ms() >= reset_at * 1000, "waited for the reset");
        assert_eq!(limiter.wait_ms(company), None);
        // Another connection was never held up.
        assert_eq!(limiter.wait_ms(CompanyId(2)), None);
    }

    #[tokio::test]
    async fn calls_in_flight_when_workable_first_reports_are_not_counted_twice_or_forgotten() {
        let limiter = RateLimiter::default();
        let company = CompanyId(9);
        for _ in 0..5 {
            limiter.try_acquire(company).await.unwrap();
        }
        // The first answer: Workable had counted only its own call (limit 12, 11 left).
        let reset_at = now_ms() / 1000 + 8;
        limiter.observe(company, Some(RateLimit { limit: 12, remaining: 11, reset_at })).await;
        let mut more = 0;
        while limiter.try_acquire(company).await.is_ok() {
            more += 1;
        }
        assert_eq!(5 + more, 12, "never more than the limit in the window");
        // Workable raises the limit within the window: the new room is used at once.
        limiter.observe(company, Some(RateLimit { limit: 1_000, remaining: 980, reset_at })).await;
        assert!(limiter.try_acquire(company).await.is_ok());
    }

    #[test]
    fn a_known_window_is_followed_by_the_next_one_ten_seconds_later() {
        let mut w = Window { limit: 10, remaining: 0, used: 10, reset_at_ms: 1_000_000, known: true };
        assert!(w.wait(1_000_050).is_some(), "at the boundary calls wait for the margin");
        w.roll(1_000_000 + MARGIN_MS);
        assert_eq!((w.reset_at_ms, w.remaining, w.used, w.known), (1_010_000, 10, 0, true));
        assert_eq!(w.wait(1_000_000 + MARGIN_MS), None);
        w.roll(1_035_000);
        assert_eq!(w.reset_at_ms, 1_040_000, "windows missed while idle are skipped");
    }

    #[tokio::test]
    async fn a_429_blocks_until_the_named_reset() {
        let limiter = RateLimiter::default();
        let company = CompanyId(7);
        limiter.throttled(company, Some(now_ms() / 1000 + 1)).await;
        assert!(limiter.wait_ms(company).is_some_and(|ms| ms > 0 && ms <= 1_100));
        assert!(limiter.try_acquire(company).await.is_err(), "workers are told to wait");
    }

    #[tokio::test]
    async fn before_any_report_a_window_of_the_lowest_limit_is_assumed() {
        let limiter = RateLimiter::default();
        let company = CompanyId(3);
        for _ in 0..DEFAULT_LIMIT {
            assert!(limiter.try_acquire(company).await.is_ok());
        }
        assert!(limiter.try_acquire(company).await.is_err(), "the eleventh call waits");
        // Workable then reports its own window (an OAuth token's 50): it replaces the assumption.
        let reset_at = now_ms() / 1000 + 5;
        limiter.observe(company, Some(RateLimit { limit: 50, remaining: 40, reset_at })).await;
        assert!(limiter.try_acquire(company).await.is_ok(), "Workable's own count replaces the assumption");
        limiter.observe(company, Some(RateLimit { limit: 50, remaining: 0, reset_at })).await;
        assert!(limiter.try_acquire(company).await.is_err(), "within a known window the lowest count stands");
        // A reset far in the future (a skewed clock) is not believed.
        limiter.throttled(CompanyId(4), Some(now_ms() / 1000 + 3600)).await;
        assert!(limiter.wait_ms(CompanyId(4)).is_some_and(|ms| ms <= 10_200));
    }
}
