//! Presentational pieces: they take props and never call the server.

mod changes;
mod export_status;
mod filter_select;
mod frame;
mod pager;
mod status;
mod workable_card;

pub use changes::follow_changes;
pub use export_status::{BackfillLine, ExportCell};
pub use filter_select::FilterSelect;
pub use frame::{ErrorList, FormError, SignedIn};
pub use pager::Pager;
pub use status::StatusBadge;
pub use workable_card::WorkableCardView;
