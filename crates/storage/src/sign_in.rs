//! Failed sign-ins per email, for the sign-in throttle (the rule — how many, how long — is the
//! marketplace's).

use domain::Email;

use crate::{Db, Result};

impl Db {
    /// Until when sign-ins for `email` are refused (Unix ms), if they still are at `now`.
    pub async fn sign_in_locked_until(&self, email: &Email, now: i64) -> Result<Option<i64>> {
        let until: Option<Option<i64>> =
            sqlx::query_scalar("SELECT locked_until FROM sign_in_failures WHERE email = $1 AND locked_until > $2")
                .bind(email.as_str())
                .bind(now)
                .fetch_optional(self.pool())
                .await?;
        Ok(until.flatten())
    }

    /// Counts a failed sign-in for `email` at `now`: failures since `window_start` add up (an
    /// older first failure starts the count again). Returns the count.
    pub async fn record_sign_in_failure(&self, email: &Email, now: i64, window_start: i64) -> Result<i64> {
        let failures: i64 = sqlx::query_scalar(
            "INSERT INTO sign_in_failures (email, failures, first_failed_at) VALUES ($1, 1, $2)
             ON CONFLICT (email) DO UPDATE SET
                failures = CASE WHEN sign_in_failures.first_failed_at < $3 THEN 1 ELSE sign_in_failures.failures + 1 END,
                first_failed_at = CASE WHEN sign_in_failures.first_failed_at < $3 THEN $2 ELSE sign_in_failures.first_failed_at END
             RETURNING failures",
        )
        .bind(email.as_str())
        .bind(now)
        .bind(window_start)
        .fetch_one(self.pool())
        .await?;
        Ok(failures)
    }

    /// Refuses sign-ins for `email` until `until`, counting afresh after it.
    pub async fn lock_sign_in(&self, email: &Email, until: i64) -> Result<()> {
        sqlx::query(
            "UPDATE sign_in_failures SET locked_until = $1, failures = 0, first_failed_at = $1 WHERE email = $2",
        )
        .bind(until)
        .bind(email.as_str())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Forgets `email`'s failures (it signed in).
    pub async fn clear_sign_in_failures(&self, email: &Email) -> Result<()> {
        sqlx::query("DELETE FROM sign_in_failures WHERE email = $1").bind(email.as_str()).execute(self.pool()).await?;
        Ok(())
    }

    /// Forgets failures whose count and lock ended before `before`; returns how many.
    pub async fn prune_sign_in_failures(&self, before: i64) -> Result<u64> {
        let done = sqlx::query(
            "DELETE FROM sign_in_failures WHERE first_failed_at < $1 AND (locked_until IS NULL OR locked_until < $1)",
        )
        .bind(before)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }
}
