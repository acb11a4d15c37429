//! The browser legs of *Connect*: off to Workable's authorise page, and back through the
//! callback. `state` and the PKCE verifier live in the server-side session: single-use, bound to
//! this browser, expiring in ten minutes.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use integrations::{Actor, Completion, ConnectError, Integrations};
use marketplace::Marketplace;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use tower_sessions::Session;
use workable::Secret;

use app::api::workable::{NOTICE_KEY, Notice};

const OAUTH_KEY: &str = "workable_oauth";
const STATE_LIFETIME_MS: i64 = 10 * 60 * 1000;

#[derive(Serialize, Deserialize)]
struct Started {
    state: String,
    verifier: String,
    started_ms: i64,
    user_id: i64,
}

async fn actor(market: &Marketplace, session: Session) -> Option<Actor> {
    let user = crate::signed_in::session_user(market, &session).await.ok().flatten()?;
    Some(Actor::from(&user))
}

/// Back to Account settings with a message for the Workable card.
async fn back_with(session: Session, ok: bool, text: String) -> Response {
    if let Err(err) = session.insert(NOTICE_KEY, Notice { ok, text }).await {
        tracing::error!(error = %err, "session store failure");
    }
    Redirect::to("/account-settings").into_response()
}

pub async fn authorize(
    State(market): State<Marketplace>,
    State(integrations): State<Integrations>,
    session: Session,
) -> Response {
    let Some(actor) = actor(&market, session.clone()).await else { return Redirect::to("/sign-in").into_response() };
    match integrations.begin_oauth(&actor) {
        Ok(authorization) => {
            let started = Started {
                state: authorization.state.expose().to_owned(),
                verifier: authorization.pkce_verifier.expose().to_owned(),
                started_ms: storage::now_ms(),
                user_id: actor.user_id.0,
            };
            if let Err(err) = session.insert(OAUTH_KEY, started).await {
                tracing::error!(error = %err, "session store failure");
                return back_with(session.clone(), false, "Something went wrong on our side. Please try again.".into())
                    .await;
            }
            Redirect::to(&authorization.url).into_response()
        }
        Err(err) => back_with(session.clone(), false, err.to_string()).await,
    }
}

pub async fn callback(
    State(market): State<Marketplace>,
    State(integrations): State<Integrations>,
    session: Session,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(actor) = actor(&market, session.clone()).await else { return Redirect::to("/sign-in").into_response() };
    // Single use: whatever happens next, this attempt is spent.
    let started: Option<Started> = session.remove(OAUTH_KEY).await.ok().flatten();
    let mismatch = ConnectError::StateMismatch.to_string();
    let Some(started) = started else { return back_with(session.clone(), false, mismatch).await };
    let returned = query.get("state").map(String::as_str).unwrap_or_default();
    let same_state: bool = returned.as_bytes().ct_eq(started.state.as_bytes()).into();
    if !same_state || started.user_id != actor.user_id.0 || storage::now_ms() - started.started_ms > STATE_LIFETIME_MS {
        tracing::warn!("OAuth callback with a wrong, stale or foreign state");
        return back_with(session.clone(), false, mismatch).await;
    }
    if let Some(error) = query.get("error") {
        let text = match error.as_str() {
            "access_denied" => "Workable was not connected: access was denied on Workable's page.".to_owned(),
            _ => format!("Workable was not connected: {}", query.get("error_description").unwrap_or(error)),
        };
        return back_with(session.clone(), false, text).await;
    }
    let Some(code) = query.get("code") else { return back_with(session.clone(), false, mismatch).await };
    match integrations.complete_oauth(&actor, code, &Secret::new(started.verifier)).await {
        Ok(Completion::Connected) => back_with(session.clone(), true, "Workable is connected.".into()).await,
        Ok(Completion::ChooseAccount { pending_id }) => {
            Redirect::to(&format!("/account-settings/workable/choose?pending={pending_id}")).into_response()
        }
        Err(err) => back_with(session.clone(), false, err.to_string()).await,
    }
}
