//! The marketplace's use cases: signing in, roles, requests and the pipeline. Each one checks
//! that the acting user may do it and that every id belongs to the actor's company, then calls
//! the storage layer — several statements of one change in one unit of work, whose rules (an
//! acceptance queues the export, a move the stage sync) are written here. Server functions and
//! tests call these directly.

pub mod auth;
pub mod demo;
mod pipeline;
pub use pipeline::CANDIDATES_OFFERED;
mod roles;
pub mod time_zones;

use clock::Clock;
use domain::FieldError;
use storage::{Db, StorageError};

/// Who is acting: the one `Actor` of every use case.
pub use domain::Actor;

/// What went wrong, classified by what the caller can do about it.
#[derive(Debug, thiserror::Error)]
pub enum MarketplaceError {
    /// The thing does not exist, or belongs to another company (the two look the same).
    #[error("not found")]
    NotFound,
    /// A field of the input is wrong; the message says how.
    #[error("{}: {}", .0.field, .0.message)]
    Invalid(FieldError),
    /// The action does not fit the current state (already published, already answered…).
    #[error("{0}")]
    Conflict(String),
    /// The actor may not do this.
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("the email or password is not right")]
    BadCredentials,
    /// Too much at once (sign-ins beyond what the server checks at a time): nothing was done;
    /// try again shortly.
    #[error("{0}")]
    Busy(&'static str),
    /// Too many failed sign-ins for the account: refused, whatever the password, for a while.
    #[error("{0}")]
    TooManyAttempts(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl MarketplaceError {
    fn invalid(field: &str, err: impl std::fmt::Display) -> Self {
        MarketplaceError::Invalid(FieldError::new(field, err.to_string()))
    }
}

pub type Result<T, E = MarketplaceError> = std::result::Result<T, E>;

/// The marketplace service over storage.
#[derive(Clone, Debug)]
pub struct Marketplace {
    db: Db,
    demo: bool,
    /// What moves and acceptances are stamped with: the same clock the workers compare them
    /// against Workable's changes by.
    clock: Clock,
}

impl Marketplace {
    /// `demo` enables acting on a candidate's behalf (there is no candidate app in this product).
    pub fn new(db: Db, demo: bool, clock: Clock) -> Self {
        Marketplace { db, demo, clock }
    }

    pub fn demo(&self) -> bool {
        self.demo
    }
}
