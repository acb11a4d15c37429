//! One module per route; pages own their data (resources and actions).

mod account_settings;
mod ats;
mod connect_lever;
mod connect_workable;
mod insights;
mod pipeline;
mod sign_in;
mod source;

pub use account_settings::AccountSettingsPage;
pub use ats::{AtsJobPage, AtsMappingPage, AtsRemovePage, AtsStartPage};
pub use connect_lever::ConnectLeverPage;
pub use connect_workable::{
    CandidateSourceGuidePage, ChooseWorkableAccountPage, ConnectWorkablePage, WorkableGuidePage,
};
pub use insights::InsightsPage;
pub use pipeline::PipelinePage;
pub use sign_in::SignInPage;
pub use source::SourcePage;
