//! `spawn_app()`: the real router on port 0 with its own database (SQLite file or PostgreSQL
//! database) seeded with the demo, and a cookie-keeping HTTP client per user.

use std::time::Duration;

use marketplace::demo::DEMO_LOGINS;
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use server::application::{Application, Background, Tasks};
use server::{SessionSettings, WorkableSettings, prepare_database};
use server_fn::ServerFn;
use storage::Backend;
use storage::testing::TestDatabase;

pub struct TestApp {
    pub address: String,
    pub db: storage::Db,
    pub sandbox: workable_sandbox::Sandbox,
    /// The background loops and their stop signal: they run while the app lives.
    _background: (tokio::sync::watch::Sender<bool>, Tasks),
    _database: TestDatabase,
    _sandbox_dir: tempfile::TempDir,
}

/// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
pub struct Visitor {
    pub client: reqwest::Client,
    pub address: String,
}

pub const MARIA: usize = 0;
pub const TOM: usize = 1;
pub const HANK: usize = 2;

/// The app with the Workable sandbox mounted at `/sandbox`, as in the embedded default.
pub async fn spawn_app(backend: Backend) -> TestApp {
    let database = TestDatabase::new(backend).await;
    let db = prepare_database(&database.url, true).await.expect("prepare the test database");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let workable = WorkableSettings {
        lever: None,
        lever_oauth: None,
        endpoints: workable::Endpoints::sandbox(&format!("{address}/sandbox")),
        oauth: Some(workable::oauth::OAuthApp {
            client_id: workable_sandbox::seed::CLIENT_ID.into(),
            client_secret: workable::Secret::new(workable_sandbox::seed::CLIENT_SECRET),
            redirect_uri: server::oauth_callback_url(&address),
        }),
        cipher: integrations::TokenCipher::generate().0,
        public_url: address.clone(),
        source_domain: None,
        // Rate-limit windows and back-offs pass without waiting (the sandbox shares the clock).
        clock: workable::Clock::skipping(),
    };
    let application = Application::new(db.clone(), true, workable);
    let clock = application.integrations.clock().clone();
    // The sync worker and the sweeps run inside the server, as they do by default.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut tasks = Tasks::new(stopped);
    let sync = sync::Settings { base_backoff: Duration::from_millis(50), ..sync::Settings::new(address.clone()) };
    tasks.background(&application, Background { sync: Some((sync, Duration::from_secs(3600))) });
    let app = application.router(SessionSettings {
        secure: false,
        inactivity: Duration::from_secs(3600),
        sign_ins_per_minute: 20,
    });
    let sandbox_dir = tempfile::tempdir().unwrap();
    let (app, sandbox) = server::mount_sandbox(app, &address, sandbox_dir.path(), &clock).unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap()
    });
    TestApp { address, db, sandbox, _background: (stop, tasks), _database: database, _sandbox_dir: sandbox_dir }
}

impl TestApp {
    pub fn visitor(&self) -> Visitor {
        let client = reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap();
        Visitor { client, address: self.address.clone() }
    }

    /// A visitor signed in as one of the demo logins.
    pub async fn signed_in(&self, login: usize) -> Visitor {
        let visitor = self.visitor();
        let login = DEMO_LOGINS[login];
        let response = visitor.call::<app::api::SignIn>(&[("email", login.email), ("password", login.password)]).await;
        assert!(
            response.status().is_success() || response.status().is_redirection(),
            "sign-in failed: {}",
            response.status()
        );
        visitor
    }
}

impl Visitor {
    /// Calls a server function the way a form post does.
    pub async fn call<F: ServerFn>(&self, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client.post(format!("{}{}", self.address, F::PATH)).form(fields).send().await.unwrap()
    }

    /// Calls a server function and decodes its JSON answer, asserting the status.
    pub async fn call_ok<F: ServerFn, T: serde::de::DeserializeOwned>(&self, fields: &[(&str, &str)]) -> T {
        let response = self.call::<F>(fields).await;
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{} answered {status}: {body}", F::PATH);
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{} answered {body}: {e}", F::PATH))
    }

    /// Calls a server function expected to fail, returning the status and the error it carried.
    pub async fn call_err<F: ServerFn>(&self, fields: &[(&str, &str)]) -> (StatusCode, app::error::AppError) {
        let response = self.call::<F>(fields).await;
        let status = response.status();
        let body = response.text().await.unwrap();
        let err = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{} answered {status} {body}: {e}", F::PATH));
        (status, err)
    }

    /// A page load, as a browser asks for it.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .header(reqwest::header::ACCEPT, "text/html,*/*")
            .send()
            .await
            .unwrap()
    }
}

/// Declares one test per database: `name::sqlite` and `name::postgres`, each with its own app.
#[macro_export]
macro_rules! on_both_databases {
    (async fn $name:ident($app:ident: TestApp) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($app: $crate::helpers::TestApp) $body

            #[tokio::test]
            async fn sqlite() {
                run($crate::helpers::spawn_app(storage::Backend::Sqlite).await).await;
            }

            #[tokio::test]
            async fn postgres() {
                run($crate::helpers::spawn_app(storage::Backend::Postgres).await).await;
            }
        }
    };
}

/// Northwind's Senior Rust Engineer job in the sandbox's seed.
pub const RUST_JOB: &str = "NOR01RUST01";

/// The real `server` binary (`args`) against `database_url` and the Workable at `workable_url`,
/// sealing tokens with `key`: quiet, four database connections, killed when dropped. Callers add
/// their own settings before spawning.
pub fn server_process(
    args: &[&str],
    database_url: &str,
    workable_url: &str,
    key: &str,
    data_dir: &std::path::Path,
) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"));
    command
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("ATS_BRIDGE_WORKABLE_URL", workable_url)
        .env("ATS_BRIDGE_TOKEN_KEY", key)
        .env("ATS_BRIDGE_DATA_DIR", data_dir)
        .env("ATS_BRIDGE_DATABASE_CONNECTIONS", "4")
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    command
}

/// A mapping that creates everyone at *Sourced* and disqualifies the outcomes: what the export
/// walks of real processes need, whatever the stage.
pub fn everyone_at_sourced() -> Vec<(domain::MarketplaceStage, domain::mapping::StageChoice)> {
    use domain::mapping::StageChoice;
    domain::MarketplaceStage::ALL
        .iter()
        .map(|&s| (s, if s.is_outcome() { StageChoice::Disqualify } else { StageChoice::Move("sourced".into()) }))
        .collect()
}
