//! The export engine against the Workable sandbox, on both databases: the happy path, each fault
//! the sandbox can produce (5xx, 429 storm, a response lost after Workable committed, duplicate
//! 422, revoked token, a worker killed between steps), unmapped roles and back-fill, and several
//! workers on one database. Every scenario ends with exactly one Workable candidate per
//! acceptance, carrying both files.

mod common;

use std::time::Duration;

use common::{RUST_JOB, setup};
use domain::export::ExportState;
use domain::{Email, MarketplaceStage};
use marketplace::demo::DEMO_LOGINS;
use storage::test_on_both_databases;
use storage::testing::eventually;
use workable_sandbox::{Faults, seed};

test_on_both_databases! {
    async fn an_acceptance_lands_in_workable_once_with_both_files_and_a_ledger(db: Db) {
        let s = setup(&db).await;
        s.map_rust().await;
        // Mapping queued the job's first read (for Insights): done before counting the export's.
        s.drain().await;
        let before = s.sandbox.request_log().len();
        let (request, email) = s.acceptance(1).await;
        s.drain().await;
        assert_eq!(s.export_state(request).await, Some(ExportState::Done));
        s.assert_exported_once(&email, 1);

        // Where it landed: the mapped job, the stage mapped to Request accepted, sourced, tagged.
        let (stage, sourced, tags) = s.sandbox.read(|w| {
            let c = w.account("northwind").unwrap().candidates.iter().find(|c| c.email == email).unwrap().clone();
            (c.stage_slug, c.sourced, c.tags)
        });
        assert_eq!((stage.as_str(), sourced), ("sourced", true));
        assert_eq!(tags, ["ats-bridge marketplace"]);

        let export = db.export_by_request(s.maria.company_id, request).await.unwrap().unwrap();
        assert!(export.profile_url.is_some() && export.workable_candidate_id.is_some());
        let steps: Vec<String> = db.ledger(export.id).await.unwrap().into_iter().map(|e| e.step).collect();
        assert_eq!(steps, ["created", "profile_attached", "files_confirmed", "at_stage"]);
        let calls = s.sandbox.request_log().len() - before;
        assert_eq!(calls, 2, "create with the resume, comment with the profile: their answers confirm both files");
        // Attributed to the marketplace (the public address's host), as Workable's API reports it.
        let base = s.integrations.client().endpoints().account_api(&workable::Subdomain::parse("northwind").unwrap());
        let read: serde_json::Value = reqwest::Client::new()
            .get(format!("{base}/candidates/{}", export.workable_candidate_id.clone().unwrap()))
            .bearer_auth(seed::NORTHWIND_TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let source = &read["candidate"];
        assert_eq!((source["domain"].as_str(), source["common_source"].as_str()), (Some("127.0.0.1"), Some("127.0.0.1")));
        assert_eq!(source["common_source_category"], "Other");
    }
}

test_on_both_databases! {
    async fn server_errors_are_retried_until_the_export_is_done(db: Db) {
        let s = setup(&db).await;
        s.map_rust().await;
        // Workable answers 503 to everything for a while, then to every third or fourth call.
        s.sandbox.set_faults(Faults { error_rate: 1.0, ..Faults::default() });
        let (_stop, _worker) = s.start();
        let (request, email) = s.acceptance(2).await;
        eventually(Duration::from_secs(30), || async {
            let export = db.export_by_request(s.maria.company_id, request).await.unwrap();
            if let Some(export) = export
                && db.ledger(export.id).await.unwrap().iter().any(|e| e.step == "retrying" && e.detail.contains("did not answer"))
            {
                return Ok(());
            }
            Err("no retry recorded".to_owned())
        })
        .await;
        s.sandbox.set_faults(Faults { error_rate: 0.3, ..Faults::default() });
        s.wait_for(request, ExportState::Done).await;
        s.assert_exported_once(&email, 2);
    }
}

test_on_both_databases! {
    async fn a_response_lost_after_workable_committed_does_not_create_twice(db: Db) {
        let s = setup(&db).await;
        s.map_rust().await;
        // The create and the comment both commit, and both answers are lost.
        s.sandbox.set_faults(Faults { lose_responses_after_commit: 2, ..Faults::default() });
        let (request, email) = s.acceptance(3).await;
        s.drain().await;
        assert_eq!(s.export_state(request).await, Some(ExportState::Done));
        s.assert_exported_once(&email, 3);
        assert_eq!(s.calls("POST", &format!("/jobs/{RUST_JOB}/candidates")), 1, "looked up, not created again");
        let profiles = s.in_workable(&email)[0].iter().filter(|f| f.starts_with("Marketplace profile")).count();
        assert_eq!(profiles, 1, "the profile is attached once");
    }
}

test_on_both_databases! {
    async fn a_candidate_already_in_the_job_is_linked_not_duplicated(db: Db) {
        let s = setup(&db).await;
        s.map_rust().await;
        // Someone added the same person to the Workable job by hand first.
        let email = "export-4@candidates.test";
        let client = reqwest::Client::new();
        let base = s.integrations.client().endpoints().account_api(&workable::Subdomain::parse("northwind").unwrap());
        let created = client
            .post(format!("{base}/jobs/{RUST_JOB}/candidates"))
            .bearer_auth(seed::NORTHWIND_TOKEN)
            .json(&serde_json::json!({ "candidate": { "name": "Grace Hopper", "email": email } }))
            .send()
            .await
            .unwrap();
        assert!(created.status().is_success());
        let (request, _) = s.acceptance(4).await;
        s.drain().await;
        assert_eq!(s.export_state(request).await, Some(ExportState::Done));
        let found = s.in_workable(email);
        assert_eq!(found.len(), 1);
        assert!(found[0].iter().any(|f| f.starts_with("Marketplace profile")), "the profile is still attached: {found:?}");
        let export = db.export_by_request(s.maria.company_id, request).await.unwrap().unwrap();
        assert!(export.linked_existing);
        let linked = &db.ledger(export.id).await.unwrap()[0].detail;
        assert!(linked.contains("linked") && linked.contains("they keep their source in Workable (Unknown)"), "{linked}");
        let kept = s.sandbox.read(|w| w.account("northwind").unwrap().candidates.iter().find(|c| c.email == email).unwrap().domain.clone());
        assert_eq!(kept, None, "the marketplace is not written over their source");
    }
}

test_on_both_databases! {
    async fn a_429_storm_makes_the_export_wait_then_finish(db: Db) {
        let s = setup(&db).await;
        s.map_rust().await;
        // The storm lasts until the export has been seen waiting (not for a time the test could
        // miss on a busy machine), then Workable answers again.
        s.sandbox.set_faults(Faults { rate_limit_storm_until_ms: Some(s.sandbox.now_ms() + 3_600_000), ..Faults::default() });
        let (_stop, _worker) = s.start();
        let (request, email) = s.acceptance(5).await;
        s.wait_for(request, ExportState::Waiting).await;
        let waiting = db.export_by_request(s.maria.company_id, request).await.unwrap().unwrap();
        assert!(waiting.next_attempt_at.is_some(), "an ETA to show");
        assert!(s.in_workable(&email).is_empty());
        s.sandbox.set_faults(Faults::default());
        s.wait_for(request, ExportState::Done).await;
        s.assert_exported_once(&email, 5);
    }
}

test_on_both_databases! {
    async fn a_revoked_token_pauses_the_work_until_a_reconnect(db: Db) {
        let s = setup(&db).await;
        s.map_rust().await;
        let (_stop, _worker) = s.start();
        assert!(s.sandbox.revoke_token(seed::NORTHWIND_TOKEN));
        let (request, email) = s.acceptance(6).await;
        s.wait_for(request, ExportState::Paused).await;
        let export = db.export_by_request(s.maria.company_id, request).await.unwrap().unwrap();
        assert!(export.last_error.unwrap().contains("reconnect"));
        assert!(s.in_workable(&email).is_empty());
        let attempts_before = export.attempts;

        // Workable accepts the token again (a new one, in real life) and a master reconnects.
        s.sandbox.write(|w| w.tokens.iter_mut().for_each(|t| t.revoked = false));
        s.integrations.connect_with_api_token(&s.maria, "northwind", seed::NORTHWIND_TOKEN, None).await.unwrap();
        s.wait_for(request, ExportState::Done).await;
        s.assert_exported_once(&email, 6);
        let export = db.export_by_request(s.maria.company_id, request).await.unwrap().unwrap();
        assert!(export.attempts <= attempts_before + 1, "pausing burned no retries");
    }
}

test_on_both_databases! {
    async fn a_worker_killed_between_steps_is_resumed_by_another(db: Db) {
        let s = setup(&db).await;
        s.map_rust().await;
        // Slow answers make the window between "created" and "profile attached" wide.
        s.sandbox.set_faults(Faults { latency_ms: 400, ..Faults::default() });
        let (_stop, first) = s.start();
        let (request, email) = s.acceptance(7).await;
        eventually(Duration::from_secs(30), || async {
            let export = db.export_by_request(s.maria.company_id, request).await.unwrap();
            export.is_some_and(|e| e.created_in_workable_at.is_some()).then_some(()).ok_or("never created".to_owned())
        })
        .await;
        // Killed mid-export: no cleanup, its lease stays until it runs out.
        first.abort();
        let export = db.export_by_request(s.maria.company_id, request).await.unwrap().unwrap();
        assert_ne!(export.state, ExportState::Done);
        s.sandbox.set_faults(Faults::default());
        s.advance(common::LEASE);
        let (_stop, _second) = s.start();
        s.wait_for(request, ExportState::Done).await;
        s.assert_exported_once(&email, 7);
        assert_eq!(s.calls("POST", &format!("/jobs/{RUST_JOB}/candidates")), 1);
    }
}

test_on_both_databases! {
    async fn an_unmapped_role_records_not_mapped_and_back_fill_exports_later(db: Db) {
        let s = setup(&db).await;
        let (_stop, _worker) = s.start();
        let (request, email) = s.acceptance(8).await;
        s.wait_for(request, ExportState::NotMapped).await;
        assert!(s.in_workable(&email).is_empty());
        let tally = db.export_tallies(s.maria.company_id).await.unwrap();
        let rust = tally.iter().find(|(role, _)| *role == s.rust).unwrap().1.clone();
        assert!(rust.not_mapped >= 1, "{rust:?}");

        assert_eq!(
            sync::Exports::new(db.clone(), s.integrations.clock().clone()).backfill(s.maria.company_id, s.rust).await.unwrap_err(),
            sync::ExportsError::Conflict("Add the role's ATS configuration first.")
        );
        // Meanwhile the candidate moved on to screening in the marketplace.
        s.market.move_candidate(&s.maria, request, MarketplaceStage::Screening.as_str()).await.unwrap();
        s.map_rust().await;
        let queued = sync::Exports::new(db.clone(), s.integrations.clock().clone()).backfill(s.maria.company_id, s.rust).await.unwrap();
        assert_eq!(queued, 1);
        s.wait_for(request, ExportState::Done).await;
        s.assert_exported_once(&email, 8);
        let stage = s.sandbox.read(|w| {
            w.account("northwind").unwrap().candidates.iter().find(|c| c.email == email).unwrap().stage_slug.clone()
        });
        assert_eq!(stage, "phone-screen", "created at the stage mapped to where they are now");
        // Another company cannot back-fill Northwind's role.
        let hank = db.find_user_by_email(&Email::parse(DEMO_LOGINS[2].email).unwrap()).await.unwrap().unwrap();
        assert_eq!(sync::Exports::new(db.clone(), s.integrations.clock().clone()).backfill(hank.company_id, s.rust).await.unwrap_err(), sync::ExportsError::NotFound);
    }
}

test_on_both_databases! {
    async fn a_failed_export_says_why_and_retry_finishes_it(db: Db) {
        let s = setup(&db).await;
        s.map_rust().await;
        // The job is closed in Workable after mapping: the export stops with the reason.
        assert!(s.sandbox.set_job_state("northwind", RUST_JOB, "archived"));
        let (_stop, _worker) = s.start();
        let (request, email) = s.acceptance(9).await;
        s.wait_for(request, ExportState::Failed).await;
        let export = db.export_by_request(s.maria.company_id, request).await.unwrap().unwrap();
        assert!(export.last_error.clone().unwrap().contains("archived"), "{:?}", export.last_error);
        assert!(s.in_workable(&email).is_empty());

        assert!(s.sandbox.set_job_state("northwind", RUST_JOB, "published"));
        sync::Exports::new(db.clone(), s.integrations.clock().clone()).retry(s.maria.company_id, export.id).await.unwrap();
        s.wait_for(request, ExportState::Done).await;
        s.assert_exported_once(&email, 9);
    }
}

test_on_both_databases! {
    async fn several_workers_on_one_database_export_each_acceptance_once(db: Db) {
        let s = setup(&db).await;
        s.map_rust().await;
        // The limit lifted, so the workers really race each other.
        s.sandbox.set_faults(Faults { rate_limit_override: Some(10_000), ..Faults::default() });
        let workers: Vec<_> = (0..4).map(|_| s.start()).collect();
        let mut accepted = Vec::new();
        for n in 100..124 {
            accepted.push((n, s.acceptance(n).await));
        }
        for (_, (request, _)) in &accepted {
            s.wait_for(*request, ExportState::Done).await;
        }
        for (n, (_, email)) in &accepted {
            s.assert_exported_once(email, *n);
        }
        assert_eq!(s.calls("POST", &format!("/jobs/{RUST_JOB}/candidates")), accepted.len(), "one create per acceptance");
        assert_eq!(s.calls("POST", "/comments"), accepted.len(), "one profile per acceptance");
        drop(workers);
    }
}

test_on_both_databases! {
    async fn steady_traffic_stays_within_the_limit_and_never_sees_a_429(db: Db) {
        let s = setup(&db).await;
        s.map_rust().await;
        let limit = 12;
        s.sandbox.set_faults(Faults { rate_limit_override: Some(limit), ..Faults::default() });
        let since = s.sandbox.request_log().len();
        let (_stop, _worker) = s.start();
        let mut accepted = Vec::new();
        for n in 200..215 {
            accepted.push((n, s.acceptance(n).await));
        }
        for (_, (request, _)) in &accepted {
            s.wait_for(*request, ExportState::Done).await;
        }
        for (n, (_, email)) in &accepted {
            s.assert_exported_once(email, *n);
        }
        let log = s.sandbox.request_log();
        let mut per_window = std::collections::BTreeMap::<i64, u32>::new();
        for r in &log[since..] {
            *per_window.entry(r.at_ms / 10_000).or_default() += 1;
        }
        assert!(per_window.values().all(|n| *n <= limit), "a window over the limit: {per_window:?}");
        assert_eq!(log[since..].iter().filter(|r| r.status == 429).count(), 0, "no 429");
        assert!(per_window.len() >= 3, "the run spanned several windows: {per_window:?}");
    }
}

test_on_both_databases! {
    async fn an_export_that_stops_retrying_says_it_waits_for_retry(db: Db) {
        let s = setup(&db).await;
        s.map_rust().await;
        // Workable down for good: every attempt says it tries again, until the last one.
        s.sandbox.set_faults(Faults { error_rate: 1.0, ..Faults::default() });
        let (request, _) = s.acceptance(4).await;
        s.drain().await;
        assert_eq!(s.export_state(request).await, Some(ExportState::Failed));
        let export = db.export_by_request(s.maria.company_id, request).await.unwrap().unwrap();
        let why = export.last_error.clone().unwrap();
        assert!(why.contains("did not answer") && why.contains("Stopped after 12 attempts: Retry sends it again."), "{why}");
        assert!(!why.contains("rying again"), "{why}");
        let ledger = db.ledger(export.id).await.unwrap();
        let retrying: Vec<_> = ledger.iter().filter(|e| e.step == "retrying").collect();
        assert_eq!(retrying.len(), 11);
        assert!(retrying.iter().all(|e| e.detail.ends_with("Trying again.")), "{retrying:?}");
        assert_eq!(ledger.last().unwrap().step, "failed");
    }
}

test_on_both_databases! {
    async fn one_person_accepted_for_two_roles_on_one_job_lands_there_once_even_if_workable_would_duplicate(db: Db) {
        let s = setup(&db).await;
        s.map_rust().await;
        let other = s.mapped_role("Rust Engineer (second role, same job)", RUST_JOB).await;
        // Workable lets a second candidate with the same email in (its real answer is unverified),
        // answers slowly, and the workers race with the limit lifted.
        s.sandbox.set_faults(Faults {
            duplicates_allowed: true,
            latency_ms: 150,
            rate_limit_override: Some(10_000),
            ..Faults::default()
        });
        let (first, email) = s.acceptance(40).await;
        let pipeline = db.list_pipeline(s.maria.company_id, s.rust).await.unwrap();
        let candidate = pipeline.iter().find(|e| e.request_id == first).unwrap().candidate_id;
        let second = db.insert_request(s.maria.company_id, other, candidate, Some(s.maria.user_id)).await.unwrap();
        s.market.accept_on_behalf(&s.maria, second).await.unwrap();
        let workers: Vec<_> = (0..3).map(|_| s.start()).collect();
        s.wait_for(first, ExportState::Done).await;
        s.wait_for(second, ExportState::Done).await;
        drop(workers);
        assert_eq!(s.in_workable(&email).len(), 1, "one Workable candidate for the person");
        assert_eq!(s.calls("POST", &format!("/jobs/{RUST_JOB}/candidates")), 1, "created once, linked once");
        let mut linked = Vec::new();
        for request in [first, second] {
            linked.push(db.export_by_request(s.maria.company_id, request).await.unwrap().unwrap().linked_existing);
        }
        assert_eq!(linked.iter().filter(|l| **l).count(), 1, "{linked:?}");
    }
}
