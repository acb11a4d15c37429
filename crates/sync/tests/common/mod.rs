//! The export and stage-sync scenarios' shared set-up: the demo seeded, the sandbox serving,
//! Northwind connected, a role of the tests' own, and workers to start.
#![allow(dead_code)]

use std::time::Duration;

use domain::export::ExportState;
use domain::mapping::StageChoice;
use domain::views::CandidateProfile;
use domain::{Email, MarketplaceStage, RequestId, RoleId};
use integrations::{Actor, Integrations, TokenCipher};
use marketplace::Marketplace;
use marketplace::demo::{DEMO_LOGINS, seed_if_empty};
use storage::testing::eventually;
use storage::{CvFile, Db, NewCandidate};
use sync::{Engine, Settings};
use workable::{Endpoints, WorkableClient};
use workable_sandbox::{Sandbox, seed};

pub const RUST_JOB: &str = "NOR01RUST01";
pub const LEASE: Duration = Duration::from_secs(120);

pub struct Setup {
    /// Where the tests' webhook endpoint listens (the product's public address).
    pub public_url: String,
    pub db: Db,
    pub sandbox: Sandbox,
    pub integrations: Integrations,
    /// The marketplace's use cases on the same clock, for what people and candidates do.
    pub market: Marketplace,
    pub maria: Actor,
    pub rust: RoleId,
}

/// One clock for Workable and the product (the marketplace's moves included), whose waits move
/// it instead of taking time: the rate-limit windows and back-offs these scenarios go through
/// pass at once.
pub async fn setup(db: &Db) -> Setup {
    setup_with_clock(db, workable::Clock::skipping()).await
}

/// The set-up going by `clock`: the benches use the system's, so their waits are real.
pub async fn setup_with_clock(db: &Db, clock: workable::Clock) -> Setup {
    let _ = tracing_subscriber::fmt().with_env_filter("info,sqlx=warn").with_test_writer().try_init();
    seed_if_empty(db).await.unwrap();
    let sandbox = Sandbox::with_clock(seed::seed(Vec::new()), None, clock.clone());
    let (base, _) = sandbox.serve(0).await.unwrap();
    // The webhook endpoint as the server mounts it, on a port of its own.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let public_url = format!("http://{}", listener.local_addr().unwrap());
    let integrations =
        Integrations::new(db.clone(), WorkableClient::new(Endpoints::sandbox(&base)), None, TokenCipher::generate().0)
            .with_public_url(public_url.clone())
            .with_clock(clock.clone());
    let market = Marketplace::new(db.clone(), true, clock);
    tokio::spawn(axum::serve(listener, receiver(db.clone(), integrations.clone())).into_future());
    let user = db.find_user_by_email(&Email::parse(DEMO_LOGINS[0].email).unwrap()).await.unwrap().unwrap();
    let maria = Actor::from(&user);
    integrations.connect_with_api_token(&maria, "northwind", seed::NORTHWIND_TOKEN, None).await.unwrap();
    // A role of its own, so the demo's earlier acceptances (other roles, never mapped here) make
    // no Workable calls.
    let rust = db
        .insert_role(
            maria.company_id,
            &domain::RoleTitle::parse("Rust Engineer (export tests)").unwrap(),
            &domain::Location::parse("Berlin").unwrap(),
            domain::RoleStatus::Live,
        )
        .await
        .unwrap();
    Setup { public_url, db: db.clone(), sandbox, integrations, market, maria, rust }
}

/// The server's webhook route, reduced to what the engine's receiver needs (the server's own
/// route, with its size limit and its refusals' answers, is tested in `server/tests`).
fn receiver(db: Db, integrations: Integrations) -> axum::Router {
    use axum::extract::{Path, State};
    use axum::http::{HeaderMap, StatusCode};
    async fn deliver(
        State(receiver): State<sync::webhooks::Receiver>,
        Path((token, _event)): Path<(String, String)>,
        headers: HeaderMap,
        body: axum::body::Bytes,
    ) -> StatusCode {
        let signature = headers.get(workable::webhook::SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
        match receiver.receive(&token, signature, &body).await {
            Ok(_) => StatusCode::OK,
            Err(rejected) => StatusCode::from_u16(rejected.status()).unwrap(),
        }
    }
    axum::Router::new()
        .route(integrations::webhooks::WEBHOOK_ROUTE, axum::routing::post(deliver))
        .with_state(sync::webhooks::Receiver::new(db, integrations))
}

pub fn choices() -> Vec<(MarketplaceStage, StageChoice)> {
    MarketplaceStage::ALL
        .iter()
        .map(|&stage| {
            let choice = match stage {
                MarketplaceStage::Accepted => StageChoice::Move("sourced".into()),
                MarketplaceStage::Screening => StageChoice::Move("phone-screen".into()),
                MarketplaceStage::FinalInterview => StageChoice::Move("interview".into()),
                s if s.is_outcome() => StageChoice::Disqualify,
                _ => StageChoice::Nothing,
            };
            (stage, choice)
        })
        .collect()
}

pub fn settings() -> Settings {
    Settings {
        // Longer than any jump of the skipping clock; a test that kills a worker moves the clock
        // past it (`Setup::advance`).
        lease: LEASE,
        base_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(400),
        max_attempts: 12,
        ..Settings::new("http://127.0.0.1:3000")
    }
}

impl Setup {
    pub async fn map_rust(&self) {
        self.integrations.save_configuration(&self.maria, self.rust, RUST_JOB, &choices()).await.unwrap();
    }

    /// Another live role of Maria's company, mapped to Workable job `job` with [`choices`].
    pub async fn mapped_role(&self, title: &str, job: &str) -> domain::RoleId {
        let role = self
            .db
            .insert_role(
                self.maria.company_id,
                &domain::RoleTitle::parse(title).unwrap(),
                &domain::Location::parse("Berlin").unwrap(),
                domain::RoleStatus::Live,
            )
            .await
            .unwrap();
        self.integrations.save_configuration(&self.maria, role, job, &choices()).await.unwrap();
        role
    }

    /// Time passes for Workable and the product alike, without waiting for it.
    pub fn advance(&self, by: Duration) {
        self.integrations.clock().advance(by.as_millis() as i64);
    }

    pub fn engine(&self) -> Engine {
        Engine::new(self.db.clone(), self.integrations.clone(), settings())
    }

    /// Does all the work there is (and what falls due meanwhile), with no worker running.
    pub async fn drain(&self) -> usize {
        self.engine().run_until_idle().await.unwrap()
    }

    /// Starts a worker; dropping the sender (or sending) stops it.
    pub fn start(&self) -> (tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let engine = self.engine();
        let handle = tokio::spawn(engine.run(async move {
            let _ = stopped.await;
        }));
        (stop, handle)
    }

    /// A new marketplace candidate (with a CV) who accepts a request for the Rust role.
    pub async fn acceptance(&self, n: usize) -> (RequestId, String) {
        acceptance(&self.db, &self.market, &self.maria, self.rust, n).await
    }

    pub async fn export_state(&self, request: RequestId) -> Option<ExportState> {
        self.db.export_by_request(self.maria.company_id, request).await.unwrap().map(|e| e.state)
    }

    pub async fn wait_for(&self, request: RequestId, state: ExportState) {
        eventually(Duration::from_secs(60), || async move {
            match self.export_state(request).await {
                Some(now) if now == state => Ok(()),
                now => Err(format!("export of {request:?} still {now:?}, waiting for {state:?}")),
            }
        })
        .await
    }

    /// The Workable candidates with this email in the Rust job, with their file names.
    pub fn in_workable(&self, email: &str) -> Vec<Vec<String>> {
        self.sandbox.read(|w| {
            w.account("northwind")
                .unwrap()
                .candidates
                .iter()
                .filter(|c| !c.deleted && c.job_shortcode == RUST_JOB && c.email.eq_ignore_ascii_case(email))
                .map(|c| c.resume.iter().chain(c.files.iter()).map(|f| f.name.clone()).collect())
                .collect()
        })
    }

    /// Exactly one Workable candidate, with the CV as resume and the profile PDF.
    pub fn assert_exported_once(&self, email: &str, n: usize) {
        let found = self.in_workable(email);
        assert_eq!(found.len(), 1, "{email}: {found:?}");
        assert!(found[0].contains(&format!("grace-{n}.pdf")), "{found:?}");
        assert!(found[0].iter().any(|f| f.starts_with("Marketplace profile - Grace Hopper")), "{found:?}");
    }

    pub fn calls(&self, method: &str, path_end: &str) -> usize {
        self.sandbox.request_log().iter().filter(|r| r.method == method && r.path.ends_with(path_end)).count()
    }
}

/// A new marketplace candidate `n` (with a CV, `grace-{n}.pdf`) who accepts a request for `role`,
/// accepted on their behalf by `master`.
pub async fn acceptance(db: &Db, market: &Marketplace, master: &Actor, role: RoleId, n: usize) -> (RequestId, String) {
    let email = format!("export-{n}@candidates.test");
    let profile = CandidateProfile { skills: vec!["Rust".into()], ..Default::default() };
    let pdf = documents::render_cv(&documents::CvContent {
        name: "Grace Hopper",
        email: &email,
        phone: None,
        headline: "Compiler engineer",
        summary: "Wrote the first compiler.",
        profile: &profile,
    });
    let candidate = db
        .insert_candidate(NewCandidate {
            name: &format!("Grace Hopper {n}"),
            email: &Email::parse(&email).unwrap(),
            phone: None,
            headline: "Compiler engineer",
            summary: "Wrote the first compiler.",
            profile: &profile,
            cv: Some(CvFile { filename: format!("grace-{n}.pdf"), pdf }),
        })
        .await
        .unwrap();
    let request = db.insert_request(master.company_id, role, candidate, Some(master.user_id)).await.unwrap();
    market.accept_on_behalf(master, request).await.unwrap();
    (request, email)
}
