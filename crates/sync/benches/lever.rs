//! The export engine's figures on Lever, against the Lever sandbox over HTTP, on SQLite and (when
//! `ATS_BRIDGE_TEST_POSTGRES_URL` is set) PostgreSQL. Run with `cargo bench -p sync --bench
//! lever`; it prints a Markdown table (the README keeps the last one).
//!
//! - Lever calls per export on the happy path, and acceptance → opportunity created, p50/p99,
//!   at a steady acceptance a second (an export is six calls and our bucket takes 9 a second:
//!   faster acceptances only measure the queue);
//! - sustained exports on one connection at Lever's own bucket (10 a second, bursts of 20), 60
//!   accepted at once, with the 429s seen and the busiest second.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use domain::{Email, Location, RequestId, RoleId, RoleStatus, RoleTitle, UserRole};
use integrations::{Actor, Integrations, TokenCipher};
use lever_sandbox::{Faults, LeverSandbox, seed};
use marketplace::Marketplace;
use storage::testing::{POSTGRES_URL_VAR, TestDatabase};
use storage::{Backend, Db, NewUser};
use sync::{Engine, Settings};

mod support;

struct Bench {
    _database: TestDatabase,
    db: Db,
    market: Marketplace,
    sandbox: LeverSandbox,
    actor: Actor,
    role: RoleId,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// One company connected to the sandbox's Northwind account with its key, one role mapped (as
/// the wizard proposes) to the *Senior Rust Engineer* posting; Lever's bucket as given.
async fn bench(backend: Backend, bucket: Option<u32>) -> Bench {
    let database = TestDatabase::new(backend).await;
    let db = database.db.clone();
    let sandbox = LeverSandbox::new(seed::seed(Vec::new()), None, clock::Clock::system());
    let (base, _) = sandbox.serve(0).await.unwrap();
    // Workable is not connected: its client points nowhere.
    let workable = workable::WorkableClient::new(workable::Endpoints::sandbox("http://127.0.0.1:9"));
    let integrations = Integrations::new(db.clone(), workable, None, TokenCipher::generate().0)
        .with_lever(lever::LeverClient::new(lever::Endpoints::local(&base)))
        .with_public_url("http://127.0.0.1:3000");
    let company = db.insert_company("Northwind").await.unwrap();
    let email = Email::parse("master@bench.test").unwrap();
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
    let actor = Actor { company_id: company, user_id: user, role: UserRole::Master, email };
    let role = db
        .insert_role(
            company,
            &RoleTitle::parse("Senior Rust Engineer").unwrap(),
            &Location::parse("London").unwrap(),
            RoleStatus::Live,
        )
        .await
        .unwrap();
    let pending = integrations.begin_lever_key(&actor, seed::NORTHWIND_KEY).await.unwrap();
    let users = integrations.lever_pending_users(&actor, &pending).await.unwrap();
    integrations.finish_lever(&actor, &pending, &users[0].id).await.unwrap();
    let posting = integrations.job_choices(&actor, role, None).await.unwrap().preselected.unwrap();
    let table = integrations.mapping_table(&actor, role, &posting, None).await.unwrap();
    integrations.save_configuration(&actor, role, &posting, &table.choices()).await.unwrap();
    let engine =
        Engine::new(db.clone(), integrations, Settings { concurrency: 32, ..Settings::new("http://127.0.0.1:3000") });
    // The mapping queued the posting's first read (for Insights): set-up, done before measuring.
    engine.run_until_idle().await.unwrap();
    sandbox.set_faults(Faults { rate_limit_override: bucket, ..Faults::default() });
    // Set-up calls are history: both buckets full again before measuring.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(engine.run(async move {
        let _ = stopped.await;
    }));
    let market = Marketplace::new(db.clone(), true, workable::Clock::system());
    Bench { _database: database, db, market, sandbox, actor, role, _stop: stop }
}

impl Bench {
    async fn accept(&self, n: usize) -> RequestId {
        support::accept(&self.db, &self.market, &self.actor, self.role, n).await
    }

    async fn wait_done(&self, requests: &[RequestId]) {
        support::wait_done(&self.db, &self.actor, requests).await;
    }
}

async fn run(backend: Backend) -> Vec<(String, String)> {
    let name = backend.name();
    let mut rows = Vec::new();

    // Calls per export, and latency at a steady pace the buckets allow.
    {
        let b = bench(backend, None).await;
        let before = b.sandbox.request_log().len();
        let mut requests = Vec::new();
        let started = Instant::now();
        for n in 0..30 {
            requests.push(b.accept(n).await);
            let due = Duration::from_millis(1000) * (n as u32 + 1);
            if let Some(wait) = due.checked_sub(started.elapsed()) {
                tokio::time::sleep(wait).await;
            }
        }
        b.wait_done(&requests).await;
        let log = b.sandbox.request_log();
        let calls = log[before..].iter().filter(|r| r.status != 429).count();
        let refused = log[before..].len() - calls;
        rows.push((
            format!("Lever calls per export, 1 acceptance/s ({name})"),
            format!("{:.2} answered · {refused} × 429", calls as f64 / requests.len() as f64),
        ));
        rows.push((
            format!("acceptance → opportunity created in Lever, 1 acceptance/s ({name})"),
            support::creation_latency(&b.db, &b.actor, &requests).await,
        ));
    }

    // Sustained on one connection at Lever's own bucket.
    {
        let b = bench(backend, None).await;
        let since = b.sandbox.request_log().len();
        let started = Instant::now();
        let mut requests = Vec::new();
        for n in 0..60 {
            requests.push(b.accept(n).await);
        }
        b.wait_done(&requests).await;
        let took = started.elapsed().as_secs_f64();
        let log = b.sandbox.request_log();
        let mine = &log[since..];
        let throttled = mine.iter().filter(|r| r.status == 429).count();
        let mut per_second: BTreeMap<i64, usize> = BTreeMap::new();
        for r in mine {
            *per_second.entry(r.at_ms / 1000).or_default() += 1;
        }
        rows.push((
            format!("one connection at Lever's bucket (10/s, bursts of 20), 60 exports at once ({name})"),
            format!(
                "{:.2} exports/s sustained ({:.1} calls/s) · busiest second {} calls · {throttled} × 429",
                requests.len() as f64 / took,
                mine.len() as f64 / took,
                per_second.values().max().unwrap()
            ),
        ));
    }
    rows
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
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
