//! Server functions behind *Connect* under Lever: the API key checked and kept sealed on the
//! server (it never comes back to the browser), then the Lever user to act as. Each checks the
//! session; the use cases check the master role and scope everything to the caller's company.

use domain::views::ActingUser;
use leptos::prelude::*;

use crate::error::AppError;

/// Step one: the key, pre-checked; on to the choice of the user writes are performed as.
#[server]
pub async fn begin_lever_key(key: String) -> Result<(), AppError> {
    let (integrations, actor) = crate::api::workable::ssr::connector().await?;
    let pending = crate::api::workable::ssr::respond(integrations.begin_lever_key(&actor, &key).await)?;
    leptos_axum::redirect(&format!("/integrations/lever/connect?pending={pending}"));
    Ok(())
}

/// The Lever users to choose from, the one to preselect first.
#[server]
pub async fn lever_users(pending: String) -> Result<Vec<ActingUser>, AppError> {
    let (integrations, actor) = crate::api::workable::ssr::connector().await?;
    crate::api::workable::ssr::respond(integrations.lever_pending_users(&actor, &pending).await)
}

/// Step two: connect, acting as the chosen user.
#[server]
pub async fn finish_lever_key(pending: String, perform_as: String) -> Result<(), AppError> {
    let (integrations, actor) = crate::api::workable::ssr::connector().await?;
    crate::api::workable::ssr::respond(integrations.finish_lever_key(&actor, &pending, &perform_as).await)?;
    let session = crate::session::session().await?;
    let _ = session
        .insert(
            crate::api::workable::NOTICE_KEY,
            crate::api::workable::Notice { ok: true, text: "Lever is connected.".into() },
        )
        .await;
    leptos_axum::redirect("/account-settings");
    Ok(())
}
