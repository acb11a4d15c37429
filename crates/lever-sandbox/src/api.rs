//! The Data API v1 under `/v1`: one gate (`guard`) for faults, credentials (API key or OAuth
//! token), the per-credential token bucket, scopes and the request log; then one handler per
//! Lever resource. The changes writes make live in the model, not here.

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use base64::Engine;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::control::LoggedRequest;
use crate::faults::Bucket;
use crate::model::{self, Account, Happened, NewOpportunity, Refusal};
use crate::paging::{self, Key, PagingError};
use crate::{LeverSandbox, render};

/// The authenticated caller.
#[derive(Clone)]
struct Ctx {
    account: String,
    /// The API key or OAuth grant: webhooks are listed per credential.
    credential: String,
    /// `None` for API keys (every permission).
    scopes: Option<Vec<String>>,
}

/// Lever's error answer: `{"code": "<Name>", "message": "<text>"}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into() }
    }
    fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "BadRequestError", message)
    }
    fn not_found(what: &str) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "NotFoundError", format!("That {what} doesn't exist on your account"))
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::BadRequest(message) => ApiError::bad_request(message),
            Refusal::NotFound(message) => ApiError::new(StatusCode::NOT_FOUND, "NotFoundError", message),
        }
    }
}

impl From<PagingError> for ApiError {
    fn from(err: PagingError) -> Self {
        match err {
            PagingError::Limit => ApiError::bad_request("limit must be between 1 and 100"),
            PagingError::Offset => ApiError::bad_request("Invalid offset token: Offset token is invalid for sort"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.status, &json!({ "code": self.code, "message": self.message }))
    }
}

type ApiResult = Result<Response, ApiError>;

pub(crate) use sandbox_support::json_response;

fn ok(data: Value) -> ApiResult {
    Ok(json_response(StatusCode::OK, &json!({ "data": data })))
}

fn created(data: Value) -> ApiResult {
    Ok(json_response(StatusCode::CREATED, &json!({ "data": data })))
}

/// Lever's deletes: `204`, no body, no content type.
fn no_content() -> ApiResult {
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The query, with repeated keys kept (`?state=a&state=b`).
struct Params(Vec<(String, String)>);

impl Params {
    fn new(raw: Option<String>) -> Self {
        Params(form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).into_owned().collect())
    }
    fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
    fn all(&self, key: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()).collect()
    }
    fn ms(&self, key: &str) -> Result<Option<i64>, ApiError> {
        self.get(key)
            .map(|v| {
                v.parse::<i64>().map_err(|_| ApiError::bad_request(format!("{key} must be a time in milliseconds")))
            })
            .transpose()
    }
    fn page(&self, items: Vec<(Key, Value)>, ranked: bool) -> ApiResult {
        let body = paging::page(items, self.get("limit"), self.get("offset"), ranked)?;
        Ok(json_response(StatusCode::OK, &body))
    }
}

fn body<T: serde::de::DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::bad_request(format!("Invalid JSON body: {e}")))
}

pub fn routes(sandbox: LeverSandbox) -> Router {
    Router::new()
        .route("/v1/users", get(list_users))
        .route("/v1/users/{id}", get(get_user))
        .route("/v1/stages", get(list_stages))
        .route("/v1/stages/{id}", get(get_stage))
        .route("/v1/disposition_stages", get(disposition_stages))
        .route("/v1/archive_reasons", get(list_archive_reasons))
        .route("/v1/archive_reasons/{id}", get(get_archive_reason))
        .route("/v1/postings", get(list_postings))
        .route("/v1/postings/deleted", get(empty_page))
        .route("/v1/postings/{id}", get(get_posting))
        .route("/v1/postings/{id}/apply", get(apply_form).post(apply))
        .route("/v1/postings/{id}/users", get(posting_users))
        .route("/v1/opportunities", get(list_opportunities).post(create_opportunity))
        .route("/v1/opportunities/deleted", get(deleted_opportunities))
        .route("/v1/opportunities/{id}", get(get_opportunity))
        .route("/v1/opportunities/{id}/stage", put(move_stage))
        .route("/v1/opportunities/{id}/archived", put(archive))
        .route("/v1/opportunities/{id}/addLinks", post(|s, c, p, b| change_list(s, c, p, b, "links", true)))
        .route("/v1/opportunities/{id}/removeLinks", post(|s, c, p, b| change_list(s, c, p, b, "links", false)))
        .route("/v1/opportunities/{id}/addSources", post(|s, c, p, b| change_list(s, c, p, b, "sources", true)))
        .route("/v1/opportunities/{id}/removeSources", post(|s, c, p, b| change_list(s, c, p, b, "sources", false)))
        .route("/v1/opportunities/{id}/addTags", post(|s, c, p, b| change_list(s, c, p, b, "tags", true)))
        .route("/v1/opportunities/{id}/removeTags", post(|s, c, p, b| change_list(s, c, p, b, "tags", false)))
        .route("/v1/opportunities/{id}/notes", get(list_notes).post(create_note))
        .route("/v1/opportunities/{id}/notes/{note}", get(get_note).delete(delete_note))
        .route("/v1/opportunities/{id}/files", get(|s, c, p, q| list_files(s, c, p, q, false)).post(upload_file))
        .route("/v1/opportunities/{id}/files/{file}", axum::routing::delete(delete_file))
        .route("/v1/opportunities/{id}/files/{file}/download", get(|s, c, p| download(s, c, p, false)))
        .route("/v1/opportunities/{id}/resumes", get(|s, c, p, q| list_files(s, c, p, q, true)))
        .route("/v1/opportunities/{id}/resumes/{file}/download", get(|s, c, p| download(s, c, p, true)))
        .route("/v1/opportunities/{id}/file_actions", get(opportunity_empty_page))
        .route("/v1/opportunities/{id}/applications", get(list_applications))
        .route("/v1/opportunities/{id}/applications/{app}", get(get_application))
        .route("/v1/opportunities/{id}/panels", get(list_panels).post(create_panel))
        .route(
            "/v1/opportunities/{id}/interviews/{interview}",
            get(get_interview).put(update_interview).delete(delete_interview),
        )
        .route("/v1/applications/deleted", get(empty_page))
        .route("/v1/contacts/{id}", get(get_contact).put(update_contact))
        .route("/v1/sources", get(|s, c, q| tally(s, c, q, false)))
        .route("/v1/tags", get(|s, c, q| tally(s, c, q, true)))
        .route("/v1/webhooks", get(list_webhooks).post(create_webhook))
        .route("/v1/webhooks/{id}", axum::routing::delete(delete_webhook))
        .route("/v1/requisitions", get(list_requisitions))
        .route("/v1/requisitions/{id}", get(get_requisition))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "NotFoundError", "Not found") })
        .route_layer(middleware::from_fn_with_state(sandbox.clone(), guard))
        .with_state(sandbox)
}

// ---- the gate -------------------------------------------------------------------------------

enum Presented {
    Key(String),
    Bearer(String),
}

fn presented(headers: &HeaderMap) -> Option<Presented> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, rest) = value.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(Presented::Bearer(rest.trim().to_owned()));
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD.decode(rest.trim()).ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (user, _password) = text.split_once(':').unwrap_or((&text, ""));
        return Some(Presented::Key(user.to_owned()));
    }
    None
}

/// The permission a call needs: `(resource, write)`.
fn needed_scope(method: &Method, path: &str) -> (&'static str, bool) {
    let segments: Vec<&str> = path.trim_start_matches("/v1/").split('/').collect();
    let resource = match (segments.first().copied(), segments.get(2).copied()) {
        (Some("opportunities"), Some("notes")) => "notes",
        (Some("opportunities"), Some("files" | "file_actions")) => "files",
        (Some("opportunities"), Some("resumes")) => "resumes",
        (Some("opportunities"), Some("panels")) => "panels",
        (Some("opportunities"), Some("interviews")) => "interviews",
        (Some("opportunities"), Some("applications")) => "applications",
        (Some("opportunities"), _) => "opportunities",
        (Some("users"), _) => "users",
        (Some("stages" | "disposition_stages"), _) => "stages",
        (Some("archive_reasons"), _) => "archive_reasons",
        (Some("postings"), _) => "postings",
        (Some("applications"), _) => "applications",
        (Some("contacts"), _) => "contact",
        (Some("sources"), _) => "sources",
        (Some("tags"), _) => "tags",
        (Some("webhooks"), _) => "webhooks",
        (Some("requisitions"), _) => "requisitions",
        _ => "unknown",
    };
    (resource, *method != Method::GET)
}

fn allows(scopes: &[String], resource: &str, write: bool) -> bool {
    scopes.iter().any(|s| *s == format!("{resource}:write:admin") || (!write && *s == format!("{resource}:read:admin")))
}

async fn guard(State(sandbox): State<LeverSandbox>, mut request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let mut logged = LoggedRequest::new(sandbox.now_ms(), &method, &path, request.uri().query().unwrap_or(""));
    let response = async {
        let (latency, storm, pick_error, rate) = {
            let mut faults = sandbox.inner.faults.lock().expect("faults lock");
            let storm = faults.rate_limit_storm_until_ms.is_some_and(|until| sandbox.now_ms() < until);
            (faults.latency_ms, storm, faults.pick_for_error(), faults.rate_limit_override.unwrap_or(10))
        };
        if latency > 0 {
            tokio::time::sleep(Duration::from_millis(latency)).await;
        }
        if storm {
            return ApiError::new(StatusCode::TOO_MANY_REQUESTS, "TooManyRequestsError", "Rate limit exceeded")
                .into_response();
        }
        if pick_error {
            return ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailableError", "Service unavailable")
                .into_response();
        }
        let now = sandbox.now_ms();
        let unauthorized =
            || ApiError::new(StatusCode::UNAUTHORIZED, "UnauthorizedError", "Invalid credentials").into_response();
        let ctx = match presented(request.headers()) {
            None => return unauthorized(),
            // A key is named by its account and place, never by its value (the request log shows it).
            Some(Presented::Key(key)) => sandbox.read(|w| {
                w.accounts.iter().find_map(|a| {
                    let at = a.api_keys.iter().position(|k| *k == key)?;
                    Some(Ctx { account: a.id.clone(), credential: format!("key:{}:{at}", a.site), scopes: None })
                })
            }),
            Some(Presented::Bearer(token)) => sandbox.read(|w| {
                w.tokens.iter().find(|t| t.token == token && t.expires_at_ms > now).map(|t| Ctx {
                    account: t.account.clone(),
                    credential: format!("grant:{}", t.grant),
                    scopes: Some(t.scopes.clone()),
                })
            }),
        };
        let Some(ctx) = ctx else { return unauthorized() };
        logged.credential = Some(ctx.credential.clone());
        let allowed = {
            let mut buckets = sandbox.inner.buckets.lock().expect("buckets lock");
            buckets.entry(ctx.credential.clone()).or_insert_with(|| Bucket::full(rate, now)).take(now, rate)
        };
        if !allowed {
            return ApiError::new(StatusCode::TOO_MANY_REQUESTS, "TooManyRequestsError", "Rate limit exceeded")
                .into_response();
        }
        let (resource, write) = needed_scope(&method, &path);
        if let Some(scopes) = &ctx.scopes
            && !allows(scopes, resource, write)
        {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "ForbiddenError",
                format!("Missing scope {resource}:{}:admin", if write { "write" } else { "read" }),
            )
            .into_response();
        }
        request.extensions_mut().insert(ctx);
        let response = next.run(request).await;
        if method != Method::GET && response.status().is_success() {
            let lose = sandbox.inner.faults.lock().expect("faults lock").pick_for_loss();
            if lose {
                logged.lost_after_commit = true;
                return ApiError::new(StatusCode::BAD_GATEWAY, "BadGatewayError", "Bad gateway").into_response();
            }
        }
        response
    }
    .await;
    logged.status = response.status().as_u16();
    sandbox.inner.log.lock().expect("log lock").push(logged);
    response
}

type Caller = axum::Extension<Ctx>;

impl LeverSandbox {
    fn in_account<T>(&self, ctx: &Ctx, f: impl FnOnce(&Account) -> T) -> T {
        self.read(|w| f(w.account(&ctx.account).expect("a credential's account exists")))
    }

    /// One record of the caller's account, or Lever's 404 naming `what`.
    fn one(&self, ctx: &Ctx, what: &str, f: impl FnOnce(&Account) -> Option<Value>) -> ApiResult {
        self.in_account(ctx, f).map_or_else(|| Err(ApiError::not_found(what)), ok)
    }

    /// A page of one opportunity's records (notes, files, applications, panels); 404 when the
    /// opportunity is not the account's.
    fn of_opportunity(
        &self,
        ctx: &Ctx,
        id: &str,
        params: &Params,
        f: impl FnOnce(&Account) -> Vec<(Key, Value)>,
    ) -> ApiResult {
        let items = self.in_account(ctx, |a| require_opportunity(a, id).map(|()| f(a)))?;
        params.page(items, false)
    }

    /// Changes the caller's account and queues the webhooks of what happened.
    fn change<T>(
        &self,
        ctx: &Ctx,
        f: impl FnOnce(&mut Account, i64) -> Result<(T, Happened), Refusal>,
    ) -> Result<T, ApiError> {
        let now = self.now_ms();
        let (value, happened) =
            self.write(|w| f(w.account_mut(&ctx.account).expect("a credential's account exists"), now))?;
        self.fire(&ctx.account, happened);
        Ok(value)
    }
}

fn created_key(at: i64, id: &str) -> Key {
    Key::Created { at, id: id.to_owned() }
}

// ---- users, stages, reasons -------------------------------------------------------------------

async fn list_users(State(s): State<LeverSandbox>, axum::Extension(ctx): Caller, RawQuery(q): RawQuery) -> ApiResult {
    let params = Params::new(q);
    let email = params.get("email").map(str::to_lowercase);
    let items = s.in_account(&ctx, |a| {
        a.users
            .iter()
            .filter(|u| email.as_ref().is_none_or(|e| u.email.eq_ignore_ascii_case(e)))
            .filter(|u| {
                params.get("includeDeactivated") == Some("true") || u.deactivated_at.is_none() || email.is_some()
            })
            .map(|u| (created_key(u.created_at, &u.id), render::user(u)))
            .collect()
    });
    params.page(items, false)
}

async fn get_user(State(s): State<LeverSandbox>, axum::Extension(ctx): Caller, Path(id): Path<String>) -> ApiResult {
    s.one(&ctx, "user", |a| a.user(&id).map(render::user))
}

async fn list_stages(State(s): State<LeverSandbox>, axum::Extension(ctx): Caller, RawQuery(q): RawQuery) -> ApiResult {
    let params = Params::new(q);
    let items = s.in_account(&ctx, |a| {
        a.stages.iter().enumerate().map(|(i, st)| (created_key(i as i64, &st.id), render::stage(st))).collect()
    });
    params.page(items, false)
}

async fn get_stage(State(s): State<LeverSandbox>, axum::Extension(ctx): Caller, Path(id): Path<String>) -> ApiResult {
    s.one(&ctx, "stage", |a| a.stages.iter().find(|st| st.id == id).map(render::stage))
}

async fn disposition_stages(State(s): State<LeverSandbox>, axum::Extension(ctx): Caller) -> ApiResult {
    s.in_account(&ctx, |a| {
        ok(json!({
            "stages": a.stages.iter().map(|st| json!({
                "id": st.id, "text": st.text, "pipeline": st.pipeline, "rank": st.rank, "hasInterview": st.has_interview,
            })).collect::<Vec<_>>(),
            "archiveReasons": a.archive_reasons.iter().map(|r| json!({
                "id": r.id, "text": r.text, "type": null, "status": if r.active { "active" } else { "inactive" },
            })).collect::<Vec<_>>(),
        }))
    })
}

async fn list_archive_reasons(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let params = Params::new(q);
    let kind = params.get("type").map(str::to_owned);
    let items = s.in_account(&ctx, |a| {
        a.archive_reasons
            .iter()
            .enumerate()
            .filter(|(_, r)| kind.as_deref().is_none_or(|k| (k == "hired") == r.hired))
            .map(|(i, r)| (created_key(i as i64, &r.id), render::archive_reason(r)))
            .collect()
    });
    params.page(items, false)
}

async fn get_archive_reason(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path(id): Path<String>,
) -> ApiResult {
    s.one(&ctx, "archive reason", |a| a.archive_reasons.iter().find(|r| r.id == id).map(render::archive_reason))
}

// ---- postings -------------------------------------------------------------------------------------

async fn list_postings(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let params = Params::new(q);
    let states = params.all("state");
    let confidentiality = params.get("confidentiality").unwrap_or("non-confidential");
    let updated_start = params.ms("updated_at_start")?;
    let items = s.in_account(&ctx, |a| {
        a.postings
            .iter()
            .filter(|p| states.is_empty() || states.contains(&p.state.as_str()))
            .filter(|p| match confidentiality {
                "all" => true,
                "confidential" => p.confidential,
                _ => !p.confidential,
            })
            .filter(|p| {
                ["team", "department", "location", "commitment"].iter().all(|k| {
                    let field = match *k {
                        "team" => &p.team,
                        "department" => &p.department,
                        "location" => &p.location,
                        _ => &p.commitment,
                    };
                    params.all(k).is_empty() || params.all(k).contains(&field.as_str())
                })
            })
            .filter(|p| updated_start.is_none_or(|t| p.updated_at >= t))
            .map(|p| (created_key(p.created_at, &p.id), render::posting(a, p)))
            .collect()
    });
    params.page(items, false)
}

async fn get_posting(State(s): State<LeverSandbox>, axum::Extension(ctx): Caller, Path(id): Path<String>) -> ApiResult {
    s.one(&ctx, "posting", |a| a.postings.iter().find(|p| p.id == id).map(|p| render::posting(a, p)))
}

async fn apply_form(State(s): State<LeverSandbox>, axum::Extension(ctx): Caller, Path(id): Path<String>) -> ApiResult {
    s.one(&ctx, "posting", |a| a.postings.iter().find(|p| p.id == id).map(render::apply_form))
}

#[derive(Deserialize)]
struct Field {
    name: String,
    value: Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApplyBody {
    personal_information: Vec<Field>,
    #[serde(default)]
    origin: Option<String>,
    #[serde(default)]
    source: Option<String>,
}

/// Applying as a candidate would through the job site: an opportunity of origin `applied`.
async fn apply(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path(id): Path<String>,
    bytes: Bytes,
) -> ApiResult {
    let form: ApplyBody = body(&bytes)?;
    let field = |name: &str| {
        form.personal_information.iter().find(|f| f.name == name).and_then(|f| f.value.as_str()).map(str::to_owned)
    };
    let (Some(name), Some(email)) = (field("fullName"), field("email")) else {
        return Err(ApiError::bad_request("fullName and email are required"));
    };
    let application = s.change(&ctx, |a, now| {
        let posting = a
            .postings
            .iter()
            .find(|p| p.id == id)
            .cloned()
            .ok_or_else(|| Refusal::NotFound(format!("Posting {id} was not found")))?;
        let new = NewOpportunity {
            name,
            emails: vec![email],
            postings: vec![posting.id.clone()],
            stage: Some("applicant-new".into()),
            origin: Some(form.origin.clone().unwrap_or_else(|| "applied".into())),
            sources: form.source.clone().into_iter().collect(),
            ..NewOpportunity::default()
        };
        let (opportunity, _, happened) = a.create_opportunity(&posting.owner, new, now)?;
        let application = a.opportunity(&opportunity).and_then(|o| o.applications.first().cloned()).unwrap_or_default();
        if let Some(app) = a.applications.iter_mut().find(|x| x.id == application) {
            app.kind = "posting".into();
            app.user = None;
        }
        Ok((application, happened))
    })?;
    created(json!({ "applicationId": application }))
}

async fn posting_users(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path(id): Path<String>,
) -> ApiResult {
    s.in_account(&ctx, |a| {
        let posting = a.postings.iter().find(|p| p.id == id).ok_or_else(|| ApiError::not_found("posting"))?;
        Ok(json_response(
            StatusCode::OK,
            &json!({
                "posting": { "id": posting.id, "text": posting.text },
                "users": [],
                "roles": [
                    { "id": "hiring-manager", "name": "Hiring manager", "isReadOnly": true },
                    { "id": "owner", "name": "Owner", "isReadOnly": true },
                ],
            }),
        ))
    })
}

async fn empty_page(RawQuery(q): RawQuery) -> ApiResult {
    Params::new(q).page(Vec::new(), false)
}

// ---- opportunities ---------------------------------------------------------------------------------

fn opportunity_key(a: &Account, o: &model::Opportunity) -> Key {
    let rank = a.stages.iter().find(|s| s.id == o.stage).map_or(f64::MAX, |s| s.rank);
    Key::Ranked { rank, advanced_at: o.last_advanced_at, id: o.id.clone() }
}

async fn list_opportunities(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let params = Params::new(q);
    let emails: Vec<String> = params.all("email").iter().map(|e| e.trim().to_lowercase()).collect();
    let (postings, contacts, stages, tags, origins) = (
        params.all("posting_id"),
        params.all("contact_id"),
        params.all("stage_id"),
        params.all("tag"),
        params.all("origin"),
    );
    let archived = match params.get("archived") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => return Err(ApiError::bad_request("archived must be true or false")),
    };
    let windows = [
        (params.ms("updated_at_start")?, params.ms("updated_at_end")?),
        (params.ms("created_at_start")?, params.ms("created_at_end")?),
        (params.ms("advanced_at_start")?, params.ms("advanced_at_end")?),
    ];
    let items = s.in_account(&ctx, |a| {
        a.opportunities
            .iter()
            .filter(|o| {
                let contact = a.contact(&o.contact);
                let on_posting =
                    |p: &&str| a.applications.iter().any(|x| x.opportunity == o.id && x.posting.as_deref() == Some(*p));
                let inside = |(start, end): (Option<i64>, Option<i64>), at: i64| {
                    start.is_none_or(|s| at >= s) && end.is_none_or(|e| at <= e)
                };
                (emails.is_empty() || contact.is_some_and(|c| c.emails.iter().any(|e| emails.contains(e))))
                    && (postings.is_empty() || postings.iter().any(on_posting))
                    && (contacts.is_empty() || contacts.contains(&o.contact.as_str()))
                    && (stages.is_empty() || stages.contains(&o.stage.as_str()))
                    && (tags.is_empty() || tags.iter().any(|t| o.tags.iter().any(|x| x == t)))
                    && (origins.is_empty() || origins.contains(&o.origin.as_str()))
                    && archived.is_none_or(|want| want == o.archived.is_some())
                    && inside(windows[0], o.updated_at)
                    && inside(windows[1], o.created_at)
                    && inside(windows[2], o.last_advanced_at)
            })
            .map(|o| (opportunity_key(a, o), render::opportunity(a, o, true)))
            .collect()
    });
    params.page(items, true)
}

async fn deleted_opportunities(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let params = Params::new(q);
    let (start, end) = (params.ms("deleted_at_start")?, params.ms("deleted_at_end")?);
    let items = s.in_account(&ctx, |a| {
        a.deleted_opportunities
            .iter()
            .filter(|(_, at)| start.is_none_or(|s| *at >= s) && end.is_none_or(|e| *at <= e))
            .map(|(id, at)| (created_key(*at, id), json!({ "id": id, "deletedAt": at })))
            .collect()
    });
    params.page(items, false)
}

async fn get_opportunity(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path(id): Path<String>,
) -> ApiResult {
    s.one(&ctx, "opportunity", |a| a.opportunity(&id).map(|o| render::opportunity(a, o, true)))
}

/// The opportunity as a write answers it (no `opportunityLocation`).
fn written(s: &LeverSandbox, ctx: &Ctx, id: &str) -> ApiResult {
    s.one(ctx, "opportunity", |a| a.opportunity(id).map(|o| render::opportunity(a, o, false)))
}

#[derive(Deserialize, Default)]
struct PhoneBody {
    value: String,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CreateBody {
    name: String,
    headline: String,
    location: String,
    emails: Vec<String>,
    phones: Vec<PhoneBody>,
    links: Vec<String>,
    postings: Vec<String>,
    stage: Option<String>,
    origin: Option<String>,
    sources: Vec<String>,
    tags: Vec<String>,
    contact: Option<String>,
}

impl CreateBody {
    fn into_new(self) -> NewOpportunity {
        NewOpportunity {
            name: self.name,
            headline: self.headline,
            location: self.location,
            emails: self.emails,
            phones: self.phones.into_iter().map(|p| model::Phone { kind: p.kind, value: p.value }).collect(),
            links: self.links,
            postings: self.postings,
            stage: self.stage,
            origin: self.origin,
            sources: self.sources,
            tags: self.tags,
            contact: self.contact,
            resume: None,
            files: Vec::new(),
        }
    }
}

/// Form fields of a multipart create: `emails[]`, `postings[]`… repeated; `phones[]` as JSON
/// text; the CV as `resumeFile`, more documents as `files[]`.
async fn multipart_create(mut form: Multipart) -> Result<NewOpportunity, ApiError> {
    let mut new = CreateBody::default().into_new();
    let bad =
        |e: axum::extract::multipart::MultipartError| ApiError::bad_request(format!("Invalid multipart body: {e}"));
    while let Some(field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").trim_end_matches("[]").to_owned();
        if name == "resumeFile" || name == "files" {
            let file_name = field.file_name().unwrap_or("resume").to_owned();
            let content_type = field.content_type().unwrap_or("application/octet-stream").to_owned();
            let bytes = field.bytes().await.map_err(bad)?.to_vec();
            if bytes.len() > 30 * 1024 * 1024 {
                return Err(ApiError::bad_request("Files may be at most 30 MB"));
            }
            if name == "resumeFile" {
                new.resume = Some((file_name, content_type, bytes));
            } else {
                new.files.push((file_name, content_type, bytes));
            }
            continue;
        }
        let text = field.text().await.map_err(bad)?;
        match name.as_str() {
            "name" => new.name = text,
            "headline" => new.headline = text,
            "location" => new.location = text,
            "emails" => new.emails.push(text),
            "links" => new.links.push(text),
            "postings" => new.postings.push(text),
            "sources" => new.sources.push(text),
            "tags" => new.tags.push(text),
            "stage" => new.stage = Some(text),
            "origin" => new.origin = Some(text),
            "contact" => new.contact = Some(text),
            "phones" => {
                let phone: PhoneBody = serde_json::from_str(&text).unwrap_or(PhoneBody { value: text, kind: None });
                new.phones.push(model::Phone { kind: phone.kind, value: phone.value });
            }
            _ => {}
        }
    }
    Ok(new)
}

async fn create_opportunity(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    RawQuery(q): RawQuery,
    request: Request,
) -> ApiResult {
    let params = Params::new(q);
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let new = if multipart {
        let form = Multipart::from_request(request, &()).await.map_err(|e| ApiError::bad_request(e.body_text()))?;
        multipart_create(form).await?
    } else {
        let bytes = Bytes::from_request(request, &()).await.map_err(|e| ApiError::bad_request(e.body_text()))?;
        body::<CreateBody>(&bytes)?.into_new()
    };
    let Some(perform_as) = params.get("perform_as") else {
        return Err(ApiError::bad_request("perform_as is required"));
    };
    let (id, deduped) = s.change(&ctx, |a, now| {
        let user = a.acting_user(Some(perform_as))?.expect("given");
        let (id, deduped, happened) = a.create_opportunity(&user, new, now)?;
        Ok(((id, deduped), happened))
    })?;
    let data = s.in_account(&ctx, |a| a.opportunity(&id).map(|o| render::opportunity(a, o, false)));
    Ok(json_response(StatusCode::CREATED, &json!({ "deduped": deduped, "data": data })))
}

#[derive(Deserialize)]
struct StageBody {
    stage: String,
}

async fn move_stage(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    bytes: Bytes,
) -> ApiResult {
    let params = Params::new(q);
    let StageBody { stage } = body(&bytes)?;
    s.change(&ctx, |a, now| {
        let user = a.acting_user(params.get("perform_as"))?;
        Ok(((), a.move_stage(&id, &stage, user, now)?))
    })?;
    written(&s, &ctx, &id)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ArchiveBody {
    /// Required; `null` unarchives.
    reason: Option<String>,
    #[serde(default)]
    clean_interviews: bool,
}

async fn archive(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    bytes: Bytes,
) -> ApiResult {
    let params = Params::new(q);
    let raw: Value = body(&bytes)?;
    if raw.get("reason").is_none() {
        return Err(ApiError::bad_request("reason is required (null to unarchive)"));
    }
    let ArchiveBody { reason, clean_interviews } = body(&bytes)?;
    if reason.is_none() && s.faults().unarchive_refused {
        return Err(ApiError::bad_request("reason must be an archive reason id"));
    }
    s.change(&ctx, |a, now| {
        a.acting_user(params.get("perform_as"))?;
        let happened = a.set_archived(&id, reason.as_deref(), now)?;
        if clean_interviews && reason.is_some() {
            a.panels.retain(|p| p.opportunity != id || p.interviews.iter().all(|i| i.date < now));
        }
        Ok(((), happened))
    })?;
    written(&s, &ctx, &id)
}

async fn change_list(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path(id): Path<String>,
    bytes: Bytes,
    list: &'static str,
    add: bool,
) -> ApiResult {
    let raw: Value = body(&bytes)?;
    let values: Vec<String> = raw
        .get(list)
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::bad_request(format!("{list} must be a list")))?
        .iter()
        .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| ApiError::bad_request(format!("{list} must be text"))))
        .collect::<Result<_, _>>()?;
    s.change(&ctx, |a, now| Ok(((), a.change_list(&id, list, &values, add, now).map(|()| Vec::new())?)))?;
    written(&s, &ctx, &id)
}

// ---- notes, files, resumes --------------------------------------------------------------------------

fn require_opportunity(a: &Account, id: &str) -> Result<(), ApiError> {
    a.opportunity(id).map(|_| ()).ok_or_else(|| ApiError::not_found("opportunity"))
}

async fn list_notes(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let params = Params::new(q);
    s.of_opportunity(&ctx, &id, &params, |a| {
        a.notes
            .iter()
            .filter(|n| n.opportunity == id && n.deleted_at.is_none())
            .map(|n| (created_key(n.created_at, &n.id), render::note(n, false)))
            .collect()
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NoteBody {
    value: String,
    #[serde(default)]
    secret: bool,
    #[serde(default)]
    score: Option<i64>,
    #[serde(default)]
    created_at: Option<i64>,
}

async fn create_note(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    bytes: Bytes,
) -> ApiResult {
    let params = Params::new(q);
    let note: NoteBody = body(&bytes)?;
    if note.value.trim().is_empty() {
        return Err(ApiError::bad_request("value is required"));
    }
    let stored = s.change(&ctx, |a, now| {
        let user = a.acting_user(params.get("perform_as"))?;
        let stage = a
            .opportunity(&id)
            .map(|o| o.stage.clone())
            .ok_or_else(|| Refusal::NotFound(format!("Opportunity {id} was not found")))?;
        let stored = model::Note {
            id: model::uuid(),
            opportunity: id.clone(),
            value: note.value,
            user,
            stage,
            secret: note.secret,
            score: note.score,
            created_at: note.created_at.unwrap_or(now),
            deleted_at: None,
        };
        a.notes.push(stored.clone());
        if let Some(o) = a.opportunities.iter_mut().find(|o| o.id == id) {
            o.last_interaction_at = now;
            o.updated_at = now;
        }
        Ok((stored, Vec::new()))
    })?;
    created(render::note(&stored, true))
}

async fn get_note(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path((id, note)): Path<(String, String)>,
) -> ApiResult {
    s.one(&ctx, "note", |a| {
        a.notes
            .iter()
            .find(|n| n.id == note && n.opportunity == id && n.deleted_at.is_none())
            .map(|n| render::note(n, false))
    })
}

async fn delete_note(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path((id, note)): Path<(String, String)>,
) -> ApiResult {
    s.change(&ctx, |a, now| {
        let found = a.notes.iter_mut().find(|n| n.id == note && n.opportunity == id && n.deleted_at.is_none());
        match found {
            Some(n) => {
                n.deleted_at = Some(now);
                Ok(((), Vec::new()))
            }
            None => Err(Refusal::NotFound(format!("Note {note} was not found"))),
        }
    })?;
    no_content()
}

async fn list_files(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    resumes: bool,
) -> ApiResult {
    let params = Params::new(q);
    let base = s.base_url();
    s.of_opportunity(&ctx, &id, &params, |a| {
        let list = if resumes { &a.resumes } else { &a.files };
        list.iter()
            .filter(|f| f.opportunity == id)
            .map(|f| {
                (
                    created_key(f.uploaded_at, &f.id),
                    if resumes { render::resume(&base, f) } else { render::file(&base, f, "files") },
                )
            })
            .collect()
    })
}

async fn upload_file(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    mut form: Multipart,
) -> ApiResult {
    let params = Params::new(q);
    let bad =
        |e: axum::extract::multipart::MultipartError| ApiError::bad_request(format!("Invalid multipart body: {e}"));
    let mut upload = None;
    while let Some(field) = form.next_field().await.map_err(bad)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("file").to_owned();
            let content_type = field.content_type().unwrap_or("application/octet-stream").to_owned();
            upload = Some((name, content_type, field.bytes().await.map_err(bad)?.to_vec()));
        }
    }
    let Some((name, content_type, bytes)) = upload else { return Err(ApiError::bad_request("file is required")) };
    if bytes.len() > 30 * 1024 * 1024 {
        return Err(ApiError::bad_request("Files may be at most 30 MB"));
    }
    let stored = s.change(&ctx, |a, now| {
        a.acting_user(params.get("perform_as"))?;
        if a.opportunity(&id).is_none() {
            return Err(Refusal::NotFound(format!("Opportunity {id} was not found")));
        }
        let stored = model::StoredFile {
            id: model::uuid(),
            opportunity: id.clone(),
            name,
            content_type,
            bytes,
            uploaded_at: now,
        };
        a.files.push(stored.clone());
        Ok((stored, Vec::new()))
    })?;
    created(render::file(&s.base_url(), &stored, "files"))
}

async fn delete_file(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path((id, file)): Path<(String, String)>,
) -> ApiResult {
    s.change(&ctx, |a, _| {
        model::remove_one(&mut a.files, "File", &file, |f| f.id == file && f.opportunity == id)?;
        Ok(((), Vec::new()))
    })?;
    no_content()
}

async fn download(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path((id, file)): Path<(String, String)>,
    resumes: bool,
) -> ApiResult {
    let found = s.in_account(&ctx, |a| {
        let list = if resumes { &a.resumes } else { &a.files };
        list.iter().find(|f| f.id == file && f.opportunity == id).cloned()
    });
    let Some(found) = found else { return Err(ApiError::not_found("file")) };
    let mut response = found.bytes.into_response();
    if let Ok(value) = HeaderValue::from_str(&found.content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    Ok(response)
}

async fn opportunity_empty_page(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    s.of_opportunity(&ctx, &id, &Params::new(q), |_| Vec::new())
}

async fn list_applications(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let params = Params::new(q);
    s.of_opportunity(&ctx, &id, &params, |a| {
        a.applications
            .iter()
            .filter(|x| x.opportunity == id)
            .map(|x| (created_key(x.created_at, &x.id), render::application(x)))
            .collect()
    })
}

async fn get_application(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path((id, app)): Path<(String, String)>,
) -> ApiResult {
    s.one(&ctx, "application", |a| {
        a.applications.iter().find(|x| x.id == app && x.opportunity == id).map(render::application)
    })
}

// ---- panels and interviews ----------------------------------------------------------------------------

async fn list_panels(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let params = Params::new(q);
    s.of_opportunity(&ctx, &id, &params, |a| {
        a.panels
            .iter()
            .filter(|p| p.opportunity == id)
            .map(|p| (created_key(p.created_at, &p.id), render::panel(a, p)))
            .collect()
    })
}

#[derive(Deserialize)]
struct InterviewerBody {
    id: String,
}

#[derive(Deserialize)]
struct InterviewBody {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    interviewers: Vec<InterviewerBody>,
    date: i64,
    duration: i64,
    #[serde(default)]
    location: Option<String>,
}

#[derive(Deserialize)]
struct PanelBody {
    timezone: String,
    interviews: Vec<InterviewBody>,
    #[serde(default)]
    note: Option<String>,
}

fn check_interviewers(a: &Account, interviewers: &[InterviewerBody]) -> Result<Vec<String>, Refusal> {
    interviewers
        .iter()
        .map(|i| {
            a.user(&i.id)
                .map(|u| u.id.clone())
                .ok_or_else(|| Refusal::BadRequest(format!("Interviewer {} is not a user", i.id)))
        })
        .collect()
}

async fn create_panel(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    bytes: Bytes,
) -> ApiResult {
    let params = Params::new(q);
    let panel: PanelBody = body(&bytes)?;
    if panel.interviews.is_empty() {
        return Err(ApiError::bad_request("interviews must not be empty"));
    }
    let stored = s.change(&ctx, |a, now| {
        let user = a.acting_user(params.get("perform_as"))?;
        let stage = a
            .opportunity(&id)
            .map(|o| o.stage.clone())
            .ok_or_else(|| Refusal::NotFound(format!("Opportunity {id} was not found")))?;
        let mut interviews = Vec::new();
        for i in panel.interviews {
            interviews.push(model::Interview {
                id: model::uuid(),
                interviewers: check_interviewers(a, &i.interviewers)?,
                subject: i.subject,
                note: i.note,
                date: i.date,
                duration: i.duration,
                location: i.location,
                user: user.clone(),
                created_at: now,
            });
        }
        let stored = model::Panel {
            id: model::uuid(),
            opportunity: id.clone(),
            applications: Vec::new(),
            timezone: panel.timezone,
            note: panel.note,
            stage,
            user,
            created_at: now,
            interviews,
        };
        a.panels.push(stored.clone());
        Ok((stored, Vec::new()))
    })?;
    s.in_account(&ctx, |a| created(render::panel(a, &stored)))
}

fn find_interview<'a>(a: &'a Account, id: &str, interview: &str) -> Option<(&'a model::Panel, &'a model::Interview)> {
    a.panels
        .iter()
        .filter(|p| p.opportunity == id)
        .find_map(|p| p.interviews.iter().find(|i| i.id == interview).map(|i| (p, i)))
}

async fn get_interview(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path((id, interview)): Path<(String, String)>,
) -> ApiResult {
    s.one(&ctx, "interview", |a| find_interview(a, &id, &interview).map(|(p, i)| render::interview(a, p, i)))
}

#[derive(Deserialize)]
struct InterviewUpdate {
    subject: Option<String>,
    note: Option<String>,
    interviewers: Option<Vec<InterviewerBody>>,
    date: Option<i64>,
    duration: Option<i64>,
    location: Option<String>,
}

async fn update_interview(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path((id, interview)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    bytes: Bytes,
) -> ApiResult {
    let params = Params::new(q);
    let update: InterviewUpdate = body(&bytes)?;
    s.change(&ctx, |a, _| {
        let user = a.acting_user(params.get("perform_as"))?;
        let interviewers = update.interviewers.as_deref().map(|i| check_interviewers(a, i)).transpose()?;
        let found = a
            .panels
            .iter_mut()
            .filter(|p| p.opportunity == id)
            .find_map(|p| p.interviews.iter_mut().find(|i| i.id == interview))
            .ok_or_else(|| Refusal::NotFound(format!("Interview {interview} was not found")))?;
        if let Some(v) = update.subject {
            found.subject = v;
        }
        if let Some(v) = update.note {
            found.note = v;
        }
        if let Some(v) = interviewers {
            found.interviewers = v;
        }
        if let Some(v) = update.date {
            found.date = v;
        }
        if let Some(v) = update.duration {
            found.duration = v;
        }
        if update.location.is_some() {
            found.location = update.location;
        }
        if user.is_some() {
            found.user = user;
        }
        Ok(((), Vec::new()))
    })?;
    s.one(&ctx, "interview", |a| find_interview(a, &id, &interview).map(|(p, i)| render::interview(a, p, i)))
}

async fn delete_interview(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path((id, interview)): Path<(String, String)>,
) -> ApiResult {
    s.change(&ctx, |a, _| {
        let panel = a
            .panels
            .iter_mut()
            .find(|p| p.opportunity == id && p.interviews.iter().any(|i| i.id == interview))
            .ok_or_else(|| Refusal::NotFound(format!("Interview {interview} was not found")))?;
        panel.interviews.retain(|i| i.id != interview);
        a.panels.retain(|p| !p.interviews.is_empty());
        Ok(((), Vec::new()))
    })?;
    no_content()
}

// ---- contacts, sources, tags -----------------------------------------------------------------------------

async fn get_contact(State(s): State<LeverSandbox>, axum::Extension(ctx): Caller, Path(id): Path<String>) -> ApiResult {
    s.one(&ctx, "contact", |a| a.contact(&id).map(|c| render::contact(c, true)))
}

#[derive(Deserialize)]
struct ContactUpdate {
    name: Option<String>,
    headline: Option<String>,
    location: Option<String>,
    emails: Option<Vec<String>>,
    phones: Option<Vec<PhoneBody>>,
}

/// Replaces the given fields wholesale (lists included).
async fn update_contact(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path(id): Path<String>,
    bytes: Bytes,
) -> ApiResult {
    let update: ContactUpdate = body(&bytes)?;
    let contact = s.change(&ctx, |a, _| {
        let c = a
            .contacts
            .iter_mut()
            .find(|c| c.id == id)
            .ok_or_else(|| Refusal::NotFound(format!("Contact {id} was not found")))?;
        if let Some(v) = update.name {
            c.name = v;
        }
        if let Some(v) = update.headline {
            c.headline = v;
        }
        if let Some(v) = update.location {
            c.location = v;
        }
        if let Some(v) = update.emails {
            c.emails = v.into_iter().map(|e| e.trim().to_lowercase()).collect();
        }
        if let Some(v) = update.phones {
            c.phones = v.into_iter().map(|p| model::Phone { kind: p.kind, value: p.value }).collect();
        }
        Ok((c.clone(), Vec::new()))
    })?;
    ok(render::contact(&contact, false))
}

async fn tally(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    RawQuery(q): RawQuery,
    tags: bool,
) -> ApiResult {
    let params = Params::new(q);
    let items = s.in_account(&ctx, |a| {
        a.tally(tags)
            .into_iter()
            .enumerate()
            .map(|(i, (text, count))| (created_key(i as i64, &text), json!({ "count": count, "text": text })))
            .collect()
    });
    params.page(items, false)
}

// ---- webhooks ------------------------------------------------------------------------------------------

/// Lever lists a credential's webhooks in one answer, without `hasNext` and without tokens.
async fn list_webhooks(State(s): State<LeverSandbox>, axum::Extension(ctx): Caller) -> ApiResult {
    let hooks = s.in_account(&ctx, |a| {
        a.webhooks
            .iter()
            .filter(|w| w.credential == ctx.credential)
            .map(|w| render::webhook(w, false))
            .collect::<Vec<_>>()
    });
    ok(json!(hooks))
}

#[derive(Deserialize)]
struct WebhookBody {
    event: String,
    url: String,
    #[serde(default)]
    configuration: Option<WebhookConfiguration>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WebhookConfiguration {
    #[serde(default)]
    conditions: Option<Conditions>,
    #[serde(default)]
    verify_connection: bool,
}

#[derive(Deserialize)]
struct Conditions {
    #[serde(default)]
    origins: Vec<String>,
}

/// Events Lever delivers to API-registered webhooks.
const EVENTS: [&str; 9] = [
    "applicationCreated",
    "candidateStageChange",
    "candidateArchiveChange",
    "candidateHired",
    "candidateDeleted",
    "interviewCreated",
    "interviewUpdated",
    "interviewDeleted",
    "contactCreated",
];

async fn create_webhook(State(s): State<LeverSandbox>, axum::Extension(ctx): Caller, bytes: Bytes) -> ApiResult {
    let hook: WebhookBody = body(&bytes)?;
    if !EVENTS.contains(&hook.event.as_str()) {
        return Err(ApiError::bad_request(format!("Invalid event {}", hook.event)));
    }
    let url = url::Url::parse(&hook.url).map_err(|_| ApiError::bad_request("url must be an absolute URL"))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(ApiError::bad_request("url must be http(s)"));
    }
    let configuration =
        hook.configuration.unwrap_or(WebhookConfiguration { conditions: None, verify_connection: false });
    let origins = configuration
        .conditions
        .map(|c| c.origins)
        .filter(|o| !o.is_empty())
        .unwrap_or_else(|| model::ORIGINS.iter().map(|o| o.to_string()).collect());
    if let Some(bad) = origins.iter().find(|o| !model::ORIGINS.contains(&o.as_str())) {
        return Err(ApiError::bad_request(format!("Invalid origin {bad}")));
    }
    let signature_token = model::hex_token(24);
    if configuration.verify_connection && !s.verify_connection(&hook.url, &hook.event, &signature_token).await {
        return Err(ApiError::bad_request("The webhook URL did not answer the test delivery with 2xx"));
    }
    let stored = s.change(&ctx, |a, now| {
        let stored = model::Webhook {
            id: model::uuid(),
            event: hook.event,
            url: hook.url,
            origins,
            signature_token,
            credential: ctx.credential.clone(),
            created_at: now,
            updated_at: now,
        };
        a.webhooks.push(stored.clone());
        Ok((stored, Vec::new()))
    })?;
    created(render::webhook(&stored, true))
}

async fn delete_webhook(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path(id): Path<String>,
) -> ApiResult {
    s.change(&ctx, |a, _| {
        model::remove_one(&mut a.webhooks, "Webhook", &id, |w| w.id == id && w.credential == ctx.credential)?;
        Ok(((), Vec::new()))
    })?;
    no_content()
}

// ---- requisitions ----------------------------------------------------------------------------------------

async fn list_requisitions(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let params = Params::new(q);
    let items = s.in_account(&ctx, |a| {
        a.requisitions.iter().map(|r| (created_key(r.created_at, &r.id), render::requisition(r))).collect()
    });
    params.page(items, false)
}

async fn get_requisition(
    State(s): State<LeverSandbox>,
    axum::Extension(ctx): Caller,
    Path(id): Path<String>,
) -> ApiResult {
    s.one(&ctx, "requisition", |a| a.requisitions.iter().find(|r| r.id == id).map(render::requisition))
}
