//! Workable → marketplace against the sandbox, on both databases: moves, disqualifications and
//! reverts come back through the mapping read backwards; our own moves do not echo; duplicated,
//! reordered and lost webhooks (reconciliation) all settle on Workable's latest state; forged and
//! malformed deliveries are refused and recorded without their body; when both sides moved the
//! later wins; interviews reach the Workable timeline.

mod common;

use std::time::{Duration, Instant};

use common::{RUST_JOB, Setup, setup};
use domain::Actor;
use domain::export::ExportState;
use domain::{MarketplaceStage, RequestId};
use storage::test_on_both_databases;
use storage::testing::eventually;
use workable_sandbox::{Faults, seed};

async fn workable_id(s: &Setup, request: RequestId) -> String {
    s.db.export_by_request(s.maria.company_id, request).await.unwrap().unwrap().workable_candidate_id.unwrap()
}

async fn stage(s: &Setup, request: RequestId) -> MarketplaceStage {
    let export = s.db.export_by_request(s.maria.company_id, request).await.unwrap().unwrap();
    s.db.export_context(&export).await.unwrap().stage
}

async fn wait_stage(s: &Setup, request: RequestId, want: MarketplaceStage) {
    eventually(Duration::from_secs(30), || async move {
        match stage(s, request).await {
            now if now == want => Ok(()),
            now => Err(format!("still {now:?}, waiting for {want:?}; ledger: {:?}", ledger(s, request).await)),
        }
    })
    .await
}

async fn ledger(s: &Setup, request: RequestId) -> Vec<String> {
    let export = s.db.export_by_request(s.maria.company_id, request).await.unwrap().unwrap();
    s.db.ledger(export.id).await.unwrap().into_iter().map(|e| format!("{}: {}", e.step, e.detail)).collect()
}

/// Waits until the sandbox has delivered every webhook and the queue is empty, and both stay so
/// for a moment (a delivery in flight is in neither).
async fn settle(s: &Setup) {
    let quiet_since = std::cell::Cell::new(None::<Instant>);
    eventually(Duration::from_secs(30), || async {
        let counts = s.db.work_counts().await.unwrap();
        let busy = counts.iter().any(|(state, n)| (state == "queued" || state == "running") && *n > 0);
        if s.sandbox.pending_webhooks() == 0 && !busy {
            let since = quiet_since.get().unwrap_or_else(Instant::now);
            quiet_since.set(Some(since));
            if since.elapsed() > QUIET {
                return Ok(());
            }
        } else {
            quiet_since.set(None);
        }
        Err(format!("not settled: {counts:?}, {} webhooks pending", s.sandbox.pending_webhooks()))
    })
    .await
}

/// How long nothing may be queued or pending before a scenario counts as settled: a delivery
/// the sandbox has sent but the receiver has not queued yet is in neither.
const QUIET: Duration = Duration::from_millis(250);

/// Waits until a reconciliation run later than `before` is recorded on the connection.
async fn reconciled_after(s: &Setup, before: Option<i64>) {
    eventually(Duration::from_secs(30), || async {
        let at = s.db.connection(s.maria.company_id).await.unwrap().unwrap().reconciled_at;
        if at != before { Ok(()) } else { Err("no reconciliation run recorded".to_owned()) }
    })
    .await
}

/// Waits until Workable's webhook about the export's candidate is queued.
async fn change_queued(s: &Setup, export: &storage::ExportRecord) {
    eventually(Duration::from_secs(10), || async {
        let queued = s.db.work_pending(domain::WorkKind::WorkableChange, export.id.0).await.unwrap();
        if queued { Ok(()) } else { Err("the webhook was not queued".to_owned()) }
    })
    .await
}

async fn exported(s: &Setup, n: usize) -> (RequestId, String) {
    let (request, _) = s.acceptance(n).await;
    s.wait_for(request, ExportState::Done).await;
    let id = workable_id(s, request).await;
    (request, id)
}

fn sign(key: &str, body: &[u8]) -> String {
    workable::webhook::sign(key.as_bytes(), body)
}

async fn stop(worker: (tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<()>)) {
    let _ = worker.0.send(());
    worker.1.await.unwrap();
}

test_on_both_databases! {
    async fn workable_moves_come_back_through_the_mapping_read_backwards(db: Db) {
        let s = setup(&db).await;
        s.map_rust().await;
        // The first mapping subscribed the connection to Workable's candidate events.
        let connection = s.db.connection(s.maria.company_id).await.unwrap().unwrap();
        assert_eq!(connection.webhook_subscriptions.len(), 3);
        let token = connection.webhook_token.clone().unwrap();
        let targets: Vec<String> = s.sandbox.read(|w| w.account("northwind").unwrap().subscriptions.iter().map(|s| s.target.clone()).collect());
        assert!(targets.iter().all(|t| t.starts_with(&format!("{}/webhooks/workable/{token}/", s.public_url))), "{targets:?}");

        let _worker = s.start();
        let (request, id) = exported(&s, 1).await;
        let person = |stage: &str| s.sandbox.person_moves("northwind", &id, stage).unwrap();

        // Interview is mapped from Final interview only.
        person("interview");
        wait_stage(&s, request, MarketplaceStage::FinalInterview).await;
        // A stage of kind hired is Hired, mapped or not.
        person("hired");
        wait_stage(&s, request, MarketplaceStage::Hired).await;
        person("phone-screen");
        wait_stage(&s, request, MarketplaceStage::Screening).await;
        // A stage no marketplace stage maps to: the marketplace stays, the ledger says why.
        person("assessment");
        settle(&s).await;
        assert_eq!(stage(&s, request).await, MarketplaceStage::Screening);
        assert!(ledger(&s, request).await.iter().any(|l| l.contains("“Assessment”") && l.contains("no marketplace stage is mapped")));
        // Disqualified → Rejected; reverted → back where Workable has them; withdrew → Withdrawn.
        person("phone-screen");
        wait_stage(&s, request, MarketplaceStage::Screening).await;
        s.sandbox.person_disqualifies("northwind", &id, false).unwrap();
        wait_stage(&s, request, MarketplaceStage::Rejected).await;
        s.sandbox.person_reverts("northwind", &id).unwrap();
        wait_stage(&s, request, MarketplaceStage::Screening).await;
        s.sandbox.person_disqualifies("northwind", &id, true).unwrap();
        wait_stage(&s, request, MarketplaceStage::Withdrawn).await;
        settle(&s).await;

        // Every move is recorded as Workable's (nobody of ours), and none went back to Workable.
        let history = s.db.stage_history(s.maria.company_id, request).await.unwrap();
        assert!(history.iter().skip(1).all(|m| m.moved_by.as_deref() == Some("Workable")), "{history:?}");
        assert_eq!(s.calls("POST", "/move") + s.calls("POST", "/disqualify") + s.calls("POST", "/revert"), 0);
        let lines = ledger(&s, request).await;
        assert!(lines.iter().any(|l| l.contains("Withdrawn in Workable (webhook): moved to Withdrawn")), "{lines:?}");
    }
}

test_on_both_databases! {
    async fn our_own_moves_do_not_come_back_as_marketplace_changes(db: Db) {
        let s = setup(&db).await;
        s.map_rust().await;
        let _worker = s.start();
        let (request, _) = exported(&s, 1).await;
        for to in [MarketplaceStage::Screening, MarketplaceStage::FinalInterview, MarketplaceStage::Rejected, MarketplaceStage::Screening] {
            s.market.move_candidate(&s.maria, request, to.as_str()).await.unwrap();
            settle(&s).await;
            assert_eq!(stage(&s, request).await, to);
        }
        // Four moves in Workable, each echoed by a webhook: no marketplace move came of them.
        let history = s.db.stage_history(s.maria.company_id, request).await.unwrap();
        assert_eq!(history.len(), 5, "{history:?}");
        assert!(history.iter().skip(1).all(|m| m.moved_by.as_deref() == Some("Maria Keller")), "{history:?}");
        let deliveries = s.db.webhook_deliveries(Some(s.maria.company_id)).await.unwrap();
        assert!(deliveries.iter().filter(|(o, _)| o == "accepted").count() >= 4, "{deliveries:?}");
        let lines = ledger(&s, request).await;
        assert!(!lines.iter().any(|l| l.starts_with("from_workable")), "{lines:#?}");
    }
}

test_on_both_databases! {
    async fn duplicated_and_reordered_deliveries_settle_on_workables_latest_state(db: Db) {
        let s = setup(&db).await;
        s.map_rust().await;
        let _worker = s.start();
        let (request, id) = exported(&s, 1).await;
        s.sandbox.set_faults(Faults { webhooks_paused: true, ..Faults::default() });
        for to in ["interview", "phone-screen", "hired"] {
            s.sandbox.person_moves("northwind", &id, to).unwrap();
        }
        // Delivered newest first, each twice; every payload now shows the same (latest) state.
        s.sandbox.set_faults(Faults { webhooks_duplicate: true, webhooks_reorder: true, ..Faults::default() });
        settle(&s).await;
        assert_eq!(stage(&s, request).await, MarketplaceStage::Hired);
        let deliveries = s.db.webhook_deliveries(Some(s.maria.company_id)).await.unwrap();
        assert!(deliveries.iter().any(|(o, _)| o == "replayed"), "{deliveries:?}");
        // Read back once per distinct delivery at most, and the marketplace moved once.
        let moves = s.db.stage_history(s.maria.company_id, request).await.unwrap();
        assert_eq!(moves.len(), 2, "{moves:?}");
        assert!(s.calls("GET", &format!("/candidates/{id}")) <= 3);
    }
}

test_on_both_databases! {
    async fn reconciliation_corrects_what_a_lost_webhook_missed(db: Db) {
        let s = setup(&db).await;
        s.map_rust().await;
        let _worker = s.start();
        let (first, first_id) = exported(&s, 1).await;
        let (second, _) = exported(&s, 2).await;
        s.sandbox.set_faults(Faults { webhooks_dropped: true, ..Faults::default() });
        s.sandbox.person_moves("northwind", &first_id, "interview").unwrap();
        settle(&s).await;
        assert_eq!(stage(&s, first).await, MarketplaceStage::Accepted, "no webhook, no change yet");

        let engine = s.engine();
        assert_eq!(engine.schedule_reconciliations(Duration::ZERO).await.unwrap(), 1);
        wait_stage(&s, first, MarketplaceStage::FinalInterview).await;
        settle(&s).await;
        assert_eq!(stage(&s, second).await, MarketplaceStage::Accepted);
        let connection = s.db.connection(s.maria.company_id).await.unwrap().unwrap();
        assert_eq!(connection.reconcile_corrections, Some(1));
        assert!(connection.reconciled_at.is_some() && connection.reconcile_watermark.is_some());
        assert!(ledger(&s, first).await.iter().any(|l| l.contains("Moved to “Interview” in Workable (reconciliation)")));
        let card = s.integrations.card(&s.maria).await.unwrap();
        assert_eq!(card.last_reconciliation_corrections, Some(1));
        assert!(card.webhooks_active);

        // The next run reads from the watermark on, within the limit, and finds nothing to fix.
        let reads_before = s.calls("GET", "/candidates");
        engine.schedule_reconciliations(Duration::ZERO).await.unwrap();
        reconciled_after(&s, connection.reconciled_at).await;
        assert_eq!(s.db.connection(s.maria.company_id).await.unwrap().unwrap().reconcile_corrections, Some(0));
        assert_eq!(s.calls("GET", "/candidates"), reads_before + 1, "one page for the one mapped job");

        // A subscription deleted in Workable (or expired) is made again by the next run.
        let subscriptions = |s: &Setup| s.sandbox.read(|w| w.account("northwind").unwrap().subscriptions.iter().map(|s| s.target.clone()).collect::<Vec<_>>());
        s.sandbox.write(|w| w.account_mut("northwind").unwrap().subscriptions.retain(|s| !s.target.ends_with("/candidate_moved")));
        assert_eq!(subscriptions(&s).len(), 2);
        let before = s.db.connection(s.maria.company_id).await.unwrap().unwrap().reconciled_at;
        engine.schedule_reconciliations(Duration::ZERO).await.unwrap();
        reconciled_after(&s, before).await;
        let now = subscriptions(&s);
        assert_eq!(now.len(), 3, "{now:?}");
        assert!(now.iter().any(|t| t.ends_with("/candidate_moved")));
        assert_eq!(s.db.connection(s.maria.company_id).await.unwrap().unwrap().webhook_subscriptions.len(), 3);
    }
}

test_on_both_databases! {
    async fn bad_deliveries_are_refused_and_recorded_without_their_body(db: Db) {
        let s = setup(&db).await;
        s.map_rust().await;
        let _worker = s.start();
        let (request, id) = exported(&s, 1).await;
        settle(&s).await;
        let token = s.db.connection(s.maria.company_id).await.unwrap().unwrap().webhook_token.unwrap();
        let url = format!("{}/webhooks/workable/{token}/candidate_moved", s.public_url);
        let http = reqwest::Client::new();
        let post = |url: String, body: Vec<u8>, signature: Option<String>| {
            let http = http.clone();
            async move {
                let mut request = http.post(url).header("content-type", "application/json").body(body);
                if let Some(signature) = signature {
                    request = request.header(workable::webhook::SIGNATURE_HEADER, signature);
                }
                request.send().await.unwrap().status().as_u16()
            }
        };
        // Claims they are at Interview; Workable says otherwise, and the job reads Workable.
        let body = serde_json::json!({
            "id": id, "resource_type": "candidate", "event_type": "candidate_moved", "fired_at": "2026-11-27T10:00:00Z",
            "data": { "id": id, "stage": "Interview", "disqualified": false, "job": { "shortcode": RUST_JOB } }
        })
        .to_string()
        .into_bytes();
        let good = sign(seed::NORTHWIND_TOKEN, &body);

        assert_eq!(post(url.clone(), body.clone(), None).await, 401, "unsigned");
        assert_eq!(post(url.clone(), body.clone(), Some(sign("not-the-key", &body))).await, 401, "forged");
        assert_eq!(post(url.clone(), body.clone(), Some("zz".into())).await, 401, "not hex");
        assert_eq!(post(url.clone(), b"{not json".to_vec(), Some(sign(seed::NORTHWIND_TOKEN, b"{not json"))).await, 400);
        let unknown = format!("{}/webhooks/workable/{}/candidate_moved", s.public_url, "ab".repeat(32));
        assert_eq!(post(unknown, body.clone(), Some(good.clone())).await, 404);
        settle(&s).await;
        assert_eq!(stage(&s, request).await, MarketplaceStage::Accepted);
        // The card says signatures are failing: three refused since the last accepted delivery.
        let card = s.integrations.card(&s.maria).await.unwrap();
        assert_eq!(card.webhooks_refused.map(|(n, _)| n), Some(3), "{card:?}");

        // Signed and well-formed: accepted, read back (Workable still has them at Sourced).
        let reads = s.calls("GET", &format!("/candidates/{id}"));
        assert_eq!(post(url.clone(), body.clone(), Some(good.clone())).await, 200);
        settle(&s).await;
        assert_eq!(s.calls("GET", &format!("/candidates/{id}")), reads + 1);
        assert_eq!(stage(&s, request).await, MarketplaceStage::Accepted);
        assert_eq!(s.integrations.card(&s.maria).await.unwrap().webhooks_refused, None, "heard since");
        // The same delivery again is a no-op.
        assert_eq!(post(url.clone(), body.clone(), Some(good)).await, 200);
        settle(&s).await;
        assert_eq!(s.calls("GET", &format!("/candidates/{id}")), reads + 1);
        // A candidate we never exported (a job no role maps to): accepted and ignored.
        let stranger = serde_json::json!({ "event_type": "candidate_moved", "data": { "id": "ffff0001", "stage": "Applied" } }).to_string().into_bytes();
        assert_eq!(post(url.clone(), stranger.clone(), Some(sign(seed::NORTHWIND_TOKEN, &stranger))).await, 200);

        let ours: Vec<String> = s.db.webhook_deliveries(Some(s.maria.company_id)).await.unwrap().into_iter().map(|(o, _)| o).collect();
        for outcome in ["unsigned", "forged", "malformed", "accepted", "replayed", "ignored"] {
            assert!(ours.iter().any(|o| o == outcome), "{outcome} in {ours:?}");
        }
        let nobody: Vec<String> = s.db.webhook_deliveries(None).await.unwrap().into_iter().map(|(o, _)| o).collect();
        // (An oversized body is refused by the server's route before the receiver: `server/tests`.)
        assert!(nobody.contains(&"unknown_connection".to_owned()), "{nobody:?}");
        let columns = s.db.webhook_delivery_columns().await.unwrap();
        // Read from a stored row (the deliveries above), so the list cannot be empty.
        assert!(columns.iter().any(|c| c == "body_sha256") && columns.iter().any(|c| c == "outcome"), "{columns:?}");
        assert!(!columns.iter().any(|c| c.contains("body") && c != "body_sha256"), "{columns:?}");
        // Old records are pruned (the server does it hourly, after 30 days).
        assert_eq!(s.db.prune_webhook_deliveries(0).await.unwrap(), 0);
        assert!(s.db.prune_webhook_deliveries(storage::now_ms() + 1).await.unwrap() >= 7);
        assert!(s.db.webhook_deliveries(Some(s.maria.company_id)).await.unwrap().is_empty());
    }
}

test_on_both_databases! {
    async fn when_both_sides_moved_the_later_move_wins_and_the_ledger_says_both(db: Db) {
        // Which move is later compares Workable's times with the marketplace's: one clock
        // stamps both, and the test moves it on instead of waiting.
        let s = setup(&db).await;
        s.map_rust().await;
        let worker = s.start();
        let (request, id) = exported(&s, 1).await;
        settle(&s).await;
        stop(worker).await;

        // The marketplace moves first, Workable later (two seconds on: Workable's times are in
        // whole seconds).
        s.market.move_candidate(&s.maria, request, MarketplaceStage::Screening.as_str()).await.unwrap();
        s.advance(Duration::from_secs(2));
        s.sandbox.person_moves("northwind", &id, "interview").unwrap();
        let export = s.db.export_by_request(s.maria.company_id, request).await.unwrap().unwrap();
        change_queued(&s, &export).await;
        let worker = s.start();
        wait_stage(&s, request, MarketplaceStage::FinalInterview).await;
        settle(&s).await;
        assert_eq!(stage(&s, request).await, MarketplaceStage::FinalInterview);
        assert_eq!(s.calls("POST", "/move"), 0, "Workable's later move stands");
        let lines = ledger(&s, request).await;
        assert!(lines.iter().any(|l| l.contains("Both sides changed") && l.contains("Workable's, wins")), "{lines:?}");
        stop(worker).await;

        // Now Workable first, the marketplace later.
        s.sandbox.person_moves("northwind", &id, "phone-screen").unwrap();
        s.advance(Duration::from_secs(2));
        s.market.move_candidate(&s.maria, request, MarketplaceStage::Rejected.as_str()).await.unwrap();
        change_queued(&s, &export).await;
        let _worker = s.start();
        settle(&s).await;
        assert_eq!(stage(&s, request).await, MarketplaceStage::Rejected);
        let disqualified = s.sandbox.read(|w| w.account("northwind").unwrap().candidates.iter().find(|c| c.id == id).unwrap().disqualified);
        assert!(disqualified, "the marketplace's later move went to Workable");
        let lines = ledger(&s, request).await;
        assert!(lines.iter().any(|l| l.contains("Both sides changed") && l.contains("the marketplace's, wins")), "{lines:?}");
    }
}

test_on_both_databases! {
    async fn interviews_reach_the_workable_timeline_and_their_moves_follow(db: Db) {
        let s = setup(&db).await;
        s.map_rust().await;
        let _worker = s.start();
        let (request, id) = exported(&s, 1).await;
        let market = &s.market;
        let interview = market.schedule_interview(&s.maria, request, "technical", "2026-12-03T14:30", 60, "Dana Kim").await.unwrap();
        settle(&s).await;
        market.reschedule_interview(&s.maria, interview, "technical", "2026-12-04T09:00", 45, "Dana Kim").await.unwrap();
        settle(&s).await;
        let comments: Vec<String> = s.sandbox.read(|w| {
            w.account("northwind").unwrap().candidates.iter().find(|c| c.id == id).unwrap().comments.iter().map(|c| c.body.clone()).collect()
        });
        let interviews: Vec<&String> = comments.iter().filter(|c| c.starts_with("Interview")).collect();
        assert_eq!(interviews.len(), 2, "{comments:?}");
        assert!(interviews[0].contains("Technical interview: Thu 3 Dec 2026, 14:30 UTC (60 min), with Dana Kim."), "{interviews:?}");
        assert!(interviews[1].contains("moved") && interviews[1].contains("(was Thu 3 Dec 2026, 14:30 UTC)") && interviews[1].contains("Fri 4 Dec 2026, 09:00 UTC (45 min)"), "{interviews:?}");
        let record = s.db.interview(s.maria.company_id, interview).await.unwrap().unwrap();
        assert!(record.view(&clock::Zone::utc()).in_workable);
        // Another company cannot touch it.
        let other = Actor { company_id: domain::CompanyId(s.maria.company_id.0 + 1), ..s.maria.clone() };
        assert!(market.reschedule_interview(&other, interview, "technical", "2026-12-03T14:30", 60, "Dana Kim").await.is_err());
        assert!(market.cancel_interview(&other, interview).await.is_err());
        assert!(market.schedule_interview(&other, request, "technical", "2026-12-03T14:30", 60, "Dana Kim").await.is_err());

        // Cancelled: the timeline says so, once; a cancelled interview is not moved any more.
        market.cancel_interview(&s.maria, interview).await.unwrap();
        settle(&s).await;
        assert!(market.cancel_interview(&s.maria, interview).await.is_err());
        assert!(market.reschedule_interview(&s.maria, interview, "technical", "2026-12-03T14:30", 60, "Dana Kim").await.is_err());
        let comments: Vec<String> = s.sandbox.read(|w| {
            w.account("northwind").unwrap().candidates.iter().find(|c| c.id == id).unwrap().comments.iter().map(|c| c.body.clone()).collect()
        });
        let last = comments.last().unwrap();
        assert!(last.starts_with("Interview cancelled on the marketplace — Technical interview: Fri 4 Dec 2026, 09:00 UTC"), "{comments:?}");
        let view = s.db.interview(s.maria.company_id, interview).await.unwrap().unwrap().view(&clock::Zone::utc());
        assert!(view.cancelled && view.in_workable);

        // In New York: entered and shown in Eastern time; the timeline gives both zones.
        market.set_time_zone(&s.maria, "America/New_York").await.unwrap();
        let next = market.schedule_interview(&s.maria, request, "phone_screen", "2026-12-07T09:30", 30, "Dana Kim").await.unwrap();
        settle(&s).await;
        let comments: Vec<String> = s.sandbox.read(|w| {
            w.account("northwind").unwrap().candidates.iter().find(|c| c.id == id).unwrap().comments.iter().map(|c| c.body.clone()).collect()
        });
        assert_eq!(
            comments.last().unwrap(),
            "Interview scheduled on the marketplace — Phone screen: Mon 7 Dec 2026, 09:30 EST (America/New_York) = 14:30 UTC (30 min), with Dana Kim.",
            "{comments:?}"
        );
        let pipeline = market.pipeline(&s.maria, s.rust).await.unwrap();
        assert_eq!(pipeline.time_zone, "America/New_York");
        let shown = pipeline.entries.iter().flat_map(|e| &e.interviews).find(|i| i.id == next).unwrap();
        assert_eq!((shown.starts.as_str(), shown.starts_field.as_str()), ("Mon 7 Dec 2026, 09:30 EST", "2026-12-07T09:30"));
        assert!(market.set_time_zone(&s.maria, "Mars/Olympus_Mons").await.is_err());
    }
}

test_on_both_databases! {
    async fn a_stranger_posting_garbage_cannot_fill_the_delivery_records(db: Db) {
        let s = setup(&db).await;
        // At the start of a minute of the shared clock, so the whole flood falls in one.
        let clock = s.integrations.clock();
        clock.advance(60_000 - clock.now_ms() % 60_000);
        let receiver = sync::webhooks::Receiver::new(s.db.clone(), s.integrations.clone());
        for n in 0..200 {
            let refused = receiver.receive(&format!("made-up-{n}"), None, b"{}").await.unwrap_err();
            assert_eq!(refused, sync::webhooks::Rejected::UnknownConnection);
        }
        let recorded = s.db.webhook_deliveries(None).await.unwrap().len();
        assert_eq!(recorded, sync::webhooks::REFUSALS_RECORDED_PER_MINUTE as usize, "the rest are only logged");
        // The next minute records again.
        clock.advance(60_000);
        receiver.receive("made-up", None, b"{}").await.unwrap_err();
        assert_eq!(s.db.webhook_deliveries(None).await.unwrap().len(), recorded + 1);
    }
}

test_on_both_databases! {
    async fn a_reconnect_with_another_key_replaces_the_webhook_subscriptions(db: Db) {
        let s = setup(&db).await;
        s.map_rust().await;
        let keys = || -> Vec<String> {
            s.sandbox.read(|w| w.account("northwind").unwrap().subscriptions.iter().map(|s| s.signing_key.clone()).collect())
        };
        assert_eq!(keys(), vec![seed::NORTHWIND_TOKEN.to_owned(); 3]);
        // A master reconnects with a new account token (the old one is being retired).
        const NEW_TOKEN: &str = "northwind-second-token";
        s.sandbox.write(|w| w.tokens.push(seed::account_token(NEW_TOKEN, "northwind", &seed::ALL_SCOPES, "second")));
        s.integrations.connect_with_api_token(&s.maria, "northwind", NEW_TOKEN, None).await.unwrap();
        // Workable now signs with the new key, once per event: nothing left signing with the old.
        assert_eq!(keys(), vec![NEW_TOKEN.to_owned(); 3]);
        assert_eq!(s.db.connection(s.maria.company_id).await.unwrap().unwrap().webhook_subscriptions.len(), 3);
        // And a delivery signed with it is accepted: a person's move reaches the marketplace.
        let _worker = s.start();
        let (request, id) = exported(&s, 1).await;
        settle(&s).await;
        s.sandbox.person_moves("northwind", &id, "interview").unwrap();
        wait_stage(&s, request, MarketplaceStage::FinalInterview).await;
        let refused = s.db.webhook_deliveries(Some(s.maria.company_id)).await.unwrap();
        assert!(refused.iter().all(|(outcome, _)| outcome != "forged"), "{refused:?}");
    }
}

test_on_both_databases! {
    async fn a_deleted_mapped_job_is_flagged_and_the_other_jobs_are_still_reconciled(db: Db) {
        let s = setup(&db).await;
        // The role under test maps to the Frontend job; another role maps to the Rust job, which
        // sorts first and is then deleted in Workable.
        const FRONTEND_JOB: &str = "NOR02FE02";
        s.integrations.save_configuration(&s.maria, s.rust, FRONTEND_JOB, &common::choices()).await.unwrap();
        let other = s.mapped_role("Rust Engineer (deleted job)", RUST_JOB).await;
        // The jobs' first read, which the mappings queued, is over before the round under test.
        s.drain().await;
        let first = s.db.connection(s.maria.company_id).await.unwrap().unwrap().reconciled_at;
        let _worker = s.start();
        let (request, id) = exported(&s, 1).await;
        s.sandbox.set_faults(Faults { webhooks_dropped: true, ..Faults::default() });
        s.sandbox.person_moves("northwind", &id, "interview").unwrap();
        assert!(s.sandbox.delete_job("northwind", RUST_JOB));
        settle(&s).await;

        let engine = s.engine();
        engine.schedule_reconciliations(Duration::ZERO).await.unwrap();
        wait_stage(&s, request, MarketplaceStage::FinalInterview).await;
        reconciled_after(&s, first).await;
        let connection = s.db.connection(s.maria.company_id).await.unwrap().unwrap();
        assert_eq!(connection.reconcile_error, None, "one job's 404 does not stop the pass");
        assert_eq!(connection.reconcile_corrections, Some(1));
        let flagged = s.db.configuration_for_role(s.maria.company_id, other).await.unwrap().unwrap();
        assert!(flagged.attention.iter().any(|p| p.contains("no longer exists")), "{:?}", flagged.attention);
        assert_eq!(flagged.job.state, domain::mapping::JobState::Deleted);
    }
}
