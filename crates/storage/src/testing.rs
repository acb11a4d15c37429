//! Real, throwaway databases for tests: a SQLite file in a temporary folder, or a fresh database
//! on the PostgreSQL server named by `ATS_BRIDGE_TEST_POSTGRES_URL` (the README's test command
//! starts one and sets it). No mocks: every storage test runs on both engines.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use domain::{CompanyId, WorkKind};
use sqlx::Row;

use crate::{Backend, Db, Result};

/// The environment variable naming a PostgreSQL server where tests may create databases.
pub const POSTGRES_URL_VAR: &str = "ATS_BRIDGE_TEST_POSTGRES_URL";

/// Waits for something done elsewhere (a worker's item, a webhook delivery): polls `check` until
/// it answers `Ok`, and fails the test with its last `Err` (what it saw) after `within`. The one
/// place tests poll; the deadline only bounds a failing test, nothing waits for time to pass.
pub async fn eventually<T, Fut>(within: Duration, mut check: impl FnMut() -> Fut) -> T
where
    Fut: Future<Output = std::result::Result<T, String>>,
{
    let deadline = std::time::Instant::now() + within;
    loop {
        match check().await {
            Ok(value) => return value,
            Err(seen) if std::time::Instant::now() >= deadline => panic!("gave up after {within:?}: {seen}"),
            // The poll's pace: the workers' steps take milliseconds.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// Prepares `sql` on `db`'s engine without running it: the statement's tables, columns and
/// syntax are checked by the database itself. (Test-only: the statements are storage's own, read
/// from its source.)
pub async fn prepare(db: &Db, sql: &str) -> std::result::Result<(), sqlx::Error> {
    use sqlx::Executor;
    let mut conn = db.pool().acquire().await?;
    conn.prepare(sqlx::SqlSafeStr::into_sql_str(sqlx::AssertSqlSafe(sql.to_owned()))).await.map(|_| ())
}

/// A migrated database that lives as long as this value (SQLite) or the test run (PostgreSQL).
pub struct TestDatabase {
    pub db: Db,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique_name() -> String {
    format!("ats_test_{}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed), rand::random::<u32>())
}

impl TestDatabase {
    pub async fn new(backend: Backend) -> TestDatabase {
        match backend {
            Backend::Sqlite => Self::sqlite().await,
            Backend::Postgres => Self::postgres().await,
        }
    }

    pub async fn sqlite() -> TestDatabase {
        let dir = tempfile::Builder::new().prefix(&unique_name()).tempdir().expect("create a temporary folder");
        let url = format!("sqlite:{}", dir.path().join("test.db").display());
        let db = Db::connect(&url).await.expect("open a SQLite test database");
        db.migrate().await.expect("migrate the SQLite test database");
        TestDatabase { db, url, _dir: Some(dir) }
    }

    pub async fn postgres() -> TestDatabase {
        let admin_url = std::env::var(POSTGRES_URL_VAR).unwrap_or_else(|_| {
            panic!("{POSTGRES_URL_VAR} is not set: run the README's test command (scripts/test), which starts PostgreSQL and sets it")
        });
        let admin = Db::connect(&admin_url).await.expect("connect to the PostgreSQL test server");
        let name = unique_name();
        // A copy of a migrated template instead of migrating each test's database: the template
        // is made once per set of migrations (its name carries their checksums), and creating
        // from it is serialised by an advisory lock, since PostgreSQL refuses to copy a database
        // someone is connected to (the template while it is being made).
        let template = format!("ats_template_{:016x}", migrations_fingerprint());
        let mut conn = admin.pool().acquire().await.expect("a connection to the PostgreSQL test server");
        sqlx::query("SELECT pg_advisory_lock(7412001)").execute(&mut *conn).await.expect("take the template lock");
        let exists: Option<i64> = sqlx::query_scalar("SELECT 1::BIGINT FROM pg_database WHERE datname = $1")
            .bind(&template)
            .fetch_optional(&mut *conn)
            .await
            .expect("look for the template database");
        if exists.is_none() {
            let building = format!("{template}_building");
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {building}")))
                .execute(&mut *conn)
                .await
                .expect("drop a half-made template");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {building}")))
                .execute(&mut *conn)
                .await
                .expect("create the template database");
            let db = Db::connect(&replace_database(&admin_url, &building)).await.expect("open the template database");
            db.migrate().await.expect("migrate the template database");
            db.close().await;
            sqlx::query(sqlx::AssertSqlSafe(format!("ALTER DATABASE {building} RENAME TO {template}")))
                .execute(&mut *conn)
                .await
                .expect("name the template database");
        }
        let created = sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name} TEMPLATE {template}")))
            .execute(&mut *conn)
            .await;
        sqlx::query("SELECT pg_advisory_unlock(7412001)").execute(&mut *conn).await.expect("release the template lock");
        created.expect("create a PostgreSQL test database");
        drop(conn);
        admin.close().await;
        let url = replace_database(&admin_url, &name);
        let db = Db::connect(&url).await.expect("open the PostgreSQL test database");
        // Already migrated by the template: this only checks that it is.
        db.migrate().await.expect("migrate the PostgreSQL test database");
        TestDatabase { db, url, _dir: None }
    }
}

/// The PostgreSQL migrations' identity: their versions and checksums.
fn migrations_fingerprint() -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for migration in crate::POSTGRES_MIGRATIONS.iter() {
        migration.version.hash(&mut hasher);
        migration.checksum.hash(&mut hasher);
    }
    hasher.finish()
}

/// Runs one statement as written, for tests that must reach past the typed API (to see a CHECK
/// constraint refuse a word, say); the rows it changed.
pub async fn execute(db: &Db, sql: &str) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).execute(db.pool()).await?.rows_affected())
}

/// The one number a query as written answers (a count, for benches and tests).
pub async fn scalar(db: &Db, sql: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(db.pool()).await
}

/// What tests read back that the product never needs to.
impl Db {
    /// Every stored session key, one a line (tests only).
    pub async fn dump_session_keys(&self) -> Result<Vec<u8>> {
        let keys: Vec<String> = sqlx::query_scalar("SELECT id FROM sessions").fetch_all(self.pool()).await?;
        Ok(keys.join("\n").into_bytes())
    }

    /// How many items are queued, running, paused or failed (tests only).
    pub async fn work_counts(&self) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM work_queue GROUP BY state ORDER BY state")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| Ok((r.try_get("state")?, r.try_get("n")?))).collect()
    }

    /// Deliveries by outcome, newest first (tests only).
    pub async fn webhook_deliveries(&self, company: Option<CompanyId>) -> Result<Vec<(String, Option<String>)>> {
        let rows = match company {
            Some(company) => {
                sqlx::query("SELECT outcome, detail FROM webhook_deliveries WHERE company_id = $1 ORDER BY id DESC")
                    .bind(company.0)
                    .fetch_all(self.pool())
                    .await?
            }
            None => {
                sqlx::query("SELECT outcome, detail FROM webhook_deliveries WHERE company_id IS NULL ORDER BY id DESC")
                    .fetch_all(self.pool())
                    .await?
            }
        };
        rows.iter().map(|r| Ok((r.try_get("outcome")?, r.try_get("detail")?))).collect()
    }

    /// Whether a stored delivery ever kept its body: never (the column does not exist); this
    /// lists what is stored of each, for the test that says so.
    pub async fn webhook_delivery_columns(&self) -> Result<Vec<String>> {
        let row = sqlx::query("SELECT * FROM webhook_deliveries LIMIT 1").fetch_optional(self.pool()).await?;
        Ok(row.map(|r| r.columns().iter().map(|c| sqlx::Column::name(c).to_owned()).collect()).unwrap_or_default())
    }
}

/// `postgres://u:p@h:5432/postgres?x=y` → the same URL naming database `name` (with the `url`
/// crate, not string surgery).
fn replace_database(server: &str, name: &str) -> String {
    let mut url = url::Url::parse(server).expect("ATS_BRIDGE_TEST_POSTGRES_URL is a URL");
    url.set_path(name);
    url.into()
}

/// Declares one async test per storage engine: `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! test_on_both_databases {
    // `multi_thread;` first: on a multi-threaded runtime, for tests that claim concurrency.
    (multi_thread; $(#[$meta:meta])* async fn $name:ident($db:ident: Db) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $(#[$meta])*
            async fn run($db: $crate::Db) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let test = $crate::testing::TestDatabase::new($crate::Backend::Sqlite).await;
                run(test.db.clone()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                let test = $crate::testing::TestDatabase::new($crate::Backend::Postgres).await;
                run(test.db.clone()).await;
            }
        }
    };
    ($(#[$meta:meta])* async fn $name:ident($db:ident: Db) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $(#[$meta])*
            async fn run($db: $crate::Db) $body

            #[tokio::test]
            async fn sqlite() {
                let test = $crate::testing::TestDatabase::new($crate::Backend::Sqlite).await;
                run(test.db.clone()).await;
            }

            #[tokio::test]
            async fn postgres() {
                let test = $crate::testing::TestDatabase::new($crate::Backend::Postgres).await;
                run(test.db.clone()).await;
            }
        }
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_database_name_is_replaced_and_the_query_kept() {
        assert_eq!(
            super::replace_database("postgres://u:p@h:5432/postgres?sslmode=disable", "t1"),
            "postgres://u:p@h:5432/t1?sslmode=disable"
        );
        assert_eq!(super::replace_database("postgres://u:p@h:5432", "t1"), "postgres://u:p@h:5432/t1");
    }
}

/// One row of the queue as it stands (tests only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueRow {
    pub id: i64,
    pub kind: WorkKind,
    pub subject_id: i64,
    pub state: String,
    pub attempts: i64,
    pub run_at: i64,
    pub lease_owner: Option<String>,
    pub lease_until: Option<i64>,
    pub last_error: Option<String>,
}

impl Db {
    /// Every item of the queue, oldest first (tests only).
    pub async fn queue_rows(&self) -> Result<Vec<QueueRow>> {
        let rows = sqlx::query(
            "SELECT id, kind, subject_id, state, attempts, run_at, lease_owner, lease_until, last_error FROM work_queue ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(QueueRow {
                    id: r.try_get("id")?,
                    kind: WorkKind::parse(&r.try_get::<String, _>("kind")?)?,
                    subject_id: r.try_get("subject_id")?,
                    state: r.try_get("state")?,
                    attempts: r.try_get("attempts")?,
                    run_at: r.try_get("run_at")?,
                    lease_owner: r.try_get("lease_owner")?,
                    lease_until: r.try_get("lease_until")?,
                    last_error: r.try_get("last_error")?,
                })
            })
            .collect()
    }
}
