//! The export ledger: the lines the employer reads under each export (steps, moves both ways,
//! interviews, failures), appended in one place — inside the use case's unit of work when the
//! line belongs with a change, on its own otherwise.

use std::collections::HashMap;

use domain::export::{LedgerEntry, LedgerStep};
use domain::{CompanyId, ExportId, RoleId};
use sqlx::Row;

use crate::{Db, PipelineSlice, Result, Write};

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

    /// The ledgers of the exports of the candidates `slice` shows, by export, oldest line first:
    /// one query.
    pub(crate) async fn slice_ledgers(
        &self,
        company: CompanyId,
        role: RoleId,
        slice: PipelineSlice,
    ) -> Result<HashMap<ExportId, Vec<LedgerEntry>>> {
        let query = sqlx::query(
            "SELECT ev.export_id, ev.at, ev.step, ev.detail FROM export_events ev
             JOIN exports e ON e.id = ev.export_id
             WHERE e.company_id = $1 AND e.request_id IN (
                SELECT q.id FROM requests q
                WHERE q.company_id = $1 AND q.role_id = $2 AND q.status = 'accepted'
                  AND (CAST($3 AS TEXT) IS NULL OR q.stage = $3)
                ORDER BY q.answered_at, q.id LIMIT $4 OFFSET $5)
             ORDER BY ev.export_id, ev.at, ev.id",
        );
        let rows = slice.bind(query, company, role).fetch_all(self.pool()).await?;
        let mut ledgers: HashMap<ExportId, Vec<LedgerEntry>> = HashMap::new();
        for r in &rows {
            let entry = LedgerEntry { at_ms: r.try_get("at")?, step: r.try_get("step")?, detail: r.try_get("detail")? };
            ledgers.entry(ExportId(r.try_get("export_id")?)).or_default().push(entry);
        }
        Ok(ledgers)
    }
}
