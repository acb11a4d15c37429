//! A Lever that runs on this machine: the Data API v1 endpoints the product uses (and the rest
//! of what `lever-recordings/` holds), with Lever's envelopes, status codes, token paging, API
//! keys and OAuth tokens, the per-credential token bucket; Lever's OAuth authorisation server;
//! signed webhooks; faults on demand through a control API; and a page for people where an
//! opportunity can be moved, archived or deleted by hand (which fires the webhooks).
//!
//! Addressing: the Data API lives under `{base}/v1/…` where Lever has
//! `https://api.lever.co/v1/…`; OAuth is `{base}/authorize` and `{base}/oauth/token`, and the
//! audience a token must be asked for is `{base}/v1/` — `lever::Endpoints::local(base)`.
//!
//! Production code never depends on this crate; the embedded default of the product mounts it.

mod api;
mod control;
mod faults;
pub mod model;
mod oauth;
mod pages;
mod paging;
mod render;
pub mod seed;
mod webhooks;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use axum::Router;
pub use sandbox_support::OpenError;
use sandbox_support::SavedWorld;

pub use control::LoggedRequest;
pub use faults::Faults;
pub use model::World;
pub use oauth::consent;
pub use webhooks::signed;

/// The sandbox: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct LeverSandbox {
    inner: Arc<Inner>,
}

struct Inner {
    world: SavedWorld<World>,
    base_url: RwLock<String>,
    clock: clock::Clock,
    access_token_seconds: AtomicI64,
    faults: Mutex<Faults>,
    buckets: Mutex<HashMap<String, faults::Bucket>>,
    log: Mutex<Vec<LoggedRequest>>,
    webhooks: webhooks::Outbox,
}

impl LeverSandbox {
    /// A sandbox holding `world`, going by `clock`. With `persist_to`, every change is written
    /// to that file and a later [`LeverSandbox::open`] continues from it.
    pub fn new(world: World, persist_to: Option<PathBuf>, clock: clock::Clock) -> LeverSandbox {
        LeverSandbox {
            inner: Arc::new(Inner {
                world: SavedWorld::new(world, persist_to),
                base_url: RwLock::new("http://127.0.0.1".to_owned()),
                clock,
                access_token_seconds: AtomicI64::new(oauth::ACCESS_TOKEN_SECONDS),
                faults: Mutex::new(Faults::default()),
                buckets: Mutex::new(HashMap::new()),
                log: Mutex::new(Vec::new()),
                webhooks: webhooks::Outbox::default(),
            }),
        }
    }

    /// The seed, or the state saved in `path` if there is one. A file that is there but cannot
    /// be read or parsed is an error: replacing it with the seed would lose what it held.
    pub fn open(
        path: Option<PathBuf>,
        redirect_uris: Vec<String>,
        clock: clock::Clock,
    ) -> Result<LeverSandbox, OpenError> {
        let saved = SavedWorld::<World>::load(path.as_deref())?;
        let mut world = saved.unwrap_or_else(|| seed::seed(redirect_uris.clone()));
        // The product's callback may move between runs (another port): keep the client current.
        if let Some(client) = world.clients.iter_mut().find(|c| c.client_id == seed::CLIENT_ID) {
            for uri in redirect_uris {
                if !client.redirect_uris.contains(&uri) {
                    client.redirect_uris.push(uri);
                }
            }
        }
        Ok(LeverSandbox::new(world, path, clock))
    }

    /// Where the sandbox is reachable from outside (`http://127.0.0.1:3000/lever-sandbox`);
    /// used in download addresses and the OAuth audience.
    pub fn set_base_url(&self, url: &str) {
        *self.inner.base_url.write().expect("base url lock") = url.trim_end_matches('/').to_owned();
    }

    pub fn base_url(&self) -> String {
        self.inner.base_url.read().expect("base url lock").clone()
    }

    /// The `audience` an authorisation must name: the API's address with a trailing slash.
    pub fn audience(&self) -> String {
        format!("{}/v1/", self.base_url())
    }

    /// Every route: the Data API, OAuth, the control API and the people's pages.
    pub fn router(&self) -> Router {
        Router::new()
            .merge(api::routes(self.clone()))
            .merge(oauth::routes(self.clone()))
            .merge(control::routes(self.clone()))
            .merge(pages::routes(self.clone()))
    }

    /// Starts delivering webhooks in the background (call once, inside a Tokio runtime).
    pub fn start_webhook_delivery(&self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(webhooks::deliver_forever(self.clone()))
    }

    /// Binds `port` (0 = any), sets the base URL, starts webhook delivery and serves until the
    /// returned task is dropped. Returns the base URL.
    pub async fn serve(&self, port: u16) -> std::io::Result<(String, tokio::task::JoinHandle<()>)> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let base = format!("http://{}", listener.local_addr()?);
        self.set_base_url(&base);
        self.start_webhook_delivery();
        let router = self.router();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await;
        });
        Ok((base, task))
    }

    /// Reads the world.
    pub fn read<T>(&self, f: impl FnOnce(&World) -> T) -> T {
        self.inner.world.read(f)
    }

    /// Changes the world and persists it.
    pub fn write<T>(&self, f: impl FnOnce(&mut World) -> T) -> T {
        self.inner.world.write(f)
    }

    pub fn now_ms(&self) -> i64 {
        self.inner.clock.now_ms()
    }

    pub fn advance_clock(&self, ms: i64) {
        self.inner.clock.advance(ms);
    }

    /// The lifetime (`expires_in`) of access tokens issued from now on; 3600 s by default.
    pub fn set_access_token_seconds(&self, seconds: i64) {
        self.inner.access_token_seconds.store(seconds.max(1), Ordering::Relaxed);
    }

    pub(crate) fn access_token_seconds(&self) -> i64 {
        self.inner.access_token_seconds.load(Ordering::Relaxed)
    }

    pub fn set_faults(&self, faults: Faults) {
        *self.inner.faults.lock().expect("faults lock") = faults;
        self.inner.webhooks.wake();
    }

    pub fn faults(&self) -> Faults {
        self.inner.faults.lock().expect("faults lock").clone()
    }

    /// Every API request answered, oldest first.
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        self.inner.log.lock().expect("log lock").clone()
    }

    /// Ends every OAuth grant of the account: its access and refresh tokens stop working.
    pub fn revoke_account_grants(&self, account: &str) {
        self.write(|w| {
            w.tokens.retain(|t| t.account != account);
            w.refresh_tokens.retain(|r| r.account != account);
        });
    }

    /// Deliveries queued and not yet delivered.
    pub fn webhooks_waiting(&self) -> usize {
        self.inner.webhooks.waiting()
    }
}
