//! Workable → marketplace over the real router: the first mapping subscribes Workable's webhooks
//! to this server's address, a move made in Workable comes back to the pipeline, bad deliveries
//! are refused, interviews are scheduled through server functions (checked at the boundary, per
//! company) and reach the Workable timeline, and disconnecting removes the subscriptions.

use std::time::Duration;

use app::api::mapping::SaveAtsConfiguration;
use app::api::workable::{ConnectWorkableToken, DisconnectWorkable};
use app::api::{GetPipeline, ListRoles, ScheduleInterview};
use app::error::AppError;
use domain::export::ExportState;
use domain::views::{Pipeline, PipelineEntry, RoleSummary};
use domain::{MarketplaceStage, RequestId};
use reqwest::StatusCode;
use storage::testing::eventually;

use crate::helpers::{HANK, MARIA, Visitor};
use crate::on_both_databases;

const DATA_JOB: &str = "NOR03DATA03";

async fn entry(visitor: &Visitor, role: &str, request: RequestId) -> PipelineEntry {
    let pipeline: Pipeline = visitor.call_ok::<GetPipeline, _>(&[("role_id", role)]).await;
    pipeline.entries.into_iter().find(|e| e.request_id == request).unwrap()
}

/// Waits (up to 30 s) until the entry satisfies `done`.
async fn until(
    visitor: &Visitor,
    role: &str,
    request: RequestId,
    done: impl Fn(&PipelineEntry) -> bool,
) -> PipelineEntry {
    eventually(Duration::from_secs(30), || async {
        let now = entry(visitor, role, request).await;
        if done(&now) { Ok(now) } else { Err(format!("still {now:?}")) }
    })
    .await
}

async fn schedule(visitor: &Visitor, request: &str) -> reqwest::Response {
    visitor
        .call::<ScheduleInterview>(&[
            ("request_id", request),
            ("kind", "technical"),
            ("starts_at", "2026-12-03T14:30"),
            ("duration_minutes", "60"),
            ("interviewer", "Dana Kim"),
        ])
        .await
}

on_both_databases! {
    async fn workable_moves_reach_the_pipeline_and_interviews_reach_workable(app: TestApp) {
        let maria = app.signed_in(MARIA).await;
        let response = maria
            .call::<ConnectWorkableToken>(&[("subdomain", "northwind"), ("token", workable_sandbox::seed::NORTHWIND_TOKEN)])
            .await;
        assert!(response.status().is_success() || response.status().is_redirection());
        let roles: Vec<RoleSummary> = maria.call_ok::<ListRoles, _>(&[]).await;
        let role = roles.into_iter().find(|r| r.title == "Data Engineer").unwrap().id.to_string();
        let form = crate::mapping::mapping_form(&role, DATA_JOB, "move:phone-screen");
        let _: i64 = maria.call_ok::<SaveAtsConfiguration, _>(&form).await;
        let targets: Vec<String> = app.sandbox.read(|w| w.account("northwind").unwrap().subscriptions.iter().map(|s| s.target.clone()).collect());
        assert_eq!(targets.len(), 3, "{targets:?}");
        assert!(targets.iter().all(|t| t.starts_with(&format!("{}/webhooks/workable/", app.address))), "{targets:?}");

        let _: usize = maria.call_ok::<app::api::exports::BackfillRole, _>(&[("role_id", &role)]).await;
        let pipeline: Pipeline = maria.call_ok::<GetPipeline, _>(&[("role_id", &role)]).await;
        let request = pipeline.entries[0].request_id;
        let exported = until(&maria, &role, request, |e| e.export.as_ref().is_some_and(|x| x.state == ExportState::Done)).await;
        let workable_id = app.sandbox.read(|w| {
            let url = exported.export.as_ref().unwrap().workable_url.clone().unwrap();
            let account = w.account("northwind").unwrap();
            account.candidates.iter().find(|c| c.job_shortcode == DATA_JOB && url.ends_with(&u64::from_str_radix(&c.id, 16).unwrap().to_string())).unwrap().id.clone()
        });

        // A person moves them in Workable; the webhook brings it back.
        app.sandbox.person_moves("northwind", &workable_id, "interview").unwrap();
        let moved = until(&maria, &role, request, |e| e.stage == MarketplaceStage::FinalInterview).await;
        assert_eq!(moved.last_moved_by.as_deref(), Some("Workable"));

        // Forged and unknown deliveries are refused by the mounted endpoint.
        let target = targets.iter().find(|t| t.ends_with("/candidate_moved")).unwrap();
        let http = reqwest::Client::new();
        let forged = http.post(target).header(workable::webhook::SIGNATURE_HEADER, "00").body("{}").send().await.unwrap();
        assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
        let unknown = http.post(format!("{}/webhooks/workable/nope/candidate_moved", app.address)).body("{}").send().await.unwrap();
        assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
        // Too large: refused unread (and recorded without a company or a body).
        let huge = vec![b' '; 300 * 1024];
        let signature = workable::webhook::sign(workable_sandbox::seed::NORTHWIND_TOKEN.as_bytes(), &huge);
        let oversized = http.post(target).header(workable::webhook::SIGNATURE_HEADER, signature).body(huge).send().await.unwrap();
        assert_eq!(oversized.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let refused: Vec<String> = app.db.webhook_deliveries(None).await.unwrap().into_iter().map(|(o, _)| o).collect();
        assert!(refused.contains(&"oversized".to_owned()), "{refused:?}");
        // Every refusal is counted in the metrics, whether or not it was recorded.
        let metrics = http.get(format!("{}/metrics", app.address)).send().await.unwrap().text().await.unwrap();
        assert!(metrics.contains("webhook_deliveries_refused_total{reason=\"forged\"}"), "{metrics}");
        assert!(metrics.contains("webhook_deliveries_refused_total{reason=\"unknown_connection\"}"), "{metrics}");

        // Interviews: parsed at the boundary, another company's request not found.
        let id = request.0.to_string();
        let bad = maria
            .call_err::<ScheduleInterview>(&[("request_id", &id), ("kind", "technical"), ("starts_at", "tomorrow"), ("duration_minutes", "60"), ("interviewer", "Dana")])
            .await;
        assert!(matches!(bad, (StatusCode::UNPROCESSABLE_ENTITY, AppError::Invalid(ref invalid)) if invalid.field == "starts_at"), "{bad:?}");
        let bad = maria
            .call_err::<ScheduleInterview>(&[("request_id", &id), ("kind", "technical"), ("starts_at", "2026-12-03T14:30"), ("duration_minutes", "an hour"), ("interviewer", "Dana")])
            .await;
        assert!(matches!(bad, (StatusCode::UNPROCESSABLE_ENTITY, AppError::Invalid(ref invalid)) if invalid.field == "duration_minutes"), "{bad:?}");
        let hank = app.signed_in(HANK).await;
        assert_eq!(schedule(&hank, &id).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(schedule(&maria, &id).await.status(), StatusCode::OK);
        let scheduled = until(&maria, &role, request, |e| e.interviews.first().is_some_and(|i| i.in_workable)).await;
        assert_eq!(scheduled.interviews[0].interviewer, "Dana Kim");
        let timeline: Vec<String> = app.sandbox.read(|w| {
            w.account("northwind").unwrap().candidates.iter().find(|c| c.id == workable_id).unwrap().comments.iter().map(|c| c.body.clone()).collect()
        });
        assert!(timeline.iter().any(|c| c.contains("Technical interview: Thu 3 Dec 2026, 14:30 UTC (60 min), with Dana Kim.")), "{timeline:?}");

        // Disconnect removes the subscriptions at Workable.
        let _: () = maria.call_ok::<DisconnectWorkable, _>(&[]).await;
        let left = app.sandbox.read(|w| w.account("northwind").unwrap().subscriptions.len());
        assert_eq!(left, 0);
    }
}
