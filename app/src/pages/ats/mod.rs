//! The *Add ATS configuration* wizard, one route per step so the browser's Back works and every
//! step renders on the server: (1) *New configuration* or *Import existing configuration*,
//! (2) the Workable job → *Continue to mapping*, (3) the mapping table → *Save*; and the
//! confirmation for *Remove ATS configuration*.

use domain::mapping::StageAction;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

mod job;
mod mapping;
mod remove;
mod start;

pub use job::AtsJobPage;
pub use mapping::AtsMappingPage;
pub use remove::AtsRemovePage;
pub use start::AtsStartPage;

pub(super) fn role_param() -> impl Fn() -> Option<i64> + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get("id").and_then(|id| id.parse::<i64>().ok())
}

pub(super) fn query_param(name: &'static str) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static {
    let query = use_query_map();
    move || query.read().get(name).filter(|v| !v.is_empty())
}

/// `?from=` as the id of the configuration being imported.
pub(super) fn from_param() -> impl Fn() -> Option<i64> + Copy + Send + Sync + 'static {
    let from = query_param("from");
    move || from().and_then(|v| v.parse().ok())
}

pub(super) fn from_query(from: Option<i64>) -> String {
    from.map(|f| format!("?from={f}")).unwrap_or_default()
}

#[component]
pub(super) fn Steps(current: u8, ats: domain::AtsKind) -> impl IntoView {
    let step = move |n: u8, label: String| {
        let class = if n == current {
            "current"
        } else if n < current {
            "done"
        } else {
            ""
        };
        view! { <li class=class aria-current=(n == current).then_some("step")>{label}</li> }
    };
    view! {
        <ol class="steps" aria-label="Steps">
            {step(1, "Configuration".to_owned())}
            {step(2, format!("{} job", ats.name()))}
            {step(3, "Stage mapping".to_owned())}
        </ol>
    }
}

/// What each marketplace stage does, as the import list and the mapping summary say it.
pub(super) fn action_words(action: &StageAction) -> String {
    match action {
        StageAction::Nothing => "nothing".to_owned(),
        StageAction::Disqualify => "disqualify".to_owned(),
        StageAction::Move { name, .. } => name.clone(),
        StageAction::Archive { name, .. } => format!("archive (“{name}”)"),
    }
}

// ---- Step 1 -------------------------------------------------------------------------------
