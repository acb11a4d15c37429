//! The browser legs of *Connect* through an ATS's OAuth page (Workable's, Lever's): off to the
//! authorise page, and back through the callback. `state` (and Workable's PKCE verifier) live in
//! the server-side session: single-use, bound to this browser and user, expiring in ten minutes.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get};
use domain::AtsKind;
use integrations::{Actor, Completion, ConnectError, Integrations};
use marketplace::Marketplace;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use tower_sessions::Session;
use workable::Secret;

use app::api::workable::{NOTICE_KEY, Notice};

const STATE_LIFETIME_MS: i64 = 10 * 60 * 1000;

/// The session key of an authorisation in flight, one per ATS.
fn session_key(ats: AtsKind) -> &'static str {
    match ats {
        AtsKind::Workable => "workable_oauth",
        AtsKind::Lever => "lever_oauth",
    }
}

#[derive(Serialize, Deserialize)]
struct Started {
    state: String,
    /// Workable's PKCE verifier (Lever documents no PKCE).
    verifier: Option<String>,
    started_ms: i64,
    user_id: i64,
}

async fn actor(market: &Marketplace, session: Session) -> Option<Actor> {
    let user = crate::signed_in::session_user(market, &session).await.ok().flatten()?;
    Some(Actor::from(&user))
}

/// Back to Account settings with a message for the ATS's card.
async fn back_with(session: Session, ats: AtsKind, ok: bool, text: String) -> Response {
    notify(session, Notice { ats, ok, text }).await
}

/// Back to Account settings with `notice` for its ATS's card.
async fn notify(session: Session, notice: Notice) -> Response {
    if let Err(err) = session.insert(NOTICE_KEY, notice).await {
        tracing::error!(error = %err, "session store failure");
    }
    Redirect::to("/account-settings").into_response()
}

/// Remembers the authorisation in flight and sends the browser to the ATS's page.
async fn send_to(
    session: Session,
    ats: AtsKind,
    actor: &Actor,
    url: &str,
    state: &str,
    verifier: Option<&str>,
) -> Response {
    let started = Started {
        state: state.to_owned(),
        verifier: verifier.map(str::to_owned),
        started_ms: storage::now_ms(),
        user_id: actor.user_id.0,
    };
    if let Err(err) = session.insert(session_key(ats), started).await {
        tracing::error!(error = %err, "session store failure");
        return back_with(session, ats, false, "Something went wrong on our side. Please try again.".into()).await;
    }
    Redirect::to(url).into_response()
}

/// The callback's checks, the same for every ATS: the attempt was started here, by this user, not
/// long ago, with this `state` (compared in constant time); the ATS's `error` in plain words.
/// Returns the code and the attempt, or where to send the browser.
async fn returned(
    session: &Session,
    ats: AtsKind,
    actor: &Actor,
    query: &HashMap<String, String>,
) -> Result<(String, Started), Response> {
    // Single use: whatever happens next, this attempt is spent.
    let started: Option<Started> = session.remove(session_key(ats)).await.ok().flatten();
    let mismatch = ConnectError::StateMismatch.to_string();
    let Some(started) = started else { return Err(back_with(session.clone(), ats, false, mismatch).await) };
    let returned = query.get("state").map(String::as_str).unwrap_or_default();
    let same_state: bool = returned.as_bytes().ct_eq(started.state.as_bytes()).into();
    if !same_state || started.user_id != actor.user_id.0 || storage::now_ms() - started.started_ms > STATE_LIFETIME_MS {
        tracing::warn!(ats = ats.name(), "OAuth callback with a wrong, stale or foreign state");
        return Err(back_with(session.clone(), ats, false, mismatch).await);
    }
    let name = ats.name();
    if let Some(error) = query.get("error") {
        let text = match error.as_str() {
            "access_denied" => format!("{name} was not connected: access was denied on {name}'s page."),
            _ => format!("{name} was not connected: {}", query.get("error_description").unwrap_or(error)),
        };
        return Err(back_with(session.clone(), ats, false, text).await);
    }
    match query.get("code") {
        Some(code) => Ok((code.clone(), started)),
        None => Err(back_with(session.clone(), ats, false, mismatch).await),
    }
}

/// `GET /integrations/{ats}/authorize` for one ATS.
pub fn authorize_route(ats: AtsKind) -> MethodRouter<crate::AppState> {
    get(move |State(market): State<Marketplace>, State(integrations): State<Integrations>, session: Session| {
        authorize(ats, market, integrations, session)
    })
}

/// `GET /integrations/{ats}/callback` for one ATS.
pub fn callback_route(ats: AtsKind) -> MethodRouter<crate::AppState> {
    get(
        move |State(market): State<Marketplace>,
              State(integrations): State<Integrations>,
              session: Session,
              Query(query): Query<HashMap<String, String>>| {
            callback(ats, market, integrations, session, query)
        },
    )
}

async fn authorize(ats: AtsKind, market: Marketplace, integrations: Integrations, session: Session) -> Response {
    let Some(actor) = actor(&market, session.clone()).await else { return Redirect::to("/sign-in").into_response() };
    let begun = match ats {
        AtsKind::Workable => integrations.begin_oauth(&actor).map(|a| {
            let (state, verifier) = (a.state.expose().to_owned(), a.pkce_verifier.expose().to_owned());
            (a.url, state, Some(verifier))
        }),
        AtsKind::Lever => {
            integrations.begin_lever_oauth(&actor).await.map(|a| (a.url, a.state.expose_secret().to_owned(), None))
        }
    };
    match begun {
        Ok((url, state, verifier)) => send_to(session, ats, &actor, &url, &state, verifier.as_deref()).await,
        Err(err) => back_with(session, ats, false, err.to_string()).await,
    }
}

/// The callback: Workable connects at once (or asks which account); Lever's grant, pre-checked and
/// kept pending, goes on to the choice of the Lever user to act as (the same step as after a key).
async fn callback(
    ats: AtsKind,
    market: Marketplace,
    integrations: Integrations,
    session: Session,
    query: HashMap<String, String>,
) -> Response {
    let Some(actor) = actor(&market, session.clone()).await else { return Redirect::to("/sign-in").into_response() };
    let (code, started) = match returned(&session, ats, &actor, &query).await {
        Ok(returned) => returned,
        Err(response) => return response,
    };
    let next = match ats {
        AtsKind::Workable => {
            let verifier = Secret::new(started.verifier.unwrap_or_default());
            integrations.complete_oauth(&actor, &code, &verifier).await.map(|done| match done {
                Completion::Connected => None,
                Completion::ChooseAccount { pending_id } => {
                    Some(format!("/account-settings/workable/choose?pending={pending_id}"))
                }
            })
        }
        AtsKind::Lever => integrations
            .complete_lever_oauth(&actor, &code)
            .await
            .map(|pending| Some(format!("/integrations/lever/connect?pending={pending}"))),
    };
    match next {
        Ok(Some(to)) => Redirect::to(&to).into_response(),
        Ok(None) => notify(session, Notice::connected(ats)).await,
        Err(err) => back_with(session, ats, false, err.to_string()).await,
    }
}
