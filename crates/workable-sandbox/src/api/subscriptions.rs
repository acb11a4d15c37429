//! Webhook subscriptions: list, create (with Workable's event names), delete.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::*;
use crate::model::{Subscription, TokenKind};
use crate::{Sandbox, render};

pub(super) async fn list_subscriptions(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
) -> ApiResult {
    require(&ctx, &["r_candidates", "r_employees"])?;
    with_account(&sandbox, &ctx, |a| {
        ok(json!({ "subscriptions": a.subscriptions.iter().map(render::subscription).collect::<Vec<_>>() }))
    })
}

pub(super) const EVENTS: [&str; 8] = [
    "candidate_created",
    "candidate_moved",
    "candidate_deleted",
    "employee_created",
    "employee_updated",
    "employee_published",
    "onboarding_completed",
    "timeoff_updated",
];

pub(super) async fn create_subscription(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    body: axum::body::Bytes,
) -> ApiResult {
    require(&ctx, &["r_candidates", "r_employees"])?;
    let body = body_json(&body)?;
    let target = text(&body, "target").ok_or_else(|| ApiError::invalid("target", "can't be blank"))?;
    if !(target.starts_with("http://") || target.starts_with("https://")) {
        return Err(ApiError::invalid("target", "is not a URL"));
    }
    let event = text(&body, "event").ok_or_else(|| ApiError::invalid("event", "can't be blank"))?;
    if !EVENTS.contains(&event.as_str()) {
        return Err(ApiError::invalid("event", "is not supported"));
    }
    let args = body.get("args").filter(|a| !a.is_null());
    let (job_shortcode, stage_slug) = match args {
        Some(args) => {
            let job = args
                .get("job_shortcode")
                .and_then(Value::as_str)
                .ok_or_else(|| ApiError::invalid("args", "job_shortcode is required"))?;
            let stage = args
                .get("stage_slug")
                .and_then(Value::as_str)
                .ok_or_else(|| ApiError::invalid("args", "stage_slug is required"))?;
            (Some(job.to_owned()).filter(|s| !s.is_empty()), Some(stage.to_owned()).filter(|s| !s.is_empty()))
        }
        None => (None, None),
    };
    let subdomain = sub(&ctx).to_owned();
    let now = sandbox.now_ms();
    let signing_key = match ctx.token.kind {
        TokenKind::Account => ctx.token.secret.clone(),
        TokenKind::OAuth => sandbox.read(|w| {
            let grant = w.grants.iter().find(|g| Some(g.id) == ctx.token.grant_id);
            grant
                .and_then(|g| w.clients.iter().find(|c| c.client_id == g.client_id))
                .map(|c| c.client_secret.clone())
                .unwrap_or_default()
        }),
    };
    let id = sandbox.write(|w| {
        if w.account(&subdomain).is_some_and(|a| a.subscriptions.iter().any(|s| s.target == target)) {
            return Err(ApiError::new(StatusCode::CONFLICT, "Target already subscribed"));
        }
        let id = w.int_id();
        let account = w.account_mut(&subdomain).ok_or_else(ApiError::not_found)?;
        account.subscriptions.push(Subscription {
            id,
            event,
            target,
            job_shortcode,
            stage_slug,
            created_at: now,
            signing_key,
        });
        Ok(id)
    })?;
    ok(json!({ "id": id }))
}

pub(super) async fn delete_subscription(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult {
    require(&ctx, &["r_candidates", "r_employees"])?;
    let id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    let subdomain = sub(&ctx).to_owned();
    sandbox.write(|w| {
        let account = w.account_mut(&subdomain).ok_or_else(ApiError::not_found)?;
        let before = account.subscriptions.len();
        account.subscriptions.retain(|s| s.id != id);
        if account.subscriptions.len() == before { Err(ApiError::not_found()) } else { Ok(()) }
    })?;
    ok(json!({}))
}
