//! The `oauth2` crate's HTTP hook, for every ATS client's OAuth flows: the crate's own
//! reqwest integration targets another reqwest than ours (0.13); and what an answer from a token
//! endpoint means, before each client says it in its own words.

/// The `oauth2` crate's HTTP hook, on our own client (reqwest 0.13, no redirects followed). A
/// named type rather than a closure: its future is plainly `Send`, which a closure's is not.
pub struct OAuthHttp(pub reqwest::Client);

impl<'c> oauth2::AsyncHttpClient<'c> for OAuthHttp {
    type Error = reqwest::Error;
    type Future =
        std::pin::Pin<Box<dyn std::future::Future<Output = Result<oauth2::HttpResponse, reqwest::Error>> + Send + 'c>>;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        let http = self.0.clone();
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let response =
                http.request(parts.method, parts.uri.to_string()).headers(parts.headers).body(body).send().await?;
            let mut builder = http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            let bytes = response.bytes().await?;
            Ok(builder.body(bytes.to_vec()).expect("status and headers came from a valid response"))
        })
    }
}

/// Tokens as an authorisation server issued them, before each client wraps them in its own
/// secret type.
pub struct Issued {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in_seconds: Option<u64>,
    pub scopes: Vec<String>,
}

impl From<&oauth2::basic::BasicTokenResponse> for Issued {
    fn from(response: &oauth2::basic::BasicTokenResponse) -> Self {
        use oauth2::TokenResponse;
        Issued {
            access_token: response.access_token().secret().clone(),
            refresh_token: response.refresh_token().map(|t| t.secret().clone()),
            expires_in_seconds: response.expires_in().map(|d| d.as_secs()),
            scopes: response.scopes().map(|s| s.iter().map(|s| s.to_string()).collect()).unwrap_or_default(),
        }
    }
}

/// Why a token request failed, by what the caller can do; each client says it in its own error.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenFailure {
    /// The code or refresh token is spent, expired or revoked: the grant is gone.
    InvalidGrant,
    /// The server did not accept our client id and secret.
    BadClient,
    /// Refused for another reason: `error`, and its description when given.
    Refused { error: String, description: Option<String> },
    /// Worth retrying: the request did not get through.
    Transient(String),
    /// The answer could not be read.
    Unreadable(String),
}

impl<RE: std::error::Error + 'static>
    From<oauth2::RequestTokenError<RE, oauth2::StandardErrorResponse<oauth2::basic::BasicErrorResponseType>>>
    for TokenFailure
{
    fn from(
        err: oauth2::RequestTokenError<RE, oauth2::StandardErrorResponse<oauth2::basic::BasicErrorResponseType>>,
    ) -> Self {
        use oauth2::RequestTokenError;
        use oauth2::basic::BasicErrorResponseType as Kind;
        match err {
            RequestTokenError::ServerResponse(response) => match response.error() {
                Kind::InvalidGrant => TokenFailure::InvalidGrant,
                Kind::InvalidClient | Kind::UnauthorizedClient => TokenFailure::BadClient,
                other => TokenFailure::Refused {
                    error: other.to_string(),
                    description: response.error_description().cloned(),
                },
            },
            RequestTokenError::Request(err) => TokenFailure::Transient(err.to_string()),
            RequestTokenError::Parse(err, _) => TokenFailure::Unreadable(err.to_string()),
            RequestTokenError::Other(message) => TokenFailure::Unreadable(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use oauth2::basic::BasicErrorResponseType as Kind;
    use oauth2::{RequestTokenError, StandardErrorResponse};

    use super::TokenFailure;

    fn answered(kind: Kind, description: Option<&str>) -> TokenFailure {
        let response = StandardErrorResponse::new(kind, description.map(str::to_owned), None);
        RequestTokenError::<std::io::Error, _>::ServerResponse(response).into()
    }

    #[test]
    fn a_token_failure_says_what_the_caller_can_do() {
        assert_eq!(answered(Kind::InvalidGrant, Some("Unknown or invalid refresh token.")), TokenFailure::InvalidGrant);
        assert_eq!(answered(Kind::InvalidClient, None), TokenFailure::BadClient);
        assert_eq!(answered(Kind::UnauthorizedClient, None), TokenFailure::BadClient);
        assert_eq!(
            answered(Kind::InvalidScope, Some("no such scope")),
            TokenFailure::Refused { error: "invalid_scope".into(), description: Some("no such scope".into()) }
        );
        let lost: TokenFailure =
            RequestTokenError::<_, StandardErrorResponse<Kind>>::Request(std::io::Error::other("reset")).into();
        assert_eq!(lost, TokenFailure::Transient("reset".into()));
        let odd: TokenFailure =
            RequestTokenError::<std::io::Error, StandardErrorResponse<Kind>>::Other("?".into()).into();
        assert_eq!(odd, TokenFailure::Unreadable("?".into()));
    }
}
