//! The OAuth 2.0 authorisation code flow with the `oauth2` crate: PKCE, `state`, the code
//! exchange, refresh (Workable rotates both tokens) and revocation.

use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RefreshToken, RevocationUrl, Scope, TokenUrl,
};

use oauth_http::{OAuthHttp, TokenFailure};

use crate::{REQUIRED_SCOPES, Secret, WorkableClient, WorkableError};

/// The registered OAuth application.
#[derive(Clone, Debug)]
pub struct OAuthApp {
    pub client_id: String,
    pub client_secret: Secret,
    pub redirect_uri: String,
}

/// Where to send the browser, and what to remember (in the server-side session) until the
/// callback: the `state` and the PKCE verifier.
pub struct Authorization {
    pub url: String,
    pub state: Secret,
    pub pkce_verifier: Secret,
}

/// Tokens as Workable issued them.
#[derive(Clone, Debug)]
pub struct Tokens {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    pub expires_in_seconds: Option<u64>,
    pub scopes: Vec<String>,
}

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointSet, EndpointSet>;

fn invalid(what: &str) -> WorkableError {
    WorkableError::UnexpectedResponse(format!("the configured {what} is not a valid URL"))
}

impl WorkableClient {
    fn oauth(&self, app: &OAuthApp) -> Result<Client, WorkableError> {
        let endpoints = self.endpoints();
        Ok(BasicClient::new(ClientId::new(app.client_id.clone()))
            .set_client_secret(ClientSecret::new(app.client_secret.expose().to_owned()))
            .set_auth_uri(AuthUrl::new(endpoints.authorize_url.clone()).map_err(|_| invalid("authorize URL"))?)
            .set_token_uri(TokenUrl::new(endpoints.token_url.clone()).map_err(|_| invalid("token URL"))?)
            .set_revocation_url(RevocationUrl::new(endpoints.revoke_url.clone()).map_err(|_| invalid("revoke URL"))?)
            .set_redirect_uri(RedirectUrl::new(app.redirect_uri.clone()).map_err(|_| invalid("redirect URI"))?))
    }

    /// The authorise URL with a fresh `state` and PKCE challenge.
    pub fn authorization_url(&self, app: &OAuthApp) -> Result<Authorization, WorkableError> {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let client = self.oauth(app)?;
        let mut request = client
            .authorize_url(CsrfToken::new_random)
            .set_pkce_challenge(challenge)
            .add_extra_param("resource", "user");
        for scope in REQUIRED_SCOPES {
            request = request.add_scope(Scope::new(scope.to_owned()));
        }
        let (url, state) = request.url();
        Ok(Authorization {
            url: url.to_string(),
            state: Secret::new(state.secret().clone()),
            pkce_verifier: Secret::new(verifier.secret().clone()),
        })
    }

    pub async fn exchange_code(
        &self,
        app: &OAuthApp,
        code: &str,
        pkce_verifier: &Secret,
    ) -> Result<Tokens, WorkableError> {
        let response = self
            .oauth(app)?
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.expose().to_owned()))
            .request_async(&OAuthHttp(self.http().clone()))
            .await
            .map_err(|e| token_error(e.into()))?;
        Ok(tokens(&response))
    }

    /// Exchanges a refresh token for a new pair (the old refresh token stops working).
    pub async fn refresh(&self, app: &OAuthApp, refresh_token: &Secret) -> Result<Tokens, WorkableError> {
        let refresh = RefreshToken::new(refresh_token.expose().to_owned());
        let response = self
            .oauth(app)?
            .exchange_refresh_token(&refresh)
            .request_async(&OAuthHttp(self.http().clone()))
            .await
            .map_err(|e| token_error(e.into()))?;
        Ok(tokens(&response))
    }

    /// Revokes the grant behind the refresh token (or the access token when there is none).
    /// Sent by hand (RFC 7009 form post) because `oauth2` refuses revocation URLs that are not
    /// HTTPS, and the sandbox is plain HTTP on this machine.
    pub async fn revoke(
        &self,
        app: &OAuthApp,
        access_token: &Secret,
        refresh_token: Option<&Secret>,
    ) -> Result<(), WorkableError> {
        let (token, hint) = match refresh_token {
            Some(rt) => (rt.expose(), "refresh_token"),
            None => (access_token.expose(), "access_token"),
        };
        let response = self
            .http()
            .post(&self.endpoints().revoke_url)
            .bearer_auth(access_token.expose())
            .form(&[
                ("token", token),
                ("token_type_hint", hint),
                ("client_id", app.client_id.as_str()),
                ("client_secret", app.client_secret.expose()),
            ])
            .send()
            .await
            .map_err(|e| {
                WorkableError::Transient(if e.is_timeout() {
                    "the request timed out".into()
                } else {
                    "the connection failed".into()
                })
            })?;
        if response.status().is_success() {
            Ok(())
        } else if response.status().is_server_error() {
            Err(WorkableError::Transient(format!("Workable answered {}", response.status())))
        } else {
            Err(WorkableError::UnexpectedResponse(format!("revocation answered {}", response.status())))
        }
    }
}

fn tokens(response: &oauth2::basic::BasicTokenResponse) -> Tokens {
    let issued = oauth_http::Issued::from(response);
    Tokens {
        access_token: Secret::new(issued.access_token),
        refresh_token: issued.refresh_token.map(Secret::new),
        expires_in_seconds: issued.expires_in_seconds,
        scopes: issued.scopes,
    }
}

fn token_error(failure: TokenFailure) -> WorkableError {
    match failure {
        TokenFailure::InvalidGrant => WorkableError::Unauthorized,
        TokenFailure::BadClient => {
            WorkableError::Invalid { message: "Workable did not accept ats-bridge's OAuth client credentials".into() }
        }
        TokenFailure::Refused { error, description } => {
            WorkableError::Invalid { message: description.unwrap_or(error) }
        }
        TokenFailure::Transient(why) => WorkableError::Transient(why),
        TokenFailure::Unreadable(why) => WorkableError::UnexpectedResponse(why),
    }
}
