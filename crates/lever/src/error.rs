/// What went wrong talking to Lever, classified by what the caller can do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LeverError {
    /// Lever's token bucket is empty (about 10 requests a second, bursts of 20): wait and retry.
    /// Lever sends no rate-limit headers; `retry_after_seconds` is read when it ever does.
    #[error("Lever's rate limit is reached")]
    RateLimited { retry_after_seconds: Option<u64> },
    /// The API key or access token is missing, wrong, expired or revoked: refresh, or reconnect.
    #[error("Lever did not accept the credentials")]
    Unauthorized,
    /// The credential lacks a permission (scope) this call needs, or the record is confidential.
    #[error("the Lever credentials lack a permission this needs")]
    Forbidden,
    #[error("not found in Lever")]
    NotFound,
    /// Lever refused the input (400); `code` and `message` are Lever's own.
    #[error("Lever refused the request: {message}")]
    Invalid { code: String, message: String },
    /// Worth retrying: a 5xx, a timeout, a connection failure, a lost answer.
    #[error("Lever is unavailable right now: {0}")]
    Transient(String),
    /// Lever answered something we could not read.
    #[error("Lever's answer could not be read: {0}")]
    UnexpectedResponse(String),
}

impl LeverError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, LeverError::RateLimited { .. } | LeverError::Transient(_))
    }
}
