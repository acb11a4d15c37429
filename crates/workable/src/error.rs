/// What went wrong talking to Workable, classified by what the caller can do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkableError {
    /// Wait until `reset_at` (Unix seconds) and try again.
    #[error("Workable's rate limit is reached until {reset_at:?}")]
    RateLimited { reset_at: Option<i64> },
    /// The token is missing, wrong, expired or revoked: refresh, or reconnect.
    #[error("Workable did not accept the access token")]
    Unauthorized,
    /// The token lacks a permission (scope) this call needs.
    #[error("the Workable token lacks a permission this needs")]
    Forbidden,
    #[error("not found in Workable")]
    NotFound,
    /// The subdomain is not the token's account.
    #[error("that Workable account is not the one the token belongs to")]
    WrongAccount,
    /// Workable already has a candidate with this email in this job.
    #[error("Workable already has this candidate in the job")]
    Duplicate,
    /// Workable refused the input; `message` is Workable's own.
    #[error("Workable refused the request: {message}")]
    Invalid { message: String },
    /// The thing exists already (a webhook target subscribed twice).
    #[error("Workable says this exists already")]
    Conflict,
    /// Worth retrying: a 5xx, a timeout, a connection failure, a lost answer.
    #[error("Workable is unavailable right now: {0}")]
    Transient(String),
    /// Workable answered something we could not read.
    #[error("Workable's answer could not be read: {0}")]
    UnexpectedResponse(String),
}

impl WorkableError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, WorkableError::RateLimited { .. } | WorkableError::Transient(_))
    }
}
