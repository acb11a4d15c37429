//! Faults on demand and the rate limiter's windows.

use sandbox_support::picked;
use serde::{Deserialize, Serialize};

/// What the sandbox does wrong, on purpose. Every field defaults to "nothing".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Share of SPI requests answered `503` before anything happens (0.0–1.0), spread evenly
    /// and deterministically: with 0.25 every fourth request fails.
    pub error_rate: f64,
    /// Until this sandbox time (ms), every SPI request is answered `429` (a 429 storm).
    pub rate_limit_storm_until_ms: Option<i64>,
    /// Requests per 10-second window for every token instead of Workable's 10 / 50 (to measure
    /// the product with the limit lifted, or tightened).
    pub rate_limit_override: Option<u32>,
    /// Added to every SPI answer.
    pub latency_ms: u64,
    /// The next N writes (POST, PUT, PATCH, DELETE) are committed, and then the client gets a
    /// `502` instead of the answer — a response lost after commit.
    pub lose_responses_after_commit: u32,
    /// Share of successful writes (0.0–1.0) whose answer is lost after commit (`502`), spread
    /// evenly like `error_rate`: 0.04 loses every 25th.
    pub lost_after_commit_rate: f64,
    /// Webhooks wait in the outbox until unpaused.
    pub webhooks_paused: bool,
    /// Webhooks are lost: never delivered (reconciliation has to notice).
    pub webhooks_dropped: bool,
    /// Every webhook is delivered twice.
    pub webhooks_duplicate: bool,
    /// Webhooks waiting together are delivered newest first.
    pub webhooks_reorder: bool,
    /// A second candidate with an email already in the job is created instead of refused (422).
    /// What Workable does today is unverified (`workable-api.md` §11): exactly-once must not rest
    /// on the refusal.
    pub duplicates_allowed: bool,
    /// How many SPI requests have been seen (drives `error_rate`).
    #[serde(skip_serializing, default)]
    pub requests_seen: u64,
    /// How many successful writes have been seen (drives `lost_after_commit_rate`).
    #[serde(skip_serializing, default)]
    pub writes_seen: u64,
}

impl Faults {
    /// Counts one request and says whether the error share picks it.
    pub fn pick_for_error(&mut self) -> bool {
        self.requests_seen += 1;
        picked(self.requests_seen, self.error_rate)
    }

    /// Counts one committed write and says whether the loss share picks its answer.
    pub fn pick_for_loss(&mut self) -> bool {
        self.writes_seen += 1;
        picked(self.writes_seen, self.lost_after_commit_rate)
    }
}

/// One token's fixed 10-second window.
#[derive(Clone, Copy, Debug, Default)]
pub struct Window {
    pub start_ms: i64,
    pub count: u32,
}

pub const WINDOW_MS: i64 = 10_000;

/// The outcome of counting a request against its token's window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateState {
    pub limit: u32,
    pub remaining: u32,
    /// Start of the next window, in Unix seconds (Workable's `X-Rate-Limit-Reset`).
    pub reset_s: i64,
    pub allowed: bool,
}

impl Window {
    pub fn count(&mut self, now_ms: i64, limit: u32) -> RateState {
        let start = now_ms - now_ms.rem_euclid(WINDOW_MS);
        if self.start_ms != start {
            *self = Window { start_ms: start, count: 0 };
        }
        let allowed = self.count < limit;
        if allowed {
            self.count += 1;
        }
        RateState { limit, remaining: limit - self.count, reset_s: (start + WINDOW_MS) / 1000, allowed }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_share_is_spread_evenly() {
        let mut faults = Faults { error_rate: 0.25, ..Faults::default() };
        let picks: Vec<bool> = (0..8).map(|_| faults.pick_for_error()).collect();
        assert_eq!(picks, [false, false, false, true, false, false, false, true]);
    }

    #[test]
    fn a_window_allows_its_limit_then_refuses_until_the_next_window() {
        let mut window = Window::default();
        let now = 1_000_000_003_000;
        for i in 0..10 {
            let state = window.count(now + i, 10);
            assert!(state.allowed);
            assert_eq!(state.remaining, 9 - i as u32);
        }
        let refused = window.count(now + 20, 10);
        assert!(!refused.allowed);
        assert_eq!(refused.reset_s, 1_000_000_010);
        assert!(window.count(now + 7_000, 10).allowed, "a new window starts at the next multiple of 10 s");
    }
}
