//! A company's roles: create, publish, list.

use domain::views::{RoleFilter, RoleSummary, RolesPage};
use domain::{Location, RoleId, RoleStatus, RoleTitle};
use storage::StorageError;

use crate::{Actor, Marketplace, MarketplaceError, Result};

impl Marketplace {
    /// The company's roles, each with where its candidates stand with Workable: *Source*'s list
    /// unfiltered and unpaged.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn list_roles(&self, actor: &Actor) -> Result<Vec<RoleSummary>> {
        Ok(self.db.roles_page(actor.company_id, &RoleFilter::default(), usize::MAX, 0).await?)
    }

    /// One page of *Source*: the roles `filter` admits, [`RolesPage::PER_PAGE`] at a time (a
    /// page past the last shows the last), with the count of every live role not mapped and,
    /// when asked, the `focus` role wherever it is listed. The database filters, counts and
    /// pages: the statements and what they read do not grow with the company's roles.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn roles_page(&self, actor: &Actor, filter: RoleFilter, focus: Option<RoleId>) -> Result<RolesPage> {
        // Read before what it sums up: a change in between makes the page look once more.
        let version = self.source_version(actor).await?;
        let counts = self.db.role_counts(actor.company_id, &filter).await?;
        let pages = domain::views::pages(counts.matching, RolesPage::PER_PAGE);
        let page = filter.page.clamp(1, pages);
        let offset = (page - 1) * RolesPage::PER_PAGE;
        let roles = self.db.roles_page(actor.company_id, &filter, RolesPage::PER_PAGE, offset).await?;
        let focus = match focus {
            Some(id) => match roles.iter().find(|r| r.id == id) {
                Some(listed) => Some(listed.clone()),
                None => match self.role(actor, id).await {
                    Ok(role) => Some(role),
                    // Not one of the company's roles: the page shows no focus.
                    Err(MarketplaceError::NotFound) => None,
                    Err(err) => return Err(err),
                },
            },
            None => None,
        };
        let ats = self.db.connected_ats(actor.company_id).await?.unwrap_or(domain::AtsKind::Workable);
        Ok(RolesPage {
            ats,
            roles,
            filter: RoleFilter { page, ..filter },
            matching: counts.matching,
            total: counts.total,
            pages,
            unmapped_live: counts.unmapped_live,
            focus,
            version,
        })
    }

    /// What the company's *Source* page shows, summed up in one indexed query: another value
    /// than [`RolesPage::version`] means the page is out of date.
    pub async fn source_version(&self, actor: &Actor) -> Result<String> {
        Ok(self.db.company_version(actor.company_id).await?)
    }

    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn role(&self, actor: &Actor, role: RoleId) -> Result<RoleSummary> {
        let mut summary = self.db.role_summary(actor.company_id, role).await?.ok_or(MarketplaceError::NotFound)?;
        summary.exports = self.db.role_export_tally(actor.company_id, role).await?;
        Ok(summary)
    }

    /// Creates a role as a draft, or live at once when `publish` is set.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn create_role(&self, actor: &Actor, title: &str, location: &str, publish: bool) -> Result<RoleId> {
        let title = RoleTitle::parse(title).map_err(|e| MarketplaceError::invalid("title", e))?;
        let location = Location::parse(location).map_err(|e| MarketplaceError::invalid("location", e))?;
        let status = if publish { RoleStatus::Live } else { RoleStatus::Draft };
        let id = self.db.insert_role(actor.company_id, &title, &location, status).await?;
        tracing::info!(role.id = %id, status = %status, "role created");
        Ok(id)
    }

    /// Makes a draft role live.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn publish_role(&self, actor: &Actor, role: RoleId) -> Result<()> {
        match self.db.change_role_status(actor.company_id, role, RoleStatus::Draft, RoleStatus::Live).await {
            Ok(()) => {
                tracing::info!(role.id = %role, "role published");
                Ok(())
            }
            Err(StorageError::NotFound) => Err(MarketplaceError::NotFound),
            Err(StorageError::Conflict(_)) => {
                Err(MarketplaceError::Conflict("Only a draft role can be published.".into()))
            }
            Err(err) => Err(err.into()),
        }
    }
}
