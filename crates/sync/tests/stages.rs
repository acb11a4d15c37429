//! Marketplace → Workable stage sync against the sandbox, on both databases: moves to mapped
//! stages, a blank mapping that changes nothing, rejected and withdrawn as disqualifications with
//! a reason, reverting before moving on, and a move made while the export is still pending.

mod common;

use std::time::Duration;

use common::{RUST_JOB, Setup, setup};
use domain::export::ExportState;
use domain::{MarketplaceStage, RequestId};
use storage::test_on_both_databases;
use storage::testing::eventually;
use workable_sandbox::Faults;

/// The sandbox's view of the candidate: stage slug, disqualified, withdrew.
fn in_workable(s: &Setup, email: &str) -> (String, bool, bool) {
    s.sandbox.read(|w| {
        let c = w
            .account("northwind")
            .unwrap()
            .candidates
            .iter()
            .find(|c| !c.deleted && c.job_shortcode == RUST_JOB && c.email == email)
            .unwrap()
            .clone();
        (c.stage_slug, c.disqualified, c.withdrew)
    })
}

async fn move_to(s: &Setup, request: RequestId, stage: MarketplaceStage) {
    s.market.move_candidate(&s.maria, request, stage.as_str()).await.unwrap();
}

/// Waits until the ledger has `lines` stage lines (each sync adds one).
async fn wait_for_stage_lines(s: &Setup, request: RequestId, lines: usize) -> Vec<String> {
    eventually(Duration::from_secs(60), || async {
        let export = s.db.export_by_request(s.maria.company_id, request).await.unwrap().unwrap();
        let ledger: Vec<String> =
            s.db.ledger(export.id).await.unwrap().into_iter().filter(|e| e.step == "stage").map(|e| e.detail).collect();
        if ledger.len() >= lines {
            return Ok(ledger);
        }
        // What is stuck, for a run that stalls.
        let queue = s.db.queue_rows().await.unwrap();
        Err(format!("only {ledger:?}; export {export:?}; queue {queue:?}"))
    })
    .await
}

/// Waits until the sandbox's candidate satisfies `done`.
async fn wait_in_workable(s: &Setup, email: &str, done: impl Fn(&(String, bool, bool)) -> bool) {
    eventually(Duration::from_secs(30), || async {
        let now = in_workable(s, email);
        if done(&now) { Ok(()) } else { Err(format!("still {now:?}")) }
    })
    .await
}

test_on_both_databases! {
    async fn marketplace_moves_follow_to_workable_through_the_mapping(db: Db) {
        let s = setup(&db).await;
        s.map_rust().await;
        let (_stop, _worker) = s.start();
        let (request, email) = s.acceptance(1).await;
        s.wait_for(request, ExportState::Done).await;
        assert_eq!(in_workable(&s, &email), ("sourced".into(), false, false));

        // Screening is mapped to the phone screen.
        move_to(&s, request, MarketplaceStage::Screening).await;
        let ledger = wait_for_stage_lines(&s, request, 1).await;
        assert_eq!(in_workable(&s, &email), ("phone-screen".into(), false, false));
        assert!(ledger[0].contains("Moved to “Phone Screen” in Workable"), "{ledger:?}");

        // Technical interview is blank: nothing changes in Workable, and the ledger says so.
        let moves_before = s.calls("POST", "/move");
        move_to(&s, request, MarketplaceStage::TechnicalInterview).await;
        let ledger = wait_for_stage_lines(&s, request, 2).await;
        assert!(ledger[1].contains("blank in the mapping"), "{ledger:?}");
        assert_eq!(s.calls("POST", "/move"), moves_before);
        assert_eq!(in_workable(&s, &email).0, "phone-screen");

        // Rejected disqualifies with a reason; moving back reverts first.
        move_to(&s, request, MarketplaceStage::Rejected).await;
        let ledger = wait_for_stage_lines(&s, request, 3).await;
        assert_eq!(in_workable(&s, &email), ("phone-screen".into(), true, false));
        assert!(ledger[2].starts_with("Disqualified in Workable (“"), "{ledger:?}");
        move_to(&s, request, MarketplaceStage::Screening).await;
        let ledger = wait_for_stage_lines(&s, request, 4).await;
        assert_eq!(in_workable(&s, &email), ("phone-screen".into(), false, false));
        assert!(ledger[3].starts_with("Disqualification reverted"), "{ledger:?}");
        // Once, or twice when the rate limit made the move wait after the revert: the retry
        // reverts again and takes Workable's 422 (not disqualified) as done.
        let reverts = s.calls("POST", "/revert");
        assert!((1..=2).contains(&reverts), "{reverts} reverts");

        // Withdrawn says the candidate withdrew.
        move_to(&s, request, MarketplaceStage::Withdrawn).await;
        wait_for_stage_lines(&s, request, 5).await;
        assert_eq!(in_workable(&s, &email), ("phone-screen".into(), true, true));
    }
}

test_on_both_databases! {
    async fn a_move_while_the_export_is_pending_waits_and_then_applies(db: Db) {
        let s = setup(&db).await;
        s.map_rust().await;
        // Slow answers keep the export in progress while the candidate is moved.
        s.sandbox.set_faults(Faults { latency_ms: 300, ..Faults::default() });
        let (_stop, _worker) = s.start();
        let (request, email) = s.acceptance(2).await;
        move_to(&s, request, MarketplaceStage::Screening).await;
        s.wait_for(request, ExportState::Done).await;
        wait_in_workable(&s, &email, |(stage, _, _)| stage == "phone-screen").await;
        s.assert_exported_once(&email, 2);
    }
}

test_on_both_databases! {
    async fn a_candidate_rejected_before_their_export_is_disqualified_once_created(db: Db) {
        let s = setup(&db).await;
        s.map_rust().await;
        // Rejected before any worker runs: the export creates them, the stage sync disqualifies.
        let (request, email) = s.acceptance(3).await;
        move_to(&s, request, MarketplaceStage::Rejected).await;
        let (_stop, _worker) = s.start();
        s.wait_for(request, ExportState::Done).await;
        wait_in_workable(&s, &email, |(_, disqualified, _)| *disqualified).await;
        let ledger = wait_for_stage_lines(&s, request, 1).await;
        assert!(ledger[0].starts_with("Disqualified in Workable"), "{ledger:?}");
        s.assert_exported_once(&email, 3);
    }
}

test_on_both_databases! {
    async fn a_revert_whose_answer_was_lost_is_not_done_twice_and_the_move_follows(db: Db) {
        let s = setup(&db).await;
        s.map_rust().await;
        // The job's first read (queued by the mapping) is done before the faults: its reads are
        // not the calls this test loses.
        s.drain().await;
        let (_stop, _worker) = s.start();
        let (request, email) = s.acceptance(4).await;
        s.wait_for(request, ExportState::Done).await;
        move_to(&s, request, MarketplaceStage::Rejected).await;
        wait_for_stage_lines(&s, request, 1).await;
        assert_eq!(in_workable(&s, &email), ("sourced".into(), true, false));
        // Workable reverts, and the answer is lost: the retry finds them reverted and moves on.
        s.sandbox.set_faults(Faults { lose_responses_after_commit: 1, ..Faults::default() });
        move_to(&s, request, MarketplaceStage::Screening).await;
        let ledger = wait_for_stage_lines(&s, request, 2).await;
        assert_eq!(in_workable(&s, &email), ("phone-screen".into(), false, false));
        assert!(ledger[1].starts_with("Disqualification reverted; moved to “Phone Screen”"), "{ledger:?}");
        // Workable reverted once (the call whose answer was lost); every later attempt found
        // them reverted (422) and went on — one more, or two when the rate limit put the move
        // off between the retry's revert and its move.
        let reverts: Vec<(u16, bool)> = s.sandbox.request_log().iter().filter(|r| r.method == "POST" && r.path.ends_with("/revert")).map(|r| (r.status, r.lost_after_commit)).collect();
        assert_eq!(reverts.iter().filter(|(status, lost)| *lost || *status < 300).count(), 1, "{reverts:?}");
        assert!(reverts.iter().skip(1).all(|(status, _)| *status == 422), "{reverts:?}");
    }
}
