//! Presentational pieces: they take props and never call the server — but the pages' one island
//! (`Enhance`), which runs in the browser.

mod ats_card;
mod changes;
mod enhance;
mod export_status;
mod filter_select;
mod frame;
mod pager;
mod status;

pub use ats_card::AtsCardView;
pub use changes::Follow;
pub use enhance::Enhance;
pub use export_status::{BackfillLine, ExportCell};
pub use filter_select::FilterSelect;
pub use frame::{ErrorList, FormError, SignedIn};
pub use pager::Pager;
pub use status::StatusBadge;
