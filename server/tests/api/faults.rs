//! The fault suite: the real `server` binary exports 100 accepted candidates to a Workable
//! sandbox that fails on purpose — 10 % of calls answered 503, 429 storms, 4 % of committed writes
//! whose answer is lost, added latency — while the server is killed with SIGKILL at random moments
//! and restarted, and Workable's grant is revoked midway and the company reconnects. At the end
//! every candidate is in Workable exactly once with CV and profile, no export failed or is stuck,
//! and no work is left. Once on SQLite and once on PostgreSQL with the worker inside `serve`, and
//! once on PostgreSQL with two `server worker` processes, one of them killed again and again.
//! Each run prints its figures (`fault suite:` lines; the README quotes them).

use std::time::{Duration, Instant};

use domain::export::ExportState;
use domain::views::CandidateProfile;
use domain::{Email, RequestId};
use integrations::{Actor, Completion, Integrations, TokenCipher};
use marketplace::Marketplace;
use marketplace::demo::DEMO_LOGINS;
use rand::Rng;
use storage::testing::{TestDatabase, eventually};
use storage::{Backend, CvFile, NewCandidate};
use workable::oauth::OAuthApp;
use workable::{Endpoints, Secret, WorkableClient};
use workable_sandbox::{Faults, Sandbox, seed};

use crate::helpers::{RUST_JOB, everyone_at_sourced, server_process};

const CANDIDATES: usize = 100;
const KILLS: usize = 6;

/// Which processes do the work.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Layout {
    /// `server` (serve) with its own sync worker: it is the one killed.
    OneServer,
    /// `server` without a worker and two `server worker` processes; the second is killed.
    TwoWorkers,
}

/// What the child processes share.
struct Run {
    database_url: String,
    sandbox_base: String,
    key: String,
    public_url: String,
    listen: String,
    data_dir: tempfile::TempDir,
}

impl Run {
    fn spawn(&self, args: &[&str], sync_worker: bool) -> tokio::process::Child {
        server_process(args, &self.database_url, &self.sandbox_base, &self.key, self.data_dir.path())
            .env("ATS_BRIDGE_WORKABLE_CLIENT_ID", seed::CLIENT_ID)
            .env("ATS_BRIDGE_WORKABLE_CLIENT_SECRET", seed::CLIENT_SECRET)
            .env("ATS_BRIDGE_LISTEN", &self.listen)
            .env("ATS_BRIDGE_PUBLIC_URL", &self.public_url)
            .env("ATS_BRIDGE_SYNC_WORKER", if sync_worker { "true" } else { "false" })
            .env("ATS_BRIDGE_DEMO", "off")
            .env("ATS_BRIDGE_SANDBOX", "off")
            .spawn()
            .expect("start the server binary")
    }
}

/// Connects Northwind through the sandbox's OAuth flow, as Maria allowing it on the authorise page.
/// Workable fails on purpose here too: the whole flow is tried again (a code is single-use).
async fn connect(integrations: &Integrations, maria: &Actor, sandbox_base: &str) {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for attempt in 1..=10 {
        let authorization = integrations.begin_oauth(maria).unwrap();
        let (_, query) = authorization.url.split_once('?').unwrap();
        let mut form: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        form.push(("member_email".into(), "maria@northwind.test".into()));
        form.push(("decision".into(), "allow".into()));
        let response = client.post(format!("{sandbox_base}/oauth/authorize")).form(&form).send().await.unwrap();
        let Some(location) = response.headers().get("location").and_then(|l| l.to_str().ok()) else { continue };
        let callback = location.split_once('?').unwrap().1.to_owned();
        let code = url::form_urlencoded::parse(callback.as_bytes()).find(|(k, _)| k == "code").unwrap().1.into_owned();
        match integrations.complete_oauth(maria, &code, &authorization.pkce_verifier).await {
            Ok(Completion::Connected) => return,
            Ok(other) => panic!("expected one account, got {other:?}"),
            Err(err) => {
                // As a person would, click again a moment later.
                eprintln!("fault suite: connect attempt {attempt} failed: {err}");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
    panic!("could not connect in ten attempts");
}

async fn fault_suite(backend: Backend, layout: Layout) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter("warn,integrations=info,workable=info,sqlx=warn")
        .with_test_writer()
        .try_init();
    let started = Instant::now();
    let database = TestDatabase::new(backend).await;
    let db = server::prepare_database(&database.url, true).await.unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let listen = listener.local_addr().unwrap().to_string();
    drop(listener);
    let public_url = format!("http://{listen}");
    let sandbox = Sandbox::new(seed::seed(vec![server::oauth_callback_url(&public_url)]), None);
    let (sandbox_base, _) = sandbox.serve(0).await.unwrap();
    let (cipher, key) = TokenCipher::generate();
    let oauth = OAuthApp {
        client_id: seed::CLIENT_ID.into(),
        client_secret: Secret::new(seed::CLIENT_SECRET),
        redirect_uri: server::oauth_callback_url(&public_url),
    };
    let integrations =
        Integrations::new(db.clone(), WorkableClient::new(Endpoints::sandbox(&sandbox_base)), Some(oauth), cipher)
            .with_public_url(public_url.clone());
    let market = Marketplace::new(db.clone(), true, workable::Clock::system());
    let maria =
        Actor::from(&db.find_user_by_email(&Email::parse(DEMO_LOGINS[0].email).unwrap()).await.unwrap().unwrap());
    connect(&integrations, &maria, &sandbox_base).await;
    let role = db
        .insert_role(
            maria.company_id,
            &domain::RoleTitle::parse("Fault suite engineer").unwrap(),
            &domain::Location::parse("Berlin").unwrap(),
            domain::RoleStatus::Live,
        )
        .await
        .unwrap();
    integrations.save_configuration(&maria, role, RUST_JOB, &everyone_at_sourced()).await.unwrap();

    // The candidates and their requests, accepted later while the server is being killed.
    let mut requests = Vec::new();
    for n in 0..CANDIDATES {
        let email = format!("fault-{n}@candidates.test");
        let profile = CandidateProfile { skills: vec!["Rust".into()], ..Default::default() };
        let pdf = documents::render_cv(&documents::CvContent {
            name: "Ada Lovelace",
            email: &email,
            phone: None,
            headline: "Engineer",
            summary: "Analytical engines.",
            profile: &profile,
        });
        let candidate = db
            .insert_candidate(NewCandidate {
                name: &format!("Ada Lovelace {n}"),
                email: &Email::parse(&email).unwrap(),
                phone: None,
                headline: "Engineer",
                summary: "Analytical engines.",
                profile: &profile,
                cv: Some(CvFile { filename: format!("ada-{n}.pdf"), pdf }),
            })
            .await
            .unwrap();
        let request = db.insert_request(maria.company_id, role, candidate, Some(maria.user_id)).await.unwrap();
        requests.push((request, email));
    }

    let faults = Faults {
        error_rate: 0.10,
        lost_after_commit_rate: 0.04,
        latency_ms: 20,
        // Workable's OAuth limit is 50 calls / 10 s; lifted so a run takes a minute, not five.
        rate_limit_override: Some(150),
        ..Faults::default()
    };
    sandbox.set_faults(faults);

    let run = Run {
        database_url: database.url.clone(),
        sandbox_base: sandbox_base.clone(),
        key,
        public_url,
        listen: listen.clone(),
        data_dir: tempfile::tempdir().unwrap(),
    };
    let mut site = run.spawn(&["serve"], layout == Layout::OneServer);
    let (steady, mut victim) = match layout {
        Layout::OneServer => (None, None),
        Layout::TwoWorkers => (Some(run.spawn(&["worker"], true)), Some(run.spawn(&["worker"], true))),
    };

    // Acceptances arrive over the run: ten every half second.
    let accepting = {
        let (market, maria, requests) = (market.clone(), maria.clone(), requests.clone());
        tokio::spawn(async move {
            for batch in requests.chunks(10) {
                for (request, _) in batch {
                    market.accept_on_behalf(&maria, *request).await.unwrap();
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        })
    };

    // Chaos: SIGKILL at random moments, restart after a random pause; 429 storms between; the
    // grant revoked after the third kill, and the company reconnected once the product noticed.
    let mut kills = 0;
    let mut storms = 0;
    let mut revoked_at = None;
    while kills < KILLS {
        let pause = rand::thread_rng().gen_range(1_000..4_000);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        if kills % 2 == 1 {
            let until = sandbox.now_ms() + 2_000;
            sandbox.set_faults(Faults { rate_limit_storm_until_ms: Some(until), ..sandbox.faults() });
            storms += 1;
        }
        match layout {
            Layout::OneServer => {
                site.start_kill().unwrap();
                site.wait().await.unwrap();
            }
            Layout::TwoWorkers => {
                let mut worker = victim.take().unwrap();
                worker.start_kill().unwrap();
                worker.wait().await.unwrap();
            }
        }
        kills += 1;
        tokio::time::sleep(Duration::from_millis(rand::thread_rng().gen_range(100..1_500))).await;
        match layout {
            Layout::OneServer => site = run.spawn(&["serve"], true),
            Layout::TwoWorkers => victim = Some(run.spawn(&["worker"], true)),
        }
        if kills == 3 {
            assert!(sandbox.revoke_oauth_access() > 0);
            revoked_at = Some(Instant::now());
        }
    }
    accepting.await.unwrap();

    // The product noticed the revoked grant (or already got past it): reconnect.
    if let Some(revoked) = revoked_at {
        eventually(Duration::from_secs(60), || async {
            let status = db.connection(maria.company_id).await.unwrap().unwrap().status;
            let paused = db.work_counts().await.unwrap().iter().any(|(state, n)| state == "paused" && *n > 0);
            if status == storage::ConnectionStatus::ReconnectNeeded || paused {
                Ok(())
            } else {
                Err(format!("the revoked grant is not noticed yet ({status:?})"))
            }
        })
        .await;
        eprintln!("fault suite: revoked grant noticed after {:.1} s", revoked.elapsed().as_secs_f64());
        connect(&integrations, &maria, &sandbox_base).await;
    }

    // Everything exported, nothing failed, nothing left.
    let emails: Vec<&str> = requests.iter().map(|(_, e)| e.as_str()).collect();
    let ids: Vec<RequestId> = requests.iter().map(|(r, _)| *r).collect();
    eventually(Duration::from_secs(240), || async {
        let mut waiting = Vec::new();
        for request in &ids {
            let state = db.export_by_request(maria.company_id, *request).await.unwrap().map(|e| e.state);
            if state != Some(ExportState::Done) {
                waiting.push((*request, state));
            }
        }
        if waiting.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} exports not done, e.g. {:?}; queue {:?}",
                waiting.len(),
                &waiting[..waiting.len().min(3)],
                db.work_counts().await
            ))
        }
    })
    .await;
    let counts = db.work_counts().await.unwrap();
    assert!(counts.iter().all(|(state, n)| state != "failed" || *n == 0), "nothing failed: {counts:?}");

    sandbox.read(|w| {
        let account = w.account("northwind").unwrap();
        for email in &emails {
            let found: Vec<_> = account
                .candidates
                .iter()
                .filter(|c| !c.deleted && c.job_shortcode == RUST_JOB && c.email == *email)
                .collect();
            assert_eq!(found.len(), 1, "{email} is in Workable exactly once");
            assert!(found[0].resume.is_some(), "{email}: the CV as the resume");
            let profiles = found[0].files.iter().filter(|f| f.name.starts_with("Marketplace profile")).count();
            assert_eq!(profiles, 1, "{email}: the profile once");
        }
    });

    let log = sandbox.request_log();
    let count = |f: &dyn Fn(&workable_sandbox::LoggedRequest) -> bool| log.iter().filter(|r| f(r)).count();
    let creates =
        count(&|r| r.method == "POST" && r.path.ends_with(&format!("/jobs/{RUST_JOB}/candidates")) && r.status < 300);
    eprintln!(
        "fault suite: {} {:?}: {} candidates exported once each with CV and profile, 0 failed, 0 stuck, in {:.0} s; \
         {} kills, {} 429 storms, grant revoked and reconnected; Workable saw {} calls: {} × 503, {} × 429, {} answers lost after commit, {} successful creates",
        backend.name(),
        layout,
        emails.len(),
        started.elapsed().as_secs_f64(),
        kills,
        storms,
        log.len(),
        count(&|r| r.status == 503),
        count(&|r| r.status == 429),
        count(&|r| r.lost_after_commit),
        creates,
    );
    drop((site, steady, victim));
}

#[tokio::test]
async fn the_server_killed_again_and_again_under_workable_faults_exports_everyone_once_on_sqlite() {
    fault_suite(Backend::Sqlite, Layout::OneServer).await;
}

#[tokio::test]
async fn the_server_killed_again_and_again_under_workable_faults_exports_everyone_once_on_postgres() {
    fault_suite(Backend::Postgres, Layout::OneServer).await;
}

#[tokio::test]
async fn two_worker_processes_one_killed_again_and_again_export_everyone_once_on_postgres() {
    fault_suite(Backend::Postgres, Layout::TwoWorkers).await;
}
