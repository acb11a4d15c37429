//! Domain types shared by every layer, including the WASM UI: identifiers, parsed values and the
//! views the pages render. Nothing here does I/O.

pub mod ids;
pub mod marketplace;
pub mod values;
pub mod views;

pub use ids::{CandidateId, CompanyId, RequestId, RoleId, UserId};
pub use marketplace::{MarketplaceStage, RequestStatus, RoleStatus, UserRole};
pub use values::{Email, Location, ParseError, RoleTitle};
