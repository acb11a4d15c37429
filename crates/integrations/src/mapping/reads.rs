//! The wizard's reads (jobs, a job, a job's stages, the account's outcome reasons) from the connected ATS through the port and
//! its call policy, shared briefly per connection so a person clicking through the wizard costs
//! few calls.

use std::sync::Arc;
use std::time::Duration;

use domain::CompanyId;
use domain::mapping::{JobRef, ReasonOption, StageOption};

use crate::ats::AtsCalls;
use crate::{ConnectError, Integrations};

use super::*;

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub(crate) enum Read {
    Jobs,
    /// A job by its id in the ATS (checked for the ATS's form before it is read).
    Job(String),
    Stages(String),
    /// The account's outcome reasons (Lever's archive reasons).
    Reasons,
}

#[derive(Clone, Debug)]
pub(crate) enum ReadValue {
    Jobs(Arc<Vec<JobRef>>),
    Job(Arc<JobRef>),
    Stages(Arc<Vec<StageOption>>),
    Reasons(Arc<Vec<ReasonOption>>),
}

/// The ATS's reads shared for [`READ_CACHE_TTL`], keyed by company, account and what was read;
/// concurrent misses for one key make one call.
pub(crate) type ReadCache = moka::future::Cache<(CompanyId, String, Read), ReadValue>;

pub(crate) fn read_cache(ttl: Duration) -> ReadCache {
    moka::future::Cache::builder().max_capacity(10_000).time_to_live(ttl).build()
}

/// One read of the ATS under its call policy, waiting for the rate limit (a person is waiting).
/// A job id not of the ATS's form is not found.
pub(super) async fn fetch(mut calls: AtsCalls<'_>, what: Read) -> Result<ReadValue, MappingError> {
    let job = |id: &str| calls.job(id).ok_or(MappingError::NotFound);
    let read = match &what {
        Read::Jobs => calls.jobs().await.map(|v| ReadValue::Jobs(Arc::new(v))),
        Read::Job(id) => {
            let job = job(id)?;
            calls.job_ref(&job).await.map(|v| ReadValue::Job(Arc::new(v)))
        }
        Read::Stages(id) => {
            let job = job(id)?;
            calls.stages(&job).await.map(|v| ReadValue::Stages(Arc::new(v)))
        }
        Read::Reasons => calls.outcome_reasons().await.map(|v| ReadValue::Reasons(Arc::new(v))),
    };
    match read {
        Ok(value) => Ok(value),
        Err(err) if err.is_not_found() => Err(MappingError::NotFound),
        Err(err) => Err(ConnectError::from(err).into()),
    }
}

impl Integrations {
    /// Reuse the ATS's reads for `ttl` (zero: never), instead of [`READ_CACHE_TTL`].
    pub fn with_read_cache_ttl(mut self, ttl: Duration) -> Self {
        self.reads = (!ttl.is_zero()).then(|| read_cache(ttl));
        self
    }

    pub(super) async fn read(&self, company: CompanyId, what: Read) -> Result<ReadValue, MappingError> {
        let calls = self.ats_calls(company).await.map_err(ConnectError::from)?;
        match &self.reads {
            Some(cache) => cache
                .try_get_with(
                    (company, format!("{}:{}", calls.kind(), calls.account_key()), what.clone()),
                    fetch(calls, what),
                )
                .await
                .map_err(|err| (*err).clone()),
            None => fetch(calls, what).await,
        }
    }

    pub(super) async fn jobs(&self, company: CompanyId) -> Result<Arc<Vec<JobRef>>, MappingError> {
        match self.read(company, Read::Jobs).await? {
            ReadValue::Jobs(jobs) => Ok(jobs),
            _ => unreachable!("the jobs key holds jobs"),
        }
    }

    /// One job; `None` when the ATS says it no longer exists (or `id`, read from a stored
    /// configuration, is not one the ATS could have).
    pub(super) async fn job(&self, company: CompanyId, id: &str) -> Result<Option<Arc<JobRef>>, MappingError> {
        match self.read(company, Read::Job(id.to_owned())).await {
            Ok(ReadValue::Job(job)) => Ok(Some(job)),
            Ok(_) => unreachable!("a job key holds a job"),
            Err(MappingError::NotFound) => Ok(None),
            Err(err) => Err(err),
        }
    }

    pub(super) async fn stages(&self, company: CompanyId, id: &str) -> Result<Arc<Vec<StageOption>>, MappingError> {
        match self.read(company, Read::Stages(id.to_owned())).await? {
            ReadValue::Stages(stages) => Ok(stages),
            _ => unreachable!("a stages key holds stages"),
        }
    }

    /// The account's outcome reasons a mapping may archive with (none for Workable).
    pub(super) async fn reasons(&self, company: CompanyId) -> Result<Arc<Vec<ReasonOption>>, MappingError> {
        match self.read(company, Read::Reasons).await? {
            ReadValue::Reasons(reasons) => Ok(reasons),
            _ => unreachable!("the reasons key holds reasons"),
        }
    }

    /// Which ATS the company connected, and the account's key in it (Workable's subdomain).
    pub(super) async fn connected_ats(&self, company: CompanyId) -> Result<(domain::AtsKind, String), MappingError> {
        let connection = self.usable_connection(company).await?;
        Ok((connection.ats, connection.subdomain))
    }
}
