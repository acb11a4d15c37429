//! The product's one clock: the time marketplace moves are stamped with and Workable's rate-limit
//! windows go by, read alike by the use cases, the workers and the Workable sandbox — the system's,
//! shifted by whatever a test advanced it. Tests hand one clock to all of them, so a 10-second
//! window passes without anyone waiting for it and "which move came last" never needs a pause.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

use tokio::sync::Notify;

pub mod zone;
pub use zone::{UnknownZone, Zone};

/// Cheap to clone; clones share the time.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    offset_ms: AtomicI64,
    /// Waits end at once by moving the clock to their end (tests; see [`Clock::skipping`]).
    skips_waits: AtomicBool,
    advanced: Notify,
}

impl Clock {
    /// The system's time (production).
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock whose waits move it forward instead of taking real time: for tests, where
    /// waiting out Workable's windows and back-offs would only make them slow. Like tokio's
    /// paused time, but only for the waits made through this clock (sockets and databases keep
    /// real time).
    pub fn skipping() -> Clock {
        let clock = Clock::default();
        clock.inner.skips_waits.store(true, Ordering::Relaxed);
        clock
    }

    /// Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        let real =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
        real + self.inner.offset_ms.load(Ordering::Relaxed)
    }

    /// Moves the clock forward; waits on it end as if the time had passed.
    pub fn advance(&self, ms: i64) {
        self.inner.offset_ms.fetch_add(ms.max(0), Ordering::Relaxed);
        self.inner.advanced.notify_waiters();
    }

    /// Whether waits move the clock instead of taking time.
    pub fn skips_waits(&self) -> bool {
        self.inner.skips_waits.load(Ordering::Relaxed)
    }

    /// Sleeps `ms` of this clock's time: real time, ended early when the clock is advanced past
    /// its end; on a skipping clock, the clock is moved to the end at once.
    pub async fn sleep(&self, ms: i64) {
        self.sleep_until(self.now_ms() + ms).await
    }

    /// Sleeps until this clock reads `until` (Unix ms).
    pub async fn sleep_until(&self, until: i64) {
        if self.skips_waits() {
            let left = until - self.now_ms();
            if left > 0 {
                self.advance(left);
            }
            return;
        }
        loop {
            let advanced = self.inner.advanced.notified();
            tokio::pin!(advanced);
            advanced.as_mut().enable();
            let left = until - self.now_ms();
            if left <= 0 {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(left as u64)) => {}
                _ = advanced => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_advance_ends_a_wait_and_a_skipping_clock_never_waits() {
        let clock = Clock::system();
        let started = std::time::Instant::now();
        let waiting = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep(60_000).await }
        });
        tokio::task::yield_now().await;
        clock.advance(60_000);
        waiting.await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(5));

        let skipping = Clock::skipping();
        let before = skipping.now_ms();
        skipping.sleep(10_000).await;
        assert!(skipping.now_ms() - before >= 10_000, "the clock moved instead");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
