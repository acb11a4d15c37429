//! The sandbox through the product's own Lever client: what exactly-once export, two-way sync
//! and the connection rest on — person dedupe without opportunity dedupe, answers lost after
//! commit, paging, the rate limit, OAuth with rotating refresh tokens, scopes, signed webhooks,
//! one account never seeing another's data.

use std::sync::{Arc, Mutex};

use lever::oauth::OAuthApp;
use lever::webhook::{Delivery, Event};
use lever::{
    ArchiveReasonId, Credential, Endpoints, LeverClient, LeverError, NewOpportunity, PostingId, ReasonType, StageId,
    Upload, UserId,
};
use lever_sandbox::{Faults, LeverSandbox, seed};
use secrecy::{ExposeSecret, SecretString};

const CALLBACK: &str = "http://127.0.0.1:9/integrations/lever/callback";

async fn sandbox() -> (LeverSandbox, LeverClient, tokio::task::JoinHandle<()>) {
    let sandbox = LeverSandbox::new(seed::seed(vec![CALLBACK.into()]), None, clock::Clock::system());
    let (base, task) = sandbox.serve(0).await.unwrap();
    (sandbox, LeverClient::new(Endpoints::local(&base)), task)
}

fn key() -> Credential {
    Credential::api_key(seed::NORTHWIND_KEY)
}

struct Northwind {
    user: UserId,
    posting: PostingId,
}

async fn northwind(client: &LeverClient) -> Northwind {
    let api = client.api(&key()).unwrap();
    let user = api.users_by_email("nora@northwind.example").await.unwrap().remove(0);
    assert_eq!(user.access_role, "super admin");
    let postings = api.postings(&[lever::PostingState::Published]).await.unwrap();
    Northwind { user: user.id, posting: postings[0].id.clone() }
}

fn candidate(email: &str, posting: &PostingId, cv: bool) -> NewOpportunity {
    NewOpportunity {
        name: "Ada Lovelace".into(),
        headline: Some("Analytical engines".into()),
        emails: vec![email.into()],
        phones: vec![],
        location: Some("London".into()),
        links: vec!["https://market.example/p/ada".into()],
        posting: posting.clone(),
        stage: Some(StageId::parse("lead-responded").unwrap()),
        origin: "sourced".into(),
        sources: vec!["Marketplace".into()],
        tags: vec!["ats-bridge".into()],
        resume: cv.then(|| Upload {
            name: "ada-cv.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: b"%PDF-1.7 Ada's CV".to_vec(),
        }),
    }
}

#[tokio::test]
async fn an_export_finds_nothing_creates_with_the_cv_and_then_finds_exactly_that_one() {
    let (_sandbox, client, _task) = sandbox().await;
    let nw = northwind(&client).await;
    let api = client.api(&key()).unwrap();
    assert!(api.find_opportunities("ada@example.com", &nw.posting).await.unwrap().is_empty());
    let created = api.create_opportunity(&nw.user, &candidate("ada@example.com", &nw.posting, true)).await.unwrap();
    assert!(!created.deduped);
    let ada = created.data;
    assert_eq!((ada.stage.as_str(), ada.origin.as_deref()), ("lead-responded", Some("sourced")));
    assert_eq!(ada.sources, ["Marketplace"]);
    assert!(ada.tags.contains(&"ats-bridge".to_owned()) && ada.tags.iter().any(|t| t == "Senior Rust Engineer"));
    assert_eq!(ada.links, ["https://market.example/p/ada"]);
    let found = api.find_opportunities("ADA@example.com", &nw.posting).await.unwrap();
    assert_eq!(found.iter().map(|o| &o.id).collect::<Vec<_>>(), [&ada.id], "found by canonical e-mail and posting");
    let resumes = api.resumes(&ada.id).await.unwrap();
    assert_eq!((resumes.len(), resumes[0].file.name.as_str(), resumes[0].file.size), (1, "ada-cv.pdf", Some(17)));

    let profile = Upload {
        name: "ada-profile.pdf".into(),
        content_type: "application/pdf".into(),
        bytes: b"%PDF-1.7 profile".to_vec(),
    };
    let file = api.upload_file(&ada.id, &nw.user, &profile).await.unwrap();
    assert_eq!(api.files(&ada.id).await.unwrap(), [file]);
    let note = api.add_note(&ada.id, &nw.user, "Marketplace profile: https://market.example/p/ada").await.unwrap();
    assert_eq!(api.notes(&ada.id).await.unwrap()[0].text(), note.text());

    // A second create for the same person on the same posting is a second opportunity: Lever
    // dedupes the person only — exactly-once is the exporter's.
    let again = api.create_opportunity(&nw.user, &candidate("ada@example.com", &nw.posting, false)).await.unwrap();
    assert!(again.deduped);
    assert_eq!(again.data.contact, ada.contact);
    assert_ne!(again.data.id, ada.id);
    assert_eq!(api.find_opportunities("ada@example.com", &nw.posting).await.unwrap().len(), 2);
}

#[tokio::test]
async fn an_answer_lost_after_commit_leaves_the_opportunity_there_to_be_found() {
    let (sandbox, client, _task) = sandbox().await;
    let nw = northwind(&client).await;
    let api = client.api(&key()).unwrap();
    sandbox.set_faults(Faults { lose_responses_after_commit: 1, ..Faults::default() });
    let lost = api.create_opportunity(&nw.user, &candidate("lost@example.com", &nw.posting, true)).await.unwrap_err();
    assert!(lost.is_retryable(), "{lost:?}");
    let found = api.find_opportunities("lost@example.com", &nw.posting).await.unwrap();
    assert_eq!(found.len(), 1, "committed before the answer was lost");
    assert_eq!(api.resumes(&found[0].id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn moves_archives_and_unarchives_and_a_refusing_unarchive_is_a_clear_error() {
    let (sandbox, client, _task) = sandbox().await;
    let nw = northwind(&client).await;
    let api = client.api(&key()).unwrap();
    let ada = api.create_opportunity(&nw.user, &candidate("ada@example.com", &nw.posting, false)).await.unwrap().data;
    let stages = api.stages().await.unwrap();
    let screen = stages.iter().find(|s| s.text == "Recruiter screen").unwrap();
    let moved = api.move_stage(&ada.id, &nw.user, &screen.id).await.unwrap();
    assert_eq!((moved.stage.clone(), moved.stage_changes.len()), (screen.id.clone(), 2));
    assert_eq!(moved.stage_changes[1].user_id.as_ref(), Some(&nw.user));
    let reasons = api.archive_reasons().await.unwrap();
    let withdrew = reasons.iter().find(|r| r.text == "Withdrew").unwrap();
    assert_eq!(withdrew.kind, Some(ReasonType::NonHired));
    let archived = api.archive(&ada.id, &nw.user, &withdrew.id).await.unwrap();
    assert_eq!(archived.archived.unwrap().reason.as_ref(), Some(&withdrew.id));
    let back = api.unarchive(&ada.id, &nw.user).await.unwrap();
    assert!(back.archived.is_none());
    assert_eq!(back.stage, screen.id, "back where they were");
    let unknown = api.archive(&ada.id, &nw.user, &ArchiveReasonId::parse("no-such-reason").unwrap()).await.unwrap_err();
    assert!(matches!(unknown, LeverError::Invalid { .. }), "{unknown:?}");
    sandbox.set_faults(Faults { unarchive_refused: true, ..Faults::default() });
    api.archive(&ada.id, &nw.user, &withdrew.id).await.unwrap();
    assert!(matches!(api.unarchive(&ada.id, &nw.user).await.unwrap_err(), LeverError::Invalid { .. }));
}

#[tokio::test]
async fn writes_need_an_active_perform_as_user() {
    let (_sandbox, client, _task) = sandbox().await;
    let nw = northwind(&client).await;
    let api = client.api(&key()).unwrap();
    let old = client.api(&key()).unwrap().users_by_email("old@northwind.example").await.unwrap().remove(0);
    assert!(!old.is_active());
    let refused = api.create_opportunity(&old.id, &candidate("x@example.com", &nw.posting, false)).await.unwrap_err();
    assert!(
        matches!(refused, LeverError::Invalid { ref message, .. } if message.contains("deactivated")),
        "{refused:?}"
    );
    let stranger = UserId::parse("00000000-0000-4000-8000-0000000fffff").unwrap();
    assert!(matches!(
        api.create_opportunity(&stranger, &candidate("x@example.com", &nw.posting, false)).await,
        Err(LeverError::Invalid { .. })
    ));
    assert!(api.users().await.unwrap().iter().all(|u| u.is_active()), "the list shows active users");
}

#[tokio::test]
async fn the_client_reads_every_page_and_paging_is_stable_under_the_same_filters() {
    let (sandbox, client, _task) = sandbox().await;
    let nw = northwind(&client).await;
    sandbox.write(|w| {
        let a = w.account_mut(seed::NORTHWIND).unwrap();
        for i in 0..250 {
            let new = lever_sandbox::model::NewOpportunity {
                name: format!("Person {i}"),
                emails: vec![format!("p{i}@example.com")],
                postings: vec![nw.posting.to_string()],
                stage: Some(["lead-new", "applicant-new", "offer"][i % 3].into()),
                ..Default::default()
            };
            a.create_opportunity(nw.user.as_str(), new, 1_790_000_000_000 + i as i64).unwrap();
        }
    });
    let api = client.api(&key()).unwrap();
    let (mut seen, mut offset, mut pages) = (Vec::new(), None::<String>, 0);
    loop {
        let page = api.updated_opportunities(1_790_000_000_000, None, offset.as_deref()).await.unwrap();
        pages += 1;
        seen.extend(page.data.into_iter().map(|o| o.id));
        match page.next {
            Some(next) if page.has_next => offset = Some(next),
            _ => break,
        }
    }
    assert_eq!(pages, 3);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 250, "every one once");
}

#[tokio::test]
async fn a_credential_gets_bursts_of_twenty_then_429_without_rate_limit_headers() {
    let (_sandbox, client, _task) = sandbox().await;
    let api = client.api(&key()).unwrap();
    let mut outcomes = Vec::new();
    for _ in 0..24 {
        outcomes.push(api.stages().await.map(|_| ()));
    }
    let limited =
        outcomes.iter().filter(|o| matches!(o, Err(LeverError::RateLimited { retry_after_seconds: None }))).count();
    // Twenty at once, plus what the bucket refilled (10 a second) while the calls ran.
    assert!((1..=4).contains(&limited), "{limited} of 24 limited");
    assert!(outcomes[..20].iter().all(Result::is_ok));
    // Another credential has its own bucket.
    assert!(client.api(&Credential::api_key(seed::GLOBEX_KEY)).unwrap().stages().await.is_ok());
}

#[tokio::test]
async fn one_account_never_sees_anothers_data() {
    let (_sandbox, client, _task) = sandbox().await;
    let nw = northwind(&client).await;
    let api = client.api(&key()).unwrap();
    let ada = api.create_opportunity(&nw.user, &candidate("ada@example.com", &nw.posting, false)).await.unwrap().data;
    let globex = client.api(&Credential::api_key(seed::GLOBEX_KEY)).unwrap();
    assert_eq!(globex.opportunity(&ada.id).await.unwrap_err(), LeverError::NotFound);
    assert_eq!(globex.posting(&nw.posting).await.unwrap_err(), LeverError::NotFound);
    assert!(globex.find_opportunities("ada@example.com", &nw.posting).await.unwrap().is_empty());
    let nobody = client.api(&Credential::api_key("not-a-key")).unwrap();
    assert_eq!(nobody.stages().await.unwrap_err(), LeverError::Unauthorized);
}

fn app() -> OAuthApp {
    OAuthApp {
        client_id: seed::CLIENT_ID.into(),
        client_secret: SecretString::from(seed::CLIENT_SECRET),
        redirect_uri: CALLBACK.into(),
    }
}

/// A Super Admin accepts on the consent page; answers the code and the state Lever sent back.
async fn consent(authorize_url: &str, account: &str) -> (String, String) {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = http.get(authorize_url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Authorize ats-bridge"));
    let url = url::Url::parse(authorize_url).unwrap();
    let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    form.push(("account".into(), account.into()));
    form.push(("decision".into(), "allow".into()));
    let action = format!(
        "{}://{}{}",
        url.scheme(),
        url.host_str().unwrap(),
        url.port().map(|p| format!(":{p}")).unwrap_or_default()
    ) + url.path();
    let answer = http.post(action).form(&form).send().await.unwrap();
    assert!(answer.status().is_redirection());
    let to = url::Url::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
    assert!(to.as_str().starts_with(CALLBACK));
    let get = |k: &str| to.query_pairs().find(|(key, _)| key == k).map(|(_, v)| v.into_owned()).unwrap();
    (get("code"), get("state"))
}

#[tokio::test]
async fn oauth_gives_hour_long_tokens_and_a_rotating_refresh_token_whose_reuse_ends_the_grant() {
    let (_sandbox, client, _task) = sandbox().await;
    let authorization = client.authorization_url(&app()).unwrap();
    assert!(authorization.url.contains("audience=") && authorization.url.contains("prompt=consent"));
    let (code, state) = consent(&authorization.url, seed::NORTHWIND).await;
    assert_eq!(state, authorization.state.expose_secret());
    let tokens = client.exchange_code(&app(), &code).await.unwrap();
    assert_eq!(tokens.expires_in_seconds, Some(3600));
    assert!(client.exchange_code(&app(), &code).await.is_err(), "a code works once");
    let api = client.api(&Credential::AccessToken(tokens.access_token.clone())).unwrap();
    assert_eq!(api.stages().await.unwrap().len(), 11);

    let first_refresh = tokens.refresh_token.clone().expect("offline_access gives a refresh token");
    let rotated = client.refresh(&app(), &first_refresh).await.unwrap();
    let second_refresh = rotated.refresh_token.clone().unwrap();
    assert_ne!(second_refresh.expose_secret(), first_refresh.expose_secret(), "rotated");
    let fresh = client.api(&Credential::AccessToken(rotated.access_token.clone())).unwrap();
    assert!(fresh.stages().await.is_ok());
    // The old refresh token again: refused, and the whole grant ends (Auth0's reuse detection).
    assert_eq!(client.refresh(&app(), &first_refresh).await.unwrap_err(), LeverError::Unauthorized);
    assert_eq!(fresh.stages().await.unwrap_err(), LeverError::Unauthorized);
    assert_eq!(client.refresh(&app(), &second_refresh).await.unwrap_err(), LeverError::Unauthorized);
}

#[tokio::test]
async fn the_authorize_page_refuses_a_wrong_audience_or_callback_and_tokens_expire() {
    let (sandbox, client, _task) = sandbox().await;
    let authorization = client.authorization_url(&app()).unwrap();
    let http = reqwest::Client::new();
    let wrong_audience = authorization.url.replace("audience=", "audience=https%3A%2F%2Felsewhere.example%2F&x=");
    assert_eq!(http.get(&wrong_audience).send().await.unwrap().status(), 400);
    let other = OAuthApp { redirect_uri: "http://evil.example/cb".into(), ..app() };
    assert_eq!(http.get(client.authorization_url(&other).unwrap().url).send().await.unwrap().status(), 400);
    let (code, _) = consent(&authorization.url, seed::GLOBEX).await;
    let tokens = client.exchange_code(&app(), &code).await.unwrap();
    let api = client.api(&Credential::AccessToken(tokens.access_token)).unwrap();
    let nw_posting = PostingId::parse(&seed::id(0x10301)).unwrap();
    assert_eq!(api.posting(&nw_posting).await.unwrap_err(), LeverError::NotFound, "the token is Globex's");
    sandbox.advance_clock(3_601_000);
    assert_eq!(api.stages().await.unwrap_err(), LeverError::Unauthorized, "an hour later");
}

#[tokio::test]
async fn webhooks_are_signed_in_the_body_listed_without_tokens_and_fired_by_moves_and_archives() {
    let (sandbox, client, _task) = sandbox().await;
    let nw = northwind(&client).await;
    let received: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let sink = received.clone();
    let receiver = axum::Router::new().route(
        "/hooks/lever",
        axum::routing::post(move |body: axum::body::Bytes| {
            let sink = sink.clone();
            async move {
                sink.lock().unwrap().push(body.to_vec());
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!("http://{}/hooks/lever", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, receiver).await.unwrap() });

    let api = client.api(&key()).unwrap();
    let mut tokens = std::collections::HashMap::new();
    for event in [Event::StageChange, Event::ArchiveChange, Event::Hired] {
        let hook = api.create_webhook(event.as_str(), &hook_url).await.unwrap();
        tokens.insert(event.as_str().to_owned(), hook.configuration.signature_token.unwrap());
    }
    let listed = api.webhooks().await.unwrap();
    assert_eq!(listed.len(), 3);
    assert!(listed.iter().all(|h| h.configuration.signature_token.is_none()));
    assert!(client.api(&Credential::api_key(seed::GLOBEX_KEY)).unwrap().webhooks().await.unwrap().is_empty());

    let ada = api.create_opportunity(&nw.user, &candidate("ada@example.com", &nw.posting, false)).await.unwrap().data;
    api.move_stage(&ada.id, &nw.user, &StageId::parse("offer").unwrap()).await.unwrap();
    let hired = api.archive_reasons().await.unwrap().into_iter().find(|r| r.kind == Some(ReasonType::Hired)).unwrap();
    api.archive(&ada.id, &nw.user, &hired.id).await.unwrap();
    for _ in 0..100 {
        if received.lock().unwrap().len() >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let deliveries: Vec<Delivery> =
        received.lock().unwrap().iter().map(|b| serde_json::from_slice(b).unwrap()).collect();
    let mut events: Vec<&str> = deliveries.iter().map(|d| d.event.as_str()).collect();
    events.sort();
    assert_eq!(events, ["candidateArchiveChange", "candidateHired", "candidateStageChange"]);
    for delivery in &deliveries {
        assert!(delivery.verify(&tokens[&delivery.event]), "{} verifies under its own webhook's token", delivery.event);
        assert!(!delivery.verify(&tokens["candidateStageChange"]) || delivery.event == "candidateStageChange");
        assert_eq!(delivery.data.opportunity_id.as_ref(), Some(&ada.id));
    }
    let moved = deliveries.iter().find(|d| d.event() == Some(Event::StageChange)).unwrap();
    assert_eq!(moved.data.to_stage_id.as_ref().map(|s| s.as_str()), Some("offer"));
    assert_eq!(sandbox.webhooks_waiting(), 0);

    for hook in listed {
        api.delete_webhook(&hook.id).await.unwrap();
        api.delete_webhook(&hook.id).await.unwrap();
    }
    assert!(api.webhooks().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_saved_sandbox_opens_where_it_was_and_a_corrupt_state_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lever.json");
    let first = LeverSandbox::open(Some(path.clone()), vec![], clock::Clock::system()).unwrap();
    let count = |s: &LeverSandbox| s.read(|w| w.account(seed::NORTHWIND).unwrap().opportunities.len());
    let before = count(&first);
    first.write(|w| {
        let a = w.account_mut(seed::NORTHWIND).unwrap();
        let new = lever_sandbox::model::NewOpportunity {
            name: "Kept".into(),
            emails: vec!["kept@example.com".into()],
            ..Default::default()
        };
        a.create_opportunity(&a.users[0].id.clone(), new, 1).unwrap();
    });
    let again = LeverSandbox::open(Some(path.clone()), vec![], clock::Clock::system()).unwrap();
    assert_eq!(count(&again), before + 1);
    std::fs::write(&path, b"{not json").unwrap();
    assert!(LeverSandbox::open(Some(path), vec![], clock::Clock::system()).is_err());
}

#[tokio::test]
async fn faults_on_demand_reach_the_client_as_what_it_can_do_and_the_log_never_shows_a_key() {
    let (sandbox, client, _task) = sandbox().await;
    let api = client.api(&key()).unwrap();
    sandbox.set_faults(Faults { error_rate: 1.0, ..Faults::default() });
    let failed = api.stages().await.unwrap_err();
    assert!(matches!(failed, LeverError::Transient(_)), "{failed:?}");
    sandbox.set_faults(Faults { rate_limit_storm_until_ms: Some(sandbox.now_ms() + 60_000), ..Faults::default() });
    assert_eq!(api.stages().await.unwrap_err(), LeverError::RateLimited { retry_after_seconds: None });
    sandbox.set_faults(Faults::default());
    assert_eq!(api.stages().await.unwrap().len(), 11);
    let log = sandbox.request_log();
    assert_eq!(log.iter().map(|r| r.status).collect::<Vec<_>>(), [503, 429, 200]);
    // Faults answer before the credential is read; a served call names the key by account and place.
    assert_eq!(log.last().unwrap().credential.as_deref(), Some("key:northwind:0"));
    assert!(!serde_json::to_string(&log).unwrap().contains(seed::NORTHWIND_KEY));
}

#[tokio::test]
async fn a_person_moves_archives_and_unarchives_on_the_sandbox_page_and_lever_says_so() {
    let (sandbox, client, _task) = sandbox().await;
    let nw = northwind(&client).await;
    let api = client.api(&key()).unwrap();
    let ada = api.create_opportunity(&nw.user, &candidate("ada@example.com", &nw.posting, true)).await.unwrap().data;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let base = sandbox.base_url();
    let index = http.get(format!("{base}/")).send().await.unwrap().text().await.unwrap();
    assert!(index.contains("Senior Rust Engineer") && index.contains("jobs.lever.co/northwind"), "{index}");
    let page =
        http.get(format!("{base}/ui/northwind/postings/{}", nw.posting)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("ada@example.com") && page.contains("ada-cv.pdf"), "the person and their resume are listed");

    let action = |what: &str| format!("{base}/ui/northwind/opportunities/{}/{what}", ada.id);
    let moved = http.post(action("stage")).form(&[("stage", "offer")]).send().await.unwrap();
    assert!(moved.status().is_redirection());
    assert_eq!(api.opportunity(&ada.id).await.unwrap().stage.as_str(), "offer");
    let withdrew = api.archive_reasons().await.unwrap().into_iter().find(|r| r.text == "Withdrew").unwrap();
    http.post(action("archived")).form(&[("reason", withdrew.id.as_str())]).send().await.unwrap();
    assert_eq!(api.opportunity(&ada.id).await.unwrap().archived.unwrap().reason, Some(withdrew.id));
    let page =
        http.get(format!("{base}/ui/northwind/postings/{}", nw.posting)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Archived: Withdrew") && page.contains("Unarchive"));
    http.post(action("archived")).form(&[("reason", "")]).send().await.unwrap();
    assert!(api.opportunity(&ada.id).await.unwrap().archived.is_none());
    let unknown = http.post(action("stage")).form(&[("stage", "no-such-stage")]).send().await.unwrap();
    assert_eq!(unknown.status(), 400);
    http.post(action("delete")).send().await.unwrap();
    assert_eq!(api.opportunity(&ada.id).await.unwrap_err(), LeverError::NotFound);
}

/// A receiver that answers each delivery with the next status of `answers` (then 200), and keeps
/// what it was sent.
async fn receiver(answers: Vec<u16>) -> (String, Arc<Mutex<Vec<Vec<u8>>>>) {
    let received: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let (sink, answers) = (received.clone(), Arc::new(Mutex::new(answers)));
    let app = axum::Router::new().route(
        "/hooks",
        axum::routing::post(move |body: axum::body::Bytes| {
            let (sink, answers) = (sink.clone(), answers.clone());
            async move {
                sink.lock().unwrap().push(body.to_vec());
                let mut answers = answers.lock().unwrap();
                let status = if answers.is_empty() { 200 } else { answers.remove(0) };
                axum::http::StatusCode::from_u16(status).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

/// Waits (moving the sandbox's clock past each retry's back-off) until `count` deliveries arrived.
async fn deliveries(sandbox: &LeverSandbox, received: &Arc<Mutex<Vec<Vec<u8>>>>, count: usize) -> usize {
    for _ in 0..200 {
        if received.lock().unwrap().len() >= count {
            break;
        }
        sandbox.advance_clock(1_000);
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    received.lock().unwrap().len()
}

#[tokio::test]
async fn a_refused_delivery_is_tried_again_the_same_up_to_six_times_in_all() {
    let (sandbox, client, _task) = sandbox().await;
    let nw = northwind(&client).await;
    let api = client.api(&key()).unwrap();
    let (url, received) = receiver(vec![500, 503]).await;
    api.create_webhook("candidateStageChange", &url).await.unwrap();
    let ada = api.create_opportunity(&nw.user, &candidate("ada@example.com", &nw.posting, false)).await.unwrap().data;
    api.move_stage(&ada.id, &nw.user, &StageId::parse("offer").unwrap()).await.unwrap();
    assert_eq!(deliveries(&sandbox, &received, 3).await, 3, "two refusals, then accepted");
    let bodies = received.lock().unwrap().clone();
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "a retry is the same delivery, signature and all");
    assert_eq!(sandbox.webhooks_waiting(), 0);

    // A receiver that never accepts gets the first try and 5 retries, then nothing more.
    let (never, tried) = receiver(vec![500; 10]).await;
    api.create_webhook("candidateArchiveChange", &never).await.unwrap();
    let reason = api.archive_reasons().await.unwrap().remove(0);
    api.archive(&ada.id, &nw.user, &reason.id).await.unwrap();
    deliveries(&sandbox, &tried, 6).await;
    for _ in 0..20 {
        sandbox.advance_clock(60_000);
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(tried.lock().unwrap().len(), 6);
    assert_eq!(sandbox.webhooks_waiting(), 0, "given up");
}

#[tokio::test]
async fn verify_connection_pings_first_and_a_url_that_refuses_is_not_registered() {
    let (_sandbox, client, _task) = sandbox().await;
    let (good, pinged) = receiver(vec![]).await;
    let (bad, _) = receiver(vec![404]).await;
    let http = reqwest::Client::new();
    let register = |url: &str| {
        http.post(format!("{}/webhooks", client.endpoints().api_base))
            .basic_auth(seed::NORTHWIND_KEY, Some(""))
            .json(&serde_json::json!({ "event": "candidateHired", "url": url, "configuration": { "verifyConnection": true } }))
            .send()
    };
    assert_eq!(register(&good).await.unwrap().status(), 201);
    let ping: Delivery = serde_json::from_slice(&pinged.lock().unwrap()[0]).unwrap();
    assert!(ping.data.opportunity_id.is_none(), "the ping carries no data");
    assert_eq!(register(&bad).await.unwrap().status(), 400);
    let listed = client.api(&key()).unwrap().webhooks().await.unwrap();
    assert_eq!(listed.iter().map(|h| h.url.as_str()).collect::<Vec<_>>(), [good.as_str()]);
}
