//! The export engine on Lever, against the Lever sandbox, on both databases: Northwind connects
//! Lever with its API key, a role is mapped through the wizard to a posting, and each acceptance
//! lands as exactly one opportunity on that posting with the CV as its resume and the profile as a
//! file — through lost answers, server errors, a person already on the posting, and a key deleted
//! in Lever. What landed is checked through Lever's API, as a person's tool would see it.

mod common;

use std::time::Duration;

use common::{acceptance, settings};
use domain::export::ExportState;
use domain::{Email, MarketplaceStage, RequestId, RoleId};
use integrations::{Actor, Integrations, TokenCipher};
use lever::{Credential, LeverClient, Opportunity, PostingId};
use lever_sandbox::{Faults, LeverSandbox, seed};
use marketplace::Marketplace;
use marketplace::demo::{DEMO_LOGINS, seed_if_empty};
use storage::Db;
use storage::test_on_both_databases;
use storage::testing::eventually;
use sync::Engine;

struct Setup {
    db: Db,
    sandbox: LeverSandbox,
    lever: LeverClient,
    integrations: Integrations,
    market: Marketplace,
    maria: Actor,
    rust: RoleId,
    posting: PostingId,
}

/// The server's Lever webhook route, reduced to what the engine's receiver needs.
fn receiver(db: Db, integrations: Integrations) -> axum::Router {
    use axum::extract::{Path, State};
    use axum::http::StatusCode;
    async fn deliver(
        State(receiver): State<sync::webhooks::Receiver>,
        Path(token): Path<String>,
        body: axum::body::Bytes,
    ) -> StatusCode {
        match receiver.receive_lever(&token, &body).await {
            Ok(_) => StatusCode::OK,
            Err(rejected) => StatusCode::from_u16(rejected.status()).unwrap(),
        }
    }
    axum::Router::new()
        .route(integrations::LEVER_WEBHOOK_ROUTE, axum::routing::post(deliver))
        .with_state(sync::webhooks::Receiver::new(db, integrations))
}

/// Where Lever's authorisation page sends the browser back (registered with the sandbox's client).
const CALLBACK: &str = "http://127.0.0.1:3000/integrations/lever/callback";

/// *Connect* under Lever through Lever's authorisation page (Northwind's super admin accepts),
/// acting as the user preselected.
async fn connect_with_oauth(integrations: &Integrations, master: &Actor) {
    let authorization = integrations.begin_lever_oauth(master).await.unwrap();
    let callback = lever_sandbox::consent(&authorization.url, seed::NORTHWIND, "allow", None).await.unwrap();
    let code = callback.iter().find(|(k, _)| k == "code").map(|(_, v)| v.clone()).unwrap();
    let pending = integrations.complete_lever_oauth(master, &code).await.unwrap();
    let users = integrations.lever_pending_users(master, &pending).await.unwrap();
    integrations.finish_lever(master, &pending, &users[0].id).await.unwrap();
}

/// *Connect* under Lever with `key`, acting as the user preselected.
async fn connect(integrations: &Integrations, master: &Actor, key: &str) {
    let pending = integrations.begin_lever_key(master, key).await.unwrap();
    let users = integrations.lever_pending_users(master, &pending).await.unwrap();
    integrations.finish_lever(master, &pending, &users[0].id).await.unwrap();
}

async fn setup(db: &Db) -> Setup {
    let _ = tracing_subscriber::fmt().with_env_filter("info,sqlx=warn").with_test_writer().try_init();
    seed_if_empty(db).await.unwrap();
    let clock = workable::Clock::system();
    let sandbox = LeverSandbox::new(seed::seed(vec![CALLBACK.to_owned()]), None, clock.clone());
    let (base, _) = sandbox.serve(0).await.unwrap();
    sandbox.start_webhook_delivery();
    let lever = LeverClient::new(lever::Endpoints::local(&base));
    // Workable is not connected in these scenarios: its client points nowhere.
    let workable = workable::WorkableClient::new(workable::Endpoints::sandbox("http://127.0.0.1:9"));
    // The webhook endpoint as the server mounts it, on a port of its own (the public address).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let public_url = format!("http://{}", listener.local_addr().unwrap());
    let app = lever::oauth::OAuthApp {
        client_id: seed::CLIENT_ID.into(),
        client_secret: seed::CLIENT_SECRET.to_owned().into(),
        redirect_uri: CALLBACK.into(),
    };
    let integrations = Integrations::new(db.clone(), workable, None, TokenCipher::generate().0)
        .with_lever(lever.clone())
        .with_lever_oauth(Some(app))
        .with_public_url(public_url)
        .with_source_domain(Some(workable::SourceDomain::parse("127.0.0.1").unwrap()))
        .with_clock(clock.clone());
    tokio::spawn(axum::serve(listener, receiver(db.clone(), integrations.clone())).into_future());
    let market = Marketplace::new(db.clone(), true, clock);
    let user = db.find_user_by_email(&Email::parse(DEMO_LOGINS[0].email).unwrap()).await.unwrap().unwrap();
    let maria = Actor::from(&user);
    connect(&integrations, &maria, seed::NORTHWIND_KEY).await;
    let rust = db
        .insert_role(
            maria.company_id,
            &domain::RoleTitle::parse("Senior Rust Engineer").unwrap(),
            &domain::Location::parse("London").unwrap(),
            domain::RoleStatus::Live,
        )
        .await
        .unwrap();
    // The wizard: the posting it suggests for the role's title, and the table it proposes.
    let jobs = integrations.job_choices(&maria, rust, None).await.unwrap();
    let posting = jobs.preselected.clone().expect("the wizard suggests the posting of the same title");
    let table = integrations.mapping_table(&maria, rust, &posting, None).await.unwrap();
    integrations.save_configuration(&maria, rust, &posting, &table.choices()).await.unwrap();
    let posting = PostingId::parse(&posting).unwrap();
    Setup { db: db.clone(), sandbox, lever, integrations, market, maria, rust, posting }
}

impl Setup {
    fn engine(&self) -> Engine {
        Engine::new(self.db.clone(), self.integrations.clone(), settings())
    }

    /// A worker running until the sender is used or dropped (or the handle aborted: killed).
    fn start(&self) -> (tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        (
            stop,
            tokio::spawn(self.engine().run(async move {
                let _ = stopped.await;
            })),
        )
    }

    /// Does the work there is now.
    async fn drain(&self) {
        self.engine().run_until_idle().await.unwrap();
    }

    /// Does the work there is, again while the export waits for its time (Lever's bucket and
    /// the back-offs go by the system's clock here), until it is done, paused or failed.
    async fn settle(&self, request: RequestId) -> ExportState {
        eventually(Duration::from_secs(60), || async {
            self.engine().run_until_idle().await.unwrap();
            match self.export_state(request).await {
                Some(state @ (ExportState::Done | ExportState::Paused | ExportState::Failed)) => Ok(state),
                other => Err(format!("still {other:?}: {:#?}", self.ledger(request).await)),
            }
        })
        .await
    }

    /// The export's ledger, for a failure's message.
    async fn ledger(&self, request: RequestId) -> Vec<String> {
        let Some(export) = self.db.export_by_request(self.maria.company_id, request).await.unwrap() else {
            return Vec::new();
        };
        self.db.ledger(export.id).await.unwrap().into_iter().map(|e| format!("{}: {}", e.step, e.detail)).collect()
    }

    async fn acceptance(&self, n: usize) -> (RequestId, String) {
        acceptance(&self.db, &self.market, &self.maria, self.rust, n).await
    }

    async fn export_state(&self, request: RequestId) -> Option<ExportState> {
        self.db.export_by_request(self.maria.company_id, request).await.unwrap().map(|e| e.state)
    }

    /// The person's opportunities on the posting, with their resumes' and files' names, as
    /// Lever's API shows them.
    async fn in_lever(&self, email: &str) -> Vec<(Opportunity, Vec<String>, Vec<String>)> {
        // The same key's bucket as the product's calls: wait for it as a person's tool would.
        self.sandbox.set_faults(Faults::default());
        tokio::time::sleep(Duration::from_secs(2)).await;
        let api = self.lever.api(&Credential::api_key(seed::NORTHWIND_KEY)).unwrap();
        let mut found = Vec::new();
        for opportunity in api.find_opportunities(email, &self.posting).await.unwrap() {
            let resumes = api.resumes(&opportunity.id).await.unwrap().into_iter().map(|r| r.file.name).collect();
            let files = api.files(&opportunity.id).await.unwrap().into_iter().map(|f| f.file.name).collect();
            found.push((opportunity, resumes, files));
        }
        found
    }

    async fn assert_exported_once(&self, email: &str, n: usize) -> Opportunity {
        let found = self.in_lever(email).await;
        assert_eq!(found.len(), 1, "{email}: {found:?}");
        let (opportunity, resumes, files) = found.into_iter().next().unwrap();
        assert_eq!(resumes, [format!("grace-{n}.pdf")], "the CV is the resume");
        let profiles = files.iter().filter(|f| f.starts_with("Marketplace profile - Grace Hopper")).count();
        assert_eq!(profiles, 1, "the profile is one file: {files:?}");
        opportunity
    }

    fn calls(&self) -> usize {
        self.sandbox.request_log().len()
    }
}

test_on_both_databases! {
    async fn an_acceptance_lands_in_lever_once_with_resume_profile_and_source(db: Db) {
        let s = setup(&db).await;
        s.drain().await;
        // The happy path: both buckets full again after the set-up's calls (a step deferred
        // halfway for our bucket repeats its first read).
        tokio::time::sleep(Duration::from_secs(2)).await;
        let before = s.calls();
        let (request, email) = s.acceptance(1).await;
        assert_eq!(s.settle(request).await, ExportState::Done, "{:#?}", s.ledger(request).await);
        // Answered calls: one refused by Lever's bucket (set-up spent it) is made again.
        let calls = s.sandbox.request_log()[before..].iter().filter(|r| r.status != 429).count();
        let opportunity = s.assert_exported_once(&email, 1).await;
        assert_eq!(opportunity.origin.as_deref(), Some("sourced"));
        assert_eq!(opportunity.sources, ["127.0.0.1"], "attributed to the marketplace");
        assert!(opportunity.tags.iter().any(|t| t == "ats-bridge marketplace"), "{:?}", opportunity.tags);
        assert_eq!(opportunity.stage.as_str(), "lead-new", "the stage the wizard proposed for Request accepted");
        assert!(opportunity.links.iter().any(|l| l.starts_with("http://127.0.0.1:3000/")), "{:?}", opportunity.links);
        let api = s.lever.api(&Credential::api_key(seed::NORTHWIND_KEY)).unwrap();
        let notes = api.notes(&opportunity.id).await.unwrap();
        assert_eq!(notes.len(), 1, "the profile's note: {notes:?}");

        let export = db.export_by_request(s.maria.company_id, request).await.unwrap().unwrap();
        assert_eq!(export.workable_candidate_id.as_deref(), Some(opportunity.id.as_str()));
        assert_eq!(export.profile_url.as_deref(), Some(opportunity.urls.show.as_str()));
        let steps: Vec<String> = db.ledger(export.id).await.unwrap().into_iter().map(|e| e.step).collect();
        assert_eq!(steps, ["created", "profile_attached", "files_confirmed", "at_stage"]);
        // Look first (Lever makes a second opportunity for a second create), create with the
        // resume, upload the profile, its note, then the resumes and files read back.
        assert_eq!(calls, 6, "{:#?}", &s.sandbox.request_log()[before..]);
    }
}

test_on_both_databases! {
    async fn answers_lost_after_lever_committed_do_not_create_twice(db: Db) {
        let s = setup(&db).await;
        s.drain().await;
        // The create and the upload both commit, and both answers are lost.
        s.sandbox.set_faults(Faults { lose_responses_after_commit: 2, ..Faults::default() });
        let (request, email) = s.acceptance(2).await;
        assert_eq!(s.settle(request).await, ExportState::Done, "{:#?}", s.ledger(request).await);
        s.assert_exported_once(&email, 2).await;
    }
}

test_on_both_databases! {
    async fn a_person_already_on_the_posting_is_linked_not_duplicated(db: Db) {
        let s = setup(&db).await;
        s.drain().await;
        let email = "export-3@candidates.test";
        let api = s.lever.api(&Credential::api_key(seed::NORTHWIND_KEY)).unwrap();
        let nora = api.users_by_email("nora@northwind.example").await.unwrap().remove(0);
        let by_hand = lever::NewOpportunity {
            name: "Grace Hopper".into(),
            headline: None,
            emails: vec![email.into()],
            phones: Vec::new(),
            location: None,
            links: Vec::new(),
            posting: s.posting.clone(),
            stage: None,
            origin: "applied".into(),
            sources: vec!["Job site".into()],
            tags: Vec::new(),
            resume: None,
        };
        let created = api.create_opportunity(&nora.id, &by_hand).await.unwrap();
        let (request, _) = s.acceptance(3).await;
        assert_eq!(s.settle(request).await, ExportState::Done, "{:#?}", s.ledger(request).await);
        let found = s.in_lever(email).await;
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0.id, created.data.id, "linked to the one made by hand");
        assert_eq!(found[0].0.sources, ["Job site"], "their source is kept");
        assert!(found[0].2.iter().any(|f| f.starts_with("Marketplace profile")), "the profile is attached: {found:?}");
        assert!(found[0].2.contains(&"grace-3.pdf".to_owned()), "and the CV, as a file: {found:?}");
        let export = db.export_by_request(s.maria.company_id, request).await.unwrap().unwrap();
        assert!(export.linked_existing);
    }
}

impl Setup {
    /// Accepts `ns` with a worker running until each export is done; checks each landed once.
    async fn export_all_with_a_worker(&self, ns: std::ops::Range<usize>) {
        let mut exports = Vec::new();
        for n in ns.clone() {
            exports.push(self.acceptance(n).await);
        }
        let (stop, worker) = self.start();
        for (request, _) in &exports {
            eventually(Duration::from_secs(60), || async {
                match self.export_state(*request).await {
                    Some(ExportState::Done) => Ok(()),
                    other => Err(format!("still {other:?}: {:#?}", self.ledger(*request).await)),
                }
            })
            .await;
        }
        let _ = stop.send(());
        worker.await.unwrap();
        for (n, (_, email)) in ns.zip(&exports) {
            self.assert_exported_once(email, n).await;
        }
    }
}

test_on_both_databases! {
    async fn server_errors_are_retried_until_the_exports_are_done(db: Db) {
        let s = setup(&db).await;
        s.drain().await;
        // Every fourth call fails. The reads of a step are tried again at once
        // (`LeverCalls::fetch`), so a step of four calls still gets through. (With every third
        // failing, three exports side by side ran out of their 12 attempts in 1 run of 4.)
        s.sandbox.set_faults(Faults { error_rate: 0.25, ..Faults::default() });
        s.export_all_with_a_worker(4..7).await;
    }
}

test_on_both_databases! {
    async fn a_lever_bucket_smaller_than_ours_is_waited_for(db: Db) {
        let s = setup(&db).await;
        s.drain().await;
        // Lever's bucket a fifth of its usual size (2 a second, bursts of 4): under ours, so
        // Lever's 429s come, and each is waited out.
        s.sandbox.set_faults(Faults { rate_limit_override: Some(2), ..Faults::default() });
        let before = s.calls();
        s.export_all_with_a_worker(8..11).await;
        let refused = s.sandbox.request_log()[before..].iter().filter(|r| r.status == 429).count();
        assert!(refused > 0, "Lever's smaller bucket was reached");
    }
}

test_on_both_databases! {
    async fn a_key_deleted_in_lever_pauses_the_work_until_a_reconnect(db: Db) {
        let s = setup(&db).await;
        s.drain().await;
        s.sandbox.write(|w| w.account_mut(seed::NORTHWIND).unwrap().api_keys.clear());
        let (request, email) = s.acceptance(7).await;
        assert_eq!(s.settle(request).await, ExportState::Paused, "{:#?}", s.ledger(request).await);
        let said = s.ledger(request).await;
        assert!(said.iter().any(|l| l.contains("Lever no longer accepts this connection's access")), "{said:#?}");
        let connection = db.connection(s.maria.company_id).await.unwrap().unwrap();
        assert_eq!(connection.status, storage::ConnectionStatus::ReconnectNeeded);
        // A new key made in Lever, connected again: the paused export goes on.
        s.sandbox.write(|w| w.account_mut(seed::NORTHWIND).unwrap().api_keys.push("lvr_northwind_new_key".into()));
        connect(&s.integrations, &s.maria, "lvr_northwind_new_key").await;
        assert_eq!(s.settle(request).await, ExportState::Done, "{:#?}", s.ledger(request).await);
        // (The test's own reads go with the seed's key.)
        s.sandbox.write(|w| w.account_mut(seed::NORTHWIND).unwrap().api_keys.push(seed::NORTHWIND_KEY.into()));
        s.assert_exported_once(&email, 7).await;
        let connection = db.connection(s.maria.company_id).await.unwrap().unwrap();
        assert_eq!(connection.status, storage::ConnectionStatus::Connected);
    }
}

impl Setup {
    /// The opportunity's stage and archive reason's words, through Lever's API.
    async fn stage_in_lever(&self, email: &str) -> (String, Option<String>) {
        let api = self.lever.api(&Credential::api_key(seed::NORTHWIND_KEY)).unwrap();
        let opportunity = api.find_opportunities(email, &self.posting).await.unwrap().remove(0);
        let reason = match opportunity.archived.and_then(|a| a.reason) {
            Some(id) => api.archive_reasons().await.unwrap().into_iter().find(|r| r.id == id).map(|r| r.text),
            None => None,
        };
        (opportunity.stage.as_str().to_owned(), reason)
    }

    /// Moves the candidate on the marketplace and lets the stage sync run.
    async fn move_to(&self, request: RequestId, stage: MarketplaceStage) {
        self.market.move_candidate(&self.maria, request, stage.as_str()).await.unwrap();
        eventually(Duration::from_secs(60), || async {
            self.engine().run_until_idle().await.unwrap();
            let export = self.db.export_by_request(self.maria.company_id, request).await.unwrap().unwrap();
            if export.synced_stage == Some(stage) { Ok(()) } else { Err(format!("synced {:?}", export.synced_stage)) }
        })
        .await;
        // (The test's own reads share the key's bucket.)
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

test_on_both_databases! {
    async fn marketplace_moves_and_outcomes_reach_lever(db: Db) {
        let s = setup(&db).await;
        s.drain().await;
        let (request, email) = s.acceptance(12).await;
        assert_eq!(s.settle(request).await, ExportState::Done, "{:#?}", s.ledger(request).await);
        let stages = s.integrations.lever_client().unwrap().api(&Credential::api_key(seed::NORTHWIND_KEY)).unwrap().stages().await.unwrap();
        let id_of = |name: &str| stages.iter().find(|st| st.text == name).unwrap().id.as_str().to_owned();

        // The wizard proposed no Lever stage for Screening by name; Offer it mapped to *Offer*.
        s.move_to(request, MarketplaceStage::Offer).await;
        assert_eq!(s.stage_in_lever(&email).await, (id_of("Offer"), None));
        // Rejected: archived with the account's first not-hired reason that is not a withdrawal.
        s.move_to(request, MarketplaceStage::Rejected).await;
        assert_eq!(s.stage_in_lever(&email).await, (id_of("Offer"), Some("Position filled".to_owned())));
        // Back in the pipeline: unarchived, then at the mapped stage.
        s.move_to(request, MarketplaceStage::Offer).await;
        assert_eq!(s.stage_in_lever(&email).await, (id_of("Offer"), None));
        // Withdrawn: the reason that says so.
        s.move_to(request, MarketplaceStage::Withdrawn).await;
        assert_eq!(s.stage_in_lever(&email).await.1.as_deref(), Some("Withdrew"));
        let export = db.export_by_request(s.maria.company_id, request).await.unwrap().unwrap();
        let stage_lines: Vec<String> =
            db.ledger(export.id).await.unwrap().into_iter().filter(|e| e.step == "stage").map(|e| e.detail).collect();
        assert_eq!(stage_lines.len(), 4, "{stage_lines:#?}");
        assert!(stage_lines.iter().all(|l| !l.contains("Workable")), "{stage_lines:#?}");
        assert_eq!(stage_lines[1], "Archived in Lever (“Position filled”): Rejected in the marketplace.");
        assert!(stage_lines[2].starts_with("Unarchived; moved to “Offer” in Lever"), "{stage_lines:#?}");
        let steps: Vec<String> = db.ledger(export.id).await.unwrap().into_iter().map(|e| e.detail).collect();
        assert!(steps.iter().all(|l| !l.contains("Workable")), "{steps:#?}");
    }
}

test_on_both_databases! {
    async fn a_move_made_in_lever_comes_back_by_reconciliation(db: Db) {
        let s = setup(&db).await;
        s.drain().await;
        let (request, email) = s.acceptance(13).await;
        assert_eq!(s.settle(request).await, ExportState::Done, "{:#?}", s.ledger(request).await);
        // A recruiter moves them to *Offer* in Lever (mapped from the marketplace's Offer).
        tokio::time::sleep(Duration::from_secs(1)).await;
        let api = s.lever.api(&Credential::api_key(seed::NORTHWIND_KEY)).unwrap();
        let sam = api.users_by_email("sam@northwind.example").await.unwrap().remove(0);
        let opportunity = api.find_opportunities(&email, &s.posting).await.unwrap().remove(0);
        let offer = lever::StageId::parse("offer").unwrap();
        api.move_stage(&opportunity.id, &sam.id, &offer).await.unwrap();
        // Lever's webhooks are not subscribed yet: the next reconciliation reads the change.
        s.comes_back_as(request, &email, MarketplaceStage::Offer, By::Reconciliation).await;
        assert_eq!(s.export_state(request).await, Some(ExportState::Done));
    }
}

test_on_both_databases! {
    async fn a_move_made_in_lever_comes_back_by_its_webhook_and_disconnecting_removes_them(db: Db) {
        let s = setup(&db).await;
        s.drain().await;
        // The first mapping registered one webhook per event, each with its own signing token.
        let api = s.lever.api(&Credential::api_key(seed::NORTHWIND_KEY)).unwrap();
        let hooks = api.webhooks().await.unwrap();
        assert_eq!(hooks.len(), 4, "{hooks:?}");
        assert!(hooks.iter().all(|h| h.url.contains("/webhooks/lever/")), "{hooks:?}");
        let (request, email) = s.acceptance(14).await;
        assert_eq!(s.settle(request).await, ExportState::Done, "{:#?}", s.ledger(request).await);
        tokio::time::sleep(Duration::from_secs(1)).await;
        let sam = api.users_by_email("sam@northwind.example").await.unwrap().remove(0);
        let opportunity = api.find_opportunities(&email, &s.posting).await.unwrap().remove(0);
        api.move_stage(&opportunity.id, &sam.id, &lever::StageId::parse("offer").unwrap()).await.unwrap();
        // No reconciliation is queued: the delivery alone brings it back.
        s.comes_back_as(request, &email, MarketplaceStage::Offer, By::Webhook).await;
        let card = s.integrations.card(&s.maria).await.unwrap();
        assert!(card.last_webhook_ms.is_some() && card.webhook_error.is_none(), "{card:?}");
        // A forged delivery (signed with a token that is not one of ours) is refused.
        let connection = db.connection(s.maria.company_id).await.unwrap().unwrap();
        let path = connection.webhook_token.clone().unwrap();
        let forged = serde_json::json!({
            "event": "candidateStageChange", "triggeredAt": 1, "token": "t",
            "signature": lever::webhook::sign("not-our-token", "t", 1),
            "data": { "opportunityId": opportunity.id.as_str(), "toStageId": "offer" }
        });
        let receiver = sync::webhooks::Receiver::new(db.clone(), s.integrations.clone());
        let refused = receiver.receive_lever(&path, forged.to_string().as_bytes()).await;
        assert_eq!(refused.unwrap_err(), sync::webhooks::Rejected::Forged);
        // Disconnecting removes them at Lever.
        s.integrations.disconnect(&s.maria).await.unwrap();
        assert!(api.webhooks().await.unwrap().is_empty());
    }
}

test_on_both_databases! {
    async fn one_person_accepted_for_two_roles_on_one_posting_lands_there_once(db: Db) {
        let s = setup(&db).await;
        s.drain().await;
        // A second role mapped to the same posting; Lever answers slowly and the workers race.
        let other = db
            .insert_role(
                s.maria.company_id,
                &domain::RoleTitle::parse("Rust Engineer (second role, same posting)").unwrap(),
                &domain::Location::parse("London").unwrap(),
                domain::RoleStatus::Live,
            )
            .await
            .unwrap();
        let table = s.integrations.mapping_table(&s.maria, other, s.posting.as_str(), None).await.unwrap();
        s.integrations.save_configuration(&s.maria, other, s.posting.as_str(), &table.choices()).await.unwrap();
        s.drain().await;
        s.sandbox.set_faults(Faults { latency_ms: 150, ..Faults::default() });
        let (first, email) = s.acceptance(15).await;
        let pipeline = db.list_pipeline(s.maria.company_id, s.rust).await.unwrap();
        let candidate = pipeline.iter().find(|e| e.request_id == first).unwrap().candidate_id;
        let second = db.insert_request(s.maria.company_id, other, candidate, Some(s.maria.user_id)).await.unwrap();
        s.market.accept_on_behalf(&s.maria, second).await.unwrap();
        let mut workers = Vec::new();
        for _ in 0..3 {
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            workers.push((stop, tokio::spawn(s.engine().run(async move {
                let _ = stopped.await;
            }))));
        }
        for request in [first, second] {
            eventually(Duration::from_secs(60), || async {
                match s.export_state(request).await {
                    Some(ExportState::Done) => Ok(()),
                    other => Err(format!("still {other:?}: {:#?}", s.ledger(request).await)),
                }
            })
            .await;
        }
        drop(workers);
        // One opportunity with the CV as its one resume; each role's export attaches its own
        // profile (it names the role), once.
        let found = s.in_lever(&email).await;
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, ["grace-15.pdf"]);
        let mut profiles: Vec<&String> = found[0].2.iter().filter(|f| f.starts_with("Marketplace profile")).collect();
        profiles.dedup();
        assert_eq!(profiles.len(), 2, "{found:?}");
        assert_eq!(found[0].2.len(), 2, "no file twice: {found:?}");
        let creates = s.sandbox.request_log().iter().filter(|r| r.method == "POST" && r.path == "/v1/opportunities").count();
        assert_eq!(creates, 1, "created once, linked once");
        let mut linked = Vec::new();
        for request in [first, second] {
            linked.push(db.export_by_request(s.maria.company_id, request).await.unwrap().unwrap().linked_existing);
        }
        assert_eq!(linked.iter().filter(|l| **l).count(), 1, "{linked:?}");
    }
}

test_on_both_databases! {
    async fn interviews_reach_the_lever_timeline_as_notes(db: Db) {
        let s = setup(&db).await;
        s.drain().await;
        let (request, email) = s.acceptance(16).await;
        assert_eq!(s.settle(request).await, ExportState::Done, "{:#?}", s.ledger(request).await);
        let interview =
            s.market.schedule_interview(&s.maria, request, "technical", "2026-12-03T14:30", 60, "Dana Kim").await.unwrap();
        eventually(Duration::from_secs(60), || async {
            s.engine().run_until_idle().await.unwrap();
            let record = db.interview(s.maria.company_id, interview).await.unwrap().unwrap();
            if record.view(&clock::Zone::utc()).in_workable { Ok(()) } else { Err("not on the timeline yet".to_owned()) }
        })
        .await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let api = s.lever.api(&Credential::api_key(seed::NORTHWIND_KEY)).unwrap();
        let opportunity = api.find_opportunities(&email, &s.posting).await.unwrap().remove(0);
        let notes = api.notes(&opportunity.id).await.unwrap();
        let texts: Vec<String> =
            notes.iter().flat_map(|n| n.fields.iter().map(|f| f.value.as_str().unwrap_or_default().to_owned())).collect();
        assert!(
            texts.iter().any(|t| t.contains("Technical interview: Thu 3 Dec 2026, 14:30 UTC (60 min), with Dana Kim.")),
            "{texts:#?}"
        );
        let export = db.export_by_request(s.maria.company_id, request).await.unwrap().unwrap();
        let lines: Vec<String> = db.ledger(export.id).await.unwrap().into_iter().map(|e| e.detail).collect();
        assert!(lines.iter().any(|l| l.starts_with("On the Lever timeline: Interview")), "{lines:#?}");
    }
}

/// How a change made in Lever is to come back.
#[derive(Clone, Copy, PartialEq)]
enum By {
    /// Its webhook's delivery alone: nothing else is queued.
    Webhook,
    /// A reconciliation queued at every look (the webhooks may have come too).
    Reconciliation,
}

impl Setup {
    /// Waits until the marketplace has the candidate at `stage`, doing the work there is.
    async fn comes_back_as(&self, request: RequestId, email: &str, stage: MarketplaceStage, by: By) {
        eventually(Duration::from_secs(60), || async {
            if by == By::Reconciliation {
                let (company, now) = (self.maria.company_id, self.integrations.clock().now_ms());
                self.db.enqueue(domain::WorkKind::Reconcile, company, company.0, now).await.unwrap();
            }
            self.engine().run_until_idle().await.unwrap();
            let pipeline = self.market.pipeline(&self.maria, self.rust).await.unwrap();
            match pipeline.entries.iter().find(|e| e.email == email).map(|e| e.stage) {
                Some(at) if at == stage => Ok(()),
                other => Err(format!("still {other:?}: {:#?}", self.ledger(request).await)),
            }
        })
        .await;
    }
}

test_on_both_databases! {
    async fn archive_reasons_chosen_in_the_wizard_go_both_ways(db: Db) {
        use domain::mapping::StageChoice;
        let s = setup(&db).await;
        // The mapping table offers the account's active reasons; the employer picks their own.
        let table = s.integrations.mapping_table(&s.maria, s.rust, s.posting.as_str(), None).await.unwrap();
        let id = |name: &str| table.reasons.iter().find(|r| r.name == name).map(|r| r.id.clone()).unwrap();
        assert!(!table.reasons.iter().any(|r| r.name == "No Response - OLD"), "inactive reasons are not offered");
        assert!(table.reasons.iter().find(|r| r.name == "Hired").is_some_and(|r| r.hired));
        let mut choices = table.choices();
        for (stage, reason) in [
            (MarketplaceStage::Rejected, "Under- qualified"),
            (MarketplaceStage::Withdrawn, "Offer declined"),
            (MarketplaceStage::Hired, "Hired"),
        ] {
            choices.iter_mut().find(|(st, _)| *st == stage).unwrap().1 = StageChoice::Archive(id(reason));
        }
        // A hired reason for a rejection, or a rejection's for a hire, is refused.
        let mut wrong = choices.clone();
        wrong.iter_mut().find(|(st, _)| *st == MarketplaceStage::Rejected).unwrap().1 = StageChoice::Archive(id("Hired"));
        let refused = s.integrations.save_configuration(&s.maria, s.rust, s.posting.as_str(), &wrong).await;
        assert!(matches!(refused, Err(integrations::MappingError::Invalid(ref e)) if e.field == "mapping[rejected]"), "{refused:?}");
        s.integrations.save_configuration(&s.maria, s.rust, s.posting.as_str(), &choices).await.unwrap();
        s.drain().await;

        let (request, email) = s.acceptance(15).await;
        assert_eq!(s.settle(request).await, ExportState::Done, "{:#?}", s.ledger(request).await);
        // Withdrawn: archived with the chosen reason, which Lever's words do not call a
        // withdrawal — reading it back leaves the candidate where the marketplace has them.
        s.move_to(request, MarketplaceStage::Withdrawn).await;
        assert_eq!(s.stage_in_lever(&email).await.1.as_deref(), Some("Offer declined"));
        s.comes_back_as(request, &email, MarketplaceStage::Withdrawn, By::Reconciliation).await;
        // Hired: archived with the hired reason.
        s.move_to(request, MarketplaceStage::Hired).await;
        assert_eq!(s.stage_in_lever(&email).await.1.as_deref(), Some("Hired"));
        s.comes_back_as(request, &email, MarketplaceStage::Hired, By::Reconciliation).await;

        // In Lever, a recruiter archives them with the reason Withdrawn maps to: Withdrawn here.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let api = s.lever.api(&Credential::api_key(seed::NORTHWIND_KEY)).unwrap();
        let sam = api.users_by_email("sam@northwind.example").await.unwrap().remove(0);
        let opportunity = api.find_opportunities(&email, &s.posting).await.unwrap().remove(0);
        let declined = lever::ArchiveReasonId::parse(&id("Offer declined")).unwrap();
        api.archive(&opportunity.id, &sam.id, &declined).await.unwrap();
        s.comes_back_as(request, &email, MarketplaceStage::Withdrawn, By::Reconciliation).await;
        // And with the hired reason: Hired here.
        let hired = lever::ArchiveReasonId::parse(&id("Hired")).unwrap();
        api.archive(&opportunity.id, &sam.id, &hired).await.unwrap();
        s.comes_back_as(request, &email, MarketplaceStage::Hired, By::Reconciliation).await;
        let export = db.export_by_request(s.maria.company_id, request).await.unwrap().unwrap();
        let lines: Vec<String> = db.ledger(export.id).await.unwrap().into_iter().map(|e| e.detail).collect();
        assert!(lines.iter().any(|l| l == "Archived in Lever (“Hired”): Hired in the marketplace."), "{lines:#?}");
        assert!(lines.iter().any(|l| l.starts_with("Hired in Lever")), "{lines:#?}");
        assert!(!lines.iter().any(|l| l.contains("moved to Rejected")), "no outcome read back as a rejection: {lines:#?}");
    }
}

test_on_both_databases! {
    async fn a_worker_killed_between_steps_is_resumed_by_another(db: Db) {
        let s = setup(&db).await;
        s.drain().await;
        // Slow answers make the window between "created" and "profile attached" wide.
        s.sandbox.set_faults(Faults { latency_ms: 400, ..Faults::default() });
        let before = s.calls();
        let (_stop, first) = s.start();
        let (request, email) = s.acceptance(16).await;
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
        // The lease (120 s) runs out. A request the killed worker had sent still lands at Lever
        // meanwhile — it is answered (or times out, at 30 s) long before the lease ends: the
        // clock is moved past the lease once Lever has handled what was in flight.
        tokio::time::sleep(Duration::from_millis(800)).await;
        s.integrations.clock().advance(common::LEASE.as_millis() as i64);
        let (_stop, _second) = s.start();
        eventually(Duration::from_secs(60), || async {
            match s.export_state(request).await {
                Some(ExportState::Done) => Ok(()),
                other => Err(format!("still {other:?}: {:#?}", s.ledger(request).await)),
            }
        })
        .await;
        s.assert_exported_once(&email, 16).await;
        let creates = s.sandbox.request_log()[before..]
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/opportunities") && r.status < 300)
            .count();
        assert_eq!(creates, 1, "created once, by the first worker; the second looked it up and went on");
    }
}

test_on_both_databases! {
    async fn an_oauth_grant_revoked_in_lever_pauses_the_work_until_a_reconnect(db: Db) {
        let s = setup(&db).await;
        s.drain().await;
        // Northwind switches from its key to Lever's authorisation page; the mapping stays.
        s.integrations.disconnect(&s.maria).await.unwrap();
        connect_with_oauth(&s.integrations, &s.maria).await;
        let (request, email) = s.acceptance(17).await;
        assert_eq!(s.settle(request).await, ExportState::Done, "{:#?}", s.ledger(request).await);
        s.assert_exported_once(&email, 17).await;
        // A super admin revokes ats-bridge in Lever's settings.
        s.sandbox.revoke_account_grants(seed::NORTHWIND);
        let (request, email) = s.acceptance(18).await;
        assert_eq!(s.settle(request).await, ExportState::Paused, "{:#?}", s.ledger(request).await);
        let connection = db.connection(s.maria.company_id).await.unwrap().unwrap();
        assert_eq!(connection.status, storage::ConnectionStatus::ReconnectNeeded);
        assert!(connection.last_error.as_deref().is_some_and(|e| e.starts_with("Lever no longer accepts")), "{:?}", connection.last_error);
        // Authorised again: the paused export goes on, once.
        connect_with_oauth(&s.integrations, &s.maria).await;
        assert_eq!(s.settle(request).await, ExportState::Done, "{:#?}", s.ledger(request).await);
        s.assert_exported_once(&email, 18).await;
    }
}
