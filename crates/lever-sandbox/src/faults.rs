//! Faults on demand and the rate limiter's buckets.

use sandbox_support::picked;
use serde::{Deserialize, Serialize};

/// What the sandbox does wrong, on purpose. Every field defaults to "nothing".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Share of API requests answered `503` before anything happens (0.0–1.0), spread evenly and
    /// deterministically: with 0.25 every fourth request fails.
    pub error_rate: f64,
    /// Until this sandbox time (ms), every API request is answered `429`.
    pub rate_limit_storm_until_ms: Option<i64>,
    /// Requests per second (and a burst of twice as many) for every credential instead of
    /// Lever's 10 / 20.
    pub rate_limit_override: Option<u32>,
    /// Added to every API answer.
    pub latency_ms: u64,
    /// The next N writes are committed, and then the client gets a `502` instead of the answer.
    pub lose_responses_after_commit: u32,
    /// Share of successful writes (0.0–1.0) whose answer is lost after commit, spread evenly.
    pub lost_after_commit_rate: f64,
    /// `PUT …/archived` with `{"reason": null}` is refused (400) instead of unarchiving: Lever's
    /// unarchive is unverified (lever-api.md §6.7), so the product must cope with either.
    pub unarchive_refused: bool,
    /// Webhooks wait in the outbox until unpaused.
    pub webhooks_paused: bool,
    /// Webhooks are never delivered (reconciliation has to notice).
    pub webhooks_dropped: bool,
    /// Every webhook is delivered twice.
    pub webhooks_duplicate: bool,
    #[serde(skip_serializing, default)]
    pub requests_seen: u64,
    #[serde(skip_serializing, default)]
    pub writes_seen: u64,
}

impl Faults {
    pub fn pick_for_error(&mut self) -> bool {
        self.requests_seen += 1;
        picked(self.requests_seen, self.error_rate)
    }

    /// Whether a committed write's answer is to be lost: the next of `lose_responses_after_commit`,
    /// or one of the `lost_after_commit_rate` share.
    pub fn pick_for_loss(&mut self) -> bool {
        self.writes_seen += 1;
        if self.lose_responses_after_commit > 0 {
            self.lose_responses_after_commit -= 1;
            return true;
        }
        picked(self.writes_seen, self.lost_after_commit_rate)
    }
}

/// One credential's token bucket: Lever allows about 10 requests a second with bursts of 20.
#[derive(Clone, Copy, Debug)]
pub struct Bucket {
    tokens: f64,
    at_ms: i64,
}

impl Bucket {
    pub fn full(rate: u32, now_ms: i64) -> Self {
        Bucket { tokens: f64::from(rate * 2), at_ms: now_ms }
    }

    /// Takes one token if there is one; refills at `rate` a second up to twice `rate`.
    pub fn take(&mut self, now_ms: i64, rate: u32) -> bool {
        let capacity = f64::from(rate * 2);
        let elapsed = (now_ms - self.at_ms).max(0) as f64 / 1000.0;
        self.tokens = (self.tokens + elapsed * f64::from(rate)).min(capacity);
        self.at_ms = now_ms;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_a_burst_of_twenty_then_ten_a_second() {
        let mut bucket = Bucket::full(10, 0);
        assert_eq!((0..25).filter(|_| bucket.take(0, 10)).count(), 20);
        assert!(!bucket.take(50, 10), "half a token after 50 ms");
        assert!(bucket.take(100, 10), "one token after 100 ms");
        assert_eq!((0..25).filter(|_| bucket.take(1_100, 10)).count(), 10, "ten a second");
    }

    #[test]
    fn losses_are_counted_down_then_spread() {
        let mut faults = Faults { lose_responses_after_commit: 2, ..Faults::default() };
        assert_eq!((0..4).map(|_| faults.pick_for_loss()).collect::<Vec<_>>(), [true, true, false, false]);
        let mut faults = Faults { error_rate: 0.5, ..Faults::default() };
        assert_eq!((0..4).map(|_| faults.pick_for_error()).collect::<Vec<_>>(), [false, true, false, true]);
    }
}
