//! `/events/roles/{id}` and `/events/source`: an open pipeline or *Source* page's one connection
//! (server-sent events), told when what the page shows has changed — an export's step, a move
//! from Workable, an acceptance — instead of asking every 1.5 s. The server looks at the page's
//! version (one indexed query) every [`LOOK_EVERY`] and sends `changed` only when it differs from
//! the last one the page has; nothing is sent while nothing changes (a comment every 30 s keeps
//! proxies from closing the connection).
//! The same session checks as every page: signed in, the company's own role, the sign-in still
//! valid (looked at again every minute; the connection ends when it is not).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use domain::RoleId;
use marketplace::{Actor, Marketplace, MarketplaceError};
use serde::Deserialize;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
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

/// What the route needs: the marketplace and the open connections' allowance.
#[derive(Clone)]
pub struct Changes {
    pub market: Marketplace,
    pub open: Arc<Semaphore>,
}

impl Changes {
    pub fn new(market: Marketplace) -> Self {
        Changes { market, open: Arc::new(Semaphore::new(MAX_CONNECTIONS)) }
    }
}

#[derive(Deserialize)]
pub struct Since {
    /// The version the page was rendered from; a different one now is sent at once.
    since: Option<String>,
}

/// What a connection follows.
#[derive(Clone, Copy, Debug)]
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
        actor,
        page,
        last: last.unwrap_or_else(|| now.clone()),
        ticks: ticks(),
        signed_in_checked: Instant::now(),
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
    actor: Actor,
    page: Page,
    last: String,
    ticks: tokio::time::Interval,
    signed_in_checked: Instant,
    ends: Instant,
    _permit: OwnedSemaphorePermit,
}

impl Follow {
    /// The page's next version different from the last one sent, or `None` when the connection
    /// ends (its lifetime is up, the sign-in no longer holds, the role is gone).
    async fn next_change(&mut self) -> Option<String> {
        loop {
            self.ticks.tick().await;
            if Instant::now() >= self.ends {
                return None;
            }
            if self.signed_in_checked.elapsed() >= SIGN_IN_CHECKED_EVERY {
                self.signed_in_checked = Instant::now();
                match crate::signed_in::session_user(&self.market, &self.session).await {
                    Ok(Some(user)) if user.id == self.actor.user_id => {}
                    _ => return None,
                }
            }
            match self.page.version(&self.market, &self.actor).await {
                Ok(version) if version != self.last => {
                    self.last = version.clone();
                    return Some(version);
                }
                Ok(_) => {}
                Err(MarketplaceError::NotFound) => return None,
                // A failed read is looked at again at the next tick.
                Err(err) => tracing::warn!(error = %err, page = ?self.page, "could not read a page's version"),
            }
        }
    }
}
