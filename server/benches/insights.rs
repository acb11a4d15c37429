//! Insights at scale: a company with 100 roles mapped to 100 Workable jobs holding 50,000
//! candidates (500 each, a year of them from several sources), on SQLite and (when
//! `ATS_BRIDGE_TEST_POSTGRES_URL` is set) PostgreSQL. Run with `cargo bench -p server --bench
//! insights`; it prints a Markdown table (the README keeps the last one).
//!
//! - the first full read of Workable's candidates, and two refreshes (200 candidates changed,
//!   then nothing): calls counted by the sandbox's request log, under Workable's limit for an
//!   account token (10 calls per 10 s) on a clock whose waits pass at once — the wall time at
//!   the real limit is the calls' count in seconds (the time printed is this machine's work);
//! - the Insights page for the last 365 days, server-rendered from stored data over HTTP on
//!   loopback: p50 and p90 of 40 loads, and its size.

use std::time::{Duration, Instant};

use domain::{Location, RoleStatus, RoleTitle};
use marketplace::demo::DEMO_LOGINS;
use reqwest::redirect::Policy;
use server::application::{Application, Background, Tasks};
use server::{SessionSettings, WorkableSettings, prepare_database};
use storage::Backend;
use storage::testing::{POSTGRES_URL_VAR, TestDatabase};
use workable_sandbox::{Sandbox, seed};

const JOBS: usize = 100;
const CANDIDATES: usize = 50_000;
const CHANGED: usize = 200;
const LOADS: usize = 40;

fn main() {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(bench());
}

async fn bench() {
    let mut rows = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        if backend == Backend::Postgres && std::env::var(POSTGRES_URL_VAR).is_err() {
            eprintln!("{POSTGRES_URL_VAR} is not set: PostgreSQL skipped");
            continue;
        }
        rows.extend(run(backend).await);
    }
    println!("| Insights at scale ({JOBS} mapped jobs, {CANDIDATES} Workable candidates) | figure |");
    println!("|---|---|");
    for row in rows {
        println!("{row}");
    }
}

/// Candidate-list calls (`GET …/candidates`, each a page of at most 100) in the log so far.
fn list_calls(sandbox: &Sandbox) -> usize {
    sandbox.request_log().iter().filter(|r| r.method == "GET" && r.path.ends_with("/candidates")).count()
}

async fn run(backend: Backend) -> Vec<String> {
    let name = if backend == Backend::Sqlite { "sqlite" } else { "postgres" };
    let database = TestDatabase::new(backend).await;
    let db = prepare_database(&database.url, true).await.expect("prepare the database");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let clock = workable::Clock::skipping();
    let workable = WorkableSettings {
        lever: None,
        lever_oauth: None,
        endpoints: workable::Endpoints::sandbox(&format!("{address}/sandbox")),
        oauth: None,
        cipher: integrations::TokenCipher::generate().0,
        public_url: address.clone(),
        source_domain: None,
        clock: clock.clone(),
    };
    let application = Application::new(db.clone(), true, workable);
    let (market, integrations) = (application.market.clone(), application.integrations.clone());
    // Northwind with 100 published jobs and 50,000 candidates over the last year (kept in memory:
    // the embedded sandbox's state file is not what is measured).
    let mut world = seed::seed(Vec::new());
    // 500 candidates in each job exactly: the seed's six applicants are left out.
    world.accounts[0].candidates.clear();
    let template = world.accounts[0].jobs[0].clone();
    for n in world.accounts[0].jobs.iter().filter(|j| j.state == "published").count()..JOBS {
        let mut job = template.clone();
        job.id = world.hex_id();
        job.shortcode = format!("NORB{n:03}");
        job.title = format!("Engineer {n:03}");
        world.accounts[0].jobs.push(job);
    }
    seed::history_of(&mut world, CANDIDATES, clock.now_ms());
    let sandbox = Sandbox::with_clock(world, None, clock.clone());
    sandbox.set_base_url(&format!("{address}/sandbox"));
    let app = application
        .router(SessionSettings { secure: false, inactivity: Duration::from_secs(3600), sign_ins_per_minute: 20 })
        .nest("/sandbox", sandbox.router());
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap()
    });

    // Connected with the account token; a role per job, mapped.
    let login = DEMO_LOGINS[0];
    let maria = domain::Actor::from(&market.sign_in(login.email, login.password).await.unwrap());
    integrations.connect_with_api_token(&maria, "northwind", seed::NORTHWIND_TOKEN, None).await.unwrap();
    let jobs: Vec<String> = sandbox.read(|w| {
        w.account("northwind")
            .unwrap()
            .jobs
            .iter()
            .filter(|j| j.state == "published")
            .map(|j| j.shortcode.clone())
            .collect()
    });
    assert_eq!(jobs.len(), JOBS);
    let before = list_calls(&sandbox);
    let location = Location::parse("Berlin, Germany").unwrap();
    let choices: Vec<_> = domain::MarketplaceStage::ALL
        .iter()
        .map(|&stage| {
            let choice = if stage.is_outcome() {
                domain::mapping::StageChoice::Disqualify
            } else {
                domain::mapping::StageChoice::Nothing
            };
            (stage, choice)
        })
        .collect();
    for (n, job) in jobs.iter().enumerate() {
        let title = RoleTitle::parse(&format!("Insights role {n:03}")).unwrap();
        let role = db.insert_role(maria.company_id, &title, &location, RoleStatus::Live).await.unwrap();
        integrations.save_configuration(&maria, role, job, &choices).await.unwrap();
    }
    // The mappings queued the first read; the worker, started now, reads every job page by page.
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    let mut tasks = Tasks::new(stopped);
    let settings = sync::Settings::new(address.clone());
    tasks.background(&application, Background { sync: Some((settings, Duration::from_secs(3600))) });
    let started = Instant::now();
    let idle = || async {
        let work = db.work_counts().await.unwrap();
        let reads = db.job_reads(maria.company_id).await.unwrap();
        work.is_empty() && reads.len() == JOBS && reads.values().all(|r| r.read_at > 0 && r.next_page.is_none())
    };
    while !idle().await {
        assert!(started.elapsed() < Duration::from_secs(900), "the first read did not finish");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let first = list_calls(&sandbox) - before;
    let first_wall = started.elapsed();
    let stored: i64 = storage::testing::scalar(&db, "SELECT COUNT(*) FROM ats_candidates").await.unwrap();

    // A refresh after 200 candidates moved in Workable (webhooks lost: the reconciliation alone),
    // then one with nothing changed.
    let refresh = async |label: &str| {
        let at = db.connection(maria.company_id).await.unwrap().unwrap().reconciled_at;
        let calls = list_calls(&sandbox);
        db.enqueue(domain::WorkKind::Reconcile, maria.company_id, maria.company_id.0, storage::now_ms()).await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(300);
        while db.connection(maria.company_id).await.unwrap().unwrap().reconciled_at == at
            || !db.work_counts().await.unwrap().is_empty()
        {
            assert!(Instant::now() < deadline, "the {label} refresh did not finish");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        list_calls(&sandbox) - calls
    };
    let moved: Vec<String> = sandbox.read(|w| {
        let a = w.account("northwind").unwrap();
        a.candidates
            .iter()
            .filter(|c| !c.disqualified && c.hired_at.is_none())
            .step_by(97)
            .take(CHANGED)
            .map(|c| c.id.clone())
            .collect()
    });
    assert_eq!(moved.len(), CHANGED);
    clock.advance(2_000);
    sandbox.set_faults(workable_sandbox::Faults { webhooks_dropped: true, ..Default::default() });
    for id in &moved {
        sandbox.person_moves("northwind", id, "offer").unwrap();
    }
    let changed_calls = refresh("changed").await;
    let unchanged_calls = refresh("unchanged").await;

    // The page, from stored data.
    storage::testing::execute(&db, "ANALYZE").await.expect("analyze");
    let client = reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap();
    let fields = [("email", login.email), ("password", login.password)];
    let path = <app::api::SignIn as server_fn::ServerFn>::PATH;
    let signed_in = client.post(format!("{address}{path}")).form(&fields).send().await.unwrap();
    assert!(signed_in.status().is_redirection() || signed_in.status().is_success(), "{}", signed_in.status());
    let url = format!("{address}/insights?range=365");
    let mut times = Vec::with_capacity(LOADS);
    let mut page = String::new();
    for n in 0..LOADS + 2 {
        let started = Instant::now();
        let response = client.get(&url).header("accept", "text/html").send().await.unwrap();
        assert!(response.status().is_success(), "{}", response.status());
        page = response.text().await.unwrap();
        if n >= 2 {
            times.push(started.elapsed());
        }
    }
    times.sort();
    assert!(page.contains("linkedin.com") && page.contains("Hires by source"), "the page shows the sources");
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    vec![
        format!(
            "| first full read ({name}) | {first} calls for {stored} candidates stored ({:.1} s here; at 10 calls per 10 s: {} min {} s) |",
            first_wall.as_secs_f64(),
            first / 60,
            first % 60
        ),
        format!("| refresh after {CHANGED} candidates changed ({name}) | {changed_calls} calls |"),
        format!("| refresh with nothing changed ({name}) | {unchanged_calls} calls (one per mapped job) |"),
        format!(
            "| Insights, last 365 days, server render ({name}) | p50 {} · p90 {} · {} KB of HTML |",
            ms(times[LOADS / 2]),
            ms(times[LOADS * 9 / 10]),
            page.len() / 1024
        ),
    ]
}
