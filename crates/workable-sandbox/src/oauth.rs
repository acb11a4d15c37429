//! OAuth 2.0 authorisation code flow, as Workable runs it for partners: an authorise page a
//! person sees, single-use codes (PKCE when the client sends a challenge), rotating refresh
//! tokens, RFC 6749 error bodies, and revocation.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use base64::Engine;
use rand::Rng;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::model::{AuthCode, Grant, OAuthClient, RefreshToken, Token, TokenKind};
use crate::pages::escape;
use crate::{Sandbox, api};

/// Access tokens live two hours by default, as Workable's clients assume.
pub const ACCESS_TOKEN_SECONDS: i64 = 7200;
const CODE_MS: i64 = 10 * 60 * 1000;
const KNOWN_SCOPES: [(&str, &str); 5] = [
    ("r_jobs", "See your jobs, their pipelines and your team members"),
    ("r_candidates", "See candidates, their files and activity, and manage webhook subscriptions"),
    ("w_candidates", "Add candidates, update them, move and disqualify them, comment and tag"),
    ("w_comments", "Comment on candidates"),
    ("r_employees", "See employees"),
];

pub fn routes(sandbox: Sandbox) -> Router {
    Router::new()
        .route("/oauth/authorize", get(authorize_page).post(authorize_decision))
        .route("/oauth/token", post(token))
        .route("/oauth/revoke", post(revoke))
        .with_state(sandbox)
}

fn secret(prefix: &str) -> String {
    let random: String =
        rand::thread_rng().sample_iter(&rand::distributions::Alphanumeric).take(40).map(char::from).collect();
    format!("{prefix}_{random}")
}

fn error_page(status: StatusCode, message: &str) -> Response {
    (
        status,
        Html(format!(
            "<!doctype html><title>Workable sandbox</title><h1>Authorisation failed</h1><p>{}</p>",
            escape(message)
        )),
    )
        .into_response()
}

fn redirect_with(redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", api::encode(v))).collect();
    let separator = if redirect_uri.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{redirect_uri}{separator}{}", query.join("&"))).into_response()
}

/// Checks client and redirect URI (errors here are shown, never redirected), then the rest.
/// The error is the finished answer, built once and returned as is.
#[allow(clippy::result_large_err)]
fn validate(
    sandbox: &Sandbox,
    params: &HashMap<String, String>,
) -> Result<(OAuthClient, String, Vec<String>), Response> {
    let client_id = params.get("client_id").cloned().unwrap_or_default();
    let client = sandbox
        .read(|w| w.clients.iter().find(|c| c.client_id == client_id).cloned())
        .ok_or_else(|| error_page(StatusCode::BAD_REQUEST, "Unknown client_id."))?;
    let redirect_uri = params.get("redirect_uri").cloned().unwrap_or_default();
    if !client.redirect_uris.contains(&redirect_uri) {
        return Err(error_page(StatusCode::BAD_REQUEST, "The redirect_uri is not registered for this client."));
    }
    let state = params.get("state").cloned().unwrap_or_default();
    if params.get("response_type").map(String::as_str) != Some("code") {
        return Err(redirect_with(&redirect_uri, &[("error", "unsupported_response_type"), ("state", &state)]));
    }
    let scopes: Vec<String> = params
        .get("scope")
        .map(|s| s.split([' ', '+']).filter(|s| !s.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default();
    if scopes.is_empty() || scopes.iter().any(|s| !KNOWN_SCOPES.iter().any(|(k, _)| k == s)) {
        return Err(redirect_with(&redirect_uri, &[("error", "invalid_scope"), ("state", &state)]));
    }
    if let Some(method) = params.get("code_challenge_method")
        && !matches!(method.as_str(), "S256" | "plain")
    {
        return Err(redirect_with(
            &redirect_uri,
            &[
                ("error", "invalid_request"),
                ("error_description", "unsupported code_challenge_method"),
                ("state", &state),
            ],
        ));
    }
    Ok((client, redirect_uri, scopes))
}

/// The page a person sees: who they are in Workable, what the client asks for, Allow / Deny.
async fn authorize_page(State(sandbox): State<Sandbox>, Query(params): Query<HashMap<String, String>>) -> Response {
    let (client, _, scopes) = match validate(&sandbox, &params) {
        Ok(ok) => ok,
        Err(response) => return response,
    };
    let people: Vec<(String, String, Vec<String>)> = sandbox.read(|w| {
        let mut people: Vec<(String, String, Vec<String>)> = Vec::new();
        for account in &w.accounts {
            for member in account.members.iter().filter(|m| m.active) {
                match people.iter_mut().find(|(email, ..)| *email == member.email) {
                    Some((_, _, accounts)) => accounts.push(account.name.clone()),
                    None => people.push((member.email.clone(), member.name.clone(), vec![account.name.clone()])),
                }
            }
        }
        people
    });
    let hidden: String = params
        .iter()
        .map(|(k, v)| format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", escape(k), escape(v)))
        .collect();
    let options: String = people
        .iter()
        .map(|(email, name, accounts)| {
            format!(
                "<option value=\"{}\">{} ({}) — {}</option>",
                escape(email),
                escape(name),
                escape(email),
                escape(&accounts.join(", "))
            )
        })
        .collect();
    let scope_list: String = scopes
        .iter()
        .map(|s| {
            format!(
                "<li><code>{}</code>: {}</li>",
                escape(s),
                KNOWN_SCOPES.iter().find(|(k, _)| k == s).map_or("", |(_, d)| d)
            )
        })
        .collect();
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Authorize {name} · Workable sandbox</title>\
         <style>body{{font-family:system-ui;max-width:40rem;margin:3rem auto;padding:0 1rem}}button{{font:inherit;padding:.5rem 1rem;margin-right:.5rem}}</style></head>\
         <body><p>Workable (sandbox)</p><h1>Authorize {name}</h1>\
         <p><strong>{name}</strong> would like to access your Workable account with these permissions:</p><ul>{scope_list}</ul>\
         <form method=\"post\" action=\"authorize\">{hidden}\
         <label>Signed in to Workable as <select name=\"member_email\">{options}</select></label>\
         <p><button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></p></form></body></html>",
        name = escape(&client.name)
    ))
    .into_response()
}

async fn authorize_decision(State(sandbox): State<Sandbox>, Form(params): Form<HashMap<String, String>>) -> Response {
    let (client, redirect_uri, scopes) = match validate(&sandbox, &params) {
        Ok(ok) => ok,
        Err(response) => return response,
    };
    let state = params.get("state").cloned().unwrap_or_default();
    if params.get("decision").map(String::as_str) != Some("allow") {
        return redirect_with(
            &redirect_uri,
            &[("error", "access_denied"), ("error_description", "The user denied access."), ("state", &state)],
        );
    }
    let email = params.get("member_email").cloned().unwrap_or_default();
    let now = sandbox.now_ms();
    let code = sandbox.write(|w| {
        let accounts: Vec<String> = w
            .accounts
            .iter()
            .filter(|a| a.members.iter().any(|m| m.active && m.email == email))
            .map(|a| a.subdomain.clone())
            .collect();
        if accounts.is_empty() {
            return None;
        }
        let grant_id = w.int_id();
        w.grants.push(Grant {
            id: grant_id,
            client_id: client.client_id.clone(),
            member_email: email.clone(),
            accounts,
            scopes,
            revoked: false,
        });
        let code = secret("code");
        w.codes.push(AuthCode {
            code: code.clone(),
            client_id: client.client_id.clone(),
            redirect_uri: redirect_uri.clone(),
            grant_id,
            code_challenge: params.get("code_challenge").cloned(),
            code_challenge_method: params.get("code_challenge_method").cloned(),
            expires_at: now + CODE_MS,
            used: false,
        });
        Some(code)
    });
    match code {
        Some(code) => redirect_with(&redirect_uri, &[("code", &code), ("state", &state)]),
        None => redirect_with(
            &redirect_uri,
            &[
                ("error", "access_denied"),
                ("error_description", "That person has no Workable account."),
                ("state", &state),
            ],
        ),
    }
}

/// An RFC 6749 §5.2 error.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = api::json_response(status, &json!({ "error": error, "error_description": description }));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Client credentials from HTTP Basic or the form.
fn client_credentials(headers: &HeaderMap, form: &HashMap<String, String>) -> (Option<String>, Option<String>) {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b.trim()).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|pair| pair.split_once(':').map(|(id, secret)| (url_decode(id), url_decode(secret))));
    match basic {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => (form.get("client_id").cloned(), form.get("client_secret").cloned()),
    }
}

/// Basic credentials are form-encoded before base64 (RFC 6749 §2.3.1).
fn url_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hexpair =
                    std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hexpair {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn issue_tokens(sandbox: &Sandbox, grant_id: i64) -> Response {
    let now = sandbox.now_ms();
    let lifetime = sandbox.access_token_seconds();
    let issued = sandbox.write(|w| {
        let grant = w.grants.iter().find(|g| g.id == grant_id && !g.revoked)?.clone();
        let access = secret("wat");
        let refresh = secret("wrt");
        let label = format!("oauth grant {grant_id}");
        w.tokens.push(Token {
            secret: access.clone(),
            kind: TokenKind::OAuth,
            accounts: grant.accounts.clone(),
            scopes: grant.scopes.clone(),
            expires_at: Some(now + lifetime * 1000),
            revoked: false,
            grant_id: Some(grant_id),
            label,
        });
        w.refresh_tokens.push(RefreshToken { secret: refresh.clone(), grant_id, used: false });
        Some((access, refresh, grant.scopes.join(" ")))
    });
    let Some((access, refresh, scope)) = issued else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "The grant was revoked.");
    };
    let mut response = api::json_response(
        StatusCode::OK,
        &json!({ "access_token": access, "token_type": "Bearer", "expires_in": lifetime, "refresh_token": refresh, "scope": scope, "created_at": now / 1000 }),
    );
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn token(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (client_id, client_secret) = client_credentials(&headers, &form);
    let client = sandbox.read(|w| w.clients.iter().find(|c| Some(&c.client_id) == client_id.as_ref()).cloned());
    let Some(client) = client.filter(|c| Some(&c.client_secret) == client_secret.as_ref()) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "Client authentication failed.");
    };
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let Some(code) = form.get("code") else {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "code is missing.");
            };
            let now = sandbox.now_ms();
            let verdict = sandbox.write(|w| {
                let Some(stored) = w.codes.iter_mut().find(|c| &c.code == code) else {
                    return Err("The authorization code is not valid.");
                };
                if stored.used {
                    // Refused; what the code issued stays valid (Doorkeeper's default — RFC 6749
                    // §4.1.2 only suggests revoking).
                    return Err("The authorization code was already used.");
                }
                if stored.client_id != client.client_id {
                    return Err("The authorization code was issued to another client.");
                }
                if now >= stored.expires_at {
                    return Err("The authorization code has expired.");
                }
                if form.get("redirect_uri") != Some(&stored.redirect_uri) {
                    return Err("The redirect_uri does not match the authorization request.");
                }
                if let Some(challenge) = &stored.code_challenge {
                    let Some(verifier) = form.get("code_verifier") else { return Err("code_verifier is missing.") };
                    let computed = match stored.code_challenge_method.as_deref() {
                        Some("plain") => verifier.clone(),
                        _ => {
                            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
                        }
                    };
                    if &computed != challenge {
                        return Err("The code_verifier does not match the code_challenge.");
                    }
                }
                stored.used = true;
                Ok(stored.grant_id)
            });
            match verdict {
                Ok(grant) => issue_tokens(&sandbox, grant),
                Err(why) => oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", why),
            }
        }
        Some("refresh_token") => {
            let Some(refresh) = form.get("refresh_token") else {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "refresh_token is missing.");
            };
            let verdict = sandbox.write(|w| {
                let Some(stored) = w.refresh_tokens.iter_mut().find(|r| &r.secret == refresh) else {
                    return Err("The refresh token is not valid.");
                };
                if stored.used {
                    return Err("The refresh token was already used.");
                }
                let grant = stored.grant_id;
                if !w.grants.iter().any(|g| g.id == grant && !g.revoked && g.client_id == client.client_id) {
                    return Err("The refresh token was revoked.");
                }
                let stored = w.refresh_tokens.iter_mut().find(|r| &r.secret == refresh).expect("found above");
                stored.used = true;
                Ok(grant)
            });
            match verdict {
                Ok(grant) => issue_tokens(&sandbox, grant),
                Err(why) => oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", why),
            }
        }
        Some(_) => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Only authorization_code and refresh_token are supported.",
        ),
        None => oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "grant_type is missing."),
    }
}

/// Revokes the grant behind an access or refresh token (`token` or `refresh_token`, or the
/// bearer token). Answers 200 `{}` even for unknown tokens (RFC 7009 §2.2).
async fn revoke(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let candidates: Vec<String> =
        [form.get("token").cloned(), form.get("refresh_token").cloned(), bearer].into_iter().flatten().collect();
    sandbox.write(|w| {
        let grants: Vec<i64> = candidates
            .iter()
            .filter_map(|secret| {
                w.tokens
                    .iter()
                    .find(|t| &t.secret == secret)
                    .and_then(|t| t.grant_id)
                    .or_else(|| w.refresh_tokens.iter().find(|r| &r.secret == secret).map(|r| r.grant_id))
            })
            .collect();
        for grant in grants {
            w.grants.iter_mut().filter(|g| g.id == grant).for_each(|g| g.revoked = true);
            w.tokens.iter_mut().filter(|t| t.grant_id == Some(grant)).for_each(|t| t.revoked = true);
        }
    });
    api::json_response(StatusCode::OK, &json!({}))
}

#[cfg(test)]
mod tests {
    #[test]
    fn basic_credentials_are_form_decoded() {
        assert_eq!(super::url_decode("a%3Ab+c"), "a:b c");
        assert_eq!(super::url_decode("100%"), "100%");
    }
}
