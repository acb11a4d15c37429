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

/// The signed-in user and the export engine's use cases.
#[cfg(feature = "ssr")]
async fn signed_in_with_exports() -> Result<(sync::Exports, marketplace::Actor), AppError> {
    let (_, actor) = crate::session::signed_in().await?;
    let exports = use_context::<sync::Exports>().ok_or_else(|| {
        tracing::error!("the export use cases are not in the request context");
        AppError::Internal.respond()
    })?;
    Ok((exports, actor))
}

/// *Retry* on a failed export.
#[server]
pub async fn retry_export(export_id: domain::ExportId) -> Result<(), AppError> {
    let (exports, actor) = signed_in_with_exports().await?;
    respond(exports.retry(actor.company_id, export_id).await)
}

/// Exports the role's candidates who accepted before it was mapped; answers how many were queued.
#[server]
pub async fn backfill_role(role_id: i64) -> Result<usize, AppError> {
    let (exports, actor) = signed_in_with_exports().await?;
    respond(exports.backfill(actor.company_id, domain::RoleId(role_id)).await)
}
