//! Replays every exchange recorded against the live Lever API (`crates/lever/tests/recordings/`,
//! a copy of `shared/lever-recordings/` that the client's own test decodes too) on a fresh
//! sandbox and checks the answer has the same status, the same content type and the same JSON
//! shape: the same keys at every level and the same JSON types. Values may differ, and `null`
//! matches any type (an optional field that happened to be empty on one side).
//!
//! Ids in recorded paths, queries and bodies name the recording account's data; they are
//! replaced by sandbox objects in the same state (an opportunity with an application, a note,
//! an interview, a webhook of this credential, a posting, a user, an archive reason).

use std::path::PathBuf;

use lever_sandbox::{LeverSandbox, model, seed};
use sandbox_support::differences;
use serde_json::{Value, json};

fn recordings_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../lever/tests/recordings")
}

/// Recorded ids that name a user, an archive reason or a posting in request bodies and queries.
const RECORDED_USERS: [&str; 2] = ["be129d9b-50da-4485-9377-0d83e981f30b", "c4bc6266-375b-4d45-9b3b-ad527ba5f3ef"];
const RECORDED_REASON: &str = "c97322d4-a7f3-4008-948c-4f8e9c58d372";
const RECORDED_POSTING: &str = "75ff237f-c221-4c26-8b23-faf395f5ea1c";

struct Replay {
    sandbox: LeverSandbox,
    base: String,
    http: reqwest::Client,
    user: String,
    reason: String,
    posting: String,
}

impl Replay {
    async fn call(&self, method: &str, path_and_query: &str, body: Option<&Value>) -> (u16, Option<String>, String) {
        // A full bucket for every call: the replay is about shapes, not pacing.
        self.sandbox.advance_clock(2_000);
        let mut request = self
            .http
            .request(method.parse().unwrap(), format!("{}{path_and_query}", self.base))
            .basic_auth(seed::NORTHWIND_KEY, Some(""));
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
        (status, content_type, response.text().await.unwrap())
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let (status, _, text) = self.call("POST", path, Some(&body)).await;
        assert!(status == 200 || status == 201, "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// A fresh opportunity on the posting, moved once (so it has a stage change by a user).
    async fn opportunity(&self) -> Value {
        let email = format!("replay.{}@example.com", self.sandbox.now_ms());
        let created = self
            .post(
                &format!("/v1/opportunities?perform_as={}", self.user),
                json!({ "name": "Replay", "emails": [email], "postings": [self.posting], "origin": "sourced" }),
            )
            .await;
        let id = created["data"]["id"].as_str().unwrap().to_owned();
        let (status, _, _) = self
            .call(
                "PUT",
                &format!("/v1/opportunities/{id}/stage?perform_as={}", self.user),
                Some(&json!({ "stage": "lead-reached-out" })),
            )
            .await;
        assert_eq!(status, 200);
        self.get(&format!("/v1/opportunities/{id}")).await["data"].clone()
    }

    async fn get(&self, path: &str) -> Value {
        let (status, _, text) = self.call("GET", path, None).await;
        assert_eq!(status, 200, "{path}: {text}");
        serde_json::from_str(&text).unwrap()
    }
}

/// The pages of one list are one list: each page's items are compared with every recorded item
/// of that list (old records lack `stageChanges[].userId`, and which page holds them depends on
/// the account's data, not on Lever's shape).
fn pool_pages(recording: &mut Value) {
    let exchanges = recording["exchanges"].as_array_mut().unwrap();
    let mut pooled: std::collections::HashMap<String, Vec<Value>> = Default::default();
    for e in exchanges.iter() {
        if let Some(items) = e["body"]["data"].as_array() {
            pooled.entry(e["path"].as_str().unwrap().to_owned()).or_default().extend(items.iter().cloned());
        }
    }
    for e in exchanges.iter_mut() {
        let path = e["path"].as_str().unwrap().to_owned();
        if e["body"]["data"].is_array() {
            e["body"]["data"] = Value::Array(pooled[&path].clone());
        }
    }
}

/// The segment after `name` in `path`.
fn after(path: &str, name: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').collect();
    let i = segments.iter().position(|s| *s == name)?;
    segments.get(i + 1).map(|s| s.to_string())
}

#[tokio::test]
async fn the_sandbox_answers_every_recorded_exchange_as_lever_did() {
    let sandbox = LeverSandbox::new(seed::seed(vec![]), None, clock::Clock::system());
    let (base, _server) = sandbox.serve(0).await.unwrap();
    let (user, reason, posting, requisition) = sandbox.read(|w| {
        let a = w.account(seed::NORTHWIND).unwrap();
        (
            a.users[0].id.clone(),
            a.archive_reasons.iter().find(|r| r.text == "Timing").unwrap().id.clone(),
            a.postings[0].id.clone(),
            a.requisitions[0].id.clone(),
        )
    });
    // The recorded opportunity list runs to 11 pages whose tokens point into the recording
    // account's pipeline: enough people late in ours that each page but the last has a next one.
    sandbox.write(|w| {
        let a = w.account_mut(seed::NORTHWIND).unwrap();
        let last = a.stages.last().unwrap().id.clone();
        for i in 0..120 {
            let new = model::NewOpportunity {
                name: format!("Filler {i}"),
                emails: vec![format!("filler{i}@example.com")],
                postings: vec![a.postings[1].id.clone()],
                stage: Some(if i < 105 { last.clone() } else { "lead-new".into() }),
                ..Default::default()
            };
            a.create_opportunity(&a.users[0].id.clone(), new, 1_782_900_000_000 + i).unwrap();
        }
    });
    let replay = Replay { sandbox: sandbox.clone(), base, http: reqwest::Client::new(), user, reason, posting };

    let mut files: Vec<PathBuf> = std::fs::read_dir(recordings_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let (mut passed, mut failed) = (Vec::new(), Vec::new());
    for file in &files {
        let mut recording: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        pool_pages(&mut recording);
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        for exchange in recording["exchanges"].as_array().unwrap() {
            let method = exchange["method"].as_str().unwrap();
            let mut path = exchange["path"].as_str().unwrap().to_owned();
            let mut body_text = exchange["request_body"].to_string();
            for recorded in RECORDED_USERS {
                body_text = body_text.replace(recorded, &replay.user);
            }
            body_text = body_text.replace(RECORDED_REASON, &replay.reason).replace(RECORDED_POSTING, &replay.posting);
            let body: Value = serde_json::from_str(&body_text).unwrap();

            // Recorded ids in the path → sandbox objects in the same state.
            if let Some(id) = after(&path, "postings").filter(|s| s != "deleted") {
                // The EEO survey is on United States postings' forms only: one in the same state.
                let us = exchange["body"].pointer("/data/eeoQuestions").is_some();
                let ours = if path.ends_with("/apply") && method == "GET" {
                    sandbox.read(|w| {
                        let a = w.account(seed::NORTHWIND).unwrap();
                        a.postings.iter().find(|p| (p.country == "US") == us).unwrap().id.clone()
                    })
                } else {
                    replay.posting.clone()
                };
                path = path.replace(&id, &ours);
            }
            if let Some(id) = after(&path, "users") {
                path = path.replace(&id, &replay.user);
            }
            if let Some(id) = after(&path, "archive_reasons") {
                path = path.replace(&id, &replay.reason);
            }
            if let Some(id) = after(&path, "requisitions") {
                path = path.replace(&id, &requisition);
            }
            if let Some(id) = after(&path, "webhooks") {
                let hook = replay
                    .post(
                        "/v1/webhooks",
                        json!({ "event": "candidateHired", "url": "https://example.com/hooks/replay" }),
                    )
                    .await;
                path = path.replace(&id, hook["data"]["id"].as_str().unwrap());
            }
            if let Some(id) = after(&path, "contacts") {
                let opportunity = replay.opportunity().await;
                path = path.replace(&id, opportunity["contact"].as_str().unwrap());
            }
            if let Some(id) = after(&path, "opportunities").filter(|s| s != "deleted") {
                let opportunity = replay.opportunity().await;
                let ours = opportunity["id"].as_str().unwrap().to_owned();
                if let Some(app) = after(&path, "applications") {
                    path = path.replace(&app, opportunity["applications"][0].as_str().unwrap());
                }
                if let Some(note) = after(&path, "notes") {
                    let made = replay
                        .post(
                            &format!("/v1/opportunities/{ours}/notes?perform_as={}", replay.user),
                            json!({ "value": "A note" }),
                        )
                        .await;
                    path = path.replace(&note, made["data"]["id"].as_str().unwrap());
                }
                if let Some(interview) = after(&path, "interviews") {
                    let panel = json!({ "timezone": "Europe/London", "interviews": [
                        { "subject": "Technical interview", "note": "From the replay", "interviewers": [{ "id": replay.user }], "date": 1_783_000_000_000_i64, "duration": 45 },
                        { "subject": "Second", "note": "From the replay", "interviewers": [{ "id": replay.user }], "date": 1_783_100_000_000_i64, "duration": 30 },
                    ]});
                    let made = replay
                        .post(&format!("/v1/opportunities/{ours}/panels?perform_as={}", replay.user), panel)
                        .await;
                    path = path.replace(&interview, made["data"]["interviews"][0]["id"].as_str().unwrap());
                }
                if name == "list-opportunity-panels" {
                    let panel = json!({ "timezone": "Europe/London", "interviews": [{ "subject": "Call", "note": "", "interviewers": [{ "id": replay.user }], "date": 1_783_000_000_000_i64, "duration": 30 }]});
                    replay.post(&format!("/v1/opportunities/{ours}/panels?perform_as={}", replay.user), panel).await;
                }
                if method == "PUT" && path.ends_with("/archived") {
                    // The recorded opportunity was archived before; ours is too, with another reason.
                    let hired = sandbox.read(|w| w.account(seed::NORTHWIND).unwrap().archive_reasons[0].id.clone());
                    let (status, _, _) = replay
                        .call("PUT", &format!("/v1/opportunities/{ours}/archived"), Some(&json!({ "reason": hired })))
                        .await;
                    assert_eq!(status, 200);
                }
                path = path.replace(&id, &ours);
            }
            let query: Vec<String> = exchange["request_params"]
                .as_object()
                .map(|params| {
                    params
                        .iter()
                        .map(|(k, v)| {
                            let v = v.as_str().unwrap();
                            let v = if k == "perform_as" { replay.user.as_str() } else { v };
                            // Offsets go back as the recorder sent them: the token verbatim, encoded once more.
                            format!("{k}={}", form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>())
                        })
                        .collect()
                })
                .unwrap_or_default();
            let full = if query.is_empty() { path.clone() } else { format!("{path}?{}", query.join("&")) };
            let (status, content_type, text) = replay.call(method, &full, (!body.is_null()).then_some(&body)).await;

            let problems = differences(exchange, status, content_type.as_deref(), &text);
            if problems.is_empty() {
                passed.push(name.clone());
            } else {
                failed.push(format!("{name} ({method} {full}):\n    {}", problems.join("\n    ")));
            }
        }
    }
    println!("conformance: {} of {} recorded exchanges answered alike", passed.len(), passed.len() + failed.len());
    assert_eq!(passed.len() + failed.len(), 59, "the 43 recordings hold 59 exchanges");
    assert!(failed.is_empty(), "{} of 59 differ:\n{}", failed.len(), failed.join("\n"));
}
