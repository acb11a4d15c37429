//! A company's roles: create, publish, list.

use domain::views::RoleSummary;
use domain::{Location, RoleId, RoleStatus, RoleTitle};
use storage::StorageError;

use crate::{Actor, Marketplace, MarketplaceError, Result};

impl Marketplace {
    /// The company's roles, each with where its candidates stand with Workable.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn list_roles(&self, actor: &Actor) -> Result<Vec<RoleSummary>> {
        let mut roles = self.db.list_roles(actor.company_id).await?;
        let tallies = self.db.export_tallies(actor.company_id).await?;
        for role in &mut roles {
            if let Some((_, tally)) = tallies.iter().find(|(id, _)| *id == role.id) {
                role.exports = tally.clone();
            }
        }
        Ok(roles)
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
