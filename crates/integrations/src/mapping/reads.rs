//! The wizard's Workable reads (jobs, a job, a job's stages) through the call policy, shared
//! briefly per connection so a person clicking through the wizard costs few calls.

use std::sync::Arc;
use std::time::Duration;

use domain::CompanyId;
use workable::{Job, Shortcode, Stage, WorkableError};

use crate::{AccountCalls, CallError, ConnectError, Integrations};

use super::*;

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub(crate) enum Read {
    Jobs,
    Job(Shortcode),
    Stages(Shortcode),
}

#[derive(Clone, Debug)]
pub(crate) enum ReadValue {
    Jobs(Arc<Vec<Job>>),
    Job(Arc<Job>),
    Stages(Arc<Vec<Stage>>),
}

/// Workable reads shared for [`READ_CACHE_TTL`], keyed by company, account and what was read;
/// concurrent misses for one key make one call.
pub(crate) type ReadCache = moka::future::Cache<(CompanyId, String, Read), ReadValue>;

pub(crate) fn read_cache(ttl: Duration) -> ReadCache {
    moka::future::Cache::builder().max_capacity(10_000).time_to_live(ttl).build()
}

/// One Workable read under the call policy, waiting for the rate limit (a person is waiting).
pub(super) async fn fetch(mut calls: AccountCalls<'_>, what: Read) -> Result<ReadValue, MappingError> {
    let read = match &what {
        Read::Jobs => calls.read(|api| async move { api.jobs(None).await }).await.map(|v| ReadValue::Jobs(Arc::new(v))),
        Read::Job(shortcode) => {
            calls.read(|api| async move { api.job(shortcode).await }).await.map(|v| ReadValue::Job(Arc::new(v)))
        }
        Read::Stages(shortcode) => calls
            .read(|api| async move { api.job_stages(shortcode).await })
            .await
            .map(|v| ReadValue::Stages(Arc::new(v))),
    };
    match read {
        Ok(value) => Ok(value),
        Err(CallError::Workable(WorkableError::NotFound)) => Err(MappingError::NotFound),
        Err(err) => Err(ConnectError::from(err).into()),
    }
}

impl Integrations {
    /// Reuse Workable reads for `ttl` (zero: never), instead of [`READ_CACHE_TTL`].
    pub fn with_read_cache_ttl(mut self, ttl: Duration) -> Self {
        self.reads = (!ttl.is_zero()).then(|| read_cache(ttl));
        self
    }

    pub(super) async fn read(&self, company: CompanyId, what: Read) -> Result<ReadValue, MappingError> {
        let calls = self.account_calls(company).await.map_err(ConnectError::from)?;
        match &self.reads {
            Some(cache) => cache
                .try_get_with((company, calls.subdomain().to_string(), what.clone()), fetch(calls, what))
                .await
                .map_err(|err| (*err).clone()),
            None => fetch(calls, what).await,
        }
    }

    pub(super) async fn jobs(&self, company: CompanyId) -> Result<Arc<Vec<Job>>, MappingError> {
        match self.read(company, Read::Jobs).await? {
            ReadValue::Jobs(jobs) => Ok(jobs),
            _ => unreachable!("the jobs key holds jobs"),
        }
    }

    /// One job; `None` when Workable says it no longer exists (or `shortcode`, read from a stored
    /// configuration, is not one Workable could have).
    pub(super) async fn job(&self, company: CompanyId, shortcode: &str) -> Result<Option<Arc<Job>>, MappingError> {
        let Ok(shortcode) = Shortcode::parse(shortcode) else { return Ok(None) };
        match self.read(company, Read::Job(shortcode)).await {
            Ok(ReadValue::Job(job)) => Ok(Some(job)),
            Ok(_) => unreachable!("a job key holds a job"),
            Err(MappingError::NotFound) => Ok(None),
            Err(err) => Err(err),
        }
    }

    pub(super) async fn stages(
        &self,
        company: CompanyId,
        shortcode: &Shortcode,
    ) -> Result<Arc<Vec<Stage>>, MappingError> {
        match self.read(company, Read::Stages(shortcode.clone())).await? {
            ReadValue::Stages(stages) => Ok(stages),
            _ => unreachable!("a stages key holds stages"),
        }
    }
}
