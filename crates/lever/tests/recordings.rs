//! The client against real Lever answers: every exchange in `recordings/` (a copy of
//! `../shared/lever-recordings/`, recorded against a live account in July 2026) is answered by a
//! local server, and where the product calls that endpoint the client's own method must send the
//! recorded method, path and `perform_as` and decode the recorded answer with its own types.
//! Endpoints the product never calls are decoded with the model type of their shape where there
//! is one, and as an envelope where there is none (requisitions, the apply form, posting users).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use lever::{
    Application, ArchiveReason, ArchiveReasonId, Contact, Credential, Endpoints, Interview, LeverClient,
    NewOpportunity, Note, Opportunity, OpportunityId, Page, Panel, Phone, Posting, PostingId, StageId, Tally, UserId,
    WebhookId,
};
use serde::Deserialize;
use serde_json::Value;

const RECORDINGS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/recordings");

#[derive(Clone, Debug, Deserialize)]
struct Exchange {
    method: String,
    path: String,
    request_params: Option<BTreeMap<String, String>>,
    request_body: Value,
    status: u16,
    content_type: Option<String>,
    body: Value,
}

#[derive(Deserialize)]
struct Recording {
    exchanges: Vec<Exchange>,
}

#[derive(Deserialize)]
struct Data<T> {
    data: T,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DispositionStages {
    stages: Vec<lever::Stage>,
    archive_reasons: Vec<ArchiveReason>,
}

fn recordings() -> Vec<(String, Exchange)> {
    let mut files: Vec<_> = std::fs::read_dir(RECORDINGS)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let recording: Recording = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        out.extend(recording.exchanges.into_iter().map(|e| (name.clone(), e)));
    }
    out
}

/// What the replay server was asked.
#[derive(Clone, Debug)]
struct Asked {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    authorization: Option<String>,
    body: Vec<u8>,
}

/// A server answering every request with one recorded answer, remembering what it was asked.
async fn replay(exchange: &Exchange) -> (LeverClient, Arc<Mutex<Vec<Asked>>>) {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let (answer, log) = (exchange.clone(), asked.clone());
    let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let (answer, log) = (answer.clone(), log.clone());
        async move {
            let (parts, body) = request.into_parts();
            let body = axum::body::to_bytes(body, usize::MAX).await.unwrap().to_vec();
            let query = url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes()).into_owned().collect();
            log.lock().unwrap().push(Asked {
                method: parts.method.to_string(),
                path: parts.uri.path().to_owned(),
                query,
                authorization: parts.headers.get("authorization").map(|v| v.to_str().unwrap().to_owned()),
                body,
            });
            let mut response = axum::response::Response::builder().status(answer.status);
            if let Some(content_type) = &answer.content_type {
                response = response.header("content-type", content_type.clone());
            }
            let body = match &answer.body {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            response.body(axum::body::Body::from(body)).unwrap()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (LeverClient::new(Endpoints::local(&base)), asked)
}

fn segment(path: &str, after: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    let i = parts.iter().position(|p| *p == after).unwrap();
    parts[i + 1].to_owned()
}

fn perform_as(exchange: &Exchange) -> UserId {
    UserId::parse(&exchange.request_params.as_ref().unwrap()["perform_as"]).unwrap()
}

fn body<T: serde::de::DeserializeOwned>(exchange: &Exchange) -> T {
    serde_json::from_value(exchange.body.clone())
        .unwrap_or_else(|e| panic!("{} {}: {e}", exchange.method, exchange.path))
}

/// Calls the client's own method for a recorded exchange, if the product has one; `None` when
/// it does not.
async fn call_the_client(name: &str, exchange: &Exchange) -> Option<Vec<Asked>> {
    let (client, asked) = replay(exchange).await;
    let api = client.api(&Credential::api_key("recorded-key")).unwrap();
    let path = exchange.path.as_str();
    let opportunity = || OpportunityId::parse(&segment(path, "opportunities")).unwrap();
    match name {
        "list-users" => assert_eq!(api.users().await.unwrap().len(), 11),
        "get-user" => assert_eq!(
            api.user(&UserId::parse(&segment(path, "users")).unwrap()).await.unwrap().access_role,
            "interviewer"
        ),
        "list-stages" => assert_eq!(api.stages().await.unwrap()[0].id.as_str(), "lead-new"),
        "list-archive-reasons" => {
            let reasons = api.archive_reasons().await.unwrap();
            assert_eq!(reasons.iter().filter(|r| r.kind == Some(lever::ReasonType::Hired)).count(), 1);
            assert_eq!(reasons.iter().filter(|r| !r.is_active()).count(), 1);
        }
        "list-postings" => assert!(!api.postings(&[]).await.unwrap().is_empty()),
        "get-posting" => {
            let id = PostingId::parse(&segment(path, "postings")).unwrap();
            assert_eq!(api.posting(&id).await.unwrap().categories.team.as_deref(), Some("Engineering"));
        }
        "get-opportunity" => assert!(api.opportunity(&opportunity()).await.unwrap().archived.is_some()),
        "get-contact" => {
            let id = lever::ContactId::parse(&segment(path, "contacts")).unwrap();
            assert_eq!(api.contact(&id).await.unwrap().emails.len(), 1);
        }
        "list-opportunities" => {
            let offset = exchange.request_params.as_ref().and_then(|p| p.get("offset")).cloned();
            let page = api.updated_opportunities(0, None, offset.as_deref()).await.unwrap();
            assert_eq!(page.has_next, page.next.is_some());
            // The token goes back exactly as the recorder passed it.
            let sent = asked.lock().unwrap()[0].query.iter().find(|(k, _)| k == "offset").map(|(_, v)| v.clone());
            assert_eq!(sent, offset);
        }
        "create-opportunity" => {
            let sent = &exchange.request_body;
            let new = NewOpportunity {
                name: sent["name"].as_str().unwrap().into(),
                headline: Some(sent["headline"].as_str().unwrap().into()),
                emails: vec![sent["emails"][0].as_str().unwrap().into()],
                phones: vec![Phone { kind: Some("mobile".into()), value: "(555) 123-4567".into() }],
                location: None,
                links: vec![],
                posting: PostingId::parse(sent["postings"][0].as_str().unwrap()).unwrap(),
                stage: None,
                origin: "sourced".into(),
                sources: vec!["LinkedIn".into()],
                tags: vec!["Test".into()],
                resume: None,
            };
            let created = api.create_opportunity(&perform_as(exchange), &new).await.unwrap();
            assert!(created.deduped);
            assert_eq!(created.data.owner, Some(perform_as(exchange)));
            let ours: Value = serde_json::from_slice(&asked.lock().unwrap()[0].body).unwrap();
            for (key, value) in sent.as_object().unwrap() {
                assert_eq!(&ours[key], value, "the create body's {key}");
            }
        }
        "update-opportunity-stage" => {
            let stage = StageId::parse(exchange.request_body["stage"].as_str().unwrap()).unwrap();
            let moved = api.move_stage(&opportunity(), &perform_as(exchange), &stage).await.unwrap();
            assert_eq!(moved.stage, stage);
        }
        "archive-opportunity" => {
            let reason = ArchiveReasonId::parse(exchange.request_body["reason"].as_str().unwrap()).unwrap();
            let archived = api.archive(&opportunity(), &perform_as(exchange), &reason).await.unwrap();
            assert_eq!(archived.archived.unwrap().reason, Some(reason));
            let ours: Value = serde_json::from_slice(&asked.lock().unwrap()[0].body).unwrap();
            assert_eq!(ours, exchange.request_body);
        }
        "create-note" => {
            let note = api.add_note(&opportunity(), &perform_as(exchange), "Note").await.unwrap();
            assert!(note.text().is_some());
        }
        "list-opportunity-resumes" => assert!(api.resumes(&opportunity()).await.unwrap().is_empty()),
        "create-webhook" => {
            let hook = api
                .create_webhook(
                    exchange.request_body["event"].as_str().unwrap(),
                    exchange.request_body["url"].as_str().unwrap(),
                )
                .await
                .unwrap();
            assert!(hook.configuration.signature_token.is_some());
            let ours: Value = serde_json::from_slice(&asked.lock().unwrap()[0].body).unwrap();
            assert_eq!(ours, exchange.request_body);
        }
        "list-webhooks" => {
            let hooks = api.webhooks().await.unwrap();
            assert_eq!(hooks.len(), 4);
            assert!(hooks.iter().all(|h| h.configuration.signature_token.is_none()), "tokens only on create");
        }
        "delete-webhook" => api.delete_webhook(&WebhookId::parse(&segment(path, "webhooks")).unwrap()).await.unwrap(),
        _ => return None,
    }
    let asked = asked.lock().unwrap().clone();
    Some(asked)
}

/// Decodes an answer the product never asks for with the type of its shape.
fn decode_by_shape(name: &str, exchange: &Exchange) {
    match name {
        "add-opportunity-links" | "add-opportunity-sources" | "add-opportunity-tags" => {
            body::<Data<Opportunity>>(exchange);
        }
        "get-application" => assert!(body::<Data<Application>>(exchange).data.archived.is_some()),
        "get-archive-reason" => {
            body::<Data<ArchiveReason>>(exchange);
        }
        "get-note" => assert!(body::<Data<Note>>(exchange).data.text().is_some()),
        "list-opportunity-panels" => assert_eq!(body::<Page<Panel>>(exchange).data[0].interviews.len(), 2),
        "create-panel" => assert!(body::<Data<Panel>>(exchange).data.externally_managed),
        "get-interview" | "update-interview" => {
            body::<Data<Interview>>(exchange);
        }
        "list-sources" | "list-tags" => {
            body::<Page<Tally>>(exchange);
        }
        "update-contact" => {
            body::<Data<Contact>>(exchange);
        }
        "list-disposition-stages" => {
            let both = body::<Data<DispositionStages>>(exchange).data;
            assert_eq!((both.stages.len(), both.archive_reasons.len()), (11, 12));
        }
        "list-postings-non-confidential" => {
            body::<Page<Posting>>(exchange);
        }
        "get-posting-apply-questions" if exchange.path == "/v1/postings" => {
            body::<Page<Posting>>(exchange);
        }
        "delete-interview" | "delete-note" => assert_eq!(exchange.body, Value::String(String::new())),
        "list-deleted-opportunities"
        | "list-deleted-postings"
        | "list-deleted-applications"
        | "list-opportunity-file-actions"
        | "list-requisitions" => {
            assert!(body::<Page<Value>>(exchange).data.is_empty() || name == "list-requisitions");
        }
        // No shape of ours: the apply form, an application by apply, requisitions, posting users.
        _ => {
            let body: Value = body(exchange);
            assert!(body.get("data").is_some() || body.get("posting").is_some(), "{name}: an envelope");
        }
    }
}

#[tokio::test]
async fn every_recorded_answer_decodes_and_every_call_of_the_product_sends_what_lever_was_sent() {
    let all = recordings();
    assert_eq!(all.len(), 59, "the 43 recordings hold 59 exchanges");
    let mut called = 0;
    for (name, exchange) in &all {
        match call_the_client(name, exchange).await {
            Some(asked) => {
                called += 1;
                assert!(!asked.is_empty(), "{name}: the client called");
                let first = &asked[0];
                assert_eq!(
                    (first.method.as_str(), first.path.as_str()),
                    (exchange.method.as_str(), exchange.path.as_str()),
                    "{name}"
                );
                if let Some(params) = &exchange.request_params
                    && let Some(user) = params.get("perform_as")
                {
                    assert!(first.query.contains(&("perform_as".to_owned(), user.clone())), "{name}: perform_as");
                }
                assert_eq!(
                    first.authorization.as_deref(),
                    Some("Basic cmVjb3JkZWQta2V5Og=="),
                    "{name}: the key as user name"
                );
            }
            None => decode_by_shape(name, exchange),
        }
    }
    assert_eq!(called, 27, "the product's calls among the recordings");
}

#[tokio::test]
async fn a_multipart_create_carries_the_cv_as_resume_file_and_lists_as_repeated_fields() {
    let exchange = recordings().into_iter().find(|(n, _)| n == "create-opportunity").unwrap().1;
    let (client, asked) = replay(&exchange).await;
    let api = client.api(&Credential::access_token("token")).unwrap();
    let new = NewOpportunity {
        name: "Ada Lovelace".into(),
        headline: None,
        emails: vec!["ada@example.com".into()],
        phones: vec![],
        location: Some("London".into()),
        links: vec!["https://market.example/p/ada".into()],
        posting: PostingId::parse("75ff237f-c221-4c26-8b23-faf395f5ea1c").unwrap(),
        stage: Some(StageId::parse("lead-responded").unwrap()),
        origin: "sourced".into(),
        sources: vec!["Marketplace".into()],
        tags: vec!["ats-bridge".into()],
        resume: Some(lever::Upload {
            name: "ada.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: b"%PDF-1.7 cv".to_vec(),
        }),
    };
    api.create_opportunity(&UserId::parse("c4bc6266-375b-4d45-9b3b-ad527ba5f3ef").unwrap(), &new).await.unwrap();
    let asked = asked.lock().unwrap()[0].clone();
    assert_eq!(asked.authorization.as_deref(), Some("Bearer token"));
    // Header names are case-insensitive; values are compared as sent.
    let text = String::from_utf8_lossy(&asked.body).replace("Content-Type:", "content-type:");
    for needle in [
        "name=\"emails[]\"\r\n\r\nada@example.com",
        "name=\"links[]\"\r\n\r\nhttps://market.example/p/ada",
        "name=\"postings[]\"\r\n\r\n75ff237f-c221-4c26-8b23-faf395f5ea1c",
        "name=\"sources[]\"\r\n\r\nMarketplace",
        "name=\"stage\"\r\n\r\nlead-responded",
        "name=\"resumeFile\"; filename=\"ada.pdf\"\r\ncontent-type: application/pdf\r\n\r\n%PDF-1.7 cv",
    ] {
        assert!(text.contains(needle), "{needle:?} in\n{text}");
    }
}
