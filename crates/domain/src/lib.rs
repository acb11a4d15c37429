//! Domain types shared by every layer, including the WASM UI: identifiers, parsed values and the
//! views the pages render. Nothing here does I/O.

#[macro_use]
mod text_enum;

pub mod actor;
pub mod connection;
pub mod export;
pub mod ids;
pub mod insights;
pub mod interview;
pub mod mapping;
pub mod marketplace;
pub mod values;
pub mod views;
pub mod work;

pub use actor::Actor;
pub use connection::{AtsKind, AuthKind, ConnectionStatus};
pub use ids::{CandidateId, CompanyId, ConfigurationId, ExportId, InterviewId, RequestId, RoleId, UserId};
pub use marketplace::{MarketplaceStage, MoveOrigin, RequestStatus, RoleStatus, UserRole};
pub use values::{Email, FieldError, Location, ParseError, RoleTitle};
pub use work::WorkKind;
