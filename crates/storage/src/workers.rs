//! The sync workers' heartbeats (`sync_workers`): who is alive to hold a lease. Times are the
//! system's (`now_ms`), not the workers' clock, which tests move forward: a jump of a test clock
//! must not make a live worker look dead.

use crate::{Db, Result, now_ms};

/// A worker process as it registered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerRow {
    pub owner: String,
    pub pid: i64,
    pub heartbeat_at: i64,
}

/// A row not heard of for a day is forgotten.
const FORGOTTEN_AFTER_MS: i64 = 86_400_000;

impl Db {
    /// Registers (or re-registers) `owner`, alive now; forgets rows silent for a day that no
    /// running item names.
    pub async fn register_worker(&self, owner: &str, host: &str, pid: i64) -> Result<()> {
        let now = now_ms();
        // A gone worker's row stays while an item still names it: that is how the item is known free.
        sqlx::query(
            "DELETE FROM sync_workers WHERE heartbeat_at < $1
               AND owner NOT IN (SELECT lease_owner FROM work_queue WHERE state = 'running' AND lease_owner IS NOT NULL)",
        )
        .bind(now - FORGOTTEN_AFTER_MS)
        .execute(self.pool())
        .await?;
        sqlx::query(
            "INSERT INTO sync_workers (owner, host, pid, started_at, heartbeat_at) VALUES ($1, $2, $3, $4, $4)
             ON CONFLICT (owner) DO UPDATE SET heartbeat_at = $4",
        )
        .bind(owner)
        .bind(host)
        .bind(pid)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// `owner` is alive now. False if its row is gone (marked gone by a restart, or forgotten).
    pub async fn worker_heartbeat(&self, owner: &str) -> Result<bool> {
        let done = sqlx::query("UPDATE sync_workers SET heartbeat_at = $1 WHERE owner = $2 AND heartbeat_at > 0")
            .bind(now_ms())
            .bind(owner)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The workers registered from `host` that are not marked gone.
    pub async fn workers_on_host(&self, host: &str) -> Result<Vec<WorkerRow>> {
        let rows: Vec<(String, i64, i64)> =
            sqlx::query_as("SELECT owner, pid, heartbeat_at FROM sync_workers WHERE host = $1 AND heartbeat_at > 0")
                .bind(host)
                .fetch_all(self.pool())
                .await?;
        Ok(rows.into_iter().map(|(owner, pid, heartbeat_at)| WorkerRow { owner, pid, heartbeat_at }).collect())
    }

    /// `owner` is gone (stopped cleanly, or known dead): its leases may be taken over at once.
    pub async fn worker_gone(&self, owner: &str) -> Result<()> {
        sqlx::query("UPDATE sync_workers SET heartbeat_at = 0 WHERE owner = $1")
            .bind(owner)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
