//! Accounts, jobs, their stages, members, application forms and disqualification reasons.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::*;
use crate::model::TokenKind;
use crate::{Sandbox, render};

pub(super) async fn list_accounts(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
) -> ApiResult {
    require(&ctx, &["r_jobs"])?;
    let accounts = sandbox.read(|w| {
        w.accounts.iter().filter(|a| ctx.token.accounts.contains(&a.subdomain)).map(render::account).collect::<Vec<_>>()
    });
    ok(json!({ "accounts": accounts }))
}

pub(super) async fn get_account(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, subdomain)): Path<(String, String)>,
) -> ApiResult {
    require(&ctx, &["r_jobs"])?;
    if subdomain != sub(&ctx) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Request subdomain does not match account subdomain",
        ));
    }
    with_account(&sandbox, &ctx, |a| ok(render::account(a)))
}

pub(super) async fn list_jobs(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult {
    require(&ctx, &["r_jobs"])?;
    let page = Page::parse(&query)?;
    let state = query.get("state").cloned();
    if let Some(state) = &state
        && !matches!(state.as_str(), "draft" | "published" | "closed" | "archived")
    {
        return Err(ApiError::bad_request("state must be one of draft, published, closed, archived"));
    }
    let (created_after, updated_after) = (time_filter(&query, "created_after")?, time_filter(&query, "updated_after")?);
    let host = host(&sandbox, sub(&ctx));
    let items = with_account(&sandbox, &ctx, |a| {
        Ok(a.jobs
            .iter()
            .filter(|j| state.as_ref().is_none_or(|s| &j.state == s))
            .filter(|j| {
                created_after.is_none_or(|t| j.created_at > t) && updated_after.is_none_or(|t| j.updated_at > t)
            })
            .map(|j| (j.id.clone(), render::job_summary(&host, j)))
            .collect::<Vec<_>>())
    })?;
    let (jobs, next) = page.apply(items, &format!("{host}/spi/v3/jobs"), &query);
    ok(envelope("jobs", jobs, next))
}

pub(super) async fn get_job(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, shortcode)): Path<(String, String)>,
) -> ApiResult {
    require(&ctx, &["r_jobs"])?;
    let host = host(&sandbox, sub(&ctx));
    with_account(&sandbox, &ctx, |a| {
        a.job(&shortcode).map(|j| render::job_detail(&host, j)).ok_or_else(ApiError::not_found)
    })
    .and_then(ok)
}

pub(super) async fn job_stages(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, shortcode)): Path<(String, String)>,
) -> ApiResult {
    require(&ctx, &["r_jobs"])?;
    with_account(&sandbox, &ctx, |a| {
        let job = a.job(&shortcode).ok_or_else(ApiError::not_found)?;
        ok(json!({ "stages": job.stages.iter().map(render::stage).collect::<Vec<_>>() }))
    })
}

pub(super) async fn account_stages(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
) -> ApiResult {
    require(&ctx, &["r_jobs"])?;
    // The account pipeline: every distinct stage slug of its jobs, first occurrence wins.
    with_account(&sandbox, &ctx, |a| {
        let mut seen = std::collections::HashSet::new();
        let stages: Vec<Value> =
            a.jobs.iter().flat_map(|j| &j.stages).filter(|s| seen.insert(s.slug.clone())).map(render::stage).collect();
        ok(json!({ "stages": stages }))
    })
}

pub(super) async fn job_members(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, shortcode)): Path<(String, String)>,
) -> ApiResult {
    require(&ctx, &["r_jobs"])?;
    with_account(&sandbox, &ctx, |a| {
        a.job(&shortcode).ok_or_else(ApiError::not_found)?;
        ok(json!({ "members": a.members.iter().filter(|m| m.active).map(render::job_member).collect::<Vec<_>>() }))
    })
}

pub(super) async fn application_form(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, shortcode)): Path<(String, String)>,
) -> ApiResult {
    require(&ctx, &["r_jobs"])?;
    with_account(&sandbox, &ctx, |a| {
        a.job(&shortcode).map(|_| render::application_form()).ok_or_else(ApiError::not_found)
    })
    .and_then(ok)
}

pub(super) async fn list_members(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult {
    require(&ctx, &["r_jobs"])?;
    if ctx.token.kind != TokenKind::Account && ctx.token.kind != TokenKind::OAuth {
        return Err(ApiError::forbidden());
    }
    let page = Page::parse(&query)?;
    let status = query.get("status").map_or("active", String::as_str).to_owned();
    let host = host(&sandbox, sub(&ctx));
    let items = with_account(&sandbox, &ctx, |a| {
        Ok(a.members
            .iter()
            .filter(|m| match status.as_str() {
                "all" => true,
                "inactive" => !m.active,
                _ => m.active,
            })
            .filter(|m| query.get("role").is_none_or(|r| &m.role == r))
            .filter(|m| query.get("email").is_none_or(|e| m.email.eq_ignore_ascii_case(e)))
            .filter(|m| query.get("name").is_none_or(|n| &m.name == n))
            .map(|m| (m.id.clone(), render::member(m)))
            .collect::<Vec<_>>())
    })?;
    let (members, next) = page.apply(items, &format!("{host}/spi/v3/members"), &query);
    ok(envelope("members", members, next))
}

pub(super) async fn disqualification_reasons(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
) -> ApiResult {
    require(&ctx, &["r_jobs"])?;
    // A bare array, unlike every other collection.
    with_account(&sandbox, &ctx, |a| ok(Value::Array(a.disqualification_reasons.iter().map(render::reason).collect())))
}

// ---------------------------------------------------------------------------------------------
// Candidates: reading
