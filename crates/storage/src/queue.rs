//! The durable work queue. Hand-written rather than a queue crate: the ones that fit sqlx are
//! PostgreSQL-only (or their own schema on SQLite) and none knows about per-connection rate
//! limits; this is five statements over one table, the same on both engines except the claim.
//!
//! Claiming marks due items `running` under a lease (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so
//! any number of instances claim disjoint items; SQLite: one writer at a time does the same).
//! The work itself happens outside that transaction; finishing is a second statement that only
//! succeeds for the lease's owner. A lease that runs out (a crashed worker) makes the item due
//! again.

use domain::{CompanyId, WorkKind};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Backend, Db, Result, Write, now_ms};

/// A claimed item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkItem {
    pub id: i64,
    pub kind: WorkKind,
    pub company_id: CompanyId,
    pub subject_id: i64,
    /// Including this one.
    pub attempts: i64,
}

fn item_from_row(row: &AnyRow) -> Result<WorkItem> {
    Ok(WorkItem {
        id: row.try_get("id")?,
        kind: WorkKind::parse(&row.try_get::<String, _>("kind")?)?,
        company_id: CompanyId(row.try_get("company_id")?),
        subject_id: row.try_get("subject_id")?,
        attempts: row.try_get("attempts")?,
    })
}

/// How an attempt ends (see `Db::end_attempt`).
#[derive(Clone, Copy)]
enum AttemptEnd<'a> {
    Done,
    Failed(&'a str),
}

/// The upsert behind every enqueue: a new item; a failed one queued again from scratch; a queued
/// one due no later than asked; a running one marked to run once more when it finishes (what it
/// read may already be stale). A paused one stays paused.
const ENQUEUE: &str =
    "INSERT INTO work_queue (kind, company_id, subject_id, state, run_at, attempts, created_at, updated_at)
     VALUES ($1, $2, $3, 'queued', $4, 0, $5, $5)
     ON CONFLICT (kind, subject_id) DO UPDATE SET
        again = CASE WHEN work_queue.state = 'running' THEN 1 ELSE work_queue.again END,
        run_at = CASE WHEN work_queue.state = 'failed' OR excluded.run_at < work_queue.run_at
                      THEN excluded.run_at ELSE work_queue.run_at END,
        attempts = CASE WHEN work_queue.state = 'failed' THEN 0 ELSE work_queue.attempts END,
        last_error = CASE WHEN work_queue.state = 'failed' THEN NULL ELSE work_queue.last_error END,
        state = CASE WHEN work_queue.state = 'failed' THEN 'queued' ELSE work_queue.state END,
        updated_at = excluded.updated_at";

impl Write {
    /// Queues `kind` work on `subject`, due at `run_at`, with the change it follows from; the
    /// workers are woken when the unit commits.
    pub async fn enqueue(&mut self, kind: WorkKind, company: CompanyId, subject: i64, run_at: i64) -> Result<()> {
        sqlx::query(ENQUEUE)
            .bind(kind.as_str())
            .bind(company.0)
            .bind(subject)
            .bind(run_at)
            .bind(now_ms())
            .execute(self.conn())
            .await?;
        self.mark_queued();
        Ok(())
    }
}

impl Db {
    /// Queues `kind` work on `subject`, due at `run_at`, on its own, and wakes the workers.
    pub async fn enqueue(&self, kind: WorkKind, company: CompanyId, subject: i64, run_at: i64) -> Result<()> {
        let mut write = self.write().await?;
        write.enqueue(kind, company, subject, run_at).await?;
        write.commit().await
    }

    /// Wakes this process's workers at once, and (on PostgreSQL) every other instance's.
    pub async fn wake_workers(&self) {
        self.work_signal().notify_one();
        if self.backend() == Backend::Postgres
            && let Err(err) = sqlx::query("SELECT pg_notify('ats_bridge_work', '')").execute(self.pool()).await
        {
            tracing::warn!(error = %err, "could not notify other instances of new work");
        }
    }

    /// Claims up to `limit` items due at `now` for `owner` for `lease_ms` (the workers' clock,
    /// which tests move forward): queued items due, running items whose lease ran out, and
    /// running items of a worker not heard of since `dead_before` (system time; `sync_workers`).
    pub async fn claim_work(
        &self,
        owner: &str,
        now: i64,
        lease_ms: i64,
        limit: i64,
        dead_before: i64,
    ) -> Result<Vec<WorkItem>> {
        let sql = match self.backend() {
            Backend::Postgres => {
                "UPDATE work_queue SET state = 'running', lease_owner = $1, lease_until = $2, attempts = attempts + 1, updated_at = $3
                 WHERE id IN (SELECT id FROM work_queue
                              WHERE (state = 'queued' AND run_at <= $3)
                                 OR (state = 'running' AND (lease_until < $3 OR lease_owner IN
                                       (SELECT owner FROM sync_workers WHERE heartbeat_at < $4)))
                              ORDER BY run_at, id LIMIT $5 FOR UPDATE SKIP LOCKED)
                 RETURNING id, kind, company_id, subject_id, attempts"
            }
            Backend::Sqlite => {
                "UPDATE work_queue SET state = 'running', lease_owner = $1, lease_until = $2, attempts = attempts + 1, updated_at = $3
                 WHERE id IN (SELECT id FROM work_queue
                              WHERE (state = 'queued' AND run_at <= $3)
                                 OR (state = 'running' AND (lease_until < $3 OR lease_owner IN
                                       (SELECT owner FROM sync_workers WHERE heartbeat_at < $4)))
                              ORDER BY run_at, id LIMIT $5)
                 RETURNING id, kind, company_id, subject_id, attempts"
            }
        };
        let rows = sqlx::query(sql)
            .bind(owner)
            .bind(now + lease_ms)
            .bind(now)
            .bind(dead_before)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(item_from_row).collect()
    }

    /// The work is done: the item goes, or runs once more if it was queued again meanwhile.
    /// False if the lease was lost.
    pub async fn finish_work(&self, id: i64, owner: &str) -> Result<bool> {
        self.end_attempt(id, owner, AttemptEnd::Done).await
    }

    /// How an attempt ends when nobody queued the work again while it ran.
    async fn end_attempt(&self, id: i64, owner: &str, end: AttemptEnd<'_>) -> Result<bool> {
        let error = match end {
            AttemptEnd::Done => None,
            AttemptEnd::Failed(error) => Some(error),
        };
        // Two statements: the end only lands on an item nobody marked `again`, so an enqueue
        // landing between them makes the second round queue it once more instead of deleting
        // (or failing) the newer work with it.
        for _ in 0..2 {
            if self.requeue_if_again(id, owner, error).await? {
                return Ok(true);
            }
            let ended = match end {
                AttemptEnd::Done => sqlx::query(
                    "DELETE FROM work_queue WHERE id = $1 AND lease_owner = $2 AND state = 'running' AND again = 0",
                )
                .bind(id)
                .bind(owner),
                AttemptEnd::Failed(error) => sqlx::query(
                    "UPDATE work_queue SET state = 'failed', last_error = $3, run_at = $4, updated_at = $4,
                        lease_owner = NULL, lease_until = NULL
                     WHERE id = $1 AND lease_owner = $2 AND state = 'running' AND again = 0",
                )
                .bind(id)
                .bind(owner)
                .bind(error)
                .bind(now_ms()),
            };
            if ended.execute(self.pool()).await?.rows_affected() == 1 {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The attempt's end when the work was queued again while it ran (marked `again`): it runs
    /// once more, due now, from a fresh count. False if it was not marked (or is not ours).
    async fn requeue_if_again(&self, id: i64, owner: &str, error: Option<&str>) -> Result<bool> {
        let now = now_ms();
        let again = sqlx::query(
            "UPDATE work_queue SET state = 'queued', again = 0, attempts = 0, run_at = $1,
                last_error = COALESCE($2, last_error), lease_owner = NULL, lease_until = NULL, updated_at = $1
             WHERE id = $3 AND lease_owner = $4 AND state = 'running' AND again = 1",
        )
        .bind(now)
        .bind(error)
        .bind(id)
        .bind(owner)
        .execute(self.pool())
        .await?;
        if again.rows_affected() == 1 {
            self.wake_workers().await;
        }
        Ok(again.rows_affected() == 1)
    }

    /// A failed attempt: due again at `run_at`.
    pub async fn retry_work(&self, id: i64, owner: &str, run_at: i64, error: &str) -> Result<bool> {
        self.release(id, owner, "queued", run_at, Some(error), 0).await
    }

    /// Not an attempt (waiting for the rate limit): due again at `run_at`, attempt not counted.
    pub async fn defer_work(&self, id: i64, owner: &str, run_at: i64) -> Result<bool> {
        self.release(id, owner, "queued", run_at, None, 1).await
    }

    /// Out of attempts, or not worth retrying: a person decides (Retry queues it again) — unless
    /// the work was queued again while this attempt ran: that newer work runs once more, from a
    /// fresh count (as after a finish), instead of waiting behind the failure.
    pub async fn fail_work(&self, id: i64, owner: &str, error: &str) -> Result<bool> {
        self.end_attempt(id, owner, AttemptEnd::Failed(error)).await
    }

    /// Waits for the company's connection (reconnect needed): not an attempt.
    pub async fn pause_work(&self, id: i64, owner: &str, error: &str) -> Result<bool> {
        self.release(id, owner, "paused", now_ms(), Some(error), 1).await
    }

    /// Extends a lease still held by `owner` (a long attempt keeps its item); false when it is
    /// no longer theirs.
    pub async fn renew_lease(&self, id: i64, owner: &str, until: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE work_queue SET lease_until = $1 WHERE id = $2 AND lease_owner = $3 AND state = 'running'",
        )
        .bind(until)
        .bind(id)
        .bind(owner)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn release(
        &self,
        id: i64,
        owner: &str,
        state: &str,
        run_at: i64,
        error: Option<&str>,
        uncount: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE work_queue SET state = $1, run_at = $2, last_error = COALESCE($3, last_error), attempts = attempts - $4,
                lease_owner = NULL, lease_until = NULL, updated_at = $5
             WHERE id = $6 AND lease_owner = $7 AND state = 'running'",
        )
        .bind(state)
        .bind(run_at)
        .bind(error)
        .bind(uncount)
        .bind(now_ms())
        .bind(id)
        .bind(owner)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Pauses every queued item of the company (its connection needs a person).
    pub async fn pause_company_work(&self, company: CompanyId, reason: &str) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE work_queue SET state = 'paused', last_error = $1, updated_at = $2 WHERE company_id = $3 AND state = 'queued'",
        )
        .bind(reason)
        .bind(now_ms())
        .bind(company.0)
        .execute(self.pool())
        .await?;
        sqlx::query(
            "UPDATE exports SET state = 'paused', last_error = $1, updated_at = $2
             WHERE company_id = $3 AND state IN ('queued', 'waiting')",
        )
        .bind(reason)
        .bind(now_ms())
        .bind(company.0)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    /// Resumes the company's paused items now (after a reconnect).
    pub async fn resume_company_work(&self, company: CompanyId) -> Result<u64> {
        let now = now_ms();
        let done = sqlx::query(
            "UPDATE work_queue SET state = 'queued', run_at = $1, updated_at = $1 WHERE company_id = $2 AND state = 'paused'",
        )
        .bind(now)
        .bind(company.0)
        .execute(self.pool())
        .await?;
        sqlx::query("UPDATE exports SET state = 'queued', last_error = NULL, updated_at = $1 WHERE company_id = $2 AND state = 'paused'")
            .bind(now)
            .bind(company.0)
            .execute(self.pool())
            .await?;
        if done.rows_affected() > 0 {
            self.wake_workers().await;
        }
        Ok(done.rows_affected())
    }

    /// When the next item falls due (a queued item's time, or a running item's lease end).
    pub async fn next_work_at(&self) -> Result<Option<i64>> {
        let at: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(CASE WHEN state = 'queued' THEN run_at ELSE lease_until END) FROM work_queue
             WHERE state IN ('queued', 'running')",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(at)
    }

    /// Whether any item is in a worker's hands (of this process or another).
    pub async fn work_running(&self) -> Result<bool> {
        let running: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM work_queue WHERE state = 'running'")
            .fetch_one(self.pool())
            .await?;
        Ok(running > 0)
    }

    /// Whether an item of `kind` for `subject` is queued or running.
    pub async fn work_pending(&self, kind: WorkKind, subject: i64) -> Result<bool> {
        Ok(matches!(self.work_state(kind, subject).await?.as_deref(), Some("queued" | "running")))
    }

    /// The state of the item of `kind` for `subject`, if there is one.
    pub async fn work_state(&self, kind: WorkKind, subject: i64) -> Result<Option<String>> {
        let state: Option<String> =
            sqlx::query_scalar("SELECT state FROM work_queue WHERE kind = $1 AND subject_id = $2")
                .bind(kind.as_str())
                .bind(subject)
                .fetch_optional(self.pool())
                .await?;
        Ok(state)
    }
}
