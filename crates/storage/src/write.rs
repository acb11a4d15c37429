//! The unit of work: the statements of one business change, in one transaction that the use case
//! opens and commits. Storage only says how each statement is written; which statements make a
//! change (an acceptance queues its export, a move its stage sync, a retry its ledger line) is the
//! use case's to say.

use crate::{Backend, Db, Result};

/// One transaction that will write; dropped without [`Write::commit`], nothing of it is kept.
pub struct Write {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    db: Db,
    /// Work was queued: the workers are woken once it is committed (not before, or they would
    /// look for it too early).
    queued: bool,
}

impl Db {
    /// Opens a unit of work. On SQLite it takes the write lock up front (`BEGIN IMMEDIATE`): a
    /// transaction that reads first and writes later fails with "database is locked" when another
    /// writer (the sync worker) committed in between, which busy_timeout cannot wait out.
    pub async fn write(&self) -> Result<Write> {
        let tx = match self.backend() {
            Backend::Sqlite => self.pool().begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool().begin().await?,
        };
        Ok(Write { tx, db: self.clone(), queued: false })
    }
}

impl Write {
    /// Keeps every statement of the unit, then wakes the workers if it queued work.
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        if self.queued {
            self.db.wake_workers().await;
        }
        Ok(())
    }

    pub(crate) fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    pub(crate) fn mark_queued(&mut self) {
        self.queued = true;
    }
}
