use workable::WorkableError;

/// Why a connect, reconnect or Workable call did not happen — each in words a recruiter can act on.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("Only your company's master account can connect or disconnect an ATS.")]
    NotMaster,
    #[error("Connecting with OAuth is not set up on this instance; use an API access token instead.")]
    OAuthNotConfigured,
    #[error("Workable is not connected.")]
    NotConnected,
    #[error("The connection attempt expired or did not start here. Please click Connect again.")]
    StateMismatch,
    #[error("Workable refused the authorisation code (it may have been used already). Please click Connect again.")]
    CodeRejected,
    #[error("Workable said: {0}")]
    ProviderError(String),
    #[error("The connection was not saved: the Workable permissions to {} are missing.", .0.join(", "))]
    MissingPermissions(Vec<&'static str>),
    #[error("The connection was not saved: the {ats} permissions to {} are missing.", .missing.join(", "))]
    MissingAtsPermissions { ats: &'static str, missing: Vec<&'static str> },
    #[error("Lever did not accept that API key (wrong, or deleted in Lever's settings).")]
    LeverKeyRejected,
    #[error(
        "{0} is connected: a company connects one ATS. Disconnect {0} under Account settings → ATS integrations first, then connect the other."
    )]
    OtherAtsConnected(&'static str),
    #[error("The Workable user who approved has no Workable account to connect.")]
    NoAccount,
    #[error("Workable returned an account we could not read.")]
    UnexpectedAccount,
    #[error("No Workable account uses the subdomain \"{0}\".")]
    UnknownSubdomain(String),
    #[error("Could not reach {0}.workable.com. Check the subdomain and try again.")]
    UnreachableSubdomain(String),
    #[error(
        "That access token is not for a Workable account with the subdomain \"{0}\": check the subdomain (the part before .workable.com) and that the token was made in that account."
    )]
    WrongAccount(String),
    #[error("Workable did not accept that access token (wrong, expired or revoked).")]
    TokenRejected,
    #[error("Workable no longer accepts this connection's access. A master account needs to reconnect.")]
    ReconnectNeeded,
    #[error("The account choice expired. Please click Connect again.")]
    PendingExpired,
    #[error("{0}")]
    InvalidInput(domain::FieldError),
    #[error("Workable is busy or unreachable right now; please try again in a minute.")]
    Unavailable,
    #[error("Workable answered something unexpected: {0}")]
    Unexpected(String),
    #[error("Something went wrong on our side. Please try again.")]
    Storage(#[from] storage::StorageError),
}

impl From<WorkableError> for ConnectError {
    fn from(err: WorkableError) -> Self {
        match err {
            WorkableError::Unauthorized => ConnectError::TokenRejected,
            WorkableError::Forbidden => ConnectError::MissingPermissions(vec!["do this"]),
            WorkableError::RateLimited { .. } | WorkableError::Transient(_) => ConnectError::Unavailable,
            WorkableError::Invalid { message } => ConnectError::ProviderError(message),
            other => ConnectError::Unexpected(other.to_string()),
        }
    }
}

impl From<crate::ats::AtsFailure> for ConnectError {
    fn from(failure: crate::ats::AtsFailure) -> Self {
        use crate::ats::AtsFailure as F;
        match failure {
            F::Unauthorized => ConnectError::TokenRejected,
            F::Forbidden => ConnectError::MissingPermissions(vec!["do this"]),
            F::RateLimited | F::Transient(_) => ConnectError::Unavailable,
            F::Invalid(message) => ConnectError::ProviderError(message),
            other => ConnectError::Unexpected(other.to_string()),
        }
    }
}
