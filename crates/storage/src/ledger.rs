//! The export ledger: the lines the employer reads under each export (steps, moves both ways,
//! interviews, failures), appended in one place — inside the use case's unit of work when the
//! line belongs with a change, on its own otherwise.

use domain::ExportId;
use domain::export::{LedgerEntry, LedgerStep};
use sqlx::Row;

use crate::{Db, Result, Write};

/// Appends one line to export `export`'s ledger through `executor` (the pool, or a unit of work).
async fn append<'e, E>(executor: E, export: ExportId, at: i64, step: LedgerStep, detail: &str) -> Result<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query("INSERT INTO export_events (export_id, at, step, detail) VALUES ($1, $2, $3, $4)")
        .bind(export.0)
        .bind(at)
        .bind(step.as_str())
        .bind(detail)
        .execute(executor)
        .await?;
    Ok(())
}

impl Write {
    /// Adds a line to an export's ledger, with the change it belongs to.
    pub async fn add_ledger(&mut self, export: ExportId, at: i64, step: LedgerStep, detail: &str) -> Result<()> {
        append(self.conn(), export, at, step, detail).await
    }
}

impl Db {
    /// Adds a line to an export's ledger on its own.
    pub async fn add_ledger(&self, export: ExportId, at: i64, step: LedgerStep, detail: &str) -> Result<()> {
        append(self.pool(), export, at, step, detail).await
    }

    /// The export's ledger, oldest first.
    pub async fn ledger(&self, export: ExportId) -> Result<Vec<LedgerEntry>> {
        let rows = sqlx::query("SELECT at, step, detail FROM export_events WHERE export_id = $1 ORDER BY at, id")
            .bind(export.0)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(LedgerEntry { at_ms: r.try_get("at")?, step: r.try_get("step")?, detail: r.try_get("detail")? })
            })
            .collect()
    }
}
