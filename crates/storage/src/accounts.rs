//! Companies and the people who sign in for them.

use domain::{CompanyId, Email, UserId, UserRole};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Db, Result, now_ms};

#[derive(Clone, Debug)]
pub struct UserRecord {
    pub id: UserId,
    pub company_id: CompanyId,
    pub company_name: String,
    pub email: Email,
    pub name: String,
    pub role: UserRole,
    /// The argon2 PHC string; never leaves the server.
    pub password_hash: String,
    /// An IANA name, checked when it was stored; `None` until known.
    pub time_zone: Option<String>,
}

impl UserRecord {
    /// The zone they read times in (UTC until theirs is known).
    pub fn zone(&self) -> clock::Zone {
        clock::Zone::stored(self.time_zone.as_deref())
    }
}

/// The signed-in user as every use case sees them.
impl From<&UserRecord> for domain::Actor {
    fn from(user: &UserRecord) -> Self {
        domain::Actor { user_id: user.id, company_id: user.company_id, role: user.role, email: user.email.clone() }
    }
}

pub struct NewUser<'a> {
    pub company_id: CompanyId,
    pub email: &'a Email,
    pub name: &'a str,
    pub role: UserRole,
    pub password_hash: &'a str,
}

/// `SELECT` of a user with their company's name, followed by the given `WHERE` clause.
macro_rules! select_user {
    ($where:literal) => {
        concat!(
            "SELECT u.id, u.company_id, c.name AS company_name, u.email, u.name, u.role, u.password_hash, u.time_zone
             FROM users u JOIN companies c ON c.id = u.company_id ",
            $where
        )
    };
}

fn user_from_row(row: &AnyRow) -> Result<UserRecord> {
    Ok(UserRecord {
        id: UserId(row.try_get("id")?),
        company_id: CompanyId(row.try_get("company_id")?),
        company_name: row.try_get("company_name")?,
        email: Email::parse(row.try_get::<String, _>("email")?.as_str())?,
        name: row.try_get("name")?,
        role: UserRole::parse(row.try_get::<String, _>("role")?.as_str())?,
        password_hash: row.try_get("password_hash")?,
        time_zone: row.try_get("time_zone")?,
    })
}

impl Db {
    pub async fn insert_company(&self, name: &str) -> Result<CompanyId> {
        let id: i64 = sqlx::query_scalar("INSERT INTO companies (name, created_at) VALUES ($1, $2) RETURNING id")
            .bind(name)
            .bind(now_ms())
            .fetch_one(self.pool())
            .await?;
        Ok(CompanyId(id))
    }

    /// Whether any company exists yet (demo data is seeded only into an empty database).
    pub async fn has_companies(&self) -> Result<bool> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM companies").fetch_one(self.pool()).await?;
        Ok(count > 0)
    }

    pub async fn insert_user(&self, user: NewUser<'_>) -> Result<UserId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (company_id, email, name, role, password_hash, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(user.company_id.0)
        .bind(user.email.as_str())
        .bind(user.name)
        .bind(user.role.as_str())
        .bind(user.password_hash)
        .bind(now_ms())
        .fetch_one(self.pool())
        .await?;
        Ok(UserId(id))
    }

    pub async fn find_user_by_email(&self, email: &Email) -> Result<Option<UserRecord>> {
        let row =
            sqlx::query(select_user!("WHERE u.email = $1")).bind(email.as_str()).fetch_optional(self.pool()).await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// Sets the person's time zone; with `only_unset`, only when none is recorded yet (a zone
    /// their browser reports never overrides one they chose).
    pub async fn set_time_zone(&self, id: UserId, zone: &clock::Zone, only_unset: bool) -> Result<bool> {
        let sql = if only_unset {
            "UPDATE users SET time_zone = $1 WHERE id = $2 AND time_zone IS NULL"
        } else {
            "UPDATE users SET time_zone = $1 WHERE id = $2"
        };
        let done = sqlx::query(sql).bind(zone.name()).bind(id.0).execute(self.pool()).await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn find_user(&self, id: UserId) -> Result<Option<UserRecord>> {
        let row = sqlx::query(select_user!("WHERE u.id = $1")).bind(id.0).fetch_optional(self.pool()).await?;
        row.as_ref().map(user_from_row).transpose()
    }
}
