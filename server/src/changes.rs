//! `/events/roles/{id}` and `/events/source`: an open pipeline or *Source* page's one connection
//! (server-sent events), told when what the page shows has changed — an export's step, a move
//! from Workable, an acceptance — instead of asking every 1.5 s. One watcher per company and page
//! on each server reads the page's version (one indexed query) every [`LOOK_EVERY`] for all the
//! connections that follow it, and stops when the last one closes; a connection sends `changed`
//! only when the version differs from the last one its page has, so nothing is sent while nothing
//! changes (a comment every 30 s keeps proxies from closing the connection).
//! The same session checks as every page: signed in, the company's own role, the sign-in still
//! valid (looked at again every minute; the connection ends when it is not).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use domain::{CompanyId, RoleId};
use marketplace::{Actor, Marketplace, MarketplaceError};
use serde::Deserialize;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::{Instant, MissedTickBehavior};
use tower_sessions::Session;

/// How often an open page's role is looked at: a recorded step reaches the page within this and
/// the page's own read.
pub const LOOK_EVERY: Duration = Duration::from_millis(150);
/// How often the sign-in behind a connection is checked again.
const SIGN_IN_CHECKED_EVERY: Duration = Duration::from_secs(60);
/// Connections one server keeps open at once; more are refused (503) until one closes.
pub const MAX_CONNECTIONS: usize = 2048;
/// A connection's longest life: the browser then reconnects, through every check again.
const LIFETIME: Duration = Duration::from_secs(30 * 60);

/// What the route needs: the marketplace, the open connections' allowance and the pages watched.
#[derive(Clone)]
pub struct Changes {
    pub market: Marketplace,
    pub open: Arc<Semaphore>,
    watchers: Watchers,
}

impl Changes {
    pub fn new(market: Marketplace) -> Self {
        Changes { market, open: Arc::new(Semaphore::new(MAX_CONNECTIONS)), watchers: Watchers::default() }
    }

    /// The page's versions as its watcher reads them: the running watcher's, or a new one's that
    /// starts from `now` (read by `actor`, one of the company's users).
    fn watch(&self, actor: &Actor, page: Page, now: String) -> watch::Receiver<Seen> {
        let key = (actor.company_id, page);
        let mut watchers = self.watchers.lock().expect("watchers");
        if let Some(seen) = watchers.get(&key) {
            return seen.clone();
        }
        let (tell, seen) = watch::channel(Seen::Version(now));
        watchers.insert(key, seen.clone());
        tokio::spawn(watcher(self.market.clone(), self.watchers.clone(), key, actor.clone(), tell));
        seen
    }

    /// How many pages are being watched on this server.
    pub fn watched(&self) -> usize {
        self.watchers.lock().expect("watchers").len()
    }
}

/// The pages watched, by company: each one's receiver, which connections clone.
type Watchers = Arc<Mutex<HashMap<(CompanyId, Page), watch::Receiver<Seen>>>>;

/// What a page's watcher last read.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Seen {
    Version(String),
    /// The page is no longer the company's (its role is gone): connections end.
    Gone,
}

/// Reads the page's version every [`LOOK_EVERY`] and tells its connections when it changed; ends
/// when none is left (the map's own receiver aside), or when the page is gone.
async fn watcher(
    market: Marketplace,
    watchers: Watchers,
    key: (CompanyId, Page),
    actor: Actor,
    tell: watch::Sender<Seen>,
) {
    let mut ticks = ticks();
    ticks.tick().await;
    loop {
        ticks.tick().await;
        {
            // Under the lock: a connection joins either before (and is counted) or after (and
            // starts a new watcher).
            let mut watched = watchers.lock().expect("watchers");
            if tell.receiver_count() <= 1 {
                watched.remove(&key);
                return;
            }
        }
        match key.1.version(&market, &actor).await {
            Ok(version) => {
                tell.send_if_modified(|seen| {
                    let changed = *seen != Seen::Version(version.clone());
                    if changed {
                        *seen = Seen::Version(version);
                    }
                    changed
                });
            }
            Err(MarketplaceError::NotFound) => {
                watchers.lock().expect("watchers").remove(&key);
                tell.send_replace(Seen::Gone);
                return;
            }
            // A failed read is looked at again at the next tick.
            Err(err) => tracing::warn!(error = %err, page = ?key.1, "could not read a page's version"),
        }
    }
}

#[derive(Deserialize)]
pub struct Since {
    /// The version the page was rendered from; a different one now is sent at once.
    since: Option<String>,
}

/// What a connection follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Page {
    Pipeline(RoleId),
    Source,
}

impl Page {
    async fn version(self, market: &Marketplace, actor: &Actor) -> Result<String, MarketplaceError> {
        match self {
            Page::Pipeline(role) => market.pipeline_version(actor, role).await,
            Page::Source => market.source_version(actor).await,
        }
    }
}

/// `/events/roles/{id}`: a role's pipeline page.
pub async fn role_changes(
    State(changes): State<Changes>,
    session: Session,
    Path(id): Path<String>,
    Query(since): Query<Since>,
) -> Response {
    let Ok(role) = id.parse::<i64>().map(RoleId) else { return StatusCode::NOT_FOUND.into_response() };
    follow(changes, session, Page::Pipeline(role), since).await
}

/// `/events/source`: the company's *Source* page.
pub async fn source_changes(State(changes): State<Changes>, session: Session, Query(since): Query<Since>) -> Response {
    follow(changes, session, Page::Source, since).await
}

async fn follow(changes: Changes, session: Session, page: Page, since: Since) -> Response {
    let user = match crate::signed_in::session_user(&changes.market, &session).await {
        Ok(Some(user)) => user,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(response) => return response,
    };
    let actor = Actor::from(&user);
    let now = match page.version(&changes.market, &actor).await {
        Ok(version) => version,
        Err(MarketplaceError::NotFound) => return StatusCode::NOT_FOUND.into_response(),
        Err(err) => {
            tracing::error!(error = %err, ?page, "could not read a page's version");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let Ok(permit) = changes.open.clone().try_acquire_owned() else {
        tracing::warn!("too many open change streams: refused");
        return (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, "30")]).into_response();
    };
    // A version is digits and dots, short; anything else counts as out of date.
    let last = since.since.filter(|v| v.len() <= 200 && v.bytes().all(|b| b.is_ascii_digit() || b == b'.'));
    let follow = Follow {
        market: changes.market.clone(),
        session,
        user: actor.user_id,
        seen: changes.watch(&actor, page, now.clone()),
        last: last.unwrap_or(now),
        sign_in_checks: tokio::time::interval_at(Instant::now() + SIGN_IN_CHECKED_EVERY, SIGN_IN_CHECKED_EVERY),
        ends: Instant::now() + LIFETIME,
        _permit: permit,
    };
    let stream = futures::stream::unfold(follow, |mut follow| async move {
        let version = follow.next_change().await?;
        let event = Event::default().event("changed").data(version);
        Some((Ok::<_, std::convert::Infallible>(event), follow))
    });
    let mut response = Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(30))).into_response();
    // Proxies must not hold the events back to compress or buffer them.
    response.headers_mut().insert("x-accel-buffering", header::HeaderValue::from_static("no"));
    response
}

fn ticks() -> tokio::time::Interval {
    let mut ticks = tokio::time::interval(LOOK_EVERY);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ticks
}

/// One open connection's state.
struct Follow {
    market: Marketplace,
    session: Session,
    user: domain::UserId,
    seen: watch::Receiver<Seen>,
    last: String,
    sign_in_checks: tokio::time::Interval,
    ends: Instant,
    _permit: OwnedSemaphorePermit,
}

impl Follow {
    /// The page's next version different from the last one sent, or `None` when the connection
    /// ends (its lifetime is up, the sign-in no longer holds, the role is gone).
    async fn next_change(&mut self) -> Option<String> {
        loop {
            match &*self.seen.borrow_and_update() {
                Seen::Version(version) if *version != self.last => {
                    self.last = version.clone();
                    return Some(version.clone());
                }
                Seen::Version(_) => {}
                Seen::Gone => return None,
            }
            tokio::select! {
                told = self.seen.changed() => told.ok()?,
                () = tokio::time::sleep_until(self.ends) => return None,
                _ = self.sign_in_checks.tick() => {
                    match crate::signed_in::session_user(&self.market, &self.session).await {
                        Ok(Some(user)) if user.id == self.user => {}
                        _ => return None,
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use marketplace::demo::{DEMO_LOGINS, seed_if_empty};
    use storage::test_on_both_databases;

    async fn actor(market: &Marketplace, login: usize) -> Actor {
        let login = DEMO_LOGINS[login];
        Actor::from(&market.sign_in(login.email, login.password).await.unwrap())
    }

    /// Waits (up to 5 s) until `done` holds.
    async fn until(mut done: impl FnMut() -> bool) {
        for _ in 0..100 {
            if done() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("not within 5 s");
    }

    test_on_both_databases! {
        async fn one_watcher_reads_a_page_for_all_who_follow_it(db: Db) {
            assert!(seed_if_empty(&db).await.unwrap());
            let market = Marketplace::new(db.clone(), true, workable::Clock::system());
            let changes = Changes::new(market.clone());
            let (maria, tom, hank) = (actor(&market, 0).await, actor(&market, 1).await, actor(&market, 2).await);
            let roles = market.list_roles(&maria).await.unwrap();
            let role = roles.iter().find(|r| r.title == "Senior Rust Engineer").unwrap().id;
            let page = Page::Pipeline(role);
            let now = page.version(&market, &maria).await.unwrap();

            // Two of Northwind's people on the same pipeline share one watcher; Northwind's and
            // Globex's Source have one each.
            let mut first = changes.watch(&maria, page, now.clone());
            let second = changes.watch(&tom, page, now.clone());
            let source = changes.watch(&maria, Page::Source, market.source_version(&maria).await.unwrap());
            let globex = changes.watch(&hank, Page::Source, market.source_version(&hank).await.unwrap());
            assert_eq!(changes.watched(), 3);

            // A candidate accepts: the watcher tells both, with the version the page now has.
            let pending = market.pipeline(&maria, role).await.unwrap().requests.into_iter()
                .find(|r| r.status == domain::RequestStatus::Pending).unwrap().request_id;
            market.accept_on_behalf(&maria, pending).await.unwrap();
            tokio::time::timeout(Duration::from_secs(5), first.changed()).await.unwrap().unwrap();
            let told = first.borrow().clone();
            assert_ne!(told, Seen::Version(now));
            assert_eq!(*second.borrow(), told);

            // The last connection of a page gone, its watcher stops; the others go on.
            drop((first, second));
            until(|| changes.watched() == 2).await;
            drop((source, globex));
            until(|| changes.watched() == 0).await;
        }
    }
}
