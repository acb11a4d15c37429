//! Exports over HTTP, with the sync worker running inside the server as it does by default:
//! back-fill of a role mapped after candidates accepted, the ledger on the pipeline, *Retry*,
//! and another company's ids not found.

use std::time::Duration;

use app::api::exports::{BackfillRole, RetryExport};
use app::api::mapping::SaveAtsConfiguration;
use app::api::workable::{CheckCandidateSource, ConnectWorkableToken};
use app::api::{GetPipeline, ListRoles};
use app::error::AppError;
use domain::export::ExportState;
use domain::views::{Pipeline, RoleSummary, SourceCheck};
use reqwest::StatusCode;
use storage::testing::eventually;

use crate::helpers::{HANK, MARIA, Visitor};
use crate::on_both_databases;

const DATA_JOB: &str = "NOR03DATA03";

async fn data_role(visitor: &Visitor) -> RoleSummary {
    let roles: Vec<RoleSummary> = visitor.call_ok::<ListRoles, _>(&[]).await;
    roles.into_iter().find(|r| r.title == "Data Engineer").unwrap()
}

on_both_databases! {
    async fn a_role_mapped_late_back_fills_its_earlier_acceptances(app: TestApp) {
        let maria = app.signed_in(MARIA).await;
        let response = maria
            .call::<ConnectWorkableToken>(&[("subdomain", "northwind"), ("token", workable_sandbox::seed::NORTHWIND_TOKEN)])
            .await;
        assert!(response.status().is_success() || response.status().is_redirection());
        let role = data_role(&maria).await;
        let id = role.id.to_string();
        assert!(role.exports.not_mapped >= 1, "the demo's acceptance waits for a mapping: {:?}", role.exports);
        // The worker records the demo's acceptance as not exported (role not mapped).
        eventually(Duration::from_secs(30), || async {
            let pipeline: Pipeline = maria.call_ok::<GetPipeline, _>(&[("role_id", &id)]).await;
            match pipeline.entries[0].export.as_ref().map(|e| e.state) {
                Some(ExportState::NotMapped) => Ok(()),
                now => Err(format!("never recorded as not mapped: {now:?}")),
            }
        })
        .await;

        let form = [
            ("role_id", id.as_str()),
            ("job", DATA_JOB),
            ("mapping[accepted]", "move:sourced"),
            ("mapping[screening]", "move:phone-screen"),
            ("mapping[technical_interview]", "move:assessment"),
            ("mapping[final_interview]", "move:interview"),
            ("mapping[offer]", "move:offer"),
            ("mapping[hired]", "move:hired"),
            ("mapping[rejected]", "disqualify"),
            ("mapping[withdrawn]", "disqualify"),
        ];
        let _: i64 = maria.call_ok::<SaveAtsConfiguration, _>(&form).await;

        // Another company can neither back-fill nor retry Northwind's exports.
        let hank = app.signed_in(HANK).await;
        assert_eq!(hank.call_err::<BackfillRole>(&[("role_id", &id)]).await, (StatusCode::NOT_FOUND, AppError::NotFound));

        let queued: usize = maria.call_ok::<BackfillRole, _>(&[("role_id", &id)]).await;
        assert_eq!(queued as i64, role.exports.not_mapped);
        let export = eventually(Duration::from_secs(60), || async {
            let pipeline: Pipeline = maria.call_ok::<GetPipeline, _>(&[("role_id", &id)]).await;
            let export = pipeline.entries[0].export.clone().unwrap();
            if export.state == ExportState::Done { Ok(export) } else { Err(format!("still {:?}", export.state)) }
        })
        .await;
        assert!(export.workable_url.is_some(), "a link into Workable");
        let steps: Vec<&str> = export.ledger.iter().map(|e| e.step.as_str()).collect();
        assert_eq!(steps.last(), Some(&"at_stage"));
        assert_eq!(data_role(&maria).await.exports.done, queued as i64);

        // The Candidate Source guide's live check: the candidate just exported, attributed to the
        // marketplace (the test server's host) as the sandbox's API reports it; Globex has none to
        // show, and a stranger gets nothing.
        let check: SourceCheck = maria.call_ok::<CheckCandidateSource, _>(&[]).await;
        let seen = check.last.clone().expect("the last export");
        assert_eq!((check.expected.as_deref(), check.unavailable.as_deref()), (Some("127.0.0.1"), None));
        assert_eq!((seen.role.as_str(), seen.domain.as_deref(), seen.common_source.as_deref()), ("Data Engineer", Some("127.0.0.1"), Some("127.0.0.1")));
        assert!(seen.attributed(check.expected.as_deref()) && !seen.linked);
        let theirs: SourceCheck = hank.call_ok::<CheckCandidateSource, _>(&[]).await;
        assert_eq!(theirs.last, None);
        assert_eq!(app.visitor().call_err::<CheckCandidateSource>(&[]).await.0, StatusCode::UNAUTHORIZED);

        let export_id = export.id.to_string();
        assert_eq!(hank.call_err::<RetryExport>(&[("export_id", &export_id)]).await, (StatusCode::NOT_FOUND, AppError::NotFound));
        let (status, _) = maria.call_err::<RetryExport>(&[("export_id", &export_id)]).await;
        assert_eq!(status, StatusCode::CONFLICT, "only a failed export is retried");
    }
}
