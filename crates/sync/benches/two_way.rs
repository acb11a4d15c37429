//! Workable → marketplace figures, against the Workable sandbox over HTTP with the webhook
//! endpoint as the server mounts it, on SQLite and (when `ATS_BRIDGE_TEST_POSTGRES_URL` is set)
//! PostgreSQL. Run with `cargo bench -p sync --bench two_way`; it prints a Markdown table (the
//! README keeps the last one).
//!
//! - Workable move → marketplace stage by webhook: p50/p99 over 200 moves made by a person in
//!   Workable at a steady 20 per second (limit lifted, as Workable's own windows would otherwise
//!   set the pace of the read-backs);
//! - reconciliation alone (webhooks lost) converging 500 changed candidates within Workable's
//!   limit for an account token (10 calls per 10 s): wall time, calls, 429s.
//!
//! The set-up is the scenario tests' (`tests/common`): the demo seeded, Northwind connected.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use domain::{MarketplaceStage, RequestId};
use integrations::Actor;
use storage::Backend;
use storage::testing::{POSTGRES_URL_VAR, TestDatabase};
use sync::{Engine, Settings};
use workable_sandbox::Faults;

const CANDIDATES: usize = 500;
const MOVES: usize = 200;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn stage_of(db: &storage::Db, actor: &Actor, request: RequestId) -> MarketplaceStage {
    let export = db.export_by_request(actor.company_id, request).await.unwrap().unwrap();
    db.export_context(&export).await.unwrap().stage
}

async fn run(backend: Backend) -> Vec<String> {
    // Northwind connected with its account token, the webhook endpoint as the server mounts it,
    // a role mapped to the Rust job (Screening → Phone Screen, Final interview → Interview).
    let database = TestDatabase::new(backend).await;
    // The system's clock, as in production: the windows and waits measured are real.
    let s = common::setup_with_clock(&database.db, workable::Clock::system()).await;
    s.map_rust().await;
    let (db, sandbox, actor) = (s.db.clone(), s.sandbox.clone(), s.maria.clone());
    let company = actor.company_id;

    // 500 candidates exported with the limit lifted (the set-up, not measured).
    sandbox.set_faults(Faults { rate_limit_override: Some(1_000_000), ..Faults::default() });
    let (_stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let engine = Engine::new(db.clone(), s.integrations.clone(), Settings { concurrency: 32, ..common::settings() });
    tokio::spawn(engine.clone().run(async move {
        let _ = stopped.await;
    }));
    let mut requests = Vec::with_capacity(CANDIDATES);
    for n in 0..CANDIDATES {
        requests.push(s.acceptance(n).await.0);
    }
    let mut ids = Vec::with_capacity(CANDIDATES);
    for request in &requests {
        loop {
            let export = db.export_by_request(company, *request).await.unwrap();
            if let Some(id) =
                export.filter(|e| e.state == domain::export::ExportState::Done).and_then(|e| e.workable_candidate_id)
            {
                ids.push(id);
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    // Let the creation webhooks drain.
    while sandbox.pending_webhooks() > 0 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    // 1. Webhook latency: a person moves 200 candidates to Interview, 20 per second.
    let mut waits = Vec::with_capacity(MOVES);
    for i in 0..MOVES {
        let (db, sandbox, actor, id, request) =
            (db.clone(), sandbox.clone(), actor.clone(), ids[i].clone(), requests[i]);
        waits.push(tokio::spawn(async move {
            let started = Instant::now();
            sandbox.person_moves("northwind", &id, "interview").unwrap();
            while stage_of(&db, &actor, request).await != MarketplaceStage::FinalInterview {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            started.elapsed().as_secs_f64() * 1000.0
        }));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut latencies = Vec::with_capacity(MOVES);
    for wait in waits {
        latencies.push(wait.await.unwrap());
    }
    latencies.sort_by(f64::total_cmp);

    // 2. Reconciliation alone: webhooks lost, Workable's own limit, all 500 moved to Phone Screen.
    sandbox.set_faults(Faults { webhooks_dropped: true, ..Faults::default() });
    for id in &ids {
        sandbox.person_moves("northwind", id, "phone-screen").unwrap();
    }
    tokio::time::sleep(Duration::from_millis(10_100 - (storage::now_ms() % 10_000) as u64)).await;
    let calls_before = sandbox.request_log().len();
    // The mapping's first read (for Insights) recorded a round already: wait for the next one.
    let earlier = db.connection(company).await.unwrap().unwrap().reconciled_at;
    let started = Instant::now();
    engine.schedule_reconciliations(Duration::ZERO).await.unwrap();
    let reconciled = loop {
        let c = db.connection(company).await.unwrap().unwrap();
        if let Some(at) = c.reconciled_at.filter(|at| Some(*at) != earlier && c.reconcile_corrections.is_some()) {
            break (at, c.reconcile_corrections.unwrap_or(0));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let converged = started.elapsed();
    let log = sandbox.request_log();
    let calls = &log[calls_before..];
    let limited = calls.iter().filter(|r| r.status == 429).count();
    let mut wrong = 0;
    for request in &requests {
        if stage_of(&db, &actor, *request).await != MarketplaceStage::Screening {
            wrong += 1;
        }
    }
    assert_eq!(wrong, 0, "reconciliation left {wrong} candidates behind");
    let _ = reconciled.0;

    let name = backend.name();
    vec![
        format!(
            "| {name} | Workable move → marketplace stage, by webhook ({MOVES} moves at 20/s) | p50 **{:.0} ms**, p99 {:.0} ms, max {:.0} ms |",
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.99),
            latencies.last().copied().unwrap_or_default()
        ),
        format!(
            "| {name} | reconciliation alone, {CANDIDATES} changed candidates, 10 calls/10 s | **{:.2} s**, {} Workable calls, {} × 429, {} corrections |",
            converged.as_secs_f64(),
            calls.len(),
            limited,
            reconciled.1
        ),
    ]
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let mut rows = run(Backend::Sqlite).await;
    if std::env::var(POSTGRES_URL_VAR).is_ok() {
        rows.extend(run(Backend::Postgres).await);
    }
    println!("| database | measure | result |\n|---|---|---|");
    for row in rows {
        println!("{row}");
    }
}
