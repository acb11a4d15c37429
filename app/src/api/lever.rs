//! Server functions behind *Connect* under Lever: the page's step (the guide with Lever's
//! authorisation page and the API-key form, or the choice of the Lever user to act as once a key
//! or grant passed its pre-check), the API key checked and kept sealed on the server (it never
//! comes back to the browser), and the connection finished. Each checks the session; the use
//! cases check the master role and scope everything to the caller's company. Lever's OAuth legs
//! are plain routes of the server (`/integrations/lever/authorize` and `…/callback`).

use domain::views::ActingUser;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Where *Connect* under Lever is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum LeverStep {
    /// The guide and the two ways in: Lever's authorisation page (when this instance has a Lever
    /// OAuth application) and an API key.
    Start { oauth: bool },
    /// A key or grant passed the pre-check: whom candidates are added and moved as.
    ActAs {
        pending: String,
        users: Vec<ActingUser>,
        /// Authorised on Lever's page (rather than with a key).
        authorised: bool,
    },
}

/// The page's step: `pending` names a pre-checked key or grant waiting for the choice of user.
#[server]
pub async fn lever_connect_step(pending: Option<String>) -> Result<LeverStep, AppError> {
    use crate::api::workable::ssr::{connector, respond};
    let (integrations, actor) = connector().await?;
    match pending.filter(|p| !p.is_empty()) {
        None => Ok(LeverStep::Start { oauth: integrations.lever_oauth_offered() }),
        Some(pending) => {
            let (kind, users) = respond(integrations.lever_pending_step(&actor, &pending).await)?;
            Ok(LeverStep::ActAs { pending, users, authorised: kind == domain::AuthKind::OAuth })
        }
    }
}

/// Step one with an API key: the key, pre-checked; on to the choice of the user writes are
/// performed as.
#[server]
pub async fn begin_lever_key(key: String) -> Result<(), AppError> {
    let (integrations, actor) = crate::api::workable::ssr::connector().await?;
    let pending = crate::api::workable::ssr::respond(integrations.begin_lever_key(&actor, &key).await)?;
    leptos_axum::redirect(&format!("/integrations/lever/connect?pending={pending}"));
    Ok(())
}

/// Step two (either way in): connect, acting as the chosen user.
#[server]
pub async fn finish_lever(pending: String, perform_as: String) -> Result<(), AppError> {
    let (integrations, actor) = crate::api::workable::ssr::connector().await?;
    crate::api::workable::ssr::respond(integrations.finish_lever(&actor, &pending, &perform_as).await)?;
    let session = crate::session::session().await?;
    let notice = crate::api::workable::Notice::connected(domain::AtsKind::Lever);
    let _ = session.insert(crate::api::workable::NOTICE_KEY, notice).await;
    leptos_axum::redirect("/account-settings");
    Ok(())
}
