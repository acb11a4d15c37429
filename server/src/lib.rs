//! The ats-bridge server: the Leptos site with its server functions, the health and metrics
//! endpoints, and file downloads, over one database.

pub mod application;
pub mod assets;
pub mod changes;
pub mod config;
mod connect;
mod downloads;
mod guard;
mod health;
mod signed_in;
pub mod telemetry;
pub mod webhooks;

use std::time::Duration;

use app::{App, shell};
use axum::Router;
use axum::extract::FromRef;
use axum::handler::Handler;
use axum::routing::get;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use marketplace::Marketplace;
use storage::{Db, SqlSessionStore};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Everything a request handler may need.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub market: Marketplace,
    pub integrations: integrations::Integrations,
    pub metrics: telemetry::Metrics,
}

/// Session cookie settings.
#[derive(Clone, Copy, Debug)]
pub struct SessionSettings {
    pub secure: bool,
    pub inactivity: Duration,
    /// Sign-in attempts one client address may make in a minute (a burst of this many, then one
    /// every `60 / n` seconds).
    pub sign_ins_per_minute: u32,
}

/// The largest request body any endpoint reads (Workable's deliveries have their own, smaller
/// limit).
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "ats_bridge_session";

/// The whole HTTP application, answering as the site at `public_url`.
pub fn router(state: AppState, sessions: SessionSettings, public_url: &str) -> Router {
    let routes = generate_route_list(App);
    let market = state.market.clone();
    let integrations = state.integrations.clone();
    let options = state.leptos_options.clone();
    // Open pages' connections, counted together.
    let changes = changes::Changes::new(market.clone());
    // Workable's deliveries: verified and queued, outside sessions and pages.
    let exports = sync::Exports::new(state.db.clone(), state.integrations.clock().clone());
    let webhooks = webhooks::routes(state.db.clone(), state.integrations.clone());
    let store = SqlSessionStore::new(state.db.clone());
    let inactivity = time::Duration::try_from(sessions.inactivity).unwrap_or(time::Duration::days(7));
    let session_layer = SessionManagerLayer::new(store)
        .with_name(SESSION_COOKIE)
        .with_secure(sessions.secure)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_expiry(Expiry::OnInactivity(inactivity));

    Router::new()
        // The home page is Source, which sends signed-out visitors on to sign in.
        .route("/", get(|| async { axum::response::Redirect::to("/source") }))
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(telemetry::metrics))
        .route("/candidates/{id}/cv", get(downloads::candidate_cv))
        .route("/insights/{file}", get(downloads::insights_csv))
        .route("/events/roles/{id}", get(changes::role_changes).with_state(changes.clone()))
        .route("/events/source", get(changes::source_changes).with_state(changes))
        .route("/integrations/workable/authorize", connect::authorize_route(domain::AtsKind::Workable))
        .route("/integrations/workable/callback", connect::callback_route(domain::AtsKind::Workable))
        .route("/integrations/lever/authorize", connect::authorize_route(domain::AtsKind::Lever))
        .route("/integrations/lever/callback", connect::callback_route(domain::AtsKind::Lever))
        .merge(webhooks)
        .merge(assets::routes(&assets::folder(&state.leptos_options)))
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(market.clone());
                provide_context(integrations.clone());
                provide_context(exports.clone());
            },
            move || shell(options.clone()),
        )
        .route_layer(axum::middleware::from_fn(telemetry::track_requests))
        // Static files and unknown paths: counted under one label.
        .fallback(Handler::layer(
            leptos_axum::file_and_error_handler::<AppState, _>(shell),
            axum::middleware::from_fn(telemetry::track_requests),
        ))
        .layer(session_layer)
        .layer(axum::middleware::from_fn_with_state(sessions.secure, guard::own_error_links))
        // No form of the product is near this size: a larger body is refused unread (413).
        .layer(tower_http::limit::RequestBodyLimitLayer::new(MAX_REQUEST_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            guard::SignInThrottle::new(sessions.sign_ins_per_minute),
            guard::throttle_sign_in,
        ))
        // Before sessions and pages: a cross-site write never reaches them.
        .layer(axum::middleware::from_fn_with_state(guard::Origin::of(public_url), guard::same_site_writes))
        .layer(axum::middleware::from_fn(guard::security_headers))
        // Pages and server-function answers go out gzipped (the bundle has its copies made at build).
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Site settings for Leptos: compiled in by cargo-leptos, overridable by `LEPTOS_*` variables; the
/// pages link the site's hashed bundle when it has one.
pub fn leptos_options() -> LeptosOptions {
    let options = get_configuration(None)
        .map(|c| c.leptos_options)
        .unwrap_or_else(|_| LeptosOptions::builder().output_name("ats-bridge").build());
    assets::link_hashed_bundle(options)
}

/// Opens and migrates the database, seeding demo data into an empty one when asked.
pub async fn prepare_database(url: &str, demo: bool) -> startup::Result<Db> {
    prepare_database_sized(url, demo, storage::DEFAULT_POSTGRES_CONNECTIONS).await
}

/// [`prepare_database`] keeping at most `connections` connections to PostgreSQL.
pub async fn prepare_database_sized(url: &str, demo: bool, connections: u32) -> startup::Result<Db> {
    let db = Db::connect_sized(url, connections).await?;
    db.migrate().await?;
    if demo {
        marketplace::demo::seed_if_empty(&db).await?;
    }
    Ok(db)
}

/// Errors of start-up, before anything is served.
pub mod startup {
    #[derive(Debug, thiserror::Error)]
    pub enum StartError {
        #[error(transparent)]
        Storage(#[from] storage::StorageError),
        #[error(transparent)]
        Marketplace(#[from] marketplace::MarketplaceError),
        #[error(transparent)]
        Config(#[from] crate::config::ConfigError),
        #[error("cannot listen: {0}")]
        Io(#[from] std::io::Error),
        #[error(transparent)]
        TokenKey(integrations::custody::KeyError),
        #[cfg(feature = "embedded-sandbox")]
        #[error(transparent)]
        Sandbox(#[from] workable_sandbox::OpenError),
    }
    pub type Result<T> = std::result::Result<T, StartError>;
}

/// What the Workable connection needs from configuration.
pub struct WorkableSettings {
    pub endpoints: workable::Endpoints,
    pub oauth: Option<workable::oauth::OAuthApp>,
    pub cipher: integrations::TokenCipher,
    /// Where Workable reaches this product (webhooks are subscribed to it).
    pub public_url: String,
    /// The source exports name in Workable, when not the public address's host.
    pub source_domain: Option<workable::SourceDomain>,
    /// What Workable's rate-limit windows are timed by: the system's clock, which tests replace
    /// with one that skips the waits (and share with the sandbox).
    pub clock: workable::Clock,
    /// Lever, when this instance offers it beside Workable.
    pub lever: Option<lever::Endpoints>,
    /// The OAuth application Lever registered for the marketplace (without it, Lever is
    /// connected with an API key only).
    pub lever_oauth: Option<lever::oauth::OAuthApp>,
}

pub fn integrations(db: &Db, settings: WorkableSettings) -> integrations::Integrations {
    let integrations = integrations::Integrations::new(
        db.clone(),
        workable::WorkableClient::new(settings.endpoints),
        settings.oauth,
        settings.cipher,
    )
    .with_public_url(settings.public_url)
    .with_source_domain(settings.source_domain)
    .with_clock(settings.clock);
    match settings.lever {
        Some(endpoints) => {
            integrations.with_lever(lever::LeverClient::new(endpoints)).with_lever_oauth(settings.lever_oauth)
        }
        None => integrations,
    }
}

/// Where the OAuth provider sends the browser back after *Connect* (see the ATS integrations).
pub fn oauth_callback_url(public_url: &str) -> String {
    format!("{public_url}/integrations/workable/callback")
}

/// Where Lever's authorisation page sends the browser back after *Connect* under Lever.
pub fn lever_callback_url(public_url: &str) -> String {
    format!("{public_url}/integrations/lever/callback")
}

/// The built-in Workable sandbox, mounted at `/sandbox` with its state kept in the data
/// directory, so it survives restarts like the product's own database. It goes by the product's
/// clock (`Integrations::clock`), so moving the sandbox's clock moves the product's rate limiter.
#[cfg(feature = "embedded-sandbox")]
pub fn mount_sandbox(
    app: Router,
    public_url: &str,
    data_dir: &std::path::Path,
    clock: &workable::Clock,
) -> Result<(Router, workable_sandbox::Sandbox), workable_sandbox::OpenError> {
    let sandbox = workable_sandbox::Sandbox::open(
        Some(data_dir.join("workable-sandbox.json")),
        vec![oauth_callback_url(public_url)],
        clock.clone(),
    )?;
    sandbox.set_base_url(&format!("{public_url}/sandbox"));
    sandbox.start_webhook_delivery();
    let app = app
        .route("/sandbox/", get(|| async { axum::response::Redirect::permanent("/sandbox") }))
        .nest("/sandbox", sandbox.router());
    Ok((app, sandbox))
}

/// The built-in Lever sandbox, mounted at `/lever-sandbox` beside the Workable one, with its
/// state in the data directory. Its API is `{public_url}/lever-sandbox/v1`, its OAuth
/// `{public_url}/lever-sandbox/authorize` (`lever::Endpoints::local`).
#[cfg(feature = "embedded-sandbox")]
pub fn mount_lever_sandbox(
    app: Router,
    public_url: &str,
    data_dir: &std::path::Path,
    clock: &workable::Clock,
) -> Result<(Router, lever_sandbox::LeverSandbox), lever_sandbox::OpenError> {
    let sandbox = lever_sandbox::LeverSandbox::open(
        Some(data_dir.join("lever-sandbox.json")),
        vec![lever_callback_url(public_url)],
        clock.clone(),
    )?;
    sandbox.set_base_url(&format!("{public_url}/lever-sandbox"));
    sandbox.start_webhook_delivery();
    let app = app
        .route("/lever-sandbox/", get(|| async { axum::response::Redirect::permanent("/lever-sandbox") }))
        .nest("/lever-sandbox", sandbox.router());
    Ok((app, sandbox))
}

/// How long a webhook delivery's record is kept.
pub const WEBHOOK_RECORDS_KEPT: Duration = Duration::from_secs(30 * 86_400);

/// Deletes expired sessions, webhook delivery records older than [`WEBHOOK_RECORDS_KEPT`] and
/// failed sign-in counts older than an hour, every hour until `shutdown` resolves.
pub async fn sweep_sessions(db: Db, shutdown: impl std::future::Future<Output = ()>) {
    let store = SqlSessionStore::new(db.clone());
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => return,
            _ = tick.tick() => match store.delete_expired().await {
                Ok(n) if n > 0 => tracing::info!(sessions = n, "expired sessions removed"),
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "could not remove expired sessions"),
            },
        }
        let before = storage::now_ms() - WEBHOOK_RECORDS_KEPT.as_millis() as i64;
        match db.prune_webhook_deliveries(before).await {
            Ok(n) if n > 0 => tracing::info!(deliveries = n, "old webhook delivery records removed"),
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "could not remove old webhook delivery records"),
        }
        // Failed sign-ins only matter for their quarter of an hour (and a lock's).
        if let Err(err) = db.prune_sign_in_failures(storage::now_ms() - 3_600_000).await {
            tracing::warn!(error = %err, "could not remove old failed sign-in counts");
        }
    }
}

/// How often each ATS configuration is checked against Workable for drift (job closed or
/// archived, stage renamed or deleted) when nothing else checked it meanwhile.
pub const DRIFT_CHECK_EVERY: Duration = Duration::from_secs(15 * 60);

/// How long an OAuth grant may go unused before the sweep renews it: its access token expired
/// this long ago.
const GRANT_IDLE: Duration = Duration::from_secs(6 * 86_400);

/// Checks due ATS configurations every minute (a batch at a time, within each connection's rate
/// limit), and renews OAuth grants idle for [`GRANT_IDLE`], until `shutdown` resolves. Several
/// instances may run it: a check only records its finding against the configuration version it
/// read, and a grant is renewed by the one instance that claims it.
pub async fn sweep_drift(integrations: integrations::Integrations, shutdown: impl std::future::Future<Output = ()>) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => return,
            _ = tick.tick() => {
                match integrations.check_due_configurations(DRIFT_CHECK_EVERY, 50).await {
                    Ok(n) if n > 0 => tracing::info!(configurations = n, "ATS configurations checked for drift"),
                    Ok(_) => {}
                    Err(err) => tracing::warn!(error = %err, "drift sweep failed"),
                }
                match integrations.renew_idle_grants(GRANT_IDLE, 50).await {
                    Ok(n) if n > 0 => tracing::info!(grants = n, "idle OAuth grants renewed"),
                    Ok(_) => {}
                    Err(err) => tracing::warn!(error = %err, "renewing idle grants failed"),
                }
            }
        }
    }
}

/// Queues a reconciliation for every connection whose last one is older than `every`, checking
/// each minute, until `shutdown` resolves. Several instances may run it: a queued reconciliation
/// is one item per connection.
pub async fn sweep_reconciliations(
    engine: sync::Engine,
    every: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let mut tick = tokio::time::interval(Duration::from_secs(60).min(every));
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => return,
            _ = tick.tick() => match engine.schedule_reconciliations(every).await {
                Ok(n) if n > 0 => tracing::info!(connections = n, "reconciliations queued"),
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "could not queue reconciliations"),
            },
        }
    }
}
