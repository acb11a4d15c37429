//! Server functions behind the Workable card and the connection flow. Each checks the session;
//! the use cases check the master role and scope everything to the caller's company.

use domain::views::{AccountChoice, SourceCheck, WorkableCard};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The session key of the one-shot message the card shows after a connection attempt.
pub const NOTICE_KEY: &str = "workable_notice";

/// A message for an ATS's card: the outcome of the last connection attempt.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    /// The card it is for.
    pub ats: domain::AtsKind,
    pub ok: bool,
    pub text: String,
}

impl Notice {
    pub fn connected(ats: domain::AtsKind) -> Self {
        Notice { ats, ok: true, text: format!("{} is connected.", ats.name()) }
    }
}

/// The card, and the message left by the last connection attempt (shown once).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkableCardView {
    pub card: WorkableCard,
    pub notice: Option<Notice>,
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use integrations::{Actor, ConnectError, Integrations};

    use crate::error::AppError;
    use crate::session::signed_in_user;

    pub async fn connector() -> Result<(Integrations, Actor), AppError> {
        let (_, user) = signed_in_user().await?;
        let integrations = leptos::prelude::use_context::<Integrations>().ok_or_else(|| {
            tracing::error!("the integrations service is not in the request context");
            AppError::Internal.respond()
        })?;
        Ok((integrations, Actor::from(&user)))
    }

    pub fn respond<T>(result: Result<T, ConnectError>) -> Result<T, AppError> {
        result.map_err(|err| {
            let app = match err {
                ConnectError::NotMaster => AppError::Forbidden(err.to_string()),
                ConnectError::Unavailable(_) => AppError::Unavailable(err.to_string()),
                ConnectError::InvalidInput(invalid) => AppError::Invalid(invalid),
                ConnectError::Storage(inner) => {
                    tracing::error!(error = %inner, "storage failure");
                    AppError::Internal
                }
                other => AppError::Conflict(other.to_string()),
            };
            app.respond()
        })
    }
}

#[server]
pub async fn get_workable_card() -> Result<WorkableCardView, AppError> {
    let (integrations, actor) = ssr::connector().await?;
    let card = ssr::respond(integrations.card(&actor).await)?;
    let session = crate::session::session().await?;
    let notice: Option<Notice> = session.remove(NOTICE_KEY).await.ok().flatten();
    Ok(WorkableCardView { card, notice })
}

/// The API-token path: subdomain + access token, validated by real calls before saving.
#[server]
pub async fn connect_workable_token(
    subdomain: String,
    token: String,
    #[server(default)] expires_on: Option<String>,
) -> Result<(), AppError> {
    let (integrations, actor) = ssr::connector().await?;
    ssr::respond(integrations.connect_with_api_token(&actor, &subdomain, &token, expires_on.as_deref()).await)?;
    let session = crate::session::session().await?;
    let _ = session.insert(NOTICE_KEY, Notice::connected(domain::AtsKind::Workable)).await;
    leptos_axum::redirect("/account-settings");
    Ok(())
}

#[server]
pub async fn disconnect_workable() -> Result<(), AppError> {
    let (integrations, actor) = ssr::connector().await?;
    ssr::respond(integrations.disconnect(&actor).await)
}

/// The accounts to choose from after authorising (several accounts only).
#[server]
pub async fn workable_account_choices(pending: String) -> Result<Vec<AccountChoice>, AppError> {
    let (integrations, actor) = ssr::connector().await?;
    ssr::respond(integrations.pending_accounts(&actor, &pending).await)
}

#[server]
pub async fn choose_workable_account(pending: String, subdomain: String) -> Result<(), AppError> {
    let (integrations, actor) = ssr::connector().await?;
    ssr::respond(integrations.choose_account(&actor, &pending, &subdomain).await)?;
    let session = crate::session::session().await?;
    let _ = session.insert(NOTICE_KEY, Notice::connected(domain::AtsKind::Workable)).await;
    leptos_axum::redirect("/account-settings");
    Ok(())
}

/// The *Candidate Source setup guide*'s live check: the last candidate exported, as Workable
/// reports their source (one Workable call, when the guide is opened).
#[server]
pub async fn check_candidate_source() -> Result<SourceCheck, AppError> {
    let (integrations, actor) = ssr::connector().await?;
    ssr::respond(integrations.source_check(&actor).await)
}
