use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tracing::Instrument;

use crate::{
    Account, Candidate, CandidateFile, DisqualificationReason, Endpoints, Job, Member, MemberId, NewCandidate,
    RateLimit, Secret, Shortcode, Stage, StageSlug, Subdomain, Subscription, Upload, WorkableError,
};

/// An answer from Workable with the rate-limit state its headers reported.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply<T> {
    pub value: T,
    pub rate_limit: Option<RateLimit>,
}

/// The client: one connection pool for every call the product makes.
#[derive(Clone, Debug)]
pub struct WorkableClient {
    http: reqwest::Client,
    endpoints: Arc<Endpoints>,
}

impl WorkableClient {
    pub fn new(endpoints: Endpoints) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            // Workable's paging links are absolute; anything else redirecting is not Workable.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("ats-bridge/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the HTTP client builds");
        WorkableClient { http, endpoints: Arc::new(endpoints) }
    }

    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The accounts the token reaches (`GET /spi/v3/accounts` on Workable's `www` host).
    pub async fn accounts(&self, token: &Secret) -> Result<Reply<Vec<Account>>, WorkableError> {
        let url = Url::parse(&self.endpoints.accounts_url)
            .map_err(|e| WorkableError::UnexpectedResponse(format!("the accounts address: {e}")))?;
        let (body, rate_limit) = self.send(Method::GET, url, token, None).await?;
        Ok(Reply { value: field(body, "accounts")?, rate_limit })
    }

    /// Calls scoped to one account. Owns what it needs (the pool is shared), so a call's future
    /// borrows nothing from the caller but its arguments.
    pub fn account(&self, subdomain: &Subdomain, token: &Secret) -> AccountApi {
        // A subdomain is letters, digits and hyphens (parsed), so the address always parses.
        let base = Url::parse(&self.endpoints.account_api(subdomain)).expect("an account's API address parses");
        AccountApi { client: self.clone(), base, token: token.clone() }
    }

    async fn send(
        &self,
        method: Method,
        url: Url,
        token: &Secret,
        body: Option<&Value>,
    ) -> Result<(Value, Option<RateLimit>), WorkableError> {
        let path = url.path().split("/spi/v3").nth(1).unwrap_or(url.path()).to_owned();
        let span = tracing::info_span!("workable", workable.method = %method, workable.path = %path, rate_limit.remaining = tracing::field::Empty);
        let call = async {
            let mut request = self
                .http
                .request(method, url)
                .bearer_auth(token.expose())
                .header(reqwest::header::ACCEPT, "application/json");
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = request.send().await.map_err(|e| WorkableError::Transient(describe(&e)))?;
            let rate_limit = rate_limit(response.headers());
            if let Some(limit) = rate_limit {
                tracing::Span::current().record("rate_limit.remaining", limit.remaining);
            }
            let status = response.status();
            let text = response.text().await.map_err(|e| WorkableError::Transient(describe(&e)))?;
            if status.is_success() {
                // Move, disqualify and revert answer an empty body.
                let body = if text.trim().is_empty() {
                    Value::Null
                } else {
                    serde_json::from_str(&text).map_err(|e| WorkableError::UnexpectedResponse(e.to_string()))?
                };
                return Ok((body, rate_limit));
            }
            tracing::info!(status = status.as_u16(), "workable refused the call");
            Err(error_for(status, &text, rate_limit))
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

fn rate_limit(headers: &reqwest::header::HeaderMap) -> Option<RateLimit> {
    let number = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<i64>().ok();
    Some(RateLimit {
        limit: u32::try_from(number("x-rate-limit-limit")?).ok()?,
        remaining: u32::try_from(number("x-rate-limit-remaining")?).ok()?,
        reset_at: number("x-rate-limit-reset")?,
    })
}

fn error_for(status: StatusCode, text: &str, rate_limit: Option<RateLimit>) -> WorkableError {
    let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let message = body.get("error").and_then(Value::as_str).unwrap_or("").to_owned();
    match status.as_u16() {
        401 => WorkableError::Unauthorized,
        403 => WorkableError::Forbidden,
        404 => WorkableError::NotFound,
        409 => WorkableError::Conflict,
        429 => WorkableError::RateLimited { reset_at: rate_limit.map(|r| r.reset_at) },
        422 if message.contains("subdomain does not match") => WorkableError::WrongAccount,
        422 | 400 => {
            let duplicate = body
                .pointer("/validation_errors/email")
                .and_then(Value::as_array)
                .is_some_and(|errors| errors.iter().any(|e| e.as_str().is_some_and(|e| e.contains("already exists"))));
            if duplicate { WorkableError::Duplicate } else { WorkableError::Invalid { message } }
        }
        s if s >= 500 => WorkableError::Transient(format!("Workable answered {s}")),
        s => WorkableError::UnexpectedResponse(format!("status {s}")),
    }
}

/// Unix seconds as Workable's documented filter form, `2026-07-23T18:58:15Z`.
fn iso_seconds(seconds: i64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp(seconds.max(0)).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    at.format(&time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z")).unwrap_or_default()
}

fn field<T: DeserializeOwned>(mut body: Value, key: &str) -> Result<T, WorkableError> {
    let value = body
        .get_mut(key)
        .map(Value::take)
        .ok_or_else(|| WorkableError::UnexpectedResponse(format!("no `{key}` in the answer")))?;
    serde_json::from_value(value).map_err(|e| WorkableError::UnexpectedResponse(e.to_string()))
}

/// One account's API, with one token.
pub struct AccountApi {
    client: WorkableClient,
    /// `…/spi/v3` of the account.
    base: Url,
    token: Secret,
}

impl AccountApi {
    /// The account's `segments` with `query`: each segment is percent-encoded as one path segment
    /// (an id can never add a `/`), the query form-encoded (emails carry `+` and `@`).
    fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Url {
        let mut url = self.base.clone();
        url.path_segments_mut().expect("an http address has a path").pop_if_empty().extend(segments);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// A `paging.next` address, which the token only follows to the account's own host.
    fn next_page(&self, next: &str) -> Result<Url, WorkableError> {
        match Url::parse(next) {
            Ok(url) if url.origin() == self.base.origin() => Ok(url),
            _ => Err(WorkableError::UnexpectedResponse("a next page on another host".into())),
        }
    }

    /// Every page of a collection, following `paging.next` (on the account's host only).
    async fn all<T: DeserializeOwned>(&self, first_url: Url, key: &str) -> Result<Reply<Vec<T>>, WorkableError> {
        let mut url = Some(first_url);
        let mut items = Vec::new();
        let mut last = None;
        while let Some(current) = url.take() {
            let (body, rate_limit) = self.client.send(Method::GET, current, &self.token, None).await?;
            last = rate_limit.or(last);
            url = body.pointer("/paging/next").and_then(Value::as_str).map(|next| self.next_page(next)).transpose()?;
            items.extend(field::<Vec<T>>(body, key)?);
        }
        Ok(Reply { value: items, rate_limit: last })
    }

    /// The account's jobs, all states unless `state` is given.
    pub async fn jobs(&self, state: Option<&str>) -> Result<Reply<Vec<Job>>, WorkableError> {
        let url = match state {
            Some(state) => self.url(&["jobs"], &[("limit", "100"), ("state", state)]),
            None => self.url(&["jobs"], &[("limit", "100")]),
        };
        self.all(url, "jobs").await
    }

    /// One job (Workable answers it unwrapped); 404 when it no longer exists.
    pub async fn job(&self, shortcode: &Shortcode) -> Result<Reply<Job>, WorkableError> {
        let (body, rate_limit) =
            self.client.send(Method::GET, self.url(&["jobs", shortcode.as_str()], &[]), &self.token, None).await?;
        let job = serde_json::from_value(body).map_err(|e| WorkableError::UnexpectedResponse(e.to_string()))?;
        Ok(Reply { value: job, rate_limit })
    }

    /// A job's own pipeline.
    pub async fn job_stages(&self, shortcode: &Shortcode) -> Result<Reply<Vec<Stage>>, WorkableError> {
        let (body, rate_limit) = self
            .client
            .send(Method::GET, self.url(&["jobs", shortcode.as_str(), "stages"], &[]), &self.token, None)
            .await?;
        Ok(Reply { value: field(body, "stages")?, rate_limit })
    }

    /// Creates a candidate in a job, at `stage` (a slug of the job's pipeline) when given.
    /// `sourced: true`: Workable treats them as uploaded and does not email them.
    pub async fn create_candidate(
        &self,
        shortcode: &Shortcode,
        stage: Option<&StageSlug>,
        candidate: &NewCandidate,
    ) -> Result<Reply<Candidate>, WorkableError> {
        let url = match stage {
            Some(stage) => self.url(&["jobs", shortcode.as_str(), "candidates"], &[("stage", stage.as_str())]),
            None => self.url(&["jobs", shortcode.as_str(), "candidates"], &[]),
        };
        let body = serde_json::json!({ "sourced": true, "candidate": candidate });
        let (body, rate_limit) = self.client.send(Method::POST, url, &self.token, Some(&body)).await?;
        Ok(Reply { value: field(body, "candidate")?, rate_limit })
    }

    /// The candidate with this email in this job, if any (Workable dedupes by email per job).
    pub async fn find_candidate(
        &self,
        shortcode: &Shortcode,
        email: &str,
    ) -> Result<Reply<Option<Candidate>>, WorkableError> {
        let url = self.url(&["candidates"], &[("shortcode", shortcode.as_str()), ("email", email), ("limit", "10")]);
        let (body, rate_limit) = self.client.send(Method::GET, url, &self.token, None).await?;
        let candidates: Vec<Candidate> = field(body, "candidates")?;
        let found = candidates.into_iter().find(|c| {
            c.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(email))
                && c.job.as_ref().is_none_or(|j| &j.shortcode == shortcode)
        });
        Ok(Reply { value: found, rate_limit })
    }

    /// One candidate (`{"candidate": …}`).
    pub async fn candidate(&self, id: &str) -> Result<Reply<Candidate>, WorkableError> {
        let (body, rate_limit) =
            self.client.send(Method::GET, self.url(&["candidates", id], &[]), &self.token, None).await?;
        Ok(Reply { value: field(body, "candidate")?, rate_limit })
    }

    /// The candidate's files: the resume and comment attachments.
    pub async fn candidate_files(&self, id: &str) -> Result<Reply<Vec<CandidateFile>>, WorkableError> {
        let url = self.url(&["candidates", id, "files"], &[]);
        let (body, rate_limit) = self.client.send(Method::GET, url, &self.token, None).await?;
        Ok(Reply { value: field(body, "files")?, rate_limit })
    }

    /// A comment on the candidate's timeline, as `member_id`, with at most one attachment.
    /// Workable answers `{"id": …}` or an empty body.
    pub async fn comment(
        &self,
        candidate_id: &str,
        member_id: &MemberId,
        body: &str,
        attachment: Option<&Upload>,
    ) -> Result<Reply<Option<String>>, WorkableError> {
        let mut comment = serde_json::json!({ "body": body, "policy": [] });
        if let Some(file) = attachment {
            comment["attachment"] =
                serde_json::to_value(file).map_err(|e| WorkableError::Invalid { message: e.to_string() })?;
        }
        let payload = serde_json::json!({ "member_id": member_id.as_str(), "comment": comment });
        let url = self.url(&["candidates", candidate_id, "comments"], &[]);
        let (answer, rate_limit) = self.client.send(Method::POST, url, &self.token, Some(&payload)).await?;
        Ok(Reply { value: answer.get("id").and_then(Value::as_str).map(str::to_owned), rate_limit })
    }

    /// Moves the candidate to a stage (a slug of their job's pipeline), as `member_id`.
    pub async fn move_candidate(
        &self,
        id: &str,
        member_id: &MemberId,
        stage: &StageSlug,
    ) -> Result<Reply<()>, WorkableError> {
        let body = serde_json::json!({ "member_id": member_id.as_str(), "target_stage": stage.as_str() });
        let url = self.url(&["candidates", id, "move"], &[]);
        let (_, rate_limit) = self.client.send(Method::POST, url, &self.token, Some(&body)).await?;
        Ok(Reply { value: (), rate_limit })
    }

    /// Disqualifies the candidate with one of the account's reasons; `withdrew` when the
    /// candidate withdrew rather than being rejected.
    pub async fn disqualify(
        &self,
        id: &str,
        member_id: &MemberId,
        reason_id: Option<&str>,
        withdrew: bool,
    ) -> Result<Reply<()>, WorkableError> {
        let mut body = serde_json::json!({ "member_id": member_id.as_str(), "withdrew": withdrew });
        if let Some(reason) = reason_id {
            body["disqualify_reason_id"] = Value::String(reason.to_owned());
        }
        let url = self.url(&["candidates", id, "disqualify"], &[]);
        let (_, rate_limit) = self.client.send(Method::POST, url, &self.token, Some(&body)).await?;
        Ok(Reply { value: (), rate_limit })
    }

    /// Undoes a disqualification.
    pub async fn revert(&self, id: &str, member_id: &MemberId) -> Result<Reply<()>, WorkableError> {
        let body = serde_json::json!({ "member_id": member_id.as_str() });
        let url = self.url(&["candidates", id, "revert"], &[]);
        let (_, rate_limit) = self.client.send(Method::POST, url, &self.token, Some(&body)).await?;
        Ok(Reply { value: (), rate_limit })
    }

    /// The account's reasons to disqualify (a bare JSON array).
    pub async fn disqualification_reasons(&self) -> Result<Reply<Vec<DisqualificationReason>>, WorkableError> {
        let url = self.url(&["disqualification_reasons"], &[]);
        let (body, rate_limit) = self.client.send(Method::GET, url, &self.token, None).await?;
        let reasons = serde_json::from_value(body).map_err(|e| WorkableError::UnexpectedResponse(e.to_string()))?;
        Ok(Reply { value: reasons, rate_limit })
    }

    /// The account's active members.
    pub async fn members(&self) -> Result<Reply<Vec<Member>>, WorkableError> {
        self.all(self.url(&["members"], &[("limit", "100")]), "members").await
    }

    /// The account's webhook subscriptions.
    pub async fn subscriptions(&self) -> Result<Reply<Vec<Subscription>>, WorkableError> {
        let (body, rate_limit) =
            self.client.send(Method::GET, self.url(&["subscriptions"], &[]), &self.token, None).await?;
        Ok(Reply { value: field(body, "subscriptions")?, rate_limit })
    }

    /// Subscribes `target` to a candidate `event` in every job and stage of the account;
    /// answers the subscription's id. A target already subscribed is `Conflict`.
    pub async fn subscribe(&self, target: &str, event: &str, subdomain: &str) -> Result<Reply<String>, WorkableError> {
        let body = serde_json::json!({
            "target": target,
            "event": event,
            "args": { "account_id": subdomain, "job_shortcode": "", "stage_slug": "" },
        });
        let (body, rate_limit) =
            self.client.send(Method::POST, self.url(&["subscriptions"], &[]), &self.token, Some(&body)).await?;
        let id = match body.get("id") {
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            _ => return Err(WorkableError::UnexpectedResponse("no subscription id in the answer".into())),
        };
        Ok(Reply { value: id, rate_limit })
    }

    /// Removes a subscription; one already gone counts as removed.
    pub async fn unsubscribe(&self, id: &str) -> Result<Reply<()>, WorkableError> {
        let url = self.url(&["subscriptions", id], &[]);
        match self.client.send(Method::DELETE, url, &self.token, None).await {
            Ok((_, rate_limit)) => Ok(Reply { value: (), rate_limit }),
            Err(WorkableError::NotFound) => Ok(Reply { value: (), rate_limit: None }),
            Err(err) => Err(err),
        }
    }

    /// One page of a job's candidates updated after `after` (Unix seconds), oldest id first;
    /// `next` is the following page's address. Give `page` to read a `next` address.
    pub async fn updated_candidates(
        &self,
        shortcode: &Shortcode,
        after: i64,
        page: Option<&str>,
    ) -> Result<Reply<(Vec<Candidate>, Option<String>)>, WorkableError> {
        let url = match page {
            Some(next) => self.next_page(next)?,
            None => self.url(
                &["candidates"],
                &[("shortcode", shortcode.as_str()), ("updated_after", &iso_seconds(after)), ("limit", "100")],
            ),
        };
        let (body, rate_limit) = self.client.send(Method::GET, url, &self.token, None).await?;
        let next = body.pointer("/paging/next").and_then(Value::as_str).map(str::to_owned);
        Ok(Reply { value: (field(body, "candidates")?, next), rate_limit })
    }

    /// Whether the token may manage webhook subscriptions (lists them).
    pub async fn can_read_subscriptions(&self) -> Result<Reply<bool>, WorkableError> {
        match self.client.send(Method::GET, self.url(&["subscriptions"], &[]), &self.token, None).await {
            Ok((_, rate_limit)) => Ok(Reply { value: true, rate_limit }),
            Err(WorkableError::Forbidden) => Ok(Reply { value: false, rate_limit: None }),
            Err(err) => Err(err),
        }
    }

    /// Whether the token may write candidates, without changing anything: tagging a candidate
    /// that does not exist is refused with 403 without the scope and 404 with it.
    pub async fn can_write_candidates(&self) -> Result<Reply<bool>, WorkableError> {
        let body = serde_json::json!({ "tags": [] });
        match self.client.send(Method::PUT, self.url(&["candidates", "0", "tags"], &[]), &self.token, Some(&body)).await
        {
            Err(WorkableError::NotFound) => Ok(Reply { value: true, rate_limit: None }),
            Err(WorkableError::Forbidden) => Ok(Reply { value: false, rate_limit: None }),
            Ok((_, rate_limit)) => Ok(Reply { value: true, rate_limit }),
            Err(err) => Err(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api() -> AccountApi {
        let client = WorkableClient::new(Endpoints::sandbox("http://127.0.0.1:9"));
        client.account(&Subdomain::parse("acme").unwrap(), &Secret::new("t"))
    }

    #[test]
    fn ids_stay_one_segment_and_queries_are_encoded() {
        let api = api();
        let url = api.url(&["candidates", "../jobs/x", "move"], &[("email", "a+b@example.com")]);
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/acme/spi/v3/candidates/..%2Fjobs%2Fx/move?email=a%2Bb%40example.com"
        );
        assert!(api.next_page("http://127.0.0.1:9/acme/spi/v3/candidates?since_id=2").is_ok());
        assert!(api.next_page("https://elsewhere.example/acme/spi/v3/candidates").is_err(), "the token stays home");
    }

    #[test]
    fn statuses_map_to_what_the_caller_can_do() {
        assert_eq!(
            error_for(StatusCode::UNAUTHORIZED, "{\"error\":\"Not authorized\"}", None),
            WorkableError::Unauthorized
        );
        assert_eq!(
            error_for(
                StatusCode::UNPROCESSABLE_ENTITY,
                r#"{"error":"Validation failed: Email candidate already exists","validation_errors":{"email":["candidate already exists"]}}"#,
                None
            ),
            WorkableError::Duplicate
        );
        assert_eq!(
            error_for(
                StatusCode::UNPROCESSABLE_ENTITY,
                r#"{"error":"Request subdomain does not match account subdomain"}"#,
                None
            ),
            WorkableError::WrongAccount
        );
        assert!(error_for(StatusCode::BAD_GATEWAY, "", None).is_retryable());
        let limited =
            error_for(StatusCode::TOO_MANY_REQUESTS, "", Some(RateLimit { limit: 10, remaining: 0, reset_at: 42 }));
        assert_eq!(limited, WorkableError::RateLimited { reset_at: Some(42) });
    }
}
