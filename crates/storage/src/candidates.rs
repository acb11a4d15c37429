//! Marketplace candidates. Their contact details and CV reach a company only through an accepted
//! request; before that a company sees the public part (name and headline).

use domain::views::{CandidateOption, CandidateProfile};
use domain::{CandidateId, CompanyId, Email, RoleId};
use sqlx::Row;

use crate::{Db, Result, StorageError, now_ms};

pub struct NewCandidate<'a> {
    pub name: &'a str,
    pub email: &'a Email,
    pub phone: Option<&'a str>,
    pub headline: &'a str,
    pub summary: &'a str,
    pub profile: &'a CandidateProfile,
    pub cv: Option<CvFile>,
}

/// A CV as uploaded by the candidate: a PDF.
#[derive(Clone, Debug, PartialEq)]
pub struct CvFile {
    pub filename: String,
    pub pdf: Vec<u8>,
}

/// Everything a candidate shared with a company by accepting its request: what an export sends.
#[derive(Clone, Debug, PartialEq)]
pub struct SharedCandidate {
    pub id: CandidateId,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub headline: String,
    pub summary: String,
    pub profile: CandidateProfile,
    pub cv: Option<CvFile>,
}

impl Db {
    /// The whole candidate, for `company` only if they accepted one of its requests.
    pub async fn shared_candidate(
        &self,
        company: CompanyId,
        candidate: CandidateId,
    ) -> Result<Option<SharedCandidate>> {
        let row = sqlx::query(
            "SELECT c.* FROM candidates c
             WHERE c.id = $1
               AND EXISTS (SELECT 1 FROM requests q WHERE q.candidate_id = c.id AND q.company_id = $2 AND q.status = 'accepted')",
        )
        .bind(candidate.0)
        .bind(company.0)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            let profile: String = row.try_get("profile_json")?;
            let cv = match (
                row.try_get::<Option<String>, _>("cv_filename")?,
                row.try_get::<Option<Vec<u8>>, _>("cv_pdf")?,
            ) {
                (Some(filename), Some(pdf)) => Some(CvFile { filename, pdf }),
                _ => None,
            };
            Ok(SharedCandidate {
                id: CandidateId(row.try_get("id")?),
                name: row.try_get("name")?,
                email: row.try_get("email")?,
                phone: row.try_get("phone")?,
                headline: row.try_get("headline")?,
                summary: row.try_get("summary")?,
                profile: serde_json::from_str(&profile).map_err(|e| StorageError::Corrupt(e.to_string()))?,
                cv,
            })
        })
        .transpose()
    }

    pub async fn insert_candidate(&self, candidate: NewCandidate<'_>) -> Result<CandidateId> {
        let profile = serde_json::to_string(candidate.profile).map_err(|e| StorageError::Corrupt(e.to_string()))?;
        let (cv_filename, cv_pdf) = match candidate.cv {
            Some(cv) => (Some(cv.filename), Some(cv.pdf)),
            None => (None, None),
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO candidates (name, email, phone, headline, summary, profile_json, cv_filename, cv_pdf, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(candidate.name)
        .bind(candidate.email.as_str())
        .bind(candidate.phone)
        .bind(candidate.headline)
        .bind(candidate.summary)
        .bind(profile)
        .bind(cv_filename)
        .bind(cv_pdf)
        .bind(now_ms())
        .fetch_one(self.pool())
        .await?;
        Ok(CandidateId(id))
    }

    /// The candidate's CV, for `company` only if the candidate accepted one of its requests.
    pub async fn cv_for_company(&self, company: CompanyId, candidate: CandidateId) -> Result<Option<CvFile>> {
        let row = sqlx::query(
            "SELECT c.cv_filename, c.cv_pdf FROM candidates c
             WHERE c.id = $1 AND c.cv_pdf IS NOT NULL
               AND EXISTS (SELECT 1 FROM requests q WHERE q.candidate_id = c.id AND q.company_id = $2 AND q.status = 'accepted')",
        )
        .bind(candidate.0)
        .bind(company.0)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| Ok(CvFile { filename: row.try_get("cv_filename")?, pdf: row.try_get("cv_pdf")? })).transpose()
    }

    /// The structured profile of a candidate who accepted one of `company`'s requests.
    pub async fn profile_for_company(
        &self,
        company: CompanyId,
        candidate: CandidateId,
    ) -> Result<Option<CandidateProfile>> {
        let json: Option<String> = sqlx::query_scalar(
            "SELECT c.profile_json FROM candidates c
             WHERE c.id = $1
               AND EXISTS (SELECT 1 FROM requests q WHERE q.candidate_id = c.id AND q.company_id = $2 AND q.status = 'accepted')",
        )
        .bind(candidate.0)
        .bind(company.0)
        .fetch_optional(self.pool())
        .await?;
        json.map(|json| serde_json::from_str(&json).map_err(|e| StorageError::Corrupt(e.to_string()))).transpose()
    }

    /// Candidates the company has not yet sent a request for this role, by name.
    /// Up to `limit` candidates the role has not asked yet whose name or headline contains `find`
    /// (any case; every candidate when it is empty), by name; and how many match in all.
    pub async fn candidates_without_request(
        &self,
        role: RoleId,
        find: &str,
        limit: i64,
    ) -> Result<(Vec<CandidateOption>, i64)> {
        // `%` and `_` in what a person types are letters, not wildcards.
        let pattern =
            format!("%{}%", find.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        let rows = sqlx::query(
            "SELECT c.id, c.name, c.headline FROM candidates c
             WHERE NOT EXISTS (SELECT 1 FROM requests q WHERE q.candidate_id = c.id AND q.role_id = $1)
               AND (LOWER(c.name) LIKE $2 ESCAPE '\\' OR LOWER(c.headline) LIKE $2 ESCAPE '\\')
             ORDER BY c.name, c.id LIMIT $3",
        )
        .bind(role.0)
        .bind(&pattern)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM candidates c
             WHERE NOT EXISTS (SELECT 1 FROM requests q WHERE q.candidate_id = c.id AND q.role_id = $1)
               AND (LOWER(c.name) LIKE $2 ESCAPE '\\' OR LOWER(c.headline) LIKE $2 ESCAPE '\\')",
        )
        .bind(role.0)
        .bind(&pattern)
        .fetch_one(self.pool())
        .await?;
        let found = rows
            .iter()
            .map(|row| {
                Ok(CandidateOption {
                    id: CandidateId(row.try_get("id")?),
                    name: row.try_get("name")?,
                    headline: row.try_get("headline")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((found, total))
    }

    pub async fn candidate_exists(&self, candidate: CandidateId) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM candidates WHERE id = $1")
            .bind(candidate.0)
            .fetch_optional(self.pool())
            .await?;
        Ok(found.is_some())
    }
}
