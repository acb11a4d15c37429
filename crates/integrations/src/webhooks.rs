//! Workable's webhooks for a connection: subscribed when the company maps its first role,
//! removed on disconnect. Each connection gets an unguessable path part; each event its own
//! target (Workable refuses a target subscribed twice). Deliveries are signed with the account
//! token (API-token connections) or the OAuth app's client secret (OAuth connections).

use domain::CompanyId;
use storage::AuthKind;
use workable::webhook::Event;
use workable::{Secret, WorkableError};

use crate::{CallError, ConnectError, Integrations, WhenLimited};

/// The route Workable delivers to (the server mounts it; subscriptions name it).
pub const WEBHOOK_ROUTE: &str = "/webhooks/workable/{token}/{event}";

/// Where Workable delivers `event` for the connection with path part `token`.
pub fn webhook_target(public_url: &str, token: &str, event: Event) -> String {
    let path = WEBHOOK_ROUTE.replace("{token}", token).replace("{event}", event.as_str());
    format!("{}{path}", public_url.trim_end_matches('/'))
}

impl Integrations {
    /// Subscribes the connection to Workable's candidate events unless it is already. Returns
    /// whether subscriptions exist now; a failure is recorded on the connection (the card shows
    /// it) and tried again by the next reconciliation.
    pub async fn ensure_webhooks(&self, company: CompanyId) -> Result<bool, ConnectError> {
        let Some(public_url) = self.public_url.clone() else { return Ok(false) };
        let connection = self.db().connection(company).await?.ok_or(ConnectError::NotConnected)?;
        let token = connection.webhook_token.clone().unwrap_or_else(new_path_token);
        if connection.ats == domain::AtsKind::Lever {
            return self.ensure_lever_webhooks(&public_url, &connection, token).await;
        }
        if connection.webhook_subscriptions.len() == Event::ALL.len() {
            return Ok(true);
        }
        let result = self.subscribe_all(company, &public_url, &token).await;
        match result {
            Ok(ids) => {
                self.db().set_webhooks(company, Some(&token), &ids, None).await?;
                tracing::info!(company.id = %company, subscriptions = ids.len(), "Workable webhooks subscribed");
                Ok(true)
            }
            Err(err) => {
                let why = format!("Could not subscribe to Workable's webhooks: {err}");
                tracing::warn!(company.id = %company, error = %err, "Workable webhooks not subscribed");
                self.db().set_webhooks(company, Some(&token), &[], Some(&why)).await?;
                Err(err)
            }
        }
    }

    async fn subscribe_all(
        &self,
        company: CompanyId,
        public_url: &str,
        token: &str,
    ) -> Result<Vec<String>, ConnectError> {
        let mut calls = self.account_calls(company).await?;
        let subdomain = calls.subdomain().to_string();
        let mut ids = Vec::with_capacity(Event::ALL.len());
        for event in Event::ALL {
            let target = webhook_target(public_url, token, event);
            let (to, account) = (target.as_str(), subdomain.as_str());
            match calls
                .call(WhenLimited::Wait, |api| async move { api.subscribe(to, event.as_str(), account).await })
                .await
            {
                Ok(id) => ids.push(id),
                // Subscribed before (an earlier attempt whose answer was lost): adopt it.
                Err(CallError::Workable(WorkableError::Conflict)) => {
                    let existing =
                        calls.call(WhenLimited::Wait, |api| async move { api.subscriptions().await }).await?;
                    let found = existing.into_iter().find(|s| s.target == target).ok_or_else(|| {
                        ConnectError::Unexpected(
                            "Workable",
                            "Workable says the address is subscribed but does not list it".into(),
                        )
                    })?;
                    ids.push(found.id);
                }
                Err(err) => return Err(err.into()),
            }
        }
        Ok(ids)
    }

    /// Checks that Workable still has the connection's subscriptions (they can expire, or be
    /// deleted in Workable) and subscribes again when one is gone. One call.
    pub async fn verify_webhooks(&self, company: CompanyId) -> Result<bool, ConnectError> {
        let Some(connection) = self.db().connection(company).await? else { return Ok(false) };
        if connection.webhook_subscriptions.is_empty() {
            return self.ensure_webhooks(company).await;
        }
        if connection.ats == domain::AtsKind::Lever {
            return self.verify_lever_webhooks(&connection).await;
        }
        let mut calls = self.account_calls(company).await?;
        let listed = calls.call(WhenLimited::Wait, |api| async move { api.subscriptions().await }).await?;
        let missing = connection.webhook_subscriptions.iter().any(|id| !listed.iter().any(|s| &s.id == id));
        if !missing {
            return Ok(true);
        }
        tracing::warn!(company.id = %company, "a Workable webhook subscription is gone; subscribing again");
        for id in connection.webhook_subscriptions.iter().filter(|id| listed.iter().any(|s| &s.id == *id)) {
            let _ = calls.call(WhenLimited::Wait, |api| async move { api.unsubscribe(id).await }).await;
        }
        self.db().set_webhooks(company, connection.webhook_token.as_deref(), &[], None).await?;
        self.ensure_webhooks(company).await
    }

    /// After a reconnect: removes the subscriptions the previous connection made (best effort,
    /// with the new connection's token) and forgets them, keeping the webhook address, so the next
    /// `ensure_webhooks` subscribes afresh under the new key instead of adopting the old ones.
    pub(crate) async fn replace_webhooks(&self, company: CompanyId, previous: &[String]) -> Result<(), ConnectError> {
        match self.account_calls(company).await {
            Ok(mut calls) => {
                for id in previous {
                    if let Err(err) =
                        calls.call(WhenLimited::Wait, |api| async move { api.unsubscribe(id).await }).await
                    {
                        tracing::warn!(company.id = %company, error = %err, "could not remove an old webhook subscription");
                    }
                }
            }
            Err(err) => {
                tracing::warn!(company.id = %company, error = %err, "old webhook subscriptions left at Workable")
            }
        }
        let token = self.db().connection(company).await?.and_then(|c| c.webhook_token);
        self.db().set_webhooks(company, token.as_deref(), &[], None).await?;
        tracing::info!(company.id = %company, "webhook subscriptions of the previous connection replaced");
        Ok(())
    }

    /// Removes the connection's subscriptions at Workable (best effort: a revoked token cannot),
    /// and forgets them.
    pub async fn remove_webhooks(&self, company: CompanyId) -> Result<(), ConnectError> {
        let Some(connection) = self.db().connection(company).await? else { return Ok(()) };
        if connection.webhook_subscriptions.is_empty() {
            return Ok(());
        }
        if connection.ats == domain::AtsKind::Lever {
            return self.remove_lever_webhooks(&connection).await;
        }
        match self.account_calls(company).await {
            Ok(mut calls) => {
                for id in &connection.webhook_subscriptions {
                    if let Err(err) =
                        calls.call(WhenLimited::Wait, |api| async move { api.unsubscribe(id).await }).await
                    {
                        tracing::warn!(company.id = %company, error = %err, "could not remove a Workable webhook subscription");
                    }
                }
            }
            Err(err) => tracing::warn!(company.id = %company, error = %err, "webhook subscriptions left at Workable"),
        }
        self.db().set_webhooks(company, None, &[], None).await?;
        Ok(())
    }

    /// The connection a delivery's path part belongs to.
    pub async fn webhook_company(&self, token: &str) -> Result<Option<CompanyId>, ConnectError> {
        // A path part we never issue is not worth a query.
        if token.len() != PATH_TOKEN_LEN || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        Ok(self.db().company_by_webhook_token(token).await?)
    }

    /// The key Workable signs the connection's deliveries with, and the connected account's
    /// subdomain (a delivery names the account it comes from).
    pub async fn webhook_key(&self, company: CompanyId) -> Result<(Secret, String), ConnectError> {
        let connection = self.db().connection(company).await?.ok_or(ConnectError::NotConnected)?;
        let key = match connection.auth_kind {
            AuthKind::OAuth => self.oauth().ok_or(ConnectError::OAuthNotConfigured)?.client_secret.clone(),
            AuthKind::ApiToken => self.credentials(company).await?.token,
        };
        Ok((key, connection.subdomain))
    }
}

const PATH_TOKEN_LEN: usize = 64;

/// 32 random bytes, hex: the connection's webhook path part.
fn new_path_token() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
