//! The product wired once: the database, the Workable connection, the marketplace and the
//! export engine, with the process's background loops. `serve`, `worker` and the test harness all
//! build it here, so what runs in a test is what runs in production.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use axum::Router;
use marketplace::Marketplace;
use storage::Db;
use tokio::sync::watch;

use crate::{AppState, SessionSettings, WorkableSettings, leptos_options, telemetry};

/// The wired product; cheap to clone.
#[derive(Clone)]
pub struct Application {
    pub db: Db,
    pub market: Marketplace,
    pub integrations: integrations::Integrations,
    /// Where people and Workable reach this product.
    pub public_url: String,
}

impl Application {
    /// Wires the product over `db`: the Workable connection from `workable`, and the marketplace
    /// on the same clock (`demo` lets a company user answer for a candidate).
    pub fn new(db: Db, demo: bool, workable: WorkableSettings) -> Self {
        let public_url = workable.public_url.clone();
        let integrations = crate::integrations(&db, workable);
        let market = Marketplace::new(db.clone(), demo, integrations.clock().clone());
        Application { db, market, integrations, public_url }
    }

    /// The HTTP application: pages, server functions, downloads, webhooks, health and metrics.
    pub fn router(&self, sessions: SessionSettings) -> Router {
        let state = AppState {
            leptos_options: leptos_options(),
            db: self.db.clone(),
            market: self.market.clone(),
            integrations: self.integrations.clone(),
            metrics: telemetry::Metrics::install(),
        };
        crate::router(state, sessions, &self.public_url)
    }

    /// The sync engine over this product's queue and Workable connection.
    pub fn engine(&self, settings: sync::Settings) -> sync::Engine {
        sync::Engine::new(self.db.clone(), self.integrations.clone(), settings)
    }
}

/// What the background loops run with: the sync worker's settings and how often each connection
/// is reconciled, or `None` when this process leaves syncing to `server worker` instances.
pub struct Background {
    pub sync: Option<(sync::Settings, Duration)>,
}

/// The process's background loops, named, sharing one stop signal; `join` waits for each and says
/// how it ended (a panic is an error in the log, never silently dropped).
pub struct Tasks {
    stop: watch::Receiver<bool>,
    running: Vec<(&'static str, tokio::task::JoinHandle<()>)>,
}

/// A loop's stop signal: resolves once the process is asked to stop.
pub type Stop = Pin<Box<dyn Future<Output = ()> + Send>>;

impl Tasks {
    pub fn new(stop: watch::Receiver<bool>) -> Self {
        Tasks { stop, running: Vec::new() }
    }

    /// Runs `task` until it ends by itself or after its stop signal.
    pub fn spawn<F: Future<Output = ()> + Send + 'static>(&mut self, name: &'static str, task: impl FnOnce(Stop) -> F) {
        let mut stop = self.stop.clone();
        let stopped = Box::pin(async move {
            let _ = stop.wait_for(|stop| *stop).await;
        });
        self.running.push((name, tokio::spawn(task(stopped))));
    }

    /// The drift sweep always; with `background.sync`, the sync worker and the reconciliation
    /// sweep.
    pub fn background(&mut self, app: &Application, background: Background) {
        let drift = app.integrations.clone();
        self.spawn("drift sweep", |stop| crate::sweep_drift(drift, stop));
        if let Some((settings, every)) = background.sync {
            let engine = app.engine(settings);
            let reconciling = engine.clone();
            self.spawn("reconciliation sweep", move |stop| crate::sweep_reconciliations(reconciling, every, stop));
            self.spawn("sync worker", |stop| engine.run(stop));
        }
    }

    pub async fn join(self) {
        for (name, task) in self.running {
            match task.await {
                Ok(()) => tracing::info!(task = name, "stopped"),
                Err(err) if err.is_panic() => tracing::error!(task = name, "panicked"),
                Err(err) => tracing::warn!(task = name, error = %err, "cancelled"),
            }
        }
    }
}
