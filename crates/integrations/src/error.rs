use domain::AtsKind;
use workable::WorkableError;

const WORKABLE: &str = "Workable";

/// Why a connect, reconnect or ATS call did not happen — each in words a recruiter can act on, naming
/// the ATS wherever the error knows which.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("Only your company's master account can connect or disconnect an ATS.")]
    NotMaster,
    #[error("Connecting with OAuth is not set up on this instance; use an API access token instead.")]
    OAuthNotConfigured,
    #[error("No ATS is connected: a master account can connect one under Account settings → ATS integrations.")]
    NotConnected,
    #[error("The connection attempt expired or did not start here. Please click Connect again.")]
    StateMismatch,
    #[error("{0} refused the authorisation code (it may have been used already). Please click Connect again.")]
    CodeRejected(&'static str),
    #[error("{0} said: {1}")]
    ProviderError(&'static str, String),
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
    #[error(
        "The ATS no longer accepts this connection's access: a master account needs to reconnect it under Account settings → ATS integrations."
    )]
    ReconnectNeeded,
    #[error("The account choice expired. Please click Connect again.")]
    PendingExpired,
    #[error("{0}")]
    InvalidInput(domain::FieldError),
    #[error("{0} is busy or unreachable right now; please try again in a minute.")]
    Unavailable(&'static str),
    #[error("{0} answered something unexpected: {1}")]
    Unexpected(&'static str, String),
    #[error("Something went wrong on our side. Please try again.")]
    Storage(#[from] storage::StorageError),
}

impl From<WorkableError> for ConnectError {
    fn from(err: WorkableError) -> Self {
        match err {
            WorkableError::Unauthorized => ConnectError::TokenRejected,
            WorkableError::Forbidden => ConnectError::MissingPermissions(vec!["do this"]),
            WorkableError::RateLimited { .. } | WorkableError::Transient(_) => ConnectError::Unavailable(WORKABLE),
            WorkableError::Invalid { message } => ConnectError::ProviderError(WORKABLE, message),
            other => ConnectError::Unexpected(WORKABLE, other.to_string()),
        }
    }
}

impl ConnectError {
    /// A failure of `ats`'s, in its name.
    pub fn from_ats(ats: AtsKind, failure: crate::ats::AtsFailure) -> Self {
        use crate::ats::AtsFailure as F;
        match (ats, failure) {
            (AtsKind::Workable, F::Unauthorized) => ConnectError::TokenRejected,
            (AtsKind::Lever, F::Unauthorized) => ConnectError::LeverKeyRejected,
            (_, F::Forbidden) => ConnectError::MissingAtsPermissions { ats: ats.name(), missing: vec!["do this"] },
            (_, F::RateLimited | F::Transient(_)) => ConnectError::Unavailable(ats.name()),
            (_, F::Invalid(message)) => ConnectError::ProviderError(ats.name(), message),
            (_, other) => ConnectError::Unexpected(ats.name(), other.to_string()),
        }
    }
}
