use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tracing::Instrument;

use crate::{
    ArchiveReason, ArchiveReasonId, Contact, ContactId, Created, Credential, Endpoints, File, LeverError,
    NewOpportunity, Note, Opportunity, OpportunityId, Page, Posting, PostingId, PostingState, Resume, Stage, StageId,
    Upload, User, UserId, Webhook, WebhookId,
};

/// The client: one connection pool for every call the product makes to Lever.
#[derive(Clone, Debug)]
pub struct LeverClient {
    http: reqwest::Client,
    endpoints: Arc<Endpoints>,
}

/// What a call sends.
enum Body {
    None,
    Json(Value),
    Multipart(reqwest::multipart::Form),
}

impl LeverClient {
    pub fn new(endpoints: Endpoints) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            // The credentials go to the configured host only; Lever's paging is by token, not link.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("ats-bridge/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the HTTP client builds");
        LeverClient { http, endpoints: Arc::new(endpoints) }
    }

    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Calls with one credential (an API key or an access token). Owns what it needs, so a
    /// call's future borrows nothing from the caller but its arguments.
    pub fn api(&self, credential: &Credential) -> Result<LeverApi, LeverError> {
        let base = Url::parse(&self.endpoints.api_base)
            .map_err(|e| LeverError::UnexpectedResponse(format!("the configured API address: {e}")))?;
        Ok(LeverApi { client: self.clone(), base, credential: credential.clone() })
    }

    async fn send(&self, method: Method, url: Url, credential: &Credential, body: Body) -> Result<Value, LeverError> {
        let path = url.path().split("/v1").nth(1).unwrap_or(url.path()).to_owned();
        let span = tracing::info_span!("lever", lever.method = %method, lever.path = %path);
        let call = async {
            let mut request = credential
                .authorize(self.http.request(method, url))
                .header(reqwest::header::ACCEPT, "application/json");
            request = match body {
                Body::None => request,
                Body::Json(body) => request.json(&body),
                Body::Multipart(form) => request.multipart(form),
            };
            let response = request.send().await.map_err(|e| LeverError::Transient(describe(&e)))?;
            let status = response.status();
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            let text = response.text().await.map_err(|e| LeverError::Transient(describe(&e)))?;
            if status.is_success() {
                // Deletes answer 204 with no body at all.
                return if text.trim().is_empty() {
                    Ok(Value::Null)
                } else {
                    serde_json::from_str(&text).map_err(|e| LeverError::UnexpectedResponse(e.to_string()))
                };
            }
            tracing::info!(status = status.as_u16(), "lever refused the call");
            Err(error_for(status, &text, retry_after))
        };
        // Attached to the future, never held across an await.
        call.instrument(span).await
    }
}

fn describe(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "the request timed out".into()
    } else if err.is_connect() {
        "could not connect".into()
    } else {
        "the connection failed".into()
    }
}

/// Lever's errors are `{"code": "<Name>", "message": "<text>"}`; the status says what to do.
pub(crate) fn error_for(status: StatusCode, text: &str, retry_after: Option<u64>) -> LeverError {
    let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let said = |key: &str| body.get(key).and_then(Value::as_str).unwrap_or("").to_owned();
    match status.as_u16() {
        400 | 422 => LeverError::Invalid { code: said("code"), message: said("message") },
        401 => LeverError::Unauthorized,
        403 => LeverError::Forbidden,
        404 => LeverError::NotFound,
        429 => LeverError::RateLimited { retry_after_seconds: retry_after },
        s if s >= 500 => LeverError::Transient(format!("Lever answered {s}")),
        s => LeverError::UnexpectedResponse(format!("status {s}")),
    }
}

/// The payload of `{"data": …}`.
fn data<T: DeserializeOwned>(mut body: Value) -> Result<T, LeverError> {
    let value = body
        .get_mut("data")
        .map(Value::take)
        .ok_or_else(|| LeverError::UnexpectedResponse("no `data` in the answer".into()))?;
    serde_json::from_value(value).map_err(|e| LeverError::UnexpectedResponse(e.to_string()))
}

fn decode<T: DeserializeOwned>(body: Value) -> Result<T, LeverError> {
    serde_json::from_value(body).map_err(|e| LeverError::UnexpectedResponse(e.to_string()))
}

/// The Data API with one credential.
pub struct LeverApi {
    client: LeverClient,
    /// `…/v1`.
    base: Url,
    credential: Credential,
}

impl LeverApi {
    /// `segments` under `/v1`, each percent-encoded as one path segment (an id can never add a
    /// `/`), with `query` (repeated keys for lists, as Lever takes them).
    fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Url {
        let mut url = self.base.clone();
        url.path_segments_mut().expect("an http address has a path").pop_if_empty().extend(segments);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    async fn get(&self, url: Url) -> Result<Value, LeverError> {
        self.client.send(Method::GET, url, &self.credential, Body::None).await
    }

    async fn write(&self, method: Method, url: Url, body: Body) -> Result<Value, LeverError> {
        self.client.send(method, url, &self.credential, body).await
    }

    /// One page of `segments` with `query`, from `offset` (a previous page's `next`, verbatim).
    async fn page<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        query: &[(&str, &str)],
        offset: Option<&str>,
    ) -> Result<Page<T>, LeverError> {
        let mut query = query.to_vec();
        if let Some(offset) = offset {
            query.push(("offset", offset));
        }
        decode(self.get(self.url(segments, &query)).await?)
    }

    /// Every page, the same filters on each (Lever refuses a token under other filters).
    async fn all<T: DeserializeOwned>(&self, segments: &[&str], query: &[(&str, &str)]) -> Result<Vec<T>, LeverError> {
        let mut items = Vec::new();
        let mut offset: Option<String> = None;
        loop {
            let page: Page<T> = self.page(segments, query, offset.as_deref()).await?;
            items.extend(page.data);
            match page.next {
                Some(next) if page.has_next => offset = Some(next),
                _ => return Ok(items),
            }
        }
    }

    /// The account's users (the one writes are performed as is chosen among them).
    pub async fn users(&self) -> Result<Vec<User>, LeverError> {
        self.all(&["users"], &[("limit", "100")]).await
    }

    /// The users with this e-mail address.
    pub async fn users_by_email(&self, email: &str) -> Result<Vec<User>, LeverError> {
        self.all(&["users"], &[("email", email), ("limit", "100")]).await
    }

    pub async fn user(&self, id: &UserId) -> Result<User, LeverError> {
        data(self.get(self.url(&["users", id.as_str()], &[])).await?)
    }

    /// The account's one pipeline, in order.
    pub async fn stages(&self) -> Result<Vec<Stage>, LeverError> {
        self.all(&["stages"], &[("limit", "100")]).await
    }

    /// Every archive reason, hired and not, active and not.
    pub async fn archive_reasons(&self) -> Result<Vec<ArchiveReason>, LeverError> {
        self.all(&["archive_reasons"], &[("limit", "100")]).await
    }

    /// The postings in any of `states` (all states when empty).
    pub async fn postings(&self, states: &[PostingState]) -> Result<Vec<Posting>, LeverError> {
        let mut query: Vec<(&str, &str)> = states.iter().map(|s| ("state", s.as_str())).collect();
        query.push(("limit", "100"));
        self.all(&["postings"], &query).await
    }

    /// One posting; `NotFound` when it no longer exists.
    pub async fn posting(&self, id: &PostingId) -> Result<Posting, LeverError> {
        data(self.get(self.url(&["postings", id.as_str()], &[])).await?)
    }

    pub async fn opportunity(&self, id: &OpportunityId) -> Result<Opportunity, LeverError> {
        data(self.get(self.url(&["opportunities", id.as_str()], &[])).await?)
    }

    pub async fn contact(&self, id: &ContactId) -> Result<Contact, LeverError> {
        data(self.get(self.url(&["contacts", id.as_str()], &[])).await?)
    }

    /// The opportunities of the person with this e-mail on this posting, archived or not — what
    /// an export looks for before creating and after any doubt, because Lever creates a new
    /// opportunity for every create call.
    pub async fn find_opportunities(&self, email: &str, posting: &PostingId) -> Result<Vec<Opportunity>, LeverError> {
        self.all(&["opportunities"], &[("email", email), ("posting_id", posting.as_str()), ("limit", "100")]).await
    }

    /// One page of the opportunities updated at or after `since_ms` (on one posting, when
    /// given); give the previous page's `next` as `offset` to read on.
    pub async fn updated_opportunities(
        &self,
        since_ms: i64,
        posting: Option<&PostingId>,
        offset: Option<&str>,
    ) -> Result<Page<Opportunity>, LeverError> {
        let since = since_ms.to_string();
        let mut query = vec![("updated_at_start", since.as_str()), ("limit", "100")];
        if let Some(posting) = posting {
            query.push(("posting_id", posting.as_str()));
        }
        self.page(&["opportunities"], &query, offset).await
    }

    /// Creates an opportunity on the posting, as `perform_as`. With a resume the request is
    /// multipart (the CV as `resumeFile`), otherwise JSON. Lever matches the person by e-mail but
    /// always makes a new opportunity: look first ([`LeverApi::find_opportunities`]).
    pub async fn create_opportunity(&self, perform_as: &UserId, new: &NewOpportunity) -> Result<Created, LeverError> {
        let url = self.url(&["opportunities"], &[("perform_as", perform_as.as_str())]);
        let body = match &new.resume {
            Some(resume) => Body::Multipart(multipart_opportunity(new, resume)?),
            None => Body::Json(json_opportunity(new)),
        };
        decode(self.write(Method::POST, url, body).await?)
    }

    /// Moves the opportunity to a stage of the account's pipeline.
    pub async fn move_stage(
        &self,
        id: &OpportunityId,
        perform_as: &UserId,
        stage: &StageId,
    ) -> Result<Opportunity, LeverError> {
        let url = self.url(&["opportunities", id.as_str(), "stage"], &[("perform_as", perform_as.as_str())]);
        data(self.write(Method::PUT, url, Body::Json(json!({ "stage": stage }))).await?)
    }

    /// Archives the opportunity with a reason (a `hired` one is a hire).
    pub async fn archive(
        &self,
        id: &OpportunityId,
        perform_as: &UserId,
        reason: &ArchiveReasonId,
    ) -> Result<Opportunity, LeverError> {
        let url = self.url(&["opportunities", id.as_str(), "archived"], &[("perform_as", perform_as.as_str())]);
        let body = json!({ "reason": reason, "cleanInterviews": false });
        data(self.write(Method::PUT, url, Body::Json(body)).await?)
    }

    /// Returns an archived opportunity to its stage (`{"reason": null}`).
    pub async fn unarchive(&self, id: &OpportunityId, perform_as: &UserId) -> Result<Opportunity, LeverError> {
        let url = self.url(&["opportunities", id.as_str(), "archived"], &[("perform_as", perform_as.as_str())]);
        data(self.write(Method::PUT, url, Body::Json(json!({ "reason": null }))).await?)
    }

    /// A note on the opportunity's timeline, as `perform_as`, not secret, followers not notified.
    pub async fn add_note(&self, id: &OpportunityId, perform_as: &UserId, text: &str) -> Result<Note, LeverError> {
        let url = self.url(&["opportunities", id.as_str(), "notes"], &[("perform_as", perform_as.as_str())]);
        let body = json!({ "value": text, "secret": false, "notifyFollowers": false });
        data(self.write(Method::POST, url, Body::Json(body)).await?)
    }

    /// Uploads a file to the opportunity (multipart part `file`, at most 30 MB).
    pub async fn upload_file(
        &self,
        id: &OpportunityId,
        perform_as: &UserId,
        file: &Upload,
    ) -> Result<File, LeverError> {
        let url = self.url(&["opportunities", id.as_str(), "files"], &[("perform_as", perform_as.as_str())]);
        let form = reqwest::multipart::Form::new().part("file", part(file)?);
        data(self.write(Method::POST, url, Body::Multipart(form)).await?)
    }

    pub async fn files(&self, id: &OpportunityId) -> Result<Vec<File>, LeverError> {
        self.all(&["opportunities", id.as_str(), "files"], &[]).await
    }

    pub async fn resumes(&self, id: &OpportunityId) -> Result<Vec<Resume>, LeverError> {
        self.all(&["opportunities", id.as_str(), "resumes"], &[]).await
    }

    pub async fn notes(&self, id: &OpportunityId) -> Result<Vec<Note>, LeverError> {
        self.all(&["opportunities", id.as_str(), "notes"], &[]).await
    }

    /// The webhooks this credential registered (Lever omits their signature tokens here).
    pub async fn webhooks(&self) -> Result<Vec<Webhook>, LeverError> {
        self.all(&["webhooks"], &[]).await
    }

    /// Registers `url` for `event`; the answer is the only one that carries the signature token.
    /// Lever registers duplicates: list first.
    pub async fn create_webhook(&self, event: &str, url: &str) -> Result<Webhook, LeverError> {
        let body = json!({ "event": event, "url": url });
        data(self.write(Method::POST, self.url(&["webhooks"], &[]), Body::Json(body)).await?)
    }

    /// Removes a webhook; one already gone counts as removed.
    pub async fn delete_webhook(&self, id: &WebhookId) -> Result<(), LeverError> {
        match self.write(Method::DELETE, self.url(&["webhooks", id.as_str()], &[]), Body::None).await {
            Ok(_) | Err(LeverError::NotFound) => Ok(()),
            Err(err) => Err(err),
        }
    }
}

fn json_opportunity(new: &NewOpportunity) -> Value {
    let mut body = json!({
        "name": new.name,
        "emails": new.emails,
        "links": new.links,
        "postings": [new.posting],
        "origin": new.origin,
        "sources": new.sources,
        "tags": new.tags,
    });
    if let Some(headline) = &new.headline {
        body["headline"] = json!(headline);
    }
    if !new.phones.is_empty() {
        body["phones"] = json!(new.phones);
    }
    if let Some(location) = &new.location {
        body["location"] = json!(location);
    }
    if let Some(stage) = &new.stage {
        body["stage"] = json!(stage);
    }
    body
}

/// The same fields as form fields, lists as repeated `name[]` parts, the CV as `resumeFile`.
/// Phones go as JSON text (how Lever reads them in multipart is undocumented; this is what
/// integrators send).
fn multipart_opportunity(new: &NewOpportunity, resume: &Upload) -> Result<reqwest::multipart::Form, LeverError> {
    let mut form = reqwest::multipart::Form::new().text("name", new.name.clone());
    let lists: [(&str, Vec<String>); 6] = [
        ("emails[]", new.emails.clone()),
        ("links[]", new.links.clone()),
        ("postings[]", vec![new.posting.to_string()]),
        ("sources[]", new.sources.clone()),
        ("tags[]", new.tags.clone()),
        ("phones[]", new.phones.iter().map(|p| json!(p).to_string()).collect()),
    ];
    for (name, values) in lists {
        for value in values {
            form = form.text(name, value);
        }
    }
    form = form.text("origin", new.origin.clone());
    if let Some(headline) = &new.headline {
        form = form.text("headline", headline.clone());
    }
    if let Some(location) = &new.location {
        form = form.text("location", location.clone());
    }
    if let Some(stage) = &new.stage {
        form = form.text("stage", stage.to_string());
    }
    Ok(form.part("resumeFile", part(resume)?))
}

fn part(file: &Upload) -> Result<reqwest::multipart::Part, LeverError> {
    reqwest::multipart::Part::bytes(file.bytes.clone())
        .file_name(file.name.clone())
        .mime_str(&file.content_type)
        .map_err(|_| LeverError::Invalid {
            code: String::new(),
            message: format!("{} is not a content type", file.content_type),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api() -> LeverApi {
        let client = LeverClient::new(Endpoints::local("http://127.0.0.1:9/lever"));
        client.api(&Credential::api_key("k")).unwrap()
    }

    #[test]
    fn ids_stay_one_segment_and_queries_are_encoded() {
        let url = api().url(
            &["opportunities", "../postings", "stage"],
            &[("email", "a+b@example.com"), ("state", "published"), ("state", "internal")],
        );
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/lever/v1/opportunities/..%2Fpostings/stage?email=a%2Bb%40example.com&state=published&state=internal"
        );
    }

    #[test]
    fn an_offset_token_is_sent_verbatim_and_encoded_once_more_on_the_wire() {
        let token = "%5B3%2C1491435120000%2C%225599cc20%22%5D";
        let url = api().url(&["opportunities"], &[("limit", "100"), ("offset", token)]);
        assert_eq!(url.query_pairs().find(|(k, _)| k == "offset").unwrap().1, token);
    }

    #[test]
    fn statuses_map_to_what_the_caller_can_do() {
        assert_eq!(
            error_for(StatusCode::BAD_REQUEST, r#"{"code":"BadRequestError","message":"Invalid offset token"}"#, None),
            LeverError::Invalid { code: "BadRequestError".into(), message: "Invalid offset token".into() }
        );
        assert_eq!(error_for(StatusCode::UNAUTHORIZED, "", None), LeverError::Unauthorized);
        assert_eq!(error_for(StatusCode::FORBIDDEN, "", None), LeverError::Forbidden);
        assert_eq!(
            error_for(StatusCode::NOT_FOUND, r#"{"code":"NotFoundError","message":"x"}"#, None),
            LeverError::NotFound
        );
        assert_eq!(
            error_for(StatusCode::TOO_MANY_REQUESTS, "", Some(2)),
            LeverError::RateLimited { retry_after_seconds: Some(2) }
        );
        assert!(error_for(StatusCode::SERVICE_UNAVAILABLE, "", None).is_retryable());
        assert!(!error_for(StatusCode::IM_A_TEAPOT, "", None).is_retryable());
    }
}
