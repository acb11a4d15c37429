//! Access tokens for calls to Workable: opened from custody, refreshed before they expire and
//! once after a 401, one refresh at a time per connection (a lock in this process, a
//! compare-and-swap on `token_version` across instances).

use domain::CompanyId;
use storage::{AuthKind, ConnectionRecord, ConnectionStatus, now_ms};
use workable::{MemberId, Secret, Subdomain, WorkableError};

use crate::{ConnectError, Integrations};

/// Refresh this long before the access token expires.
const REFRESH_AHEAD_MS: i64 = 5 * 60 * 1000;

/// What a Workable call needs: the account, the member to act as, a usable token.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub subdomain: Subdomain,
    /// `None` only before the connection is saved (the pre-check writes nothing).
    pub member_id: Option<MemberId>,
    pub token: Secret,
    /// The `token_version` this token was read at (pass it back after a 401).
    pub version: i64,
}

impl Integrations {
    /// A token to call Workable with, refreshed first if it is about to expire.
    pub async fn credentials(&self, company: CompanyId) -> Result<Credentials, ConnectError> {
        let connection = self.usable_connection(company).await?;
        self.credentials_of(connection).await
    }

    /// [`credentials`](Self::credentials) of a connection already read.
    pub(crate) async fn credentials_of(&self, connection: ConnectionRecord) -> Result<Credentials, ConnectError> {
        let company = connection.company_id;
        let expiring = connection.token_expires_at.is_some_and(|at| at - now_ms() < REFRESH_AHEAD_MS);
        if expiring && connection.auth_kind == AuthKind::OAuth && connection.refresh_token_enc.is_some() {
            return self.refresh(company, connection.token_version).await;
        }
        self.open(&connection)
    }

    /// Workable answered 401 to a token read at `version`: refresh once (unless someone else
    /// already did) and return the new credentials. A grant that cannot be refreshed marks the
    /// connection *Reconnect needed*.
    pub async fn after_unauthorized(&self, company: CompanyId, version: i64) -> Result<Credentials, ConnectError> {
        let connection = self.usable_connection(company).await?;
        if connection.auth_kind == AuthKind::ApiToken || connection.refresh_token_enc.is_none() {
            self.db().mark_reconnect_needed(company, "Workable no longer accepts the access token.").await?;
            return Err(ConnectError::ReconnectNeeded);
        }
        self.refresh(company, version).await
    }

    /// A Lever connection's credential (its API key, or its access token) and the user it acts as.
    pub(crate) fn lever_credential(
        &self,
        connection: &ConnectionRecord,
    ) -> Result<(lever::Credential, Option<lever::UserId>), ConnectError> {
        let sealed = connection.access_token_enc.as_deref().ok_or(ConnectError::NotConnected)?;
        let secret = self.cipher().open(connection.company_id, "access", sealed).map_err(|err| {
            tracing::error!(error = %err, company.id = %connection.company_id, "stored Lever credential does not open");
            ConnectError::ReconnectNeeded
        })?;
        let credential = match connection.auth_kind {
            AuthKind::ApiToken => lever::Credential::api_key(secret.expose()),
            AuthKind::OAuth => lever::Credential::access_token(secret.expose()),
        };
        Ok((credential, lever::UserId::parse(&connection.member_id).ok()))
    }

    pub(crate) async fn usable_connection(&self, company: CompanyId) -> Result<ConnectionRecord, ConnectError> {
        let connection = self.db().connection(company).await?.ok_or(ConnectError::NotConnected)?;
        match connection.status {
            ConnectionStatus::Connected => Ok(connection),
            ConnectionStatus::ReconnectNeeded => Err(ConnectError::ReconnectNeeded),
            ConnectionStatus::Disconnected => Err(ConnectError::NotConnected),
        }
    }

    fn open(&self, connection: &ConnectionRecord) -> Result<Credentials, ConnectError> {
        let sealed = connection.access_token_enc.as_deref().ok_or(ConnectError::NotConnected)?;
        let token = self.cipher().open(connection.company_id, "access", sealed).map_err(|err| {
            tracing::error!(error = %err, company.id = %connection.company_id, "stored Workable token does not open");
            ConnectError::ReconnectNeeded
        })?;
        Ok(Credentials {
            subdomain: Subdomain::parse(&connection.subdomain).map_err(|_| ConnectError::UnexpectedAccount)?,
            member_id: MemberId::parse(&connection.member_id).ok(),
            token,
            version: connection.token_version,
        })
    }

    async fn refresh(&self, company: CompanyId, seen_version: i64) -> Result<Credentials, ConnectError> {
        let lock = self.refresh_lock(company);
        let _guard = lock.lock().await;
        let connection = self.usable_connection(company).await?;
        if connection.token_version != seen_version {
            // Another worker refreshed while we waited: use its tokens.
            return self.open(&connection);
        }
        let app = self.oauth().ok_or(ConnectError::OAuthNotConfigured)?;
        let sealed = connection.refresh_token_enc.as_deref().ok_or(ConnectError::ReconnectNeeded)?;
        let refresh_token =
            self.cipher().open(company, "refresh", sealed).map_err(|_| ConnectError::ReconnectNeeded)?;
        match self.client().refresh(app, &refresh_token).await {
            Ok(tokens) => {
                let access = self.cipher().seal(company, "access", &tokens.access_token);
                let refresh = tokens
                    .refresh_token
                    .as_ref()
                    .map(|t| self.cipher().seal(company, "refresh", t))
                    .unwrap_or_else(|| sealed.to_vec());
                let expires_at = tokens.expires_in_seconds.map(|s| now_ms() + s as i64 * 1000);
                if self.db().replace_tokens(company, seen_version, &access, Some(&refresh), expires_at).await? {
                    tracing::info!(company.id = %company, "Workable access token refreshed");
                } else {
                    tracing::warn!(company.id = %company, "another instance refreshed at the same time");
                }
                let latest = self.usable_connection(company).await?;
                self.open(&latest)
            }
            Err(WorkableError::Unauthorized) => {
                // Maybe another instance rotated the refresh token first; only a grant that
                // nobody can refresh is a reason to ask a person.
                let latest = self.usable_connection(company).await?;
                if latest.token_version != seen_version {
                    return self.open(&latest);
                }
                self.db()
                    .mark_reconnect_needed(
                        company,
                        "Workable no longer accepts this connection (the access was revoked or expired).",
                    )
                    .await?;
                tracing::warn!(company.id = %company, "Workable grant revoked: reconnect needed");
                Err(ConnectError::ReconnectNeeded)
            }
            Err(err) => {
                self.db()
                    .record_workable_error(company, &format!("Could not renew the Workable access: {err}"))
                    .await?;
                Err(err.into())
            }
        }
    }
}
