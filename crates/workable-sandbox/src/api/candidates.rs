//! Candidates: listing, reading, their files and activities, creating and updating them.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};

use super::*;
use crate::model::{Account, Candidate, StoredFile, World};
use crate::webhooks::Event;
use crate::{Sandbox, render, seed};

pub(super) async fn list_candidates(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult {
    let shortcode = query.get("shortcode").cloned();
    // A shortcode that names no job of the account (a deleted one) is 404, not an empty list.
    if let Some(shortcode) = &shortcode {
        with_account(&sandbox, &ctx, |a| a.job(shortcode).map(|_| ()).ok_or_else(ApiError::not_found))?;
    }
    candidates_page(&sandbox, &ctx, &query, shortcode)
}

pub(super) async fn list_job_candidates(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, shortcode)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult {
    with_account(&sandbox, &ctx, |a| a.job(&shortcode).map(|_| ()).ok_or_else(ApiError::not_found))?;
    candidates_page(&sandbox, &ctx, &query, Some(shortcode))
}

pub(super) fn candidates_page(
    sandbox: &Sandbox,
    ctx: &Ctx,
    query: &HashMap<String, String>,
    shortcode: Option<String>,
) -> ApiResult {
    require(ctx, &["r_candidates"])?;
    let page = Page::parse(query)?;
    let (created_after, updated_after) = (time_filter(query, "created_after")?, time_filter(query, "updated_after")?);
    let email = query.get("email").map(|e| e.to_lowercase());
    let stage = query.get("stage").cloned();
    let host = host(sandbox, sub(ctx));
    let items = with_account(sandbox, ctx, |a| {
        Ok(a.candidates
            .iter()
            .filter(|c| !c.deleted)
            .filter(|c| shortcode.as_ref().is_none_or(|s| &c.job_shortcode == s))
            .filter(|c| email.as_ref().is_none_or(|e| c.email.to_lowercase() == *e))
            .filter(|c| stage.as_ref().is_none_or(|s| &c.stage_slug == s))
            .filter(|c| {
                created_after.is_none_or(|t| c.created_at > t) && updated_after.is_none_or(|t| c.updated_at > t)
            })
            .map(|c| (c.id.clone(), render::candidate_summary(&host, a, c)))
            .collect::<Vec<_>>())
    })?;
    // As recorded: with a job filter, `next` points at the legacy per-job path.
    let (next_base, filters) = match &shortcode {
        Some(code) => {
            let mut rest = query.clone();
            rest.remove("shortcode");
            (format!("{host}/spi/v3/jobs/{code}/candidates"), rest)
        }
        None => (format!("{host}/spi/v3/candidates"), query.clone()),
    };
    let (candidates, next) = page.apply(items, &next_base, &filters);
    ok(envelope("candidates", candidates, next))
}

pub(super) fn candidate_json(sandbox: &Sandbox, a: &Account, c: &Candidate) -> Value {
    render::candidate_detail(&host(sandbox, &a.subdomain), &sandbox.base_url(), a, c)
}

pub(super) async fn get_candidate(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult {
    require(&ctx, &["r_candidates"])?;
    with_account(&sandbox, &ctx, |a| {
        let c = a.candidate(&id).ok_or_else(ApiError::not_found)?;
        ok(json!({ "candidate": candidate_json(&sandbox, a, c) }))
    })
}

pub(super) async fn get_candidate_legacy(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, shortcode, id)): Path<(String, String, String)>,
) -> ApiResult {
    require(&ctx, &["r_candidates"])?;
    with_account(&sandbox, &ctx, |a| {
        let c = a.candidate(&id).filter(|c| c.job_shortcode == shortcode).ok_or_else(ApiError::not_found)?;
        ok(json!({ "candidate": candidate_json(&sandbox, a, c) }))
    })
}

pub(super) async fn candidate_activities(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, id)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult {
    require(&ctx, &["r_candidates"])?;
    let page = Page::parse(&query)?;
    let host = host(&sandbox, sub(&ctx));
    let items = with_account(&sandbox, &ctx, |a| {
        let c = a.candidate(&id).ok_or_else(ApiError::not_found)?;
        Ok(c.activities.iter().map(|act| (act.id.clone(), render::activity(a, c, act))).collect::<Vec<_>>())
    })?;
    let (activities, next) = page.apply(items, &format!("{host}/spi/v3/candidates/{id}/activities"), &query);
    ok(envelope("activities", activities, next))
}

pub(super) async fn candidate_files(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult {
    require(&ctx, &["r_candidates"])?;
    let base = sandbox.base_url();
    with_account(&sandbox, &ctx, |a| {
        let c = a.candidate(&id).ok_or_else(ApiError::not_found)?;
        let files: Vec<Value> = c.resume.iter().chain(c.files.iter()).map(|f| render::file(&base, c, f)).collect();
        ok(json!({ "files": files }))
    })
}

/// The stored bytes behind `resume_url` and `preview_url`.
pub(super) async fn download_file(
    State(sandbox): State<Sandbox>,
    Path((candidate, file)): Path<(String, String)>,
) -> Response {
    let found = sandbox.read(|w| {
        w.accounts.iter().flat_map(|a| &a.candidates).find(|c| c.id == candidate).and_then(|c| {
            c.resume.iter().chain(c.files.iter()).find(|f| f.id == file).map(|f| (f.name.clone(), f.data.clone()))
        })
    });
    match found {
        Some((name, data)) => {
            let kind =
                if name.to_lowercase().ends_with(".pdf") { "application/pdf" } else { "application/octet-stream" };
            (
                [
                    (header::CONTENT_TYPE, kind.to_owned()),
                    (header::CONTENT_DISPOSITION, format!("inline; filename=\"{}\"", name.replace('"', ""))),
                ],
                Body::from(data),
            )
                .into_response()
        }
        None => ApiError::not_found().into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// Candidates: writing

pub(super) fn body_json(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(bytes).map_err(|_| ApiError::bad_request("The request body is not valid JSON"))
}

/// `{"candidate": {...}}`, or (as Workable also accepts) the fields at the root.
/// The candidate's fields of a create or update body: inside `candidate` (as documented) or at the
/// root (as a recorded request sent them); a `domain` at the root beside `candidate` (as an older
/// client sends it) counts too.
pub(super) fn candidate_fields(body: &Value) -> Value {
    match body.get("candidate") {
        Some(fields) => {
            let mut fields = fields.clone();
            if let (Some(domain), Some(object)) = (body.get("domain"), fields.as_object_mut()) {
                object.entry("domain").or_insert_with(|| domain.clone());
            }
            fields
        }
        None => body.clone(),
    }
}

pub(super) fn text(fields: &Value, key: &str) -> Option<String> {
    fields.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

pub(super) fn strings(value: &Value) -> Result<Vec<String>, ApiError> {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| ApiError::bad_request("expected a list of strings")))
            .collect(),
        _ => Err(ApiError::bad_request("expected a list of strings")),
    }
}

pub(super) fn objects(value: &Value, field: &str, required: &[&str]) -> Result<Vec<Value>, ApiError> {
    let Value::Array(items) = value else { return Err(ApiError::invalid(field, "must be a list")) };
    for item in items {
        for key in required {
            if item.get(*key).and_then(Value::as_str).is_none_or(|s| s.trim().is_empty()) {
                return Err(ApiError::invalid(field, &format!("{key} can't be blank")));
            }
        }
    }
    Ok(items.clone())
}

pub(super) fn decode_file(value: &Value, field: &str, world: &mut World, source: &str) -> Result<StoredFile, ApiError> {
    let name = value
        .get("name")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::invalid(field, "name can't be blank"))?;
    let data =
        value.get("data").and_then(Value::as_str).ok_or_else(|| ApiError::invalid(field, "data can't be blank"))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|_| ApiError::invalid(field, "data is not valid base64"))?;
    if bytes.len() > 5 * 1024 * 1024 {
        return Err(ApiError::invalid(field, "is too large (maximum is 5 MB)"));
    }
    Ok(StoredFile { id: world.hex_id(), name: name.to_owned(), source: source.to_owned(), data: bytes })
}

/// Applies the writable fields of a create or PATCH body; arrays replace the whole list.
pub(super) fn apply_fields(c: &mut Candidate, fields: &Value, world: &mut World) -> Result<(), ApiError> {
    for key in ["headline", "summary", "address", "phone", "cover_letter", "domain"] {
        if let Some(value) = fields.get(key) {
            let value = value.as_str().map(str::to_owned).filter(|s| !s.is_empty());
            match key {
                "headline" => c.headline = value,
                "summary" => c.summary = value,
                "address" => c.address = value,
                "phone" => c.phone = value,
                "cover_letter" => c.cover_letter = value,
                _ => c.domain = value,
            }
        }
    }
    if let Some(value) = fields.get("skills") {
        c.skills = strings(value)?;
    }
    if let Some(value) = fields.get("tags") {
        c.tags = strings(value)?;
    }
    if let Some(value) = fields.get("education_entries") {
        c.education_entries = with_ids(objects(value, "education_entries", &["school"])?, world);
    }
    if let Some(value) = fields.get("experience_entries") {
        c.experience_entries = with_ids(objects(value, "experience_entries", &["title"])?, world);
    }
    if let Some(value) = fields.get("social_profiles") {
        c.social_profiles = objects(value, "social_profiles", &["type", "url"])?;
    }
    if let Some(value) = fields.get("resume").filter(|v| !v.is_null()) {
        c.resume = Some(decode_file(value, "resume", world, "upload")?);
    }
    Ok(())
}

pub(super) fn with_ids(entries: Vec<Value>, world: &mut World) -> Vec<Value> {
    entries
        .into_iter()
        .map(|mut e| {
            if e.get("id").is_none() {
                e["id"] = Value::String(world.hex_id());
            }
            e
        })
        .collect()
}

pub(super) async fn create_candidate(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, shortcode)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    body: axum::body::Bytes,
) -> ApiResult {
    require(&ctx, &["w_candidates"])?;
    let body = body_json(&body)?;
    let fields = candidate_fields(&body);
    let sourced = body.get("sourced").and_then(Value::as_bool).unwrap_or(true);
    let now = sandbox.now_ms();
    let subdomain = sub(&ctx).to_owned();
    let (value, id) = sandbox.write(|w| {
        let account = w.account(&subdomain).ok_or_else(ApiError::not_found)?;
        let job = account.job(&shortcode).ok_or_else(ApiError::not_found)?;
        if job.state == "archived" {
            return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "Job is archived"));
        }
        let stage = match query.get("stage") {
            Some(slug) => job.stage(slug).ok_or_else(|| ApiError::invalid("stage", "is invalid"))?.slug.clone(),
            None => if sourced { "sourced" } else { "applied" }.to_owned(),
        };
        let email = text(&fields, "email").ok_or_else(|| ApiError::invalid("email", "can't be blank"))?;
        if !email.contains('@') || email.contains(char::is_whitespace) {
            return Err(ApiError::invalid("email", "is invalid"));
        }
        let (first, last) = match (text(&fields, "firstname"), text(&fields, "lastname"), text(&fields, "name")) {
            (Some(first), Some(last), _) => (first, last),
            (_, _, Some(name)) => match name.split_once(' ') {
                Some((first, last)) => (first.to_owned(), last.to_owned()),
                None => (name, String::new()),
            },
            _ => return Err(ApiError::invalid("name", "can't be blank")),
        };
        // Workable dedupes by email per job (unless the fault says it does not).
        if !sandbox.faults().duplicates_allowed
            && account
                .candidates
                .iter()
                .any(|c| !c.deleted && c.job_shortcode == shortcode && c.email.eq_ignore_ascii_case(&email))
        {
            return Err(ApiError::invalid("email", "candidate already exists"));
        }
        let mut candidate = seed::new_candidate(w, &shortcode, &first, &last, &email, &stage, sourced, now);
        apply_fields(&mut candidate, &fields, w)?;
        let account = w.account_mut(&subdomain).expect("checked above");
        let id = candidate.id.clone();
        account.candidates.push(candidate);
        let account = w.account(&subdomain).expect("checked above");
        let c = account.candidate(&id).expect("just added");
        Ok((candidate_json(&sandbox, account, c), id))
    })?;
    sandbox.fire(&subdomain, Event::Created, &id);
    ok(json!({ "status": "created", "candidate": value }))
}

pub(super) async fn update_candidate(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> ApiResult {
    require(&ctx, &["w_candidates"])?;
    let body = body_json(&body)?;
    let fields = candidate_fields(&body);
    let now = sandbox.now_ms();
    let subdomain = sub(&ctx).to_owned();
    sandbox.write(|w| {
        let mut candidate =
            w.account(&subdomain).and_then(|a| a.candidate(&id)).cloned().ok_or_else(ApiError::not_found)?;
        if let Some(email) = text(&fields, "email") {
            candidate.email = email;
        }
        if let Some(first) = text(&fields, "firstname") {
            candidate.firstname = first;
        }
        if let Some(last) = text(&fields, "lastname") {
            candidate.lastname = last;
        }
        apply_fields(&mut candidate, &fields, w)?;
        candidate.updated_at = now;
        let account = w.account_mut(&subdomain).expect("checked above");
        *account.candidate_mut(&id).expect("checked above") = candidate;
        let account = w.account(&subdomain).expect("checked above");
        ok(json!({ "candidate": candidate_json(&sandbox, account, account.candidate(&id).expect("present")) }))
    })
}
