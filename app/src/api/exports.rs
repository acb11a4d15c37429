//! Server functions behind the export ledger: *Retry* a failed export, and back-fill a role's
//! earlier acceptances once it is mapped. Any user of the company; another company's ids are
//! not found.

use leptos::prelude::*;

use crate::error::AppError;

#[cfg(feature = "ssr")]
fn respond<T>(result: Result<T, sync::ExportsError>) -> Result<T, AppError> {
    result.map_err(|err| {
        let app = match err {
            sync::ExportsError::NotFound => AppError::NotFound,
            sync::ExportsError::Conflict(why) => AppError::Conflict(why.to_owned()),
            sync::ExportsError::Internal => AppError::Internal,
        };
        app.respond()
    })
}

/// *Retry* on a failed export.
#[server]
pub async fn retry_export(export_id: i64) -> Result<(), AppError> {
    let (market, actor) = crate::session::signed_in().await?;
    respond(sync::retry_export(market.db(), actor.company_id, export_id).await)
}

/// Exports the role's candidates who accepted before it was mapped; answers how many were queued.
#[server]
pub async fn backfill_role(role_id: i64) -> Result<usize, AppError> {
    let (market, actor) = crate::session::signed_in().await?;
    respond(sync::backfill(market.db(), actor.company_id, domain::RoleId(role_id)).await)
}
