//! `server`: serves the site with the sync worker, runs the sync worker alone, or migrates the
//! database.

use std::process::ExitCode;
use std::time::Duration;

use server::application::{Application, Background, Tasks};
use server::config::{Cli, Command, Config};
use server::startup::StartError;
use server::{SessionSettings, WorkableSettings, prepare_database_sized, sweep_sessions, telemetry};
use tokio::sync::watch;

fn main() -> ExitCode {
    return_large_allocations_to_the_system();
    run()
}

/// glibc keeps a freed block of up to 32 MiB in the thread's arena once it has seen one freed,
/// so every thread that ever checked a password (argon2: 19 MiB) kept 19 MiB: a flood of 300
/// sign-ins left the server at 1.47 GB. A fixed threshold keeps blocks of 1 MiB and more mapped
/// on their own and unmapped when freed (the same flood: 58 MB).
fn return_large_allocations_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: called first thing in `main`, before any other thread exists or allocates.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
}

#[tokio::main]
async fn run() -> ExitCode {
    let cli = match Cli::load_from(std::env::args_os()) {
        Ok(cli) => cli,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    telemetry::init_logging(cli.config.log_format, &cli.config.log);
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::Migrate => migrate(&cli.config).await,
        Command::Serve => serve(&cli.config).await,
        Command::Worker => worker(&cli.config).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "stopped with an error");
            ExitCode::FAILURE
        }
    }
}

async fn migrate(config: &Config) -> Result<(), StartError> {
    let db = storage::Db::connect(&config.database_url()).await?;
    db.migrate().await?;
    tracing::info!(backend = db.backend().name(), "migrations applied");
    Ok(())
}

async fn serve(config: &Config) -> Result<(), StartError> {
    let demo = config.demo;
    let db = prepare_database_sized(&config.database_url(), demo, config.database_connections).await?;
    tracing::info!(backend = db.backend().name(), demo, "database ready");
    if !demo {
        tracing::info!("demo mode off: turn it on with --demo on (ATS_BRIDGE_DEMO=on), as scripts/run does");
    }

    let (stop_tx, stop_rx) = watch::channel(false);
    let application = Application::new(db.clone(), demo, workable_settings(config)?);
    let app = application.router(SessionSettings {
        secure: config.secure_cookies,
        inactivity: Duration::from_secs(u64::from(config.session_days) * 86_400),
        sign_ins_per_minute: config.sign_ins_per_minute,
    });

    #[cfg(feature = "embedded-sandbox")]
    let app = if config.sandbox {
        let (app, sandbox) =
            server::mount_sandbox(app, &config.public_url(), &config.data_dir, application.integrations.clock())?;
        tracing::info!(url = %sandbox.base_url(), "built-in Workable sandbox mounted");
        let (app, lever) =
            server::mount_lever_sandbox(app, &config.public_url(), &config.data_dir, application.integrations.clock())?;
        tracing::info!(url = %lever.base_url(), "built-in Lever sandbox mounted");
        app
    } else {
        tracing::info!(
            "built-in Workable and Lever sandboxes off: turn them on with --sandbox on (ATS_BRIDGE_SANDBOX=on), as scripts/run does"
        );
        app
    };

    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    tracing::info!(address = %format!("http://{}", listener.local_addr()?), "serving");
    let mut tasks = Tasks::new(stop_rx);
    tasks.spawn("session sweep", |stop| sweep_sessions(db.clone(), stop));
    tasks.background(&application, background(config, config.sync_worker));
    let site = axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            let _ = stop_tx.send(true);
        });
    let result = site.await;
    tasks.join().await;
    db.close().await;
    match &result {
        Ok(()) => tracing::info!("site stopped cleanly"),
        Err(err) => tracing::error!(error = %err, "site stopped with an error"),
    }
    Ok(result?)
}

/// `server worker`: the sync engine and the drift sweep on their own, until Ctrl-C or SIGTERM.
async fn worker(config: &Config) -> Result<(), StartError> {
    let db = prepare_database_sized(&config.database_url(), false, config.database_connections).await?;
    let application = Application::new(db.clone(), false, workable_settings(config)?);
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = Tasks::new(stop_rx);
    tasks.background(&application, background(config, true));
    shutdown_signal().await;
    let _ = stop_tx.send(true);
    tasks.join().await;
    db.close().await;
    Ok(())
}

/// The background loops' settings: the sync worker's when this process runs it.
fn background(config: &Config, sync_worker: bool) -> Background {
    Background { sync: sync_worker.then(|| (sync_settings(config), reconcile_every(config))) }
}

fn reconcile_every(config: &Config) -> Duration {
    Duration::from_secs(u64::from(config.reconcile_every_seconds.max(10)))
}

fn sync_settings(config: &Config) -> sync::Settings {
    sync::Settings {
        concurrency: usize::from(config.sync_concurrency.max(1)),
        lease: Duration::from_secs(u64::from(config.sync_lease_seconds.max(1))),
        ..sync::Settings::new(config.public_url())
    }
}

/// Workable's endpoints, the OAuth client and the token key, from configuration; the embedded
/// default points at the built-in sandbox with its seeded client and a key in the data directory.
fn workable_settings(config: &Config) -> Result<WorkableSettings, StartError> {
    let public = config.public_url();
    let sandbox_root = format!("{public}/sandbox");
    let endpoints = match &config.workable_url {
        Some(url) => workable::Endpoints::sandbox(url),
        None if cfg!(feature = "embedded-sandbox") && config.sandbox => workable::Endpoints::sandbox(&sandbox_root),
        None => workable::Endpoints::workable(),
    };
    let uses_embedded = cfg!(feature = "embedded-sandbox") && endpoints.accounts_url.starts_with(&sandbox_root);
    let client = match (&config.workable_client_id, &config.workable_client_secret) {
        (Some(id), Some(secret)) => Some((id.clone(), secret.clone())),
        _ if uses_embedded => Some(workable_sandbox_client()),
        _ => None,
    };
    let oauth = client.map(|(client_id, secret)| workable::oauth::OAuthApp {
        client_id,
        client_secret: workable::Secret::new(secret),
        redirect_uri: server::oauth_callback_url(&public),
    });
    let cipher = match &config.token_key {
        Some(key) => integrations::TokenCipher::from_base64(key).map_err(StartError::TokenKey)?,
        None if config.database_url().starts_with("sqlite:") => {
            integrations::TokenCipher::load_or_create(&config.data_dir.join("token.key"))
                .map_err(StartError::TokenKey)?
        }
        None => return Err(StartError::TokenKey(integrations::custody::KeyError::Missing)),
    };
    if oauth.is_none() {
        tracing::info!("no Workable OAuth client configured: only the API-token path is offered");
    }
    let lever_sandbox_root = format!("{public}/lever-sandbox");
    let lever = match config.lever_url.as_deref().map(str::trim) {
        Some("lever") => Some(lever::Endpoints::lever()),
        Some(root) if !root.is_empty() => Some(lever::Endpoints::local(root)),
        _ if cfg!(feature = "embedded-sandbox") && config.sandbox => Some(lever::Endpoints::local(&lever_sandbox_root)),
        _ => None,
    };
    let lever_uses_embedded = cfg!(feature = "embedded-sandbox")
        && lever.as_ref().is_some_and(|e| e.authorize_url.starts_with(&lever_sandbox_root));
    let lever_client = match (&config.lever_client_id, &config.lever_client_secret) {
        (Some(id), Some(secret)) => Some((id.clone(), secret.clone())),
        _ if lever_uses_embedded => Some(lever_sandbox_client()),
        _ => None,
    };
    let lever_oauth = lever_client.filter(|_| lever.is_some()).map(|(client_id, secret)| lever::oauth::OAuthApp {
        client_id,
        client_secret: secret.into(),
        redirect_uri: server::lever_callback_url(&public),
    });
    if lever.is_some() && lever_oauth.is_none() {
        tracing::info!("no Lever OAuth client configured: Lever is connected with an API key only");
    }
    Ok(WorkableSettings {
        lever,
        lever_oauth,
        endpoints,
        oauth,
        cipher,
        public_url: public,
        source_domain: config.marketplace_domain.clone(),
        clock: workable::Clock::system(),
    })
}

#[cfg(feature = "embedded-sandbox")]
fn lever_sandbox_client() -> (String, String) {
    (lever_sandbox::seed::CLIENT_ID.to_owned(), lever_sandbox::seed::CLIENT_SECRET.to_owned())
}

#[cfg(not(feature = "embedded-sandbox"))]
fn lever_sandbox_client() -> (String, String) {
    // Only asked for when the sandbox is compiled in (`lever_uses_embedded` checks the feature).
    (String::new(), String::new())
}

#[cfg(feature = "embedded-sandbox")]
fn workable_sandbox_client() -> (String, String) {
    (workable_sandbox::seed::CLIENT_ID.to_owned(), workable_sandbox::seed::CLIENT_SECRET.to_owned())
}

#[cfg(not(feature = "embedded-sandbox"))]
fn workable_sandbox_client() -> (String, String) {
    // Only asked for when the sandbox is compiled in (`uses_embedded` checks the feature).
    (String::new(), String::new())
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => tracing::info!("Ctrl-C: shutting down"),
        _ = terminate => tracing::info!("SIGTERM: shutting down"),
    }
}
