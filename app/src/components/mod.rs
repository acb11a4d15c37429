//! Presentational pieces: they take props and never call the server.

mod frame;
mod status;

pub use frame::{ErrorList, FormError, SignedIn};
pub use status::StatusBadge;
