//! The *Candidate Source setup guide*'s live check: the company's last exported candidate, read
//! back from Workable (one call, made when someone opens the guide), with the source Workable
//! reports for them.

use domain::views::{SourceCheck, SourceSeen};

use crate::{Actor, CallError, ConnectError, Integrations};

impl Integrations {
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn source_check(&self, actor: &Actor) -> Result<SourceCheck, ConnectError> {
        let expected = self.source_domain().map(|d| d.as_str().to_owned());
        let Some(last) = self.db.last_exported(actor.company_id).await? else {
            return Ok(SourceCheck { expected, last: None, unavailable: None });
        };
        let mut seen = SourceSeen {
            candidate: last.candidate_name,
            role: last.role_title,
            exported_at_ms: last.exported_at_ms,
            linked: last.linked,
            domain: None,
            common_source: None,
        };
        let id = last.workable_candidate_id.as_str();
        let read = match self.account_calls(actor.company_id).await {
            Ok(mut calls) => calls.read(|api| async move { api.candidate(id).await }).await,
            Err(err) => Err(err),
        };
        match read {
            Ok(candidate) => {
                seen.domain = candidate.domain;
                seen.common_source = candidate.common_source;
                Ok(SourceCheck { expected, last: Some(seen), unavailable: None })
            }
            Err(CallError::Storage(err)) => Err(err.into()),
            Err(err) => Ok(SourceCheck {
                expected,
                last: Some(seen),
                unavailable: Some(format!("Workable could not be asked just now: {err}")),
            }),
        }
    }
}
