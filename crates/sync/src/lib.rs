//! The sync engine: workers that take due items from the durable queue (storage's `work_queue`)
//! and do them against Workable, one module per kind of work (`domain::WorkKind`): the export of
//! accepted candidates (`export`), marketplace moves sent to Workable (`stages`), Workable's
//! changes read back and reconciliation (`inbound`, fed by the webhook receiver in `webhooks`),
//! interviews on the Workable timeline (`interviews`). Any number of workers and instances may run
//! against one database: claiming is by lease, each export step is recorded as it completes, and
//! an export looks in Workable before it could create twice.
//!
//! Every Workable call goes through the one call policy (`integrations::AccountCalls::call` with
//! `WhenLimited::Defer`): work that would have to wait for the rate limit is put back with the
//! time it can run (never holding a worker); auth failures pause the company's work until a
//! reconnect; transient failures back off exponentially with jitter up to a cap; after the last
//! attempt the item is *failed*, with its reason, for a person to retry.
//!
//! The engine's rules are its own: which statements make a step (the ledger line with the state
//! change, the back-fill and retry wording, the attempt accounting) are chosen here and written
//! through storage's unit of work. Tests drain the queue with [`Engine::run_until_idle`].

mod export;
mod inbound;
mod interviews;
mod stages;
mod use_cases;
pub mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use clock::Clock;
use domain::AtsKind;
use domain::WorkKind;
use domain::export::{ExportState, LedgerStep};
use integrations::ats::AtsFailure;
use integrations::{CallError, ConnectError, Integrations};
use storage::{Db, WorkItem};
use tokio::sync::Semaphore;
use tracing::Instrument;

pub use use_cases::{Exports, ExportsError};

/// The longest an idle worker sleeps before looking at the queue again (leases of crashed
/// workers elsewhere fall due without a notification).
const MAX_IDLE_MS: i64 = 60_000;

/// How the engine behaves; the defaults suit production.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The product's public address, for the link back to the marketplace in the profile.
    pub public_url: String,
    /// The tag every exported candidate gets in Workable, naming the marketplace.
    pub tag: String,
    /// How the Workable timeline names the marketplace.
    pub marketplace_name: String,
    /// How long a claimed item is ours before another worker may take it over.
    pub lease: Duration,
    /// Items handled at once by one process.
    pub concurrency: usize,
    /// Attempts before an item is *failed*.
    pub max_attempts: i64,
    /// The first retry's delay; doubled each attempt (with jitter) up to `max_backoff`.
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// A mapping checked longer ago than this is checked for drift before an export uses it.
    pub drift_check_after: Duration,
    /// How often a running worker says it is alive; one silent for three of these is taken for
    /// dead and its leases are taken over without waiting for them to run out.
    pub heartbeat: Duration,
}

impl Settings {
    pub fn new(public_url: impl Into<String>) -> Self {
        Settings {
            public_url: public_url.into(),
            tag: "ats-bridge marketplace".into(),
            marketplace_name: "the marketplace".into(),
            lease: Duration::from_secs(300),
            concurrency: 16,
            max_attempts: 8,
            base_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(600),
            drift_check_after: Duration::from_secs(60),
            heartbeat: Duration::from_secs(5),
        }
    }
}

/// What became of one attempt at an item.
#[derive(Debug, PartialEq)]
pub(crate) enum Outcome {
    Done,
    /// Waits for the rate limit this long; not an attempt.
    Wait(i64),
    /// Another export of the same person into the same Workable job goes first: look again in
    /// this many ms; not an attempt, and the export stays *queued*.
    After(i64),
    /// Try again later (backoff); the reason in plain words.
    Retry(String),
    /// The connection needs a master account: pause the company's work.
    Pause(String),
    /// A person must act; retrying will not help.
    Fail(String),
}

impl Outcome {
    /// Classifies the ATS's failure by what the worker can do about it, in words naming the ATS.
    pub(crate) fn from_ats(ats: AtsKind, failure: AtsFailure) -> Outcome {
        let name = ats.name();
        match failure {
            AtsFailure::RateLimited => Outcome::Wait(10_000),
            AtsFailure::Transient(why) => Outcome::Retry(format!("{name} did not answer ({why}).")),
            AtsFailure::Unauthorized => Outcome::Pause(format!(
                "{name} no longer accepts this connection's access. A master account needs to reconnect."
            )),
            AtsFailure::Forbidden => Outcome::Fail(format!(
                "The {name} connection is not allowed to do this (a permission is missing); reconnect with the permissions the connection guide lists."
            )),
            AtsFailure::NotFound => Outcome::Fail(format!(
                "{name} says the job or candidate no longer exists; check the role's ATS configuration."
            )),
            AtsFailure::WrongAccount => {
                Outcome::Fail(format!("The mapped {name} job belongs to another account than the one connected."))
            }
            AtsFailure::Duplicate => Outcome::Retry(format!("{name} reported the candidate as a duplicate.")),
            AtsFailure::Invalid(message) => Outcome::Fail(format!("{name} refused the candidate: {message}")),
            AtsFailure::Conflict => Outcome::Retry(format!("{name} says this exists already.")),
            AtsFailure::Unexpected(why) => Outcome::Retry(format!("{name} answered something unexpected ({why}).")),
        }
    }

    fn from_connect(err: ConnectError) -> Outcome {
        match err {
            ConnectError::ReconnectNeeded | ConnectError::NotConnected => Outcome::Pause(err.to_string()),
            ConnectError::Storage(err) => Outcome::Retry(format!("Storage failure: {err}")),
            other => Outcome::Retry(other.to_string()),
        }
    }
}

impl From<CallError> for Outcome {
    fn from(err: CallError) -> Outcome {
        match err {
            CallError::Deferred { wait_ms } => Outcome::Wait(wait_ms),
            CallError::Connection(err) => Outcome::from_connect(err),
            CallError::Workable(err) => Outcome::from_ats(AtsKind::Workable, err.into()),
            CallError::Ats { ats, failure } => Outcome::from_ats(ats, failure),
            CallError::Storage(err) => export::storage_failure(err),
        }
    }
}

/// The workers of one process.
#[derive(Clone)]
pub struct Engine {
    db: Db,
    integrations: Integrations,
    settings: Arc<Settings>,
    /// This process's name on its leases.
    owner: Arc<str>,
}

impl Engine {
    pub fn new(db: Db, integrations: Integrations, settings: Settings) -> Self {
        let owner = format!("{}{:08x}", THIS_PROCESS.prefix, rand::random::<u32>());
        Engine { db, integrations, settings: Arc::new(settings), owner: owner.into() }
    }

    /// Before a worker of a heartbeat's silence counts as dead (system time, see `storage::workers`).
    fn dead_before(&self) -> i64 {
        storage::now_ms() - 3 * self.settings.heartbeat.as_millis() as i64
    }

    /// Registers this worker, marks gone the earlier workers of this machine whose process is no
    /// longer running (a restart takes over its previous incarnation's leases at once), and
    /// heartbeats until the returned guard is dropped.
    async fn announce(&self) -> AbortOnDrop {
        let (host, pid) = (&THIS_PROCESS.host, i64::from(std::process::id()));
        match self.db.workers_on_host(host).await {
            Ok(earlier) => {
                let gone =
                    |w: &&storage::WorkerRow| !w.owner.starts_with(&THIS_PROCESS.prefix) && !process_running(w.pid);
                for worker in earlier.iter().filter(gone) {
                    tracing::info!(owner = %worker.owner, "an earlier worker of this machine is gone: its leases are free");
                    if let Err(err) = self.db.worker_gone(&worker.owner).await {
                        tracing::warn!(error = %err, "could not mark a gone worker");
                    }
                }
            }
            Err(err) => tracing::warn!(error = %err, "could not look for earlier workers"),
        }
        let (db, owner, every) = (self.db.clone(), self.owner.clone(), self.settings.heartbeat);
        if let Err(err) = db.register_worker(&owner, host, pid).await {
            tracing::warn!(error = %err, "could not register the worker; its leases go by their length");
        }
        AbortOnDrop(tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                match db.worker_heartbeat(&owner).await {
                    Ok(true) => {}
                    // Marked gone by a worker that took us for dead: say we are back.
                    Ok(false) => {
                        tracing::warn!("this worker was taken for gone; registering again");
                        let _ = db.register_worker(&owner, &THIS_PROCESS.host, pid).await;
                    }
                    Err(err) => tracing::warn!(error = %err, "could not heartbeat"),
                }
            }
        }))
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The time due times and leases go by: Workable's windows' clock, from the call policy.
    pub(crate) fn clock(&self) -> &Clock {
        self.integrations.clock()
    }

    /// The idle worker's wait for the next due item (`next`), at most a minute. On a skipping
    /// clock (tests) the clock jumps to that time instead, but only when nothing is in hand here
    /// or anywhere (a jump must not end another worker's lease) and the item is due within a
    /// minute (Workable's windows and back-offs, not a far-off schedule).
    async fn until_due(&self, next: Option<i64>, nothing_in_hand: bool) {
        let clock = self.clock();
        let now = clock.now_ms();
        let wait_ms = next.map_or(MAX_IDLE_MS, |at| (at - now).clamp(5, MAX_IDLE_MS));
        // (`work_running` is asked only on a skipping clock: production never makes the query.)
        let must_not_jump = clock.skips_waits()
            && !(next.is_some()
                && wait_ms < MAX_IDLE_MS
                && nothing_in_hand
                && matches!(self.db.work_running().await, Ok(false)));
        // Look again at least every three heartbeats: a worker that died meanwhile leaves leases
        // that are free before they run out.
        let look_again_ms = 3 * self.settings.heartbeat.as_millis() as i64;
        if must_not_jump {
            tokio::time::sleep(Duration::from_millis(wait_ms.min(look_again_ms) as u64)).await;
        } else if clock.skips_waits() {
            clock.sleep(wait_ms).await;
        } else {
            clock.sleep(wait_ms.min(look_again_ms)).await;
        }
    }

    /// Takes due work and does it until `shutdown` resolves: wakes at once on new work (in this
    /// process, and from other instances on PostgreSQL), otherwise when the next item falls due.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        let slots = Arc::new(Semaphore::new(self.settings.concurrency));
        let mut listener = match self.db.work_listener().await {
            Ok(listener) => listener,
            Err(err) => {
                tracing::warn!(error = %err, "no cross-instance work notifications; relying on due times");
                None
            }
        };
        let heartbeat = self.announce().await;
        tracing::info!(owner = %self.owner, concurrency = self.settings.concurrency, "sync worker started");
        loop {
            let free = slots.available_permits();
            let claimed = if free == 0 {
                Vec::new()
            } else {
                let now = self.clock().now_ms();
                let lease_ms = self.settings.lease.as_millis() as i64;
                match self.db.claim_work(&self.owner, now, lease_ms, free as i64, self.dead_before()).await {
                    Ok(items) => items,
                    Err(err) => {
                        tracing::warn!(error = %err, "could not claim work");
                        Vec::new()
                    }
                }
            };
            let idle = claimed.is_empty();
            for item in claimed {
                let permit = slots.clone().acquire_owned().await.expect("the semaphore is never closed");
                let engine = self.clone();
                tokio::spawn(async move {
                    engine.handle(item).await;
                    drop(permit);
                    engine.db.work_signal().notify_one();
                });
            }
            if !idle {
                continue;
            }
            // Nothing due: sleep until new work, the next due time, or a minute (leases of
            // crashed workers elsewhere).
            let next = self.db.next_work_at().await.ok().flatten();
            let until_due = self.until_due(next, slots.available_permits() == self.settings.concurrency);
            let from_elsewhere = async {
                match listener.as_mut() {
                    Some(l) => {
                        if l.recv().await.is_err() {
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = &mut shutdown => break,
                _ = self.db.work_signal().notified() => {}
                _ = from_elsewhere => {}
                _ = until_due => {}
            }
        }
        // Let the items in hand finish (their leases protect them anyway).
        let _ =
            tokio::time::timeout(Duration::from_secs(10), slots.acquire_many(self.settings.concurrency as u32)).await;
        // Gone: whatever is still in hand is free for the other workers at once.
        drop(heartbeat);
        if let Err(err) = self.db.worker_gone(&self.owner).await {
            tracing::warn!(error = %err, "could not unregister the worker");
        }
        tracing::info!(owner = %self.owner, "sync worker stopped");
    }

    /// Does the work that is due, in the caller's task, until none is left — on a skipping
    /// clock also the work that falls due within a minute (Workable's windows, back-offs), by
    /// moving the clock to it. Returns how many attempts ran. The drain tests use instead of
    /// polling for a worker to finish; nothing else may be working the queue meanwhile.
    pub async fn run_until_idle(&self) -> Result<usize, storage::StorageError> {
        let lease_ms = self.settings.lease.as_millis() as i64;
        let mut attempts = 0;
        loop {
            let now = self.clock().now_ms();
            let items = self
                .db
                .claim_work(&self.owner, now, lease_ms, self.settings.concurrency as i64, self.dead_before())
                .await?;
            if items.is_empty() {
                match self.db.next_work_at().await? {
                    Some(at) if self.clock().skips_waits() && at - now < MAX_IDLE_MS => {
                        self.clock().sleep_until(at).await;
                        continue;
                    }
                    _ => return Ok(attempts),
                }
            }
            attempts += items.len();
            futures::future::join_all(items.into_iter().map(|item| self.handle(item))).await;
        }
    }

    /// One item, start to finish, in a span naming it; a panic becomes a failed attempt.
    pub(crate) async fn handle(&self, item: WorkItem) {
        let span = tracing::info_span!(
            "work item",
            item.id = item.id,
            kind = %item.kind,
            company.id = %item.company_id,
            subject = item.subject_id,
            attempt = item.attempts,
        );
        self.handle_in_span(item).instrument(span).await
    }

    async fn handle_in_span(&self, item: WorkItem) {
        let engine = self.clone();
        let work = item.clone();
        // The lease is renewed while the attempt runs, so a slow one is not taken over and done
        // twice; a crashed process stops renewing and its items fall due after one lease.
        let lease_ms = self.settings.lease.as_millis() as i64;
        let renewer = {
            let (db, owner, id, clock) = (self.db.clone(), self.owner.clone(), item.id, self.clock().clone());
            tokio::spawn(async move {
                let every = Duration::from_millis((lease_ms / 3).max(1) as u64);
                loop {
                    tokio::time::sleep(every).await;
                    match db.renew_lease(id, &owner, clock.now_ms() + lease_ms).await {
                        Ok(true) => {}
                        Ok(false) => break,
                        Err(err) => tracing::warn!(item.id = id, error = %err, "could not renew a lease"),
                    }
                }
            })
        };
        let outcome = tokio::spawn(async move { engine.attempt(&work).await }.in_current_span()).await;
        renewer.abort();
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(err) if err.is_panic() => {
                tracing::error!(item.id = item.id, kind = %item.kind, "work item panicked");
                Outcome::Retry("Something went wrong on our side.".into())
            }
            Err(_) => Outcome::Retry("The attempt was interrupted.".into()),
        };
        if let Err(err) = self.settle(&item, outcome).await {
            tracing::error!(item.id = item.id, error = %err, "could not record the outcome; the lease will expire and it runs again");
        }
    }

    async fn attempt(&self, item: &WorkItem) -> Outcome {
        match item.kind {
            WorkKind::Export => self.export(item).await,
            WorkKind::StageSync => self.sync_stage(item).await,
            WorkKind::WorkableChange => self.workable_change(item).await,
            WorkKind::Reconcile => self.reconcile(item).await,
            WorkKind::InterviewSync => self.sync_interview(item).await,
        }
    }

    /// Records the outcome on the queue and on the export.
    async fn settle(&self, item: &WorkItem, outcome: Outcome) -> Result<(), storage::StorageError> {
        let now = self.clock().now_ms();
        let owner = &*self.owner;
        let exhausted = matches!(outcome, Outcome::Retry(_));
        match outcome {
            Outcome::Done => {
                self.db.finish_work(item.id, owner).await?;
            }
            Outcome::Wait(ms) => {
                let at = now + ms.max(1);
                self.db.defer_work(item.id, owner, at).await?;
                self.mark_export(item, domain::export::ExportState::Waiting, None, Some(at)).await?;
            }
            Outcome::After(ms) => {
                let at = now + ms.max(1);
                self.db.defer_work(item.id, owner, at).await?;
                self.mark_export(item, domain::export::ExportState::Queued, None, Some(at)).await?;
            }
            Outcome::Retry(why) if item.attempts < self.settings.max_attempts => {
                // What the employer reads says what happens next; the cause alone does not.
                let why = format!("{why} Trying again.");
                let at = now + self.backoff_ms(item.attempts);
                tracing::info!(item.id = item.id, attempts = item.attempts, reason = %why, "retrying later");
                self.db.retry_work(item.id, owner, at, &why).await?;
                self.mark_export(item, domain::export::ExportState::Queued, Some(&why), Some(at)).await?;
            }
            Outcome::Retry(why) | Outcome::Fail(why) => {
                // Nothing runs again until someone clicks Retry: say so, never "trying again".
                let why = match exhausted {
                    true => format!("{why} Stopped after {} attempts: Retry sends it again.", item.attempts),
                    false => why,
                };
                tracing::warn!(item.id = item.id, attempts = item.attempts, reason = %why, "work failed");
                self.db.fail_work(item.id, owner, &why).await?;
                self.mark_export(item, domain::export::ExportState::Failed, Some(&why), None).await?;
            }
            Outcome::Pause(why) => {
                tracing::warn!(company.id = %item.company_id, reason = %why, "pausing the company's work");
                self.db.pause_work(item.id, owner, &why).await?;
                self.db.pause_company_work(item.company_id, &why).await?;
                self.mark_export(item, domain::export::ExportState::Paused, Some(&why), None).await?;
            }
        }
        Ok(())
    }

    async fn mark_export(
        &self,
        item: &WorkItem,
        state: domain::export::ExportState,
        why: Option<&str>,
        next: Option<i64>,
    ) -> Result<(), storage::StorageError> {
        if item.kind != WorkKind::Export {
            return Ok(());
        }
        let Some(export) = self.db.export_by_request(item.company_id, domain::RequestId(item.subject_id)).await? else {
            return Ok(());
        };
        // A failure or a pause counts as an attempt and tells the employer why; waiting for
        // Workable's rate window does neither.
        let failure = why.filter(|_| state != ExportState::Waiting);
        let now = self.clock().now_ms();
        let mut write = self.db.write().await?;
        write.set_export_state(export.id, state, why, next, failure.is_some(), now).await?;
        if let Some(why) = failure {
            let step = match state {
                ExportState::Paused => LedgerStep::Paused,
                ExportState::Failed => LedgerStep::Failed,
                _ => LedgerStep::Retrying,
            };
            write.add_ledger(export.id, now, step, why).await?;
        }
        write.commit().await
    }

    /// Capped exponential backoff with jitter (±50 %).
    fn backoff_ms(&self, attempts: i64) -> i64 {
        let base = self.settings.base_backoff.as_millis() as f64;
        let cap = self.settings.max_backoff.as_millis() as f64;
        let exp = base * 2f64.powi(attempts.clamp(1, 30) as i32 - 1);
        let jitter = 0.5 + rand::random::<f64>();
        (exp.min(cap) * jitter) as i64
    }
}

/// Aborts a background task when dropped (the heartbeat ends with the worker that owns it, even
/// when that worker's future is dropped rather than stopped).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// This process as its workers name it, worked out once.
struct ThisProcess {
    /// This machine's name, as the kernel has it (Linux; no crate needed for one file read), or
    /// `$HOSTNAME`; workers of one machine recognise their earlier incarnations by it.
    host: String,
    /// The start of this process's workers' names: machine, pid, and a number drawn once per
    /// process (engines of one process share it; a restarted container reusing its
    /// predecessor's pid does not).
    prefix: String,
}

static THIS_PROCESS: std::sync::LazyLock<ThisProcess> = std::sync::LazyLock::new(|| {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "unknown-host".to_owned());
    let prefix = format!("{host}:{}:{:08x}-", std::process::id(), rand::random::<u32>());
    ThisProcess { host, prefix }
});

/// Whether process `pid` of this machine, not this process, is running (a worker with this
/// process's pid but not its prefix is a restarted container's predecessor). Where `/proc` is
/// missing, every process counts as running and dead workers are found by their silence instead.
fn process_running(pid: i64) -> bool {
    if pid == i64::from(std::process::id()) {
        return false;
    }
    let proc = std::path::Path::new("/proc");
    !proc.exists() || proc.join(pid.to_string()).exists()
}
