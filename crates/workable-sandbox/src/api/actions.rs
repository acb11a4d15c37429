//! What is done to a candidate: move, disqualify, revert, comment, tag (each as a member).

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::*;
use crate::Sandbox;
use crate::model::{Account, Activity, Comment};

/// The member acting on candidate `id` (which must exist) in the caller's account.
pub(super) fn member_acting_on(sandbox: &Sandbox, ctx: &Ctx, id: &str, body: &Value) -> Result<String, ApiError> {
    with_account(sandbox, ctx, |a| {
        a.candidate(id).ok_or_else(ApiError::not_found)?;
        acting_member(body, a)
    })
}

/// The member named by `member_id`, who must exist in the account.
pub(super) fn acting_member(body: &Value, account: &Account) -> Result<String, ApiError> {
    let id = body
        .get("member_id")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::invalid("member_id", "can't be blank"))?;
    account
        .member(id)
        .map(|m| m.id.clone())
        .ok_or_else(|| ApiError::invalid("member_id", "is not a member of this account"))
}

pub(super) async fn move_candidate(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> ApiResult {
    require(&ctx, &["w_candidates"])?;
    let body = body_json(&body)?;
    let member = member_acting_on(&sandbox, &ctx, &id, &body)?;
    let target = body
        .get("target_stage")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::invalid("target_stage", "can't be blank"))?;
    sandbox.move_to_stage(sub(&ctx), &id, target, Some(&member))?;
    empty_text()
}

pub(super) async fn disqualify_candidate(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> ApiResult {
    require(&ctx, &["w_candidates"])?;
    let body = body_json(&body)?;
    let (member, reason) = with_account(&sandbox, &ctx, |a| {
        a.candidate(&id).ok_or_else(ApiError::not_found)?;
        let member = acting_member(&body, a)?;
        let reason = match body.get("disqualify_reason_id").and_then(Value::as_str) {
            Some(reason_id) => Some(
                a.disqualification_reasons
                    .iter()
                    .find(|r| r.id == reason_id)
                    .map(|r| r.description.clone())
                    .ok_or_else(|| ApiError::invalid("disqualify_reason_id", "is invalid"))?,
            ),
            // Deprecated free text, still accepted.
            None => text(&body, "disqualification_reason"),
        };
        Ok((member, reason))
    })?;
    let note = text(&body, "disqualify_note");
    if note.as_ref().is_some_and(|n| n.chars().count() > 256) {
        return Err(ApiError::invalid("disqualify_note", "is too long (maximum is 256 characters)"));
    }
    let withdrew = body.get("withdrew").and_then(Value::as_bool).unwrap_or(false);
    sandbox.disqualify(sub(&ctx), &id, reason, note, withdrew, Some(&member))?;
    empty_text()
}

pub(super) async fn revert_candidate(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> ApiResult {
    require(&ctx, &["w_candidates"])?;
    let body = body_json(&body)?;
    let member = member_acting_on(&sandbox, &ctx, &id, &body)?;
    sandbox.revert(sub(&ctx), &id, Some(&member))?;
    // Recorded: an empty body, labelled JSON.
    let mut response = StatusCode::OK.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(response)
}

pub(super) async fn comment_candidate(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> ApiResult {
    require(&ctx, &["w_candidates", "w_comments"])?;
    let body = body_json(&body)?;
    let subdomain = sub(&ctx).to_owned();
    let now = sandbox.now_ms();
    let comment_id = sandbox.write(|w| {
        let account = w.account(&subdomain).ok_or_else(ApiError::not_found)?;
        account.candidate(&id).ok_or_else(ApiError::not_found)?;
        let member = acting_member(&body, account)?;
        let comment = body.get("comment").ok_or_else(|| ApiError::invalid("comment", "can't be blank"))?;
        let text_body = text(comment, "body").ok_or_else(|| ApiError::invalid("body", "can't be blank"))?;
        let policy = comment.get("policy").map(strings).transpose()?.unwrap_or_default();
        let attachment = comment
            .get("attachment")
            .filter(|v| !v.is_null())
            .map(|a| decode_file(a, "attachment", w, "comment"))
            .transpose()?;
        let comment_id = w.int_id().to_string();
        let activity_id = w.hex_id();
        let account = w.account_mut(&subdomain).expect("checked above");
        let c = account.candidate_mut(&id).expect("checked above");
        c.comments.push(Comment {
            id: comment_id.clone(),
            member_id: member.clone(),
            body: text_body.clone(),
            policy,
            attachment_file_id: attachment.as_ref().map(|f| f.id.clone()),
            created_at: now,
        });
        if let Some(file) = attachment {
            c.files.push(file);
        }
        c.activities.push(Activity {
            id: activity_id,
            action: "comment".into(),
            stage_slug: c.stage_slug.clone(),
            target_stage_slug: None,
            member_id: Some(member),
            body: Some(text_body),
            created_at: now,
        });
        c.updated_at = now;
        Ok(comment_id)
    })?;
    ok(json!({ "id": comment_id }))
}

pub(super) async fn tag_candidate(
    State(sandbox): State<Sandbox>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Path((_, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> ApiResult {
    require(&ctx, &["w_candidates"])?;
    let body = body_json(&body)?;
    let tags = strings(body.get("tags").ok_or_else(|| ApiError::invalid("tags", "can't be blank"))?)?;
    let subdomain = sub(&ctx).to_owned();
    let now = sandbox.now_ms();
    sandbox.write(|w| {
        let c = w.account_mut(&subdomain).and_then(|a| a.candidate_mut(&id)).ok_or_else(ApiError::not_found)?;
        c.tags = tags.clone();
        c.updated_at = now;
        Ok(())
    })?;
    ok(json!({ "tags": tags }))
}

// ---------------------------------------------------------------------------------------------
// Subscriptions
