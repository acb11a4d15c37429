//! The pages at scale, as a browser asks for them (server rendering, over HTTP on loopback):
//! *Source* for a company with 1,000 roles (and again with 10,000) and a role's pipeline with 1,000 requests (510
//! accepted, their exports recorded by the worker), and the time from an acceptance recorded to
//! the open pipeline's pushed `changed`, on SQLite and (when
//! `ATS_BRIDGE_TEST_POSTGRES_URL` is set) PostgreSQL. Run with `cargo bench -p server --bench
//! pages`; it prints a Markdown table (the README keeps the last one).
//!
//! When the site is built (`scripts/build-site`, into target/site) and the browser suite's tools
//! are installed (`scripts/install-tools --tests`), it also loads both pages in Debian's Chromium
//! (`end2end/bench/load-times.mjs`, on SQLite): the load event and the moment of hydration, and the
//! requests an open, idle pipeline makes in a minute.

use std::path::Path;
use std::time::{Duration, Instant};

use domain::views::CandidateProfile;
use domain::{Email, Location, RoleStatus, RoleTitle};
use marketplace::demo::DEMO_LOGINS;
use reqwest::redirect::Policy;
use server::application::{Application, Background, Tasks};
use server::{SessionSettings, WorkableSettings, prepare_database};
use storage::testing::{POSTGRES_URL_VAR, TestDatabase};
use storage::{Backend, NewCandidate};

const ROLES: usize = 1_000;
/// *Source* is timed again once the company has this many roles.
const MANY_ROLES: usize = 10_000;
const REQUESTS: usize = 1_000;
const ACCEPTED: usize = 510;
const LOADS: usize = 40;

struct Figures {
    source_p50: Duration,
    source_p90: Duration,
    source_bytes: usize,
    pipeline_p50: Duration,
    pipeline_p90: Duration,
    pipeline_bytes: usize,
    pushed_p50: Duration,
    pushed_p90: Duration,
    many_p50: Duration,
    many_p90: Duration,
    many_bytes: usize,
    /// Rows of Chromium's figures, when it ran.
    browser: Vec<String>,
}

fn main() {
    let site = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/site");
    if std::env::var_os("LEPTOS_SITE_ROOT").is_none() && site.join("hash.txt").exists() {
        // SAFETY: no other thread runs yet (the runtime starts below), so nothing reads the
        // environment while it changes. The pages then link and serve the built site.
        unsafe { std::env::set_var("LEPTOS_SITE_ROOT", &site) };
    }
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(bench());
}

async fn bench() {
    let mut rows = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        if backend == Backend::Postgres && std::env::var(POSTGRES_URL_VAR).is_err() {
            eprintln!("{POSTGRES_URL_VAR} is not set: PostgreSQL skipped");
            continue;
        }
        let name = if backend == Backend::Sqlite { "sqlite" } else { "postgres" };
        let f = run(backend, backend == Backend::Sqlite).await;
        rows.push(format!(
            "| *Source*, {ROLES} roles ({name}) | p50 {} · p90 {} · {} KB of HTML |",
            ms(f.source_p50),
            ms(f.source_p90),
            f.source_bytes / 1024
        ));
        rows.push(format!(
            "| pipeline, {REQUESTS} requests, {ACCEPTED} accepted ({name}) | p50 {} · p90 {} · {} KB of HTML |",
            ms(f.pipeline_p50),
            ms(f.pipeline_p90),
            f.pipeline_bytes / 1024
        ));
        rows.push(format!(
            "| pipeline open, an acceptance recorded → `changed` pushed ({name}, {PUSHES} times) | p50 {} · p90 {} |",
            ms(f.pushed_p50),
            ms(f.pushed_p90)
        ));
        rows.push(format!(
            "| *Source*, {MANY_ROLES} roles ({name}) | p50 {} · p90 {} · {} KB of HTML |",
            ms(f.many_p50),
            ms(f.many_p90),
            f.many_bytes / 1024
        ));
        rows.extend(f.browser);
    }
    println!("\n| page (server render, {LOADS} loads each) | result |\n|---|---|");
    for row in rows {
        println!("{row}");
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

async fn run(backend: Backend, in_chromium: bool) -> Figures {
    let database = TestDatabase::new(backend).await;
    let db = prepare_database(&database.url, true).await.expect("prepare the database");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let workable = WorkableSettings {
        lever: None,
        lever_oauth: None,
        endpoints: workable::Endpoints::sandbox(&format!("{address}/sandbox")),
        oauth: None,
        cipher: integrations::TokenCipher::generate().0,
        public_url: address.clone(),
        source_domain: None,
        clock: workable::Clock::skipping(),
    };
    let application = Application::new(db.clone(), true, workable);
    let market = application.market.clone();
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    let mut tasks = Tasks::new(stopped);
    let sync = sync::Settings::new(address.clone());
    tasks.background(&application, Background { sync: Some((sync, Duration::from_secs(3600))) });
    let app = application.router(SessionSettings {
        secure: false,
        inactivity: Duration::from_secs(3600),
        sign_ins_per_minute: 20,
    });
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap()
    });

    // Northwind with 1,000 roles more, and one of them with 1,000 requests, 510 accepted (and
    // 9,000 roles more at the end).
    let login = DEMO_LOGINS[0];
    let maria = domain::Actor::from(&market.sign_in(login.email, login.password).await.unwrap());
    let location = Location::parse("Berlin, Germany").unwrap();
    let add_roles = async |from: usize, to: usize| {
        let mut first = None;
        for n in from..to {
            let title = RoleTitle::parse(&format!("Role {n:05}")).unwrap();
            let status = if n % 10 == 9 { RoleStatus::Draft } else { RoleStatus::Live };
            first.get_or_insert(db.insert_role(maria.company_id, &title, &location, status).await.unwrap());
        }
        first
    };
    let big = add_roles(0, ROLES).await.unwrap();
    let profile = CandidateProfile::default();
    let mut pending = Vec::new();
    for n in 0..REQUESTS {
        let email = Email::parse(&format!("scale{n}@candidates.example")).unwrap();
        let name = format!("Scale Candidate {n:04}");
        let new = NewCandidate {
            name: &name,
            email: &email,
            phone: None,
            headline: "Engineer",
            summary: "",
            profile: &profile,
            cv: None,
        };
        let candidate = db.insert_candidate(new).await.unwrap();
        let request = market.send_request(&maria, big, candidate).await.unwrap();
        if n < ACCEPTED {
            market.accept_on_behalf(&maria, request).await.unwrap();
        } else {
            pending.push(request);
        }
    }
    // The worker records each acceptance's export (the role is not mapped: one ledger line each).
    let deadline = Instant::now() + Duration::from_secs(120);
    while db.role_exports(maria.company_id, big, 0).await.unwrap().len() < ACCEPTED {
        assert!(Instant::now() < deadline, "the worker did not record the exports");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Statistics as a running database has them (autovacuum analyses tables that grew): a
    // freshly bulk-loaded PostgreSQL otherwise plans from empty tables, which varied the figures
    // run to run.
    storage::testing::execute(&db, "ANALYZE").await.expect("analyze");
    let client = reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap();
    let fields = [("email", login.email), ("password", login.password)];
    let signed_in = client
        .post(format!("{address}{}", <app::api::SignIn as server_fn::ServerFn>::PATH))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert!(signed_in.status().is_redirection() || signed_in.status().is_success(), "{}", signed_in.status());
    let (source_p50, source_p90, source_bytes) = timed(&client, &format!("{address}/source")).await;
    let (pipeline_p50, pipeline_p90, pipeline_bytes) = timed(&client, &format!("{address}/roles/{big}")).await;

    // Pushed progress: the open pipeline's change stream, from an acceptance recorded to the
    // `changed` event in hand (the page then reads itself again: the pipeline's time above).
    let mut stream = client.get(format!("{address}/events/roles/{big}")).send().await.unwrap();
    assert!(stream.status().is_success(), "{}", stream.status());
    let mut pushed = Vec::with_capacity(PUSHES);
    for request in pending.into_iter().take(PUSHES) {
        // Whatever the last acceptance still set off (its export's ledger line) is let through.
        while next_change(&mut stream, Duration::from_millis(400)).await {}
        market.accept_on_behalf(&maria, request).await.unwrap();
        let recorded = Instant::now();
        assert!(next_change(&mut stream, Duration::from_secs(5)).await, "the acceptance was not pushed");
        pushed.push(recorded.elapsed());
    }
    pushed.sort();
    let (pushed_p50, pushed_p90) = (pushed[PUSHES / 2], pushed[PUSHES * 9 / 10]);
    drop(stream);
    let browser = if in_chromium {
        chromium_figures(&address, login.email, login.password, &["/source".to_owned(), format!("/roles/{big}")]).await
    } else {
        Vec::new()
    };
    add_roles(ROLES, MANY_ROLES).await;
    storage::testing::execute(&db, "ANALYZE").await.expect("analyze");
    let (many_p50, many_p90, many_bytes) = timed(&client, &format!("{address}/source")).await;
    Figures {
        source_p50,
        source_p90,
        source_bytes,
        pipeline_p50,
        pipeline_p90,
        pipeline_bytes,
        pushed_p50,
        pushed_p90,
        browser,
        many_p50,
        many_p90,
        many_bytes,
    }
}

/// The pages loaded in Chromium by `end2end/bench/load-times.mjs`, as table rows; none (and a
/// word on stderr) when the site or the browser suite's tools are missing.
async fn chromium_figures(address: &str, email: &str, password: &str, paths: &[String]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    if std::env::var_os("LEPTOS_SITE_ROOT").is_none() || !root.join("end2end/node_modules/playwright-core").exists() {
        eprintln!(
            "no built site or no Playwright (scripts/build-site, scripts/install-tools --tests): Chromium skipped"
        );
        return Vec::new();
    }
    let output = tokio::process::Command::new("node")
        .arg(root.join("end2end/bench/load-times.mjs"))
        .args([address, email, password])
        .args(paths)
        .current_dir(root.join("end2end"))
        .output()
        .await
        .expect("run node");
    assert!(output.status.success(), "load-times.mjs failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            let figures: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            let path = figures["path"].as_str().unwrap_or_default();
            let page = if path == "/source" { "*Source*, 1,000 roles" } else { "pipeline, 1,000 requests" };
            match figures["idle_requests"].as_u64() {
                Some(requests) => format!(
                    "| pipeline open and idle in Chromium for {} s (sqlite) | {requests} requests |",
                    figures["idle_seconds"]
                ),
                None => format!(
                    "| {page} in Chromium, empty cache, {} loads (sqlite) | load event p50 {:.0} ms (max {:.0}) · hydrated p50 {:.0} ms (max {:.0}) |",
                    figures["loads"],
                    figures["load_p50_ms"].as_f64().unwrap_or_default(),
                    figures["load_max_ms"].as_f64().unwrap_or_default(),
                    figures["hydrated_p50_ms"].as_f64().unwrap_or_default(),
                    figures["hydrated_max_ms"].as_f64().unwrap_or_default(),
                ),
            }
        })
        .collect()
}

/// Acceptances timed from their record to the open page's `changed` event.
const PUSHES: usize = 20;

/// Whether a `changed` event arrives on `stream` within `wait` (keep-alive comments are not).
async fn next_change(stream: &mut reqwest::Response, wait: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, stream.chunk()).await {
            Ok(Ok(Some(chunk))) if String::from_utf8_lossy(&chunk).contains("event: changed") => return true,
            Ok(Ok(Some(_))) => continue,
            Ok(Ok(None)) | Ok(Err(_)) => panic!("the change stream ended"),
            Err(_) => return false,
        }
    }
}

/// p50 and p90 of `LOADS` page loads (after two to warm up), and the page's size.
async fn timed(client: &reqwest::Client, url: &str) -> (Duration, Duration, usize) {
    let mut times = Vec::with_capacity(LOADS);
    let mut bytes = 0;
    for n in 0..LOADS + 2 {
        let started = Instant::now();
        let response = client.get(url).header("accept", "text/html").send().await.unwrap();
        assert!(response.status().is_success(), "{url}: {}", response.status());
        bytes = response.bytes().await.unwrap().len();
        if n >= 2 {
            times.push(started.elapsed());
        }
    }
    times.sort();
    (times[LOADS / 2], times[LOADS * 9 / 10], bytes)
}
