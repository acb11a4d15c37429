//! Server-side sessions for tower-sessions, kept in our own database. Written here because the
//! published sqlx store pins an older sqlx whose bundled SQLite cannot be linked beside ours.

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use crate::{Db, now_ms};

#[derive(Clone, Debug)]
pub struct SqlSessionStore {
    db: Db,
}

impl SqlSessionStore {
    pub fn new(db: Db) -> Self {
        SqlSessionStore { db }
    }

    /// Removes expired sessions; returns how many.
    pub async fn delete_expired(&self) -> Result<u64, sqlx::Error> {
        let done =
            sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now_ms()).execute(self.db.pool()).await?;
        Ok(done.rows_affected())
    }
}

/// The key a session is stored under: the SHA-256 of its id, so the database (a backup, a
/// read-only leak) holds nothing a browser could present as a session cookie.
fn key(id: &Id) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(id.to_string().as_bytes()))
}

fn backend(err: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

fn expiry_ms(record: &Record) -> i64 {
    (record.expiry_date.unix_timestamp_nanos() / 1_000_000) as i64
}

#[async_trait]
impl SessionStore for SqlSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data).map_err(backend)?;
        // A fresh id that collides with a stored one gets a new id rather than someone else's session.
        loop {
            let done = sqlx::query(
                "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
            )
            .bind(key(&record.id))
            .bind(&data)
            .bind(expiry_ms(record))
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
            if done.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data).map_err(backend)?;
        sqlx::query(
            "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at",
        )
        .bind(key(&record.id))
        .bind(data)
        .bind(expiry_ms(record))
        .execute(self.db.pool())
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2")
                .bind(key(id))
                .bind(now_ms())
                .fetch_optional(self.db.pool())
                .await
                .map_err(backend)?;
        let Some((data, expires_at)) = row else { return Ok(None) };
        let expiry_date =
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(expires_at) * 1_000_000).map_err(backend)?;
        Ok(Some(Record { id: *id, data: serde_json::from_str(&data).map_err(backend)?, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(key(id))
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
        Ok(())
    }
}
