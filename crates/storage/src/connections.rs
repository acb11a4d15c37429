//! ATS connections (Workable or Lever), one per company. Token columns hold ciphertext only.

pub use domain::{AtsKind, AuthKind, ConnectionStatus};
use domain::{CompanyId, UserId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Db, Result, now_ms};

/// A stored connection. `*_enc` are AEAD ciphertexts.
#[derive(Clone, Debug)]
pub struct ConnectionRecord {
    pub id: i64,
    pub company_id: CompanyId,
    /// Which ATS the company connected.
    pub ats: AtsKind,
    pub auth_kind: AuthKind,
    /// The account's key in the ATS (Workable's subdomain; empty for Lever).
    pub subdomain: String,
    pub account_name: String,
    pub member_id: String,
    pub member_name: String,
    pub connected_by: Option<String>,
    pub connected_at: i64,
    pub status: ConnectionStatus,
    pub access_token_enc: Option<Vec<u8>>,
    pub refresh_token_enc: Option<Vec<u8>>,
    pub token_expires_at: Option<i64>,
    pub token_version: i64,
    pub scopes: String,
    pub last_success_at: Option<i64>,
    pub last_webhook_at: Option<i64>,
    pub last_error: Option<String>,
    pub last_error_at: Option<i64>,
    pub rate_limit: Option<(i64, i64, i64)>,
    /// The unguessable part of this connection's webhook address.
    pub webhook_token: Option<String>,
    /// Subscriptions we made at Workable (their ids).
    pub webhook_subscriptions: Vec<String>,
    pub webhook_error: Option<String>,
    /// Lever: the sealed signature tokens of the webhooks registered (Workable: none).
    pub webhook_secrets_enc: Option<Vec<u8>>,
    /// An instance refreshing the grant holds it until then (Unix ms).
    pub refresh_claimed_until: Option<i64>,
    pub reconciled_at: Option<i64>,
    /// Workable `updated_at` (ms) up to which reconciliation has read.
    pub reconcile_watermark: Option<i64>,
    pub reconcile_corrections: Option<i64>,
    pub reconcile_error: Option<String>,
}

/// What a (re)connect stores.
pub struct NewConnection<'a> {
    pub company_id: CompanyId,
    pub ats: AtsKind,
    pub auth_kind: AuthKind,
    pub subdomain: &'a str,
    pub account_name: &'a str,
    pub member_id: &'a str,
    pub member_name: &'a str,
    pub connected_by: UserId,
    pub access_token_enc: &'a [u8],
    pub refresh_token_enc: Option<&'a [u8]>,
    pub token_expires_at: Option<i64>,
    pub scopes: &'a str,
}

/// Tokens waiting for an account choice.
#[derive(Clone, Debug)]
pub struct PendingConnection {
    pub id: String,
    pub company_id: CompanyId,
    pub user_id: UserId,
    /// How the credential was obtained (Lever: an OAuth grant or an API key).
    pub auth_kind: AuthKind,
    pub access_token_enc: Vec<u8>,
    pub refresh_token_enc: Option<Vec<u8>>,
    pub token_expires_at: Option<i64>,
    pub scopes: String,
    pub accounts_json: String,
    pub expires_at: i64,
}

fn connection_from_row(row: &AnyRow) -> Result<ConnectionRecord> {
    let limit: Option<i64> = row.try_get("rate_limit_limit")?;
    let remaining: Option<i64> = row.try_get("rate_limit_remaining")?;
    let reset: Option<i64> = row.try_get("rate_limit_reset_at")?;
    Ok(ConnectionRecord {
        id: row.try_get("id")?,
        company_id: CompanyId(row.try_get("company_id")?),
        ats: AtsKind::parse(&row.try_get::<String, _>("ats")?)?,
        auth_kind: AuthKind::parse(&row.try_get::<String, _>("auth_kind")?)?,
        subdomain: row.try_get("subdomain")?,
        account_name: row.try_get("account_name")?,
        member_id: row.try_get("member_id")?,
        member_name: row.try_get("member_name")?,
        connected_by: row.try_get("connected_by_name")?,
        connected_at: row.try_get("connected_at")?,
        status: ConnectionStatus::parse(&row.try_get::<String, _>("status")?)?,
        access_token_enc: row.try_get("access_token_enc")?,
        refresh_token_enc: row.try_get("refresh_token_enc")?,
        token_expires_at: row.try_get("token_expires_at")?,
        token_version: row.try_get("token_version")?,
        scopes: row.try_get("scopes")?,
        last_success_at: row.try_get("last_success_at")?,
        last_webhook_at: row.try_get("last_webhook_at")?,
        last_error: row.try_get("last_error")?,
        last_error_at: row.try_get("last_error_at")?,
        rate_limit: match (limit, remaining, reset) {
            (Some(l), Some(r), Some(s)) => Some((l, r, s)),
            _ => None,
        },
        webhook_token: row.try_get("webhook_token")?,
        webhook_subscriptions: row
            .try_get::<Option<String>, _>("webhook_subscriptions")?
            .map(|ids| ids.split(',').filter(|id| !id.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default(),
        webhook_error: row.try_get("webhook_error")?,
        webhook_secrets_enc: row.try_get("webhook_secrets_enc")?,
        refresh_claimed_until: row.try_get("refresh_claimed_until")?,
        reconciled_at: row.try_get("reconciled_at")?,
        reconcile_watermark: row.try_get("reconcile_watermark")?,
        reconcile_corrections: row.try_get("reconcile_corrections")?,
        reconcile_error: row.try_get("reconcile_error")?,
    })
}

impl Db {
    /// Which ATS the company connected (or last did), for the pages that name it: one indexed
    /// column, not the whole connection.
    pub async fn connected_ats(&self, company: CompanyId) -> Result<Option<AtsKind>> {
        let ats: Option<String> = sqlx::query_scalar("SELECT ats FROM ats_connections WHERE company_id = $1")
            .bind(company.0)
            .fetch_optional(self.pool())
            .await?;
        ats.as_deref().map(AtsKind::parse).transpose().map_err(Into::into)
    }

    /// Creates the company's connection, or replaces its account, member and tokens in place
    /// (a reconnect keeps the row, so everything attached to it stays).
    pub async fn save_connection(&self, c: NewConnection<'_>) -> Result<i64> {
        let now = now_ms();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO ats_connections
               (company_id, auth_kind, subdomain, account_name, member_id, member_name, connected_by, connected_at, status,
                access_token_enc, refresh_token_enc, token_expires_at, token_version, scopes, last_error, last_error_at, updated_at, ats)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'connected', $9, $10, $11, 0, $12, NULL, NULL, $8, $13)
             ON CONFLICT (company_id) DO UPDATE SET
               ats = excluded.ats, auth_kind = excluded.auth_kind, subdomain = excluded.subdomain, account_name = excluded.account_name,
               member_id = excluded.member_id, member_name = excluded.member_name, connected_by = excluded.connected_by,
               connected_at = excluded.connected_at, status = 'connected', access_token_enc = excluded.access_token_enc,
               refresh_token_enc = excluded.refresh_token_enc, token_expires_at = excluded.token_expires_at,
               token_version = ats_connections.token_version + 1, scopes = excluded.scopes,
               last_error = NULL, last_error_at = NULL, updated_at = excluded.updated_at
             RETURNING id",
        )
        .bind(c.company_id.0)
        .bind(c.auth_kind.as_str())
        .bind(c.subdomain)
        .bind(c.account_name)
        .bind(c.member_id)
        .bind(c.member_name)
        .bind(c.connected_by.0)
        .bind(now)
        .bind(c.access_token_enc.to_vec())
        .bind(c.refresh_token_enc.map(<[u8]>::to_vec))
        .bind(c.token_expires_at)
        .bind(c.scopes)
        .bind(c.ats.as_str())
        .fetch_one(self.pool())
        .await?;
        Ok(id)
    }

    pub async fn connection(&self, company: CompanyId) -> Result<Option<ConnectionRecord>> {
        let row = sqlx::query(
            "SELECT w.*, u.name AS connected_by_name FROM ats_connections w LEFT JOIN users u ON u.id = w.connected_by WHERE w.company_id = $1",
        )
        .bind(company.0)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(connection_from_row).transpose()
    }

    /// Stores refreshed tokens if nobody else refreshed since `version` was read. Returns
    /// whether this write won.
    pub async fn replace_tokens(
        &self,
        company: CompanyId,
        version: i64,
        access_enc: &[u8],
        refresh_enc: Option<&[u8]>,
        expires_at: Option<i64>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE ats_connections SET access_token_enc = $1, refresh_token_enc = $2, token_expires_at = $3,
                 token_version = token_version + 1, updated_at = $4, refresh_claimed_until = NULL
             WHERE company_id = $5 AND token_version = $6 AND status = 'connected'",
        )
        .bind(access_enc.to_vec())
        .bind(refresh_enc.map(<[u8]>::to_vec))
        .bind(expires_at)
        .bind(now_ms())
        .bind(company.0)
        .bind(version)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Claims the refresh of the grant read at `version` until `until` (Unix ms), unless another
    /// instance holds an unexpired claim or the tokens moved on. Returns whether this one holds it.
    pub async fn claim_refresh(&self, company: CompanyId, version: i64, until: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE ats_connections SET refresh_claimed_until = $1
             WHERE company_id = $2 AND token_version = $3 AND status = 'connected'
               AND (refresh_claimed_until IS NULL OR refresh_claimed_until < $4)",
        )
        .bind(until)
        .bind(company.0)
        .bind(version)
        .bind(now_ms())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives up a refresh claim that renewed nothing (the grant refused, the ATS down).
    pub async fn release_refresh(&self, company: CompanyId) -> Result<()> {
        sqlx::query("UPDATE ats_connections SET refresh_claimed_until = NULL WHERE company_id = $1")
            .bind(company.0)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Connected OAuth grants whose access token expired before `before` (Unix ms): nothing has
    /// called the ATS with them since, oldest first, with the token version read.
    pub async fn idle_grants(&self, before: i64, limit: i64) -> Result<Vec<(CompanyId, i64)>> {
        let rows = sqlx::query(
            "SELECT company_id, token_version FROM ats_connections
             WHERE status = 'connected' AND auth_kind = 'oauth' AND refresh_token_enc IS NOT NULL
               AND token_expires_at < $1
             ORDER BY token_expires_at LIMIT $2",
        )
        .bind(before)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|row| Ok((CompanyId(row.try_get("company_id")?), row.try_get("token_version")?))).collect()
    }

    /// The grant stopped working: keep everything, ask a person to reconnect.
    pub async fn mark_reconnect_needed(&self, company: CompanyId, reason: &str) -> Result<()> {
        let now = now_ms();
        sqlx::query(
            "UPDATE ats_connections SET status = 'reconnect_needed', last_error = $1, last_error_at = $2, updated_at = $2
             WHERE company_id = $3 AND status = 'connected'",
        )
        .bind(reason)
        .bind(now)
        .bind(company.0)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A successful Workable call, with the rate-limit state it reported.
    pub async fn record_workable_success(&self, company: CompanyId, rate_limit: Option<(i64, i64, i64)>) -> Result<()> {
        let (limit, remaining, reset) = match rate_limit {
            Some((l, r, s)) => (Some(l), Some(r), Some(s)),
            None => (None, None, None),
        };
        sqlx::query(
            "UPDATE ats_connections SET last_success_at = $1,
                 rate_limit_limit = COALESCE($2, rate_limit_limit), rate_limit_remaining = COALESCE($3, rate_limit_remaining),
                 rate_limit_reset_at = COALESCE($4, rate_limit_reset_at)
             WHERE company_id = $5",
        )
        .bind(now_ms())
        .bind(limit)
        .bind(remaining)
        .bind(reset)
        .bind(company.0)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn record_workable_error(&self, company: CompanyId, message: &str) -> Result<()> {
        let now = now_ms();
        sqlx::query("UPDATE ats_connections SET last_error = $1, last_error_at = $2 WHERE company_id = $3")
            .bind(message)
            .bind(now)
            .bind(company.0)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Forgets the tokens; the row (and whatever refers to it) stays, inactive.
    pub async fn disconnect(&self, company: CompanyId) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE ats_connections SET status = 'disconnected', access_token_enc = NULL, refresh_token_enc = NULL,
                 token_expires_at = NULL, token_version = token_version + 1, webhook_token = NULL,
                 webhook_subscriptions = NULL, webhook_error = NULL, updated_at = $1
             WHERE company_id = $2 AND status <> 'disconnected'",
        )
        .bind(now_ms())
        .bind(company.0)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn insert_pending_connection(&self, p: &PendingConnection) -> Result<()> {
        sqlx::query(
            "INSERT INTO pending_ats_connections (id, company_id, user_id, auth_kind, access_token_enc, refresh_token_enc, token_expires_at, scopes, accounts_json, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&p.id)
        .bind(p.company_id.0)
        .bind(p.user_id.0)
        .bind(p.auth_kind.as_str())
        .bind(p.access_token_enc.clone())
        .bind(p.refresh_token_enc.clone())
        .bind(p.token_expires_at)
        .bind(&p.scopes)
        .bind(&p.accounts_json)
        .bind(p.expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A pending connection of this company and user that has not expired.
    pub async fn pending_connection(
        &self,
        id: &str,
        company: CompanyId,
        user: UserId,
    ) -> Result<Option<PendingConnection>> {
        let row = sqlx::query(
            "SELECT * FROM pending_ats_connections WHERE id = $1 AND company_id = $2 AND user_id = $3 AND expires_at > $4",
        )
        .bind(id)
        .bind(company.0)
        .bind(user.0)
        .bind(now_ms())
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(PendingConnection {
                id: row.try_get("id")?,
                company_id: CompanyId(row.try_get("company_id")?),
                user_id: UserId(row.try_get("user_id")?),
                auth_kind: AuthKind::parse(&row.try_get::<String, _>("auth_kind")?)?,
                access_token_enc: row.try_get("access_token_enc")?,
                refresh_token_enc: row.try_get("refresh_token_enc")?,
                token_expires_at: row.try_get("token_expires_at")?,
                scopes: row.try_get("scopes")?,
                accounts_json: row.try_get("accounts_json")?,
                expires_at: row.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    pub async fn delete_pending_connection(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM pending_ats_connections WHERE id = $1 OR expires_at < $2")
            .bind(id)
            .bind(now_ms())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Every stored byte of the connection tables and sessions, for tests that look for
    /// leaked tokens.
    #[cfg(feature = "testing")]
    pub async fn dump_connection_tables(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        for row in sqlx::query("SELECT * FROM ats_connections").fetch_all(self.pool()).await? {
            for column in ["subdomain", "account_name", "member_id", "member_name", "scopes", "last_error"] {
                if let Some(text) = row.try_get::<Option<String>, _>(column)? {
                    out.extend_from_slice(text.as_bytes());
                }
            }
            for column in ["access_token_enc", "refresh_token_enc"] {
                if let Some(bytes) = row.try_get::<Option<Vec<u8>>, _>(column)? {
                    out.extend_from_slice(&bytes);
                }
            }
        }
        for row in sqlx::query("SELECT access_token_enc, refresh_token_enc, accounts_json FROM pending_ats_connections")
            .fetch_all(self.pool())
            .await?
        {
            out.extend_from_slice(&row.try_get::<Vec<u8>, _>("access_token_enc")?);
            if let Some(bytes) = row.try_get::<Option<Vec<u8>>, _>("refresh_token_enc")? {
                out.extend_from_slice(&bytes);
            }
            out.extend_from_slice(row.try_get::<String, _>("accounts_json")?.as_bytes());
        }
        for row in sqlx::query("SELECT data FROM sessions").fetch_all(self.pool()).await? {
            out.extend_from_slice(row.try_get::<String, _>("data")?.as_bytes());
        }
        Ok(out)
    }
}
