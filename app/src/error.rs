//! The error every server function returns: what the UI can show and act on. It travels to the
//! browser, so it never carries internals; those are logged on the server instead.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No session: sign in first (HTTP 401).
    #[error("Please sign in.")]
    Unauthorized,
    /// Signed in, but not allowed (HTTP 403).
    #[error("{0}")]
    Forbidden(String),
    /// Missing, or another company's (HTTP 404): the two look the same on purpose.
    #[error("Not found.")]
    NotFound,
    /// A field of the form is wrong (HTTP 422).
    #[error("{0}")]
    Invalid(domain::FieldError),
    /// The action no longer fits the current state (HTTP 409).
    #[error("{0}")]
    Conflict(String),
    #[error("The email or password is not right.")]
    BadCredentials,
    /// Workable is busy (its rate limit) or unreachable: nothing was done; try again shortly
    /// (HTTP 503).
    #[error("{0}")]
    Unavailable(String),
    /// Too many failed attempts (sign-in): refused for a while (HTTP 429).
    #[error("{0}")]
    TooManyAttempts(String),
    /// Our fault; details are in the server log (HTTP 500).
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The request did not reach the server or its answer could not be read.
    #[error("Could not reach the server: {0}")]
    Transport(String),
}

impl AppError {
    /// The form field this error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid(invalid) => Some(&invalid.field),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(msg) | ServerFnErrorErr::MissingArg(msg) => form_unreadable(&msg, false),
            // On the server, the request's body did not decode (not UTF-8, not a form): the
            // sender's fault, not ours — 400.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(msg) => form_unreadable(&msg, true),
            other => AppError::Transport(other.to_string()),
        }
    }
}

/// A form that could not be read — 422 for a field missing or of the wrong type, 400 for a body
/// that does not decode at all (`undecodable`) — quoting at most the start of what was wrong (a
/// megabyte of bad value is not sent back).
fn form_unreadable(msg: &str, undecodable: bool) -> AppError {
    let mut said: String = msg.chars().take(120).collect();
    if said.len() < msg.len() {
        said.push('…');
    }
    let err = AppError::Invalid(domain::FieldError::new("form", format!("The form could not be read: {said}")));
    // On the server this runs while answering the request: say so, not 500.
    #[cfg(feature = "ssr")]
    let err = match undecodable {
        true => err.respond_with(http::StatusCode::BAD_REQUEST),
        false => err.respond(),
    };
    #[cfg(not(feature = "ssr"))]
    let _ = undecodable;
    err
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use http::StatusCode;
    use marketplace::MarketplaceError;

    use super::AppError;

    impl AppError {
        pub fn status(&self) -> StatusCode {
            match self {
                AppError::Unauthorized => StatusCode::UNAUTHORIZED,
                AppError::Forbidden(_) => StatusCode::FORBIDDEN,
                AppError::NotFound => StatusCode::NOT_FOUND,
                AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                AppError::Conflict(_) => StatusCode::CONFLICT,
                AppError::BadCredentials => StatusCode::UNAUTHORIZED,
                AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
                AppError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
                AppError::Internal | AppError::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
            }
        }

        /// Sets this error's status on the response being built, and returns it.
        pub fn respond(self) -> AppError {
            let status = self.status();
            self.respond_with(status)
        }

        /// Sets `status` on the response being built, and returns this error.
        pub(crate) fn respond_with(self, status: StatusCode) -> AppError {
            if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                options.set_status(status);
            }
            self
        }
    }

    impl From<MarketplaceError> for AppError {
        fn from(err: MarketplaceError) -> Self {
            match err {
                MarketplaceError::NotFound => AppError::NotFound,
                MarketplaceError::Invalid(invalid) => AppError::Invalid(invalid),
                MarketplaceError::Conflict(message) => AppError::Conflict(message),
                MarketplaceError::Forbidden(message) => AppError::Forbidden(message.to_owned()),
                MarketplaceError::BadCredentials => AppError::BadCredentials,
                MarketplaceError::Busy(message) => AppError::Unavailable(message.to_owned()),
                MarketplaceError::TooManyAttempts(message) => AppError::TooManyAttempts(message),
                MarketplaceError::Storage(err) => {
                    tracing::error!(error = %err, "storage failure");
                    AppError::Internal
                }
            }
        }
    }

    /// Maps a use case's result for the browser, setting the HTTP status on failure.
    pub fn respond<T>(result: Result<T, MarketplaceError>) -> Result<T, AppError> {
        result.map_err(|err| AppError::from(err).respond())
    }
}
