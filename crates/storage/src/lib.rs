//! The storage layer: one API over SQLite (the embedded default) and PostgreSQL (shared by several
//! instances). Queries are written once in the SQL both engines understand and run through sqlx's
//! `Any` driver; schema differences live in the two numbered migration folders. Storage says how
//! each statement is written, not which make a change: a change of several statements is a unit
//! of work ([`Write`]) that the use case opens, fills and commits.

mod accounts;
mod ats;
mod candidates;
mod connections;
mod exports;
mod inbound;
mod insights;
mod interviews;
mod ledger;
mod moves;
mod pipeline;
mod queue;
mod roles;
mod sessions;
mod sign_in;
mod workers;
mod write;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

pub use accounts::{NewUser, UserRecord};
pub use ats::{ConfigurationRecord, SaveConfiguration};
pub use candidates::{CvFile, NewCandidate, SharedCandidate};
pub use connections::{AuthKind, ConnectionRecord, ConnectionStatus, NewConnection, PendingConnection};
pub use exports::{ExportContext, ExportRecord, ExportStep, LastExported, WorkableSeen};
pub use inbound::{DeliveryOutcome, DeliveryRecord};
pub use insights::{AtsCandidateRow, FunnelRow, JobRead, SourceTally};
pub use interviews::InterviewRecord;
pub use pipeline::{AcceptedRequest, PipelineSlice};
pub use queue::WorkItem;
pub use roles::{RoleCounts, RoleRecord};
pub use sessions::SqlSessionStore;
pub use workers::WorkerRow;
pub use write::Write;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// Which engine a [`Db`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self, StorageError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else {
            Err(StorageError::UnsupportedUrl)
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("the database URL must start with sqlite: or postgres://")]
    UnsupportedUrl,
    #[error("cannot create the database folder: {0}")]
    Folder(String),
    #[error("the record already exists")]
    Duplicate,
    #[error("the record was not found")]
    NotFound,
    #[error("the record changed meanwhile: {0}")]
    Conflict(&'static str),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StorageError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::Database(db) if db.kind() == sqlx::error::ErrorKind::UniqueViolation => {
                StorageError::Duplicate
            }
            sqlx::Error::RowNotFound => StorageError::NotFound,
            _ => StorageError::Database(err),
        }
    }
}

impl From<domain::ParseError> for StorageError {
    fn from(err: domain::ParseError) -> Self {
        StorageError::Corrupt(err.to_string())
    }
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// A handle on the database; cheap to clone.
/// Connections one process keeps to PostgreSQL unless configured otherwise.
pub const DEFAULT_POSTGRES_CONNECTIONS: u32 = 16;

#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    url: std::sync::Arc<str>,
    /// Wakes this process's workers when work is queued.
    work_signal: std::sync::Arc<tokio::sync::Notify>,
}

impl Db {
    /// Opens the database at `url`, creating a SQLite file (and its folder) if it does not exist.
    pub async fn connect(url: &str) -> Result<Db> {
        Db::connect_sized(url, DEFAULT_POSTGRES_CONNECTIONS).await
    }

    /// [`Db::connect`] keeping at most `postgres_connections` connections to PostgreSQL (several
    /// instances share the server's limit, 100 by default); SQLite always keeps 4.
    pub async fn connect_sized(url: &str, postgres_connections: u32) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(url)?,
            Backend::Postgres => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = match backend {
            Backend::Sqlite => {
                let in_memory = url.contains(":memory:");
                let mut pool = AnyPoolOptions::new()
                    // SQLite allows one writer; a small pool avoids lock contention.
                    .max_connections(if in_memory { 1 } else { 4 })
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;").await?;
                            Ok(())
                        })
                    });
                if in_memory {
                    // Each connection to :memory: is its own database: keep the one alive.
                    pool = pool.idle_timeout(None).max_lifetime(None);
                }
                pool.connect_with(options).await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(postgres_connections.max(2))
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?
            }
        };
        Ok(Db { pool, backend, url: url.into(), work_signal: std::sync::Arc::default() })
    }

    /// Applies every migration not yet applied. Safe to run from several instances at once:
    /// sqlx takes an advisory lock on PostgreSQL.
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A cheap round trip, for the health endpoint.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Notified whenever this process queues work.
    pub fn work_signal(&self) -> &tokio::sync::Notify {
        &self.work_signal
    }

    /// On PostgreSQL, a listener for work queued by other instances (`NOTIFY ats_bridge_work`).
    pub async fn work_listener(&self) -> Result<Option<sqlx::postgres::PgListener>> {
        if self.backend != Backend::Postgres {
            return Ok(None);
        }
        let mut listener = sqlx::postgres::PgListener::connect(&self.url).await?;
        listener.listen("ats_bridge_work").await?;
        Ok(Some(listener))
    }
}

/// `sqlite:path` → `sqlite:path?mode=rwc` with the parent folder created.
fn prepare_sqlite_url(url: &str) -> Result<String> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let parent = std::path::Path::new(path).parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent.filter(|_| path != ":memory:") {
        std::fs::create_dir_all(parent).map_err(|e| StorageError::Folder(format!("{}: {e}", parent.display())))?;
    }
    let query = if query.contains("mode=") {
        query.to_owned()
    } else if query.is_empty() {
        "mode=rwc".to_owned()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite:{path}?{query}"))
}

/// Milliseconds since the Unix epoch: how every time is stored.
pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

#[cfg(feature = "testing")]
pub mod testing;
