//! The export engine's figures, against the Workable sandbox over HTTP, on SQLite and (when
//! `ATS_BRIDGE_TEST_POSTGRES_URL` is set) PostgreSQL. Run with `cargo bench -p sync --bench
//! export`; it prints a Markdown table (the README keeps the last one).
//!
//! - Workable calls per export on the happy path;
//! - sustained throughput on one connection as a share of what Workable's limit allows (an OAuth
//!   token's 50 calls per 10 s), with the 429s seen and the busiest window;
//! - 100 connections at once (account tokens, 10 calls per 10 s each): per-connection
//!   completion spread (fairness) and 429s;
//! - acceptance → candidate created in Workable, p50/p99, with the limit lifted, at a steady 20
//!   acceptances per second.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use domain::mapping::StageChoice;
use domain::{Email, Location, MarketplaceStage, RequestId, RoleId, RoleStatus, RoleTitle, UserRole};
use integrations::{Actor, Integrations, TokenCipher};
use marketplace::Marketplace;
use storage::testing::{POSTGRES_URL_VAR, TestDatabase};
use storage::{Backend, Db, NewUser};
use sync::{Engine, Settings};

mod support;
use workable::{Endpoints, WorkableClient};
use workable_sandbox::{Faults, Sandbox, seed};

struct Connection {
    actor: Actor,
    role: RoleId,
    token: String,
}

struct Bench {
    _database: TestDatabase,
    db: Db,
    market: Marketplace,
    sandbox: Sandbox,
    connections: Vec<Connection>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

fn choices() -> Vec<(MarketplaceStage, StageChoice)> {
    MarketplaceStage::ALL
        .iter()
        .map(|&s| (s, if s.is_outcome() { StageChoice::Disqualify } else { StageChoice::Move("sourced".into()) }))
        .collect()
}

/// `n` companies, each connected to its own sandbox account and with one mapped role; the limit
/// per 10 s as given (None: Workable's own for account tokens, 10).
async fn bench(backend: Backend, n: usize, limit: Option<u32>) -> Bench {
    let database = TestDatabase::new(backend).await;
    let db = database.db.clone();
    let sandbox = Sandbox::new(seed::seed(Vec::new()), None);
    let (base, _) = sandbox.serve(0).await.unwrap();
    let integrations =
        Integrations::new(db.clone(), WorkableClient::new(Endpoints::sandbox(&base)), None, TokenCipher::generate().0);
    let mut connections = Vec::with_capacity(n);
    for i in 0..n {
        let subdomain = format!("load{i:03}");
        let token = format!("load-token-{i:03}");
        let jobs = sandbox.write(|w| seed::add_account(w, &format!("Load {i}"), &subdomain, &token));
        let company = db.insert_company(&format!("Load {i}")).await.unwrap();
        let email = Email::parse(&format!("master{i}@load.test")).unwrap();
        let user = db
            .insert_user(NewUser {
                company_id: company,
                email: &email,
                name: "Master",
                role: UserRole::Master,
                password_hash: "x",
            })
            .await
            .unwrap();
        let role = db
            .insert_role(
                company,
                &RoleTitle::parse("Rust Engineer").unwrap(),
                &Location::parse("Berlin").unwrap(),
                RoleStatus::Live,
            )
            .await
            .unwrap();
        let actor = Actor { company_id: company, user_id: user, role: UserRole::Master, email: email.clone() };
        integrations.connect_with_api_token(&actor, &subdomain, &token, None).await.unwrap();
        integrations.save_configuration(&actor, role, &jobs[0], &choices()).await.unwrap();
        connections.push(Connection { actor, role, token });
    }
    sandbox.set_faults(Faults { rate_limit_override: limit, ..Faults::default() });
    let engine =
        Engine::new(db.clone(), integrations, Settings { concurrency: 32, ..Settings::new("http://127.0.0.1:3000") });
    // Each new mapping queued its job's first read (for Insights): set-up too, done before measuring.
    engine.run_until_idle().await.unwrap();
    // Set-up calls are history: start measuring at a fresh 10-second window.
    tokio::time::sleep(Duration::from_millis(10_100 - (storage::now_ms() % 10_000) as u64)).await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(engine.run(async move {
        let _ = stopped.await;
    }));
    let market = Marketplace::new(db.clone(), true, workable::Clock::system());
    Bench { _database: database, db, market, sandbox, connections, _stop: stop }
}

impl Bench {
    async fn accept(&self, c: &Connection, n: usize) -> RequestId {
        support::accept(&self.db, &self.market, &c.actor, c.role, n).await
    }

    async fn wait_done(&self, c: &Connection, requests: &[RequestId]) -> i64 {
        support::wait_done(&self.db, &c.actor, requests).await
    }

    /// Calls per 10-s window made with `token` (the sandbox's windows), and the 429s among them.
    fn windows(&self, token: &str, since: usize) -> (Vec<usize>, usize) {
        // The sandbox logs tokens by label: `load-token-007` is "load007 account token".
        let label = format!("load{} account token", token.trim_start_matches("load-token-"));
        let log = self.sandbox.request_log();
        let mine: Vec<_> = log[since..].iter().filter(|r| r.token.as_deref() == Some(label.as_str())).collect();
        let mut per: BTreeMap<i64, usize> = BTreeMap::new();
        for r in &mine {
            *per.entry(r.at_ms / 10_000).or_default() += 1;
        }
        (per.into_values().collect(), mine.iter().filter(|r| r.status == 429).count())
    }
}

async fn run(backend: Backend) -> Vec<(String, String)> {
    let name = backend.name();
    let mut rows = Vec::new();

    // Calls per export, and latency with the limit lifted.
    {
        let b = bench(backend, 1, Some(1_000_000)).await;
        let c = &b.connections[0];
        let before = b.sandbox.request_log().len();
        let mut requests = Vec::new();
        let started = Instant::now();
        for n in 0..200 {
            requests.push(b.accept(c, n).await);
            let due = Duration::from_millis(50) * (n as u32 + 1);
            if let Some(wait) = due.checked_sub(started.elapsed()) {
                tokio::time::sleep(wait).await;
            }
        }
        b.wait_done(c, &requests).await;
        let calls = b.sandbox.request_log().len() - before;
        rows.push((
            format!("Workable calls per export ({name})"),
            format!("{:.2}", calls as f64 / requests.len() as f64),
        ));
        rows.push((
            format!("acceptance → created in Workable, limit lifted, 20/s ({name})"),
            support::creation_latency(&b.db, &c.actor, &requests).await,
        ));
    }

    // Sustained throughput on one connection at an OAuth token's limit.
    {
        let limit = 50;
        let b = bench(backend, 1, Some(limit)).await;
        let c = &b.connections[0];
        let since = b.sandbox.request_log().len();
        let mut requests = Vec::new();
        for n in 0..100 {
            requests.push(b.accept(c, n).await);
        }
        b.wait_done(c, &requests).await;
        let calls_per_export = (b.sandbox.request_log().len() - since) as f64 / requests.len() as f64;
        let (windows, throttled) = b.windows(&c.token, since);
        // The first and last windows are partly idle (start and end of the run).
        let steady = &windows[1..windows.len().saturating_sub(1).max(1)];
        let calls_per_window = steady.iter().sum::<usize>() as f64 / steady.len() as f64;
        rows.push((
            format!("one connection, {limit} calls/10 s, 100 exports ({name})"),
            format!(
                "{:.2} exports/s sustained = {:.0} % of what the limit allows · busiest window {} calls · {throttled} × 429",
                calls_per_window / 10.0 / calls_per_export,
                calls_per_window / f64::from(limit) * 100.0,
                windows.iter().max().unwrap()
            ),
        ));
    }

    // 100 connections at once, Workable's own account-token limit.
    {
        let b = bench(backend, 100, None).await;
        let since = b.sandbox.request_log().len();
        let started = storage::now_ms();
        let mut all = Vec::new();
        for c in &b.connections {
            let mut requests = Vec::new();
            for n in 0..5 {
                requests.push(b.accept(c, n).await);
            }
            all.push(requests);
        }
        let mut finished = Vec::new();
        for (c, requests) in b.connections.iter().zip(&all) {
            finished.push(b.wait_done(c, requests).await - started);
        }
        finished.sort_unstable();
        let mut throttled = 0;
        let mut busiest = 0;
        for c in &b.connections {
            let (windows, t) = b.windows(&c.token, since);
            throttled += t;
            busiest = busiest.max(windows.into_iter().max().unwrap_or(0));
        }
        rows.push((
            format!("100 connections × 5 exports, 10 calls/10 s each ({name})"),
            format!(
                "all done in {:.1} s · per connection done after min {:.1} s / median {:.1} s / max {:.1} s · busiest window {busiest} calls · {throttled} × 429",
                *finished.last().unwrap() as f64 / 1000.0,
                finished[0] as f64 / 1000.0,
                support::percentile(&finished, 0.5) as f64 / 1000.0,
                *finished.last().unwrap() as f64 / 1000.0
            ),
        ));
    }
    rows
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` would pass nothing else either.
    let mut backends = vec![Backend::Sqlite];
    if std::env::var(POSTGRES_URL_VAR).is_ok() {
        backends.push(Backend::Postgres);
    } else {
        eprintln!("{POSTGRES_URL_VAR} is not set: PostgreSQL skipped");
    }
    println!("| measure | result |\n|---|---|");
    for backend in backends {
        for (what, result) in run(backend).await {
            println!("| {what} | {result} |");
        }
    }
}
