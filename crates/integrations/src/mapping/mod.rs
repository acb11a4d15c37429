//! Mapping roles to the connected ATS's jobs and stages: the *Add ATS configuration* wizard's reads (cached briefly per
//! connection), validation on save, removal, and drift — a mapped job closed or archived, a mapped
//! stage renamed or deleted — noticed when the wizard opens, before work that uses a mapping, and
//! by a periodic sweep.

use std::time::Duration;

use domain::mapping::{ConfigurationView, JobRef, JobState, StageOption};
use domain::{FieldError, MarketplaceStage};
use storage::{ConfigurationRecord, StorageError};
use workable::{Job, Stage};

use crate::ConnectError;

mod drift;
mod reads;
mod wizard;

pub(crate) use reads::{ReadCache, read_cache};

/// How long the wizard's Workable reads are reused: long enough that opening the wizard, paging
/// through its steps and saving costs a handful of calls, short enough to see changes soon.
pub const READ_CACHE_TTL: Duration = Duration::from_secs(30);

/// Why a mapping action did not happen, in words a recruiter can act on. Cloneable, because one
/// failed Workable read answers everyone who waited for it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    /// Missing, or another company's: the two look the same on purpose.
    #[error("Not found.")]
    NotFound,
    #[error("This role is closed, so it cannot take an ATS configuration.")]
    RoleClosed,
    #[error(
        "Connect your ATS (Workable or Lever) first: a master account can do it under Account settings → ATS integrations."
    )]
    NotConnected,
    #[error(
        "The ATS no longer accepts this connection's access: a master account needs to reconnect it under Account settings → ATS integrations."
    )]
    ReconnectNeeded,
    #[error("{0}")]
    Invalid(FieldError),
    /// The ATS is busy (rate limit) or unreachable: try again shortly.
    #[error("{0} is busy or unreachable right now; please try again in a minute.")]
    Unavailable(&'static str),
    /// Anything else the ATS said, in its name.
    #[error("{0}")]
    Ats(String),
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
}

impl From<ConnectError> for MappingError {
    fn from(err: ConnectError) -> Self {
        match err {
            ConnectError::NotConnected => MappingError::NotConnected,
            ConnectError::ReconnectNeeded => MappingError::ReconnectNeeded,
            ConnectError::Unavailable(ats) => MappingError::Unavailable(ats),
            ConnectError::Storage(inner) => inner.into(),
            other => MappingError::Ats(other.to_string()),
        }
    }
}

impl From<StorageError> for MappingError {
    fn from(err: StorageError) -> Self {
        tracing::error!(error = %err, "storage failure");
        MappingError::Internal
    }
}

pub(super) fn invalid(field: impl Into<String>, message: impl Into<String>) -> MappingError {
    MappingError::Invalid(FieldError::new(field, message))
}

/// The form field of a stage's select in the mapping table.
pub fn stage_field(stage: MarketplaceStage) -> String {
    format!("mapping[{}]", stage.as_str())
}

pub(crate) fn job_ref(job: &Job) -> JobRef {
    let location = job.location.as_ref().and_then(|l| {
        l.location_str.clone().filter(|s| !s.trim().is_empty()).or_else(|| {
            let parts: Vec<&str> = [l.city.as_deref(), l.country.as_deref()].into_iter().flatten().collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        })
    });
    JobRef {
        shortcode: job.shortcode.to_string(),
        title: job.title.clone(),
        code: job.code.clone().filter(|c| !c.is_empty()),
        department: job.department.clone().filter(|d| !d.is_empty()),
        location,
        state: job_state(job.state),
    }
}

/// Workable's word for a job's state, as the product reads it.
pub(crate) fn job_state(state: workable::JobState) -> JobState {
    match state {
        workable::JobState::Published => JobState::Published,
        workable::JobState::Draft => JobState::Draft,
        workable::JobState::Closed => JobState::Closed,
        workable::JobState::Archived => JobState::Archived,
        workable::JobState::Other => JobState::Other,
    }
}

pub(crate) fn stage_option(stage: &Stage) -> StageOption {
    StageOption { slug: stage.slug.to_string(), name: stage.name.clone(), kind: stage.kind.as_str().to_owned() }
}

pub(super) fn view(record: ConfigurationRecord) -> ConfigurationView {
    ConfigurationView {
        id: record.id,
        role_id: record.role_id,
        role_title: record.role_title,
        job: record.job,
        rows: record.rows,
        attention: record.attention,
    }
}
