//! Lever's webhooks for a connection: registered by API when the company maps its first role,
//! removed on disconnect. Lever signs each webhook's deliveries with that webhook's own token,
//! which only the answer to its creation carries: the tokens are kept sealed on the connection.
//! Lever registers duplicates and lists its webhooks without their tokens, so ours at the address
//! are removed and registered afresh whenever the set is incomplete.

use domain::CompanyId;
use lever::WebhookId;
use lever::webhook::Event;
use storage::ConnectionRecord;
use workable::Secret;

use crate::{CallError, ConnectError, Integrations, LeverCalls, WhenLimited};

/// The route Lever delivers to (the server mounts it; registrations name it).
pub const LEVER_WEBHOOK_ROUTE: &str = "/webhooks/lever/{token}";

/// Where Lever delivers for the connection with path part `token`.
pub fn lever_webhook_target(public_url: &str, token: &str) -> String {
    format!("{}{}", public_url.trim_end_matches('/'), LEVER_WEBHOOK_ROUTE.replace("{token}", token))
}

/// One registered webhook's id and signature token, as sealed on the connection.
#[derive(serde::Serialize, serde::Deserialize)]
struct Registered {
    id: String,
    token: String,
}

impl Integrations {
    /// A stored Lever connection's calls, with its credential and the user it acts as.
    pub(crate) fn lever_calls_of(&self, connection: &ConnectionRecord) -> Result<LeverCalls<'_>, ConnectError> {
        let (credential, perform_as) = self.lever_credential(connection)?;
        let grant = (connection.auth_kind == storage::AuthKind::OAuth).then_some(crate::lever_call::Grant {
            version: connection.token_version,
            expires_at: connection.token_expires_at,
        });
        Ok(LeverCalls::new(self, connection.company_id, credential, grant, perform_as, true))
    }

    /// Registers the connection's webhooks at Lever unless all are there. Returns whether they
    /// are; a failure is recorded on the connection (the card shows it).
    pub(crate) async fn ensure_lever_webhooks(
        &self,
        public_url: &str,
        connection: &ConnectionRecord,
        path_token: String,
    ) -> Result<bool, ConnectError> {
        let company = connection.company_id;
        if connection.webhook_subscriptions.len() == Event::ALL.len() {
            return Ok(true);
        }
        let url = lever_webhook_target(public_url, &path_token);
        match self.register_lever_webhooks(connection, &url).await {
            Ok(registered) => {
                let ids: Vec<String> = registered.iter().map(|r| r.id.clone()).collect();
                let json = serde_json::to_string(&registered).unwrap_or_default();
                let sealed = self.cipher().seal(company, "lever-webhooks", &Secret::new(json));
                self.db().set_webhook_secrets(company, Some(&sealed)).await?;
                self.db().set_webhooks(company, Some(&path_token), &ids, None).await?;
                tracing::info!(company.id = %company, webhooks = ids.len(), "Lever webhooks registered");
                Ok(true)
            }
            Err(err) => {
                let why = format!("Could not register Lever's webhooks: {err}");
                tracing::warn!(company.id = %company, error = %err, "Lever webhooks not registered");
                self.db().set_webhooks(company, Some(&path_token), &[], Some(&why)).await?;
                Err(err.into())
            }
        }
    }

    async fn register_lever_webhooks(
        &self,
        connection: &ConnectionRecord,
        url: &str,
    ) -> Result<Vec<Registered>, CallError> {
        let mut calls = self.lever_calls_of(connection)?;
        // Ours from an earlier attempt: their tokens are not listed, so they go.
        let listed = calls.read(|api| async move { api.webhooks().await }).await?;
        for stale in listed.iter().filter(|w| w.url == url) {
            let id = &stale.id;
            calls.call(WhenLimited::Wait, |api| async move { api.delete_webhook(id).await }).await?;
        }
        let mut registered = Vec::with_capacity(Event::ALL.len());
        for event in Event::ALL {
            let made = calls
                .call(WhenLimited::Wait, |api| async move { api.create_webhook(event.as_str(), url).await })
                .await?;
            let token = made.configuration.signature_token.clone().ok_or_else(|| CallError::Ats {
                ats: domain::AtsKind::Lever,
                failure: crate::ats::AtsFailure::Unexpected("a new webhook without its signature token".into()),
            })?;
            registered.push(Registered { id: made.id.as_str().to_owned(), token });
        }
        Ok(registered)
    }

    /// Checks that Lever still lists every webhook of the connection; registers afresh when one
    /// is gone (deleted in Lever's settings). One call.
    pub(crate) async fn verify_lever_webhooks(&self, connection: &ConnectionRecord) -> Result<bool, ConnectError> {
        let mut calls = self.lever_calls_of(connection)?;
        let listed = calls.read(|api| async move { api.webhooks().await }).await?;
        let complete = connection.webhook_subscriptions.iter().all(|id| listed.iter().any(|w| w.id.as_str() == id));
        if complete {
            return Ok(true);
        }
        tracing::warn!(company.id = %connection.company_id, "a Lever webhook is gone; registering again");
        self.db().set_webhooks(connection.company_id, connection.webhook_token.as_deref(), &[], None).await?;
        self.ensure_webhooks(connection.company_id).await
    }

    /// Removes the connection's webhooks at Lever (best effort) and forgets them.
    pub(crate) async fn remove_lever_webhooks(&self, connection: &ConnectionRecord) -> Result<(), ConnectError> {
        let company = connection.company_id;
        match self.lever_calls_of(connection) {
            Ok(mut calls) => {
                for id in connection.webhook_subscriptions.iter().filter_map(|id| WebhookId::parse(id).ok()) {
                    let id = &id;
                    if let Err(err) =
                        calls.call(WhenLimited::Wait, |api| async move { api.delete_webhook(id).await }).await
                    {
                        tracing::warn!(company.id = %company, error = %err, "could not remove a Lever webhook");
                    }
                }
            }
            Err(err) => tracing::warn!(company.id = %company, error = %err, "Lever webhooks left registered"),
        }
        self.db().set_webhook_secrets(company, None).await?;
        self.db().set_webhooks(company, None, &[], None).await?;
        Ok(())
    }

    /// The signature tokens a delivery to `company`'s Lever address may be signed with.
    pub async fn lever_webhook_tokens(&self, company: CompanyId) -> Result<Vec<String>, ConnectError> {
        let connection = self.db().connection(company).await?.ok_or(ConnectError::NotConnected)?;
        let Some(sealed) = connection.webhook_secrets_enc.as_deref() else { return Ok(Vec::new()) };
        let json = self.cipher().open(company, "lever-webhooks", sealed).map_err(|_| ConnectError::ReconnectNeeded)?;
        let registered: Vec<Registered> =
            serde_json::from_str(json.expose()).map_err(|err| ConnectError::Unexpected("Lever", err.to_string()))?;
        Ok(registered.into_iter().map(|r| r.token).collect())
    }
}
