//! What people ask of the export engine from the UI: *Retry* a failed export, and back-fill a
//! role's earlier acceptances once it is mapped. Both only queue work for the workers.

use clock::Clock;
use domain::export::LedgerStep;
use domain::{CompanyId, ExportId, RequestId, RoleId, WorkKind};
use storage::{Db, StorageError};

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExportsError {
    #[error("Not found.")]
    NotFound,
    #[error("{0}")]
    Conflict(&'static str),
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
}

impl From<StorageError> for ExportsError {
    fn from(err: StorageError) -> Self {
        match err {
            StorageError::NotFound => ExportsError::NotFound,
            StorageError::Conflict(why) => ExportsError::Conflict(why),
            other => {
                tracing::error!(error = %other, "storage failure");
                ExportsError::Internal
            }
        }
    }
}

/// The export engine's use cases for people, over its own handle (the UI never holds storage).
/// The caller has checked the session; every id is scoped to `company`.
#[derive(Clone, Debug)]
pub struct Exports {
    db: Db,
    /// What the ledger lines are stamped with: the workers' clock, so the ledger reads in order.
    clock: Clock,
}

impl Exports {
    pub fn new(db: Db, clock: Clock) -> Self {
        Exports { db, clock }
    }

    /// *Retry*: the company's failed export goes back in the queue.
    #[tracing::instrument(skip_all, fields(company.id = %company, export.id = %export))]
    pub async fn retry(&self, company: CompanyId, export: ExportId) -> Result<(), ExportsError> {
        let now = self.clock.now_ms();
        let mut write = self.db.write().await?;
        let record = write.requeue_failed_export(company, export, now).await?;
        write.add_ledger(export, now, LedgerStep::Retry, "Retry asked for: queued again.").await?;
        write.enqueue(WorkKind::Export, company, record.request_id.0, now).await?;
        Ok(write.commit().await?)
    }

    /// Queues the export of every candidate who accepted a request for `role` before it was
    /// mapped. Returns how many were queued; the role must have an ATS configuration.
    #[tracing::instrument(skip_all, fields(company.id = %company, role.id = %role))]
    pub async fn backfill(&self, company: CompanyId, role: RoleId) -> Result<usize, ExportsError> {
        let db = &self.db;
        db.find_role(company, role).await?.ok_or(ExportsError::NotFound)?;
        if db.configuration_for_role(company, role).await?.is_none() {
            return Err(ExportsError::Conflict("Add the role's ATS configuration first."));
        }
        let requests: Vec<RequestId> = db.requests_to_backfill(company, role).await?;
        let now = self.clock.now_ms();
        let mut write = db.write().await?;
        for request in &requests {
            write.enqueue(WorkKind::Export, company, request.0, now).await?;
        }
        write.commit().await?;
        tracing::info!(company.id = %company, role.id = %role, queued = requests.len(), "back-fill queued");
        Ok(requests.len())
    }
}
