#![recursion_limit = "256"]
//! A Workable that runs on this machine: the SPI v3 endpoints the product uses, with Workable's
//! envelopes, status codes, paging and rate limits; the OAuth 2.0 authorisation-code flow;
//! signed webhooks; faults on demand through a control API; and a small HTML view for people.
//!
//! Addressing: an account's API lives under `{base}/{subdomain}/spi/v3/…` where Workable has
//! `https://{subdomain}.workable.com/spi/v3/…`, so a client changes only its base URL template
//! (`https://{subdomain}.workable.com` → `{base}/{subdomain}`). Account discovery is
//! `{base}/spi/v3/accounts` (Workable: `https://www.workable.com/spi/v3/accounts`), OAuth is
//! `{base}/oauth/{authorize,token,revoke}`.
//!
//! Production code never depends on this crate; the embedded default of the product mounts it.

mod api;
mod changes;
mod control;
mod faults;
mod model;
mod oauth;
mod pages;
mod render;
pub mod seed;
mod webhooks;

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use axum::Router;
pub use sandbox_support::OpenError;
use sandbox_support::SavedWorld;

pub use control::LoggedRequest;
pub use faults::Faults;
pub use model::World;
pub use render::common_source;

/// The sandbox: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct Sandbox {
    inner: Arc<Inner>,
}

struct Inner {
    world: SavedWorld<World>,
    base_url: RwLock<String>,
    clock: workable::Clock,
    access_token_seconds: AtomicI64,
    faults: Mutex<Faults>,
    limits: Mutex<std::collections::HashMap<String, faults::Window>>,
    log: Mutex<Vec<LoggedRequest>>,
    webhooks: webhooks::Outbox,
}

impl Sandbox {
    /// A sandbox holding `world`. With `persist_to`, every change is written to that file and a
    /// later [`Sandbox::open`] continues from it.
    pub fn new(world: World, persist_to: Option<PathBuf>) -> Sandbox {
        Sandbox::with_clock(world, persist_to, workable::Clock::system())
    }

    /// A sandbox going by `clock` (tests share theirs with the product's rate limiter and
    /// workers, so rate-limit windows pass without anyone waiting for them).
    pub fn with_clock(world: World, persist_to: Option<PathBuf>, clock: workable::Clock) -> Sandbox {
        Sandbox {
            inner: Arc::new(Inner {
                world: SavedWorld::new(world, persist_to),
                base_url: RwLock::new("http://127.0.0.1".to_owned()),
                clock,
                access_token_seconds: AtomicI64::new(oauth::ACCESS_TOKEN_SECONDS),
                faults: Mutex::new(Faults::default()),
                limits: Mutex::new(Default::default()),
                log: Mutex::new(Vec::new()),
                webhooks: webhooks::Outbox::default(),
            }),
        }
    }

    /// The documented seed, or the state saved in `path` if there is one, going by `clock`. A
    /// file that is there but cannot be read or parsed is an error: replacing it with the seed
    /// would silently lose what it held.
    pub fn open(
        path: Option<PathBuf>,
        redirect_uris: Vec<String>,
        clock: workable::Clock,
    ) -> Result<Sandbox, OpenError> {
        let saved = SavedWorld::<World>::load(path.as_deref())?;
        let mut world = saved.unwrap_or_else(|| {
            let mut world = seed::seed(redirect_uris.clone());
            seed::history(&mut world, clock.now_ms());
            world
        });
        // The product's callback may move between runs (another port); keep the client current.
        if let Some(client) = world.clients.iter_mut().find(|c| c.client_id == seed::CLIENT_ID) {
            for uri in redirect_uris {
                if !client.redirect_uris.contains(&uri) {
                    client.redirect_uris.push(uri);
                }
            }
        }
        Ok(Sandbox::with_clock(world, path, clock))
    }

    /// Where the sandbox is reachable from outside (`http://127.0.0.1:4000` or
    /// `http://127.0.0.1:3000/sandbox`); used in `paging.next` and other absolute URLs.
    pub fn set_base_url(&self, url: &str) {
        *self.inner.base_url.write().expect("base url lock") = url.trim_end_matches('/').to_owned();
    }

    pub fn base_url(&self) -> String {
        self.inner.base_url.read().expect("base url lock").clone()
    }

    /// The base of an account's API, as the client's template fills it in.
    pub fn account_base(&self, subdomain: &str) -> String {
        format!("{}/{subdomain}", self.base_url())
    }

    /// Every route: the SPI, OAuth, files, the control API and the pages.
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

    /// The sandbox's clock: real time plus whatever the control API added.
    pub fn now_ms(&self) -> i64 {
        self.inner.clock.now_ms()
    }

    /// Moves the sandbox's clock forward (token expiry, rate-limit windows) without waiting.
    pub fn advance_clock(&self, ms: i64) {
        self.inner.clock.advance(ms);
    }

    /// The lifetime (`expires_in`) of access tokens issued from now on; 7200 s by default.
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

    /// Every request the SPI answered, oldest first.
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        self.inner.log.lock().expect("log lock").clone()
    }
}
