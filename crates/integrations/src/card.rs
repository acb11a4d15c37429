//! The Workable card under *Account settings → ATS integrations*: the connection's health as the
//! employer reads it.

use domain::UserRole;
use domain::views::{ConnectionState, WorkableCard};
use storage::{AuthKind, ConnectionStatus, now_ms};

use crate::*;

impl Integrations {
    /// The card for *Account settings → ATS integrations*.
    #[tracing::instrument(skip_all, fields(company.id = %actor.company_id, user.id = %actor.user_id))]
    pub async fn card(&self, actor: &Actor) -> Result<WorkableCard, ConnectError> {
        let connection = self.db.connection(actor.company_id).await?;
        let can_manage = actor.role == UserRole::Master;
        let oauth_available = self.oauth.is_some();
        let lever_available = self.lever_client().is_some();
        let Some(c) = connection else {
            return Ok(WorkableCard { can_manage, oauth_available, lever_available, ..WorkableCard::default() });
        };
        let state = match c.status {
            ConnectionStatus::Connected => ConnectionState::Connected,
            ConnectionStatus::ReconnectNeeded => ConnectionState::ReconnectNeeded,
            ConnectionStatus::Disconnected => ConnectionState::Disconnected,
        };
        // OAuth tokens renew themselves while the grant lives; an API token's expiry is final.
        let renewable = c.auth_kind == AuthKind::OAuth && c.refresh_token_enc.is_some();
        let expiry_warning = state == ConnectionState::Connected
            && !renewable
            && c.token_expires_at.is_some_and(|at| at - now_ms() < EXPIRY_WARNING_MS);
        // Since the last delivery we accepted (or since connecting): signatures failing now.
        let heard_since = c.last_webhook_at.unwrap_or(0).max(c.connected_at);
        let webhooks_refused = self.db.refused_deliveries_since(actor.company_id, heard_since).await?;
        Ok(WorkableCard {
            state,
            ats: Some(c.ats),
            lever_available,
            account_name: Some(c.account_name.clone()),
            subdomain: Some(c.subdomain.clone()),
            auth: Some(match c.auth_kind {
                AuthKind::OAuth => "OAuth".to_owned(),
                AuthKind::ApiToken if c.ats == domain::AtsKind::Lever => "API key".to_owned(),
                AuthKind::ApiToken => "API token".to_owned(),
            }),
            acting_member: Some(c.member_name.clone()),
            connected_by: c.connected_by.clone(),
            connected_at_ms: Some(c.connected_at),
            token_expires_at_ms: c.token_expires_at,
            expiry_warning,
            last_success_ms: c.last_success_at,
            last_webhook_ms: c.last_webhook_at,
            webhooks_active: !c.webhook_subscriptions.is_empty(),
            webhook_error: c.webhook_error.clone(),
            webhooks_refused,
            last_reconciliation_ms: c.reconciled_at,
            last_reconciliation_corrections: c.reconcile_corrections,
            reconciliation_error: c.reconcile_error.clone(),
            rate_limit: c.rate_limit.map(|(limit, remaining, reset)| (remaining, limit, reset * 1000)),
            last_error: c.last_error.clone(),
            last_error_ms: c.last_error_at,
            can_manage,
            oauth_available,
        })
    }
}
