//! Lever's OAuth 2.0 authorisation server (Auth0 on Lever's side): `GET /authorize` shows a
//! consent page where a Super Admin picks the account and allows or denies; `POST /oauth/token`
//! exchanges a code (JSON or form body) or a refresh token. Access tokens live an hour; a
//! refresh token is issued only with `offline_access`, is rotated on every use, and reusing a
//! rotated one fails with `invalid_grant` and ends the whole grant (Auth0's reuse detection).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use sandbox_support::escape;

use crate::LeverSandbox;
use crate::model::{AccessToken, Code, RefreshToken, hex_token, uuid};

pub const ACCESS_TOKEN_SECONDS: i64 = 3600;
const CODE_MS: i64 = 10 * 60_000;

pub fn routes(sandbox: LeverSandbox) -> Router {
    Router::new()
        .route("/authorize", get(authorize_page).post(authorize_decision))
        .route("/oauth/token", post(token))
        .with_state(sandbox)
}

#[derive(Clone, Debug, Deserialize)]
struct AuthorizeParams {
    client_id: Option<String>,
    redirect_uri: Option<String>,
    response_type: Option<String>,
    state: Option<String>,
    scope: Option<String>,
    audience: Option<String>,
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Lever sandbox</title><style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}}\
         button{{font:inherit;padding:.5rem 1rem;margin:.25rem .5rem .25rem 0}}label{{display:block;margin:.5rem 0}}</style></head>\
         <body><h1>{title}</h1>{body}</body></html>"
    ))
}

/// Checks what must be right before a person is asked anything: the client, the exact
/// redirect URI, `response_type=code`, a `state`, and the API audience.
fn check(sandbox: &LeverSandbox, p: &AuthorizeParams) -> Result<(String, String, String), String> {
    let client_id = p.client_id.clone().ok_or("client_id is missing")?;
    let redirect = p.redirect_uri.clone().ok_or("redirect_uri is missing")?;
    let registered =
        sandbox.read(|w| w.clients.iter().any(|c| c.client_id == client_id && c.redirect_uris.contains(&redirect)));
    if !registered {
        return Err("Unknown client, or a callback URL that is not registered for it".into());
    }
    if p.response_type.as_deref() != Some("code") {
        return Err("response_type must be code".into());
    }
    let state = p.state.clone().filter(|s| !s.is_empty()).ok_or("state is missing")?;
    if p.audience.as_deref() != Some(sandbox.audience().as_str()) {
        return Err(format!("audience must be {} for a token that reaches the Data API", sandbox.audience()));
    }
    Ok((client_id, redirect, state))
}

async fn authorize_page(State(sandbox): State<LeverSandbox>, Query(p): Query<AuthorizeParams>) -> Response {
    if let Err(problem) = check(&sandbox, &p) {
        return (StatusCode::BAD_REQUEST, page("Authorization failed", &format!("<p>{}</p>", escape(&problem))))
            .into_response();
    }
    let scopes = p.scope.clone().unwrap_or_default();
    let accounts = sandbox.read(|w| {
        w.accounts
            .iter()
            .enumerate()
            .map(|(i, a)| {
                format!(
                    "<label><input type=\"radio\" name=\"account\" value=\"{}\"{}> {} (jobs.lever.co/{})</label>",
                    escape(&a.id),
                    if i == 0 { " checked" } else { "" },
                    escape(&a.name),
                    escape(&a.site)
                )
            })
            .collect::<String>()
    });
    let hidden = [
        ("client_id", p.client_id.clone()),
        ("redirect_uri", p.redirect_uri.clone()),
        ("response_type", p.response_type.clone()),
        ("state", p.state.clone()),
        ("scope", p.scope.clone()),
        ("audience", p.audience.clone()),
    ]
    .iter()
    .map(|(k, v)| format!("<input type=\"hidden\" name=\"{k}\" value=\"{}\">", escape(v.as_deref().unwrap_or(""))))
    .collect::<String>();
    let scope_list =
        scopes.split_whitespace().map(|s| format!("<li><code>{}</code></li>", escape(s))).collect::<String>();
    page(
        "Authorize ats-bridge",
        &format!(
            "<p>ats-bridge asks a Super Admin to allow, for the whole Lever account:</p><ul>{scope_list}</ul>\
             <form method=\"post\" action=\"authorize\">{hidden}<fieldset><legend>Lever account</legend>{accounts}</fieldset>\
             <button name=\"decision\" value=\"allow\">Accept</button><button name=\"decision\" value=\"deny\">Decline</button></form>"
        ),
    )
    .into_response()
}

#[derive(Deserialize)]
struct Decision {
    #[serde(flatten)]
    params: AuthorizeParams,
    account: Option<String>,
    decision: String,
}

fn with_query(redirect: &str, pairs: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse(redirect).expect("registered redirect URIs are URLs");
    url.query_pairs_mut().extend_pairs(pairs);
    url.to_string()
}

async fn authorize_decision(State(sandbox): State<LeverSandbox>, axum::Form(d): axum::Form<Decision>) -> Response {
    let (client_id, redirect, state) = match check(&sandbox, &d.params) {
        Ok(checked) => checked,
        Err(problem) => {
            return (StatusCode::BAD_REQUEST, page("Authorization failed", &format!("<p>{}</p>", escape(&problem))))
                .into_response();
        }
    };
    if d.decision != "allow" {
        let to = with_query(
            &redirect,
            &[
                ("error", "access_denied"),
                ("error_description", "User did not authorize the request"),
                ("state", &state),
            ],
        );
        return Redirect::to(&to).into_response();
    }
    let Some(account) = d.account.filter(|a| sandbox.read(|w| w.account(a).is_some())) else {
        return (StatusCode::BAD_REQUEST, page("Authorization failed", "<p>Choose a Lever account.</p>"))
            .into_response();
    };
    let code = hex_token(16);
    let scopes = d.params.scope.unwrap_or_default().split_whitespace().map(str::to_owned).collect();
    let expires_at_ms = sandbox.now_ms() + CODE_MS;
    sandbox.write(|w| {
        w.codes.push(Code {
            code: code.clone(),
            client_id,
            redirect_uri: redirect.clone(),
            account,
            scopes,
            expires_at_ms,
        })
    });
    Redirect::to(&with_query(&redirect, &[("code", &code), ("state", &state)])).into_response()
}

#[derive(Deserialize, Default)]
struct TokenRequest {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    refresh_token: Option<String>,
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    crate::api::json_response(status, &json!({ "error": error, "error_description": description }))
}

/// The token request: JSON (Lever's own example) or a form (most clients), with the client's
/// credentials in the body or as HTTP Basic.
async fn token(State(sandbox): State<LeverSandbox>, headers: HeaderMap, bytes: Bytes) -> Response {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let mut request: TokenRequest = if json {
        match serde_json::from_slice(&bytes) {
            Ok(r) => r,
            Err(_) => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "The body is not JSON"),
        }
    } else {
        serde_urlencoded_form(&bytes)
    };
    if let Some((id, secret)) = basic_client(&headers) {
        request.client_id.get_or_insert(id);
        request.client_secret.get_or_insert(secret);
    }
    let client_ok = sandbox.read(|w| {
        w.clients.iter().any(|c| {
            Some(&c.client_id) == request.client_id.as_ref() && Some(&c.client_secret) == request.client_secret.as_ref()
        })
    });
    if !client_ok {
        return oauth_error(StatusCode::UNAUTHORIZED, "access_denied", "Unauthorized");
    }
    let client_id = request.client_id.clone().unwrap_or_default();
    let now = sandbox.now_ms();
    match request.grant_type.as_deref() {
        Some("authorization_code") => {
            let code = sandbox.write(|w| {
                let at = w.codes.iter().position(|c| Some(&c.code) == request.code.as_ref())?;
                Some(w.codes.remove(at))
            });
            let Some(code) = code.filter(|c| c.expires_at_ms > now && c.client_id == client_id) else {
                return oauth_error(StatusCode::FORBIDDEN, "invalid_grant", "Invalid authorization code");
            };
            if request.redirect_uri.as_ref() != Some(&code.redirect_uri) {
                return oauth_error(StatusCode::FORBIDDEN, "invalid_grant", "redirect_uri does not match");
            }
            issue(&sandbox, &client_id, &code.account, code.scopes, &uuid())
        }
        Some("refresh_token") => {
            let presented = request.refresh_token.clone().unwrap_or_default();
            let outcome = sandbox.write(|w| {
                let found = w.refresh_tokens.iter_mut().find(|r| r.token == presented && r.client_id == client_id)?;
                if found.used {
                    // Reuse of a rotated token: the grant ends, every token of it with it.
                    let grant = found.grant.clone();
                    w.refresh_tokens.retain(|r| r.grant != grant);
                    w.tokens.retain(|t| t.grant != grant);
                    return Some(Err(()));
                }
                found.used = true;
                Some(Ok((found.account.clone(), found.scopes.clone(), found.grant.clone())))
            });
            match outcome {
                Some(Ok((account, scopes, grant))) => issue(&sandbox, &client_id, &account, scopes, &grant),
                _ => oauth_error(StatusCode::FORBIDDEN, "invalid_grant", "Unknown or invalid refresh token."),
            }
        }
        _ => oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "Unsupported grant type"),
    }
}

fn issue(sandbox: &LeverSandbox, client_id: &str, account: &str, scopes: Vec<String>, grant: &str) -> Response {
    let expires_in = sandbox.access_token_seconds();
    let access = AccessToken {
        token: format!("lat_{}", hex_token(24)),
        account: account.to_owned(),
        scopes: scopes.clone(),
        expires_at_ms: sandbox.now_ms() + expires_in * 1000,
        grant: grant.to_owned(),
    };
    let refresh = scopes.iter().any(|s| s == "offline_access").then(|| RefreshToken {
        token: format!("v1.{}", hex_token(32)),
        client_id: client_id.to_owned(),
        account: account.to_owned(),
        scopes: scopes.clone(),
        grant: grant.to_owned(),
        used: false,
    });
    let mut body = json!({
        "access_token": access.token, "token_type": "Bearer", "scope": scopes.join(" "), "expires_in": expires_in,
    });
    if let Some(refresh) = &refresh {
        body["refresh_token"] = json!(refresh.token);
    }
    sandbox.write(|w| {
        w.tokens.push(access);
        w.refresh_tokens.extend(refresh);
    });
    crate::api::json_response(StatusCode::OK, &body)
}

fn serde_urlencoded_form(bytes: &[u8]) -> TokenRequest {
    let mut request = TokenRequest::default();
    for (k, v) in form_urlencoded::parse(bytes) {
        let v = Some(v.into_owned());
        match k.as_ref() {
            "grant_type" => request.grant_type = v,
            "client_id" => request.client_id = v,
            "client_secret" => request.client_secret = v,
            "code" => request.code = v,
            "redirect_uri" => request.redirect_uri = v,
            "refresh_token" => request.refresh_token = v,
            _ => {}
        }
    }
    request
}

fn basic_client(headers: &HeaderMap) -> Option<(String, String)> {
    use base64::Engine;
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let text = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = text.split_once(':')?;
    let decode = |s: &str| form_urlencoded::parse(format!("v={s}").as_bytes()).next().map(|(_, v)| v.into_owned());
    Some((decode(id)?, decode(secret)?))
}

/// What a Super Admin does on the authorisation page, over HTTP as a browser would: the page is
/// shown for `authorize_url` (the product's), `account` is chosen, and `decision` (`allow` or
/// `deny`) sent, with the scopes asked replaced by `scope` when given. Returns the callback's
/// query (`code` and `state`, or `error`). For tests of the products that connect to it.
pub async fn consent(
    authorize_url: &str,
    account: &str,
    decision: &str,
    scope: Option<&str>,
) -> Result<Vec<(String, String)>, String> {
    let (page, query) = authorize_url.split_once('?').ok_or("no query in the authorize URL")?;
    let shown = reqwest::get(authorize_url).await.map_err(|e| e.to_string())?;
    if !shown.status().is_success() {
        return Err(format!("the authorisation page answered {}", shown.status()));
    }
    let mut form: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .map(|(k, v)| if k == "scope" { (k, scope.map_or(v, str::to_owned)) } else { (k, v) })
        .collect();
    form.push(("account".into(), account.into()));
    form.push(("decision".into(), decision.into()));
    let client =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().map_err(|e| e.to_string())?;
    let answer = client.post(page).form(&form).send().await.map_err(|e| e.to_string())?;
    let location = answer
        .headers()
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .ok_or_else(|| format!("no redirect from the decision ({})", answer.status()))?;
    let query = location.split_once('?').map(|(_, q)| q).unwrap_or_default();
    Ok(form_urlencoded::parse(query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
}
