//! Insights, read from what is stored: the company's funnel from its requests and moves, and
//! hires by source from the ATS's candidates the reconciliation keeps. Opening the page never
//! calls the ATS; "as of" says when it was last read.

use domain::insights::{Insights, InsightsFilter, JobChoice, RoleFunnel, SourceRow, median};

use crate::{Actor, ConnectError, Integrations};

impl Integrations {
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn insights(&self, actor: &Actor, filter: InsightsFilter) -> Result<Insights, ConnectError> {
        let company = actor.company_id;
        let now = storage::now_ms();
        let (from_ms, to_ms) = filter.window(now);
        let mut roles: Vec<RoleFunnel> = self
            .db
            .funnel(company, (from_ms, to_ms), None)
            .await?
            .into_iter()
            .map(|row| RoleFunnel { role_id: row.role_id, title: row.title, steps: row.steps.to_vec() })
            .collect();
        // The role chosen, when it had no request in the range: listed with zeros, so the filter
        // still names it (another company's role is not found, and shows nothing).
        if let Some(id) = filter.role
            && !roles.iter().any(|r| r.role_id == id)
            && let Some(role) = self.db.find_role(company, id).await?
        {
            let steps = vec![0; domain::insights::FUNNEL_LEN];
            roles.push(RoleFunnel { role_id: id, title: role.title, steps });
        }
        let mut funnel = vec![0; domain::insights::FUNNEL_LEN];
        for role in roles.iter().filter(|r| filter.role.is_none_or(|id| id == r.role_id)) {
            for (total, step) in funnel.iter_mut().zip(&role.steps) {
                *total += step;
            }
        }
        let marketplace_source = self.source_domain().map(|d| d.as_str().to_owned());
        let sources = self
            .db
            .hires_by_source(company, filter.days(now), filter.job.as_deref())
            .await?
            .into_iter()
            .map(|tally| SourceRow {
                marketplace: marketplace_source.as_deref() == Some(tally.source.as_str()),
                median_days_to_hire: median(&tally.days_to_hire),
                source: tally.source,
                applicants: tally.applicants,
                interviewed: tally.interviewed,
                offered: tally.offered,
                hired: tally.hired,
            })
            .collect();
        let mut jobs: Vec<JobChoice> = self
            .db
            .list_configurations(company)
            .await?
            .into_iter()
            .map(|c| JobChoice { shortcode: c.job.shortcode, title: c.job.title })
            .collect();
        jobs.sort_by(|a, b| a.title.cmp(&b.title).then_with(|| a.shortcode.cmp(&b.shortcode)));
        jobs.dedup_by(|a, b| a.shortcode == b.shortcode);
        let connection = self.db.connection(company).await?;
        Ok(Insights {
            filter,
            from_ms,
            to_ms,
            funnel,
            roles,
            sources,
            jobs,
            ats: connection.as_ref().map_or(domain::AtsKind::Workable, |c| c.ats),
            connected: connection.as_ref().is_some_and(|c| c.status == storage::ConnectionStatus::Connected),
            as_of_ms: connection.and_then(|c| c.reconciled_at),
            marketplace_source,
        })
    }
}
