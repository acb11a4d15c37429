//! Access tokens for calls to the connected ATS: opened from custody, refreshed before they
//! expire and once after a 401, one refresh at a time per connection (a lock in this process, a
//! claim on the connection's row across instances, the tokens replaced by a compare-and-swap on
//! `token_version`); grants left idle renewed by the sweep. Workable's calls take
//! [`Credentials`]; Lever's are renewed by [`LeverCalls`](crate::LeverCalls) through the same
//! refresh.

use domain::AtsKind;
use domain::CompanyId;
use secrecy::ExposeSecret;
use storage::{AuthKind, ConnectionRecord, ConnectionStatus, now_ms};
use workable::{MemberId, Secret, Subdomain, WorkableError};

use crate::{ConnectError, Integrations};

/// Refresh this long before the access token expires.
const REFRESH_AHEAD_MS: i64 = 5 * 60 * 1000;
/// How long an instance's claim on a refresh lasts: longer than a token request may take (the
/// clients time out at 30 s).
const REFRESH_CLAIM_MS: i64 = 45_000;
/// How often an instance waiting for another's refresh looks again.
const REFRESH_POLL_MS: u64 = 100;

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
        let latest = self.refresh_grant(company, seen_version).await?;
        self.open(&latest)
    }

    /// Renews up to `limit` OAuth grants nothing has used for `idle` (their access token expired
    /// that long ago): a refresh token left unused for months may stop working (Lever's
    /// integrators warn of it, and no lifetime is documented), and a connection with no mapped
    /// role calls nothing. A grant that can no longer be renewed shows *Reconnect needed* on the
    /// card now, not at the first export. Returns how many were renewed.
    pub async fn renew_idle_grants(&self, idle: std::time::Duration, limit: i64) -> Result<usize, ConnectError> {
        let before = now_ms() - idle.as_millis() as i64;
        let mut renewed = 0;
        for (company, version) in self.db().idle_grants(before, limit).await? {
            match self.refresh_grant(company, version).await {
                Ok(_) => renewed += 1,
                Err(ConnectError::Storage(err)) => return Err(err.into()),
                Err(err) => tracing::info!(company.id = %company, error = %err, "idle grant not renewed"),
            }
        }
        Ok(renewed)
    }

    /// Renews the connection's OAuth grant read at `seen_version` — its ATS's token endpoint,
    /// one refresh at a time per connection: a lock in this process, and across instances a
    /// claim on the connection's row (Lever ends the whole grant when a rotated refresh token is
    /// presented twice, so two instances must never both exchange it); the others wait for the
    /// token version to move on — and returns the connection as stored afterwards. The new
    /// refresh token is stored before the new access token is used. A grant nobody can renew
    /// marks the connection *Reconnect needed*.
    pub(crate) async fn refresh_grant(
        &self,
        company: CompanyId,
        seen_version: i64,
    ) -> Result<ConnectionRecord, ConnectError> {
        let lock = self.refresh_lock(company);
        let _guard = lock.lock().await;
        let connection = self.usable_connection(company).await?;
        if connection.token_version != seen_version {
            // Another worker refreshed while we waited: use its tokens.
            return Ok(connection);
        }
        if let Some(renewed) = self.wait_for_other_instance(company, seen_version).await? {
            return Ok(renewed);
        }
        let result = self.exchange_refresh_token(connection, seen_version).await;
        if result.is_err() {
            self.db().release_refresh(company).await?;
        }
        result
    }

    /// Claims the refresh across instances. `None`: this instance holds the claim and exchanges
    /// the refresh token; otherwise the connection as another instance renewed it (after waiting
    /// for it, at most as long as a claim lasts, then claiming again).
    async fn wait_for_other_instance(
        &self,
        company: CompanyId,
        seen_version: i64,
    ) -> Result<Option<ConnectionRecord>, ConnectError> {
        loop {
            let until = now_ms() + REFRESH_CLAIM_MS;
            if self.db().claim_refresh(company, seen_version, until).await? {
                return Ok(None);
            }
            let waited_until = now_ms() + REFRESH_CLAIM_MS;
            while now_ms() < waited_until {
                tokio::time::sleep(std::time::Duration::from_millis(REFRESH_POLL_MS)).await;
                let latest = self.usable_connection(company).await?;
                if latest.token_version != seen_version {
                    return Ok(Some(latest));
                }
                if latest.refresh_claimed_until.is_none_or(|at| at < now_ms()) {
                    break;
                }
            }
        }
    }

    /// The exchange itself, under the claim; the new tokens stored (which ends the claim).
    async fn exchange_refresh_token(
        &self,
        connection: ConnectionRecord,
        seen_version: i64,
    ) -> Result<ConnectionRecord, ConnectError> {
        let company = connection.company_id;
        let ats = connection.ats.name();
        let sealed = connection.refresh_token_enc.as_deref().ok_or(ConnectError::ReconnectNeeded)?;
        let refresh_token =
            self.cipher().open(company, "refresh", sealed).map_err(|_| ConnectError::ReconnectNeeded)?;
        match self.renew_at_the_ats(&connection, &refresh_token).await? {
            Ok(renewed) => {
                let access = self.cipher().seal(company, "access", &renewed.access_token);
                let refresh = renewed
                    .refresh_token
                    .as_ref()
                    .map(|t| self.cipher().seal(company, "refresh", t))
                    .unwrap_or_else(|| sealed.to_vec());
                let expires_at = renewed.expires_in_seconds.map(|s| now_ms() + s as i64 * 1000);
                if self.db().replace_tokens(company, seen_version, &access, Some(&refresh), expires_at).await? {
                    tracing::info!(company.id = %company, ats, "access token refreshed");
                } else {
                    tracing::warn!(company.id = %company, ats, "another instance refreshed at the same time");
                }
                self.usable_connection(company).await
            }
            Err(Renewal::GrantGone) => {
                // Maybe another instance rotated the refresh token first; only a grant that
                // nobody can refresh is a reason to ask a person.
                let latest = self.usable_connection(company).await?;
                if latest.token_version != seen_version {
                    return Ok(latest);
                }
                self.db()
                    .mark_reconnect_needed(
                        company,
                        &format!("{ats} no longer accepts this connection (the access was revoked or expired)."),
                    )
                    .await?;
                tracing::warn!(company.id = %company, ats, "grant revoked: reconnect needed");
                Err(ConnectError::ReconnectNeeded)
            }
            Err(Renewal::Failed { why, error }) => {
                self.db().record_workable_error(company, &format!("Could not renew the {ats} access: {why}")).await?;
                Err(error)
            }
        }
    }

    /// One refresh-token exchange at the connection's ATS.
    async fn renew_at_the_ats(
        &self,
        connection: &ConnectionRecord,
        refresh_token: &Secret,
    ) -> Result<Result<Renewed, Renewal>, ConnectError> {
        Ok(match connection.ats {
            AtsKind::Workable => {
                let app = self.oauth().ok_or(ConnectError::OAuthNotConfigured)?;
                match self.client().refresh(app, refresh_token).await {
                    Ok(tokens) => Ok(Renewed {
                        access_token: tokens.access_token,
                        refresh_token: tokens.refresh_token,
                        expires_in_seconds: tokens.expires_in_seconds,
                    }),
                    Err(WorkableError::Unauthorized) => Err(Renewal::GrantGone),
                    Err(err) => Err(Renewal::Failed { why: err.to_string(), error: err.into() }),
                }
            }
            AtsKind::Lever => {
                let (client, app) = self.lever_oauth_client()?;
                let presented = secrecy::SecretString::from(refresh_token.expose().to_owned());
                match client.refresh(app, &presented).await {
                    Ok(tokens) => Ok(Renewed {
                        access_token: Secret::new(tokens.access_token.expose_secret()),
                        refresh_token: tokens.refresh_token.map(|t| Secret::new(t.expose_secret())),
                        expires_in_seconds: tokens.expires_in_seconds,
                    }),
                    Err(lever::LeverError::Unauthorized) => Err(Renewal::GrantGone),
                    Err(err) => Err(Renewal::Failed {
                        why: err.to_string(),
                        error: ConnectError::from_ats(AtsKind::Lever, crate::ats::AtsFailure::from(&err)),
                    }),
                }
            }
        })
    }
}

/// Tokens an ATS issued in exchange for a refresh token.
struct Renewed {
    access_token: Secret,
    /// Lever rotates it with every refresh; Workable may send none (the old one stays).
    refresh_token: Option<Secret>,
    expires_in_seconds: Option<u64>,
}

/// Why a refresh gave no tokens.
enum Renewal {
    /// The grant is revoked, expired, or its refresh token was already used.
    GrantGone,
    /// Anything else (the ATS down, an answer we could not read): recorded on the connection.
    Failed { why: String, error: ConnectError },
}
