//! The time zone each person reads and enters times in: reported by their browser at their first
//! sign-in, changeable in *Account settings*, UTC until either happens.

use clock::Zone;
use domain::UserId;

use crate::{Actor, Marketplace, MarketplaceError, Result};

impl Marketplace {
    /// The zone `actor` reads times in.
    pub async fn zone_of(&self, actor: &Actor) -> Result<Zone> {
        let user = self.db.find_user(actor.user_id).await?.ok_or(MarketplaceError::NotFound)?;
        Ok(user.zone())
    }

    /// The zone a browser reported at sign-in, kept only while the person has none: a zone they
    /// chose is never overridden. A name that is not a zone is ignored (the sign-in goes on and
    /// times stay in UTC until they choose one).
    pub async fn adopt_browser_zone(&self, user: UserId, reported: &str) -> Result<()> {
        if let Ok(zone) = Zone::named(reported)
            && self.db.set_time_zone(user, &zone, true).await?
        {
            tracing::info!(user.id = %user, time_zone = zone.name(), "time zone taken from the browser");
        }
        Ok(())
    }

    /// The zone chosen in *Account settings*.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn set_time_zone(&self, actor: &Actor, name: &str) -> Result<Zone> {
        let zone = Zone::named(name).map_err(|_| {
            MarketplaceError::invalid("time_zone", "Choose a time zone from the list (such as Europe/Berlin).")
        })?;
        if self.db.set_time_zone(actor.user_id, &zone, false).await? {
            Ok(zone)
        } else {
            Err(MarketplaceError::NotFound)
        }
    }
}

/// The zones a person can choose from, UTC first.
pub fn choices() -> Vec<String> {
    clock::zone::choices()
}
