//! Lever's OAuth 2.0 authorisation-code flow (Auth0 on Lever's side) with the `oauth2` crate:
//! `state`, the `audience` without which the token does not reach the Data API, `prompt=consent`,
//! the code exchange and refresh — which rotates the refresh token: store the new one before
//! using the new access token, and never refresh twice at once (a reused token ends the grant).
//! No PKCE: Lever documents none for confidential clients.

use oauth_http::{OAuthHttp, TokenFailure};
use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet, RedirectUrl,
    RefreshToken, Scope, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};

use crate::{LeverClient, LeverError, REQUIRED_SCOPES};

/// The OAuth application Lever registered for ats-bridge.
#[derive(Clone, Debug)]
pub struct OAuthApp {
    pub client_id: String,
    pub client_secret: SecretString,
    pub redirect_uri: String,
}

/// Where to send the browser, and the `state` to remember (server-side) until the callback.
pub struct Authorization {
    pub url: String,
    pub state: SecretString,
}

/// Tokens as Lever issued them.
#[derive(Clone, Debug)]
pub struct Tokens {
    pub access_token: SecretString,
    /// Present when `offline_access` was granted; a new one with every refresh.
    pub refresh_token: Option<SecretString>,
    pub expires_in_seconds: Option<u64>,
    pub scopes: Vec<String>,
}

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

fn invalid(what: &str) -> LeverError {
    LeverError::UnexpectedResponse(format!("the configured {what} is not a valid URL"))
}

impl LeverClient {
    fn oauth(&self, app: &OAuthApp) -> Result<Client, LeverError> {
        let endpoints = self.endpoints();
        Ok(BasicClient::new(ClientId::new(app.client_id.clone()))
            .set_client_secret(ClientSecret::new(app.client_secret.expose_secret().to_owned()))
            // Auth0 takes the client's credentials in the body (`client_secret_post`).
            .set_auth_type(AuthType::RequestBody)
            .set_auth_uri(AuthUrl::new(endpoints.authorize_url.clone()).map_err(|_| invalid("authorize URL"))?)
            .set_token_uri(TokenUrl::new(endpoints.token_url.clone()).map_err(|_| invalid("token URL"))?)
            .set_redirect_uri(RedirectUrl::new(app.redirect_uri.clone()).map_err(|_| invalid("redirect URI"))?))
    }

    /// The authorise URL with a fresh `state`, the audience, the scopes and `prompt=consent`.
    pub fn authorization_url(&self, app: &OAuthApp) -> Result<Authorization, LeverError> {
        let client = self.oauth(app)?;
        let mut request = client
            .authorize_url(CsrfToken::new_random)
            .add_extra_param("audience", self.endpoints().audience.clone())
            .add_extra_param("prompt", "consent");
        for scope in REQUIRED_SCOPES {
            request = request.add_scope(Scope::new(scope.to_owned()));
        }
        let (url, state) = request.url();
        Ok(Authorization { url: url.to_string(), state: SecretString::from(state.secret().clone()) })
    }

    pub async fn exchange_code(&self, app: &OAuthApp, code: &str) -> Result<Tokens, LeverError> {
        let response = self
            .oauth(app)?
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .request_async(&OAuthHttp(self.http().clone()))
            .await
            .map_err(|e| token_error(e.into()))?;
        Ok(tokens(&response))
    }

    /// Exchanges a refresh token for a new access token and a new refresh token (the old one
    /// stops working at once).
    pub async fn refresh(&self, app: &OAuthApp, refresh_token: &SecretString) -> Result<Tokens, LeverError> {
        let refresh = RefreshToken::new(refresh_token.expose_secret().to_owned());
        let response = self
            .oauth(app)?
            .exchange_refresh_token(&refresh)
            .request_async(&OAuthHttp(self.http().clone()))
            .await
            .map_err(|e| token_error(e.into()))?;
        Ok(tokens(&response))
    }
}

fn tokens(response: &oauth2::basic::BasicTokenResponse) -> Tokens {
    let issued = oauth_http::Issued::from(response);
    Tokens {
        access_token: SecretString::from(issued.access_token),
        refresh_token: issued.refresh_token.map(SecretString::from),
        expires_in_seconds: issued.expires_in_seconds,
        scopes: issued.scopes,
    }
}

fn token_error(failure: TokenFailure) -> LeverError {
    match failure {
        // An expired code, or a refresh token already used: the grant is gone.
        TokenFailure::InvalidGrant => LeverError::Unauthorized,
        TokenFailure::BadClient => LeverError::Invalid {
            code: "invalid_client".into(),
            message: "Lever did not accept ats-bridge's OAuth client credentials".into(),
        },
        TokenFailure::Refused { error, description } => {
            LeverError::Invalid { message: description.unwrap_or_else(|| error.clone()), code: error }
        }
        TokenFailure::Transient(why) => LeverError::Transient(why),
        TokenFailure::Unreadable(why) => LeverError::UnexpectedResponse(why),
    }
}
