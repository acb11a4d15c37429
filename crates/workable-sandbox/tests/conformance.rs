//! Replays every exchange recorded against the live Workable API (`crates/workable/tests/recordings/`,
//! a copy of `shared/workable-recordings/` that the client's own test decodes too)
//! on a fresh sandbox and checks the answer has the same status, the same content type and the
//! same JSON shape: the same keys at every level and the same JSON types. Values may differ, and
//! `null` matches any type (an optional field that happened to be empty on one side).
//!
//! Ids in recorded paths and bodies name Workable's demo data; they are replaced by the ids of
//! sandbox objects in the same state (a candidate that exists, a disqualified one for revert, a
//! subscription for delete, a member, a disqualification reason).

use std::path::PathBuf;

use sandbox_support::differences;
use serde_json::{Value, json};
use workable_sandbox::{Sandbox, seed};

/// A copy of `shared/workable-recordings/` kept in the repository, so the test runs from any
/// clone.
fn recordings_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../workable/tests/recordings")
}

struct Replay {
    sandbox: Sandbox,
    base: String,
    client: reqwest::Client,
    job: String,
    member: String,
    reason: String,
}

impl Replay {
    async fn call(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, String, String) {
        // A fresh rate-limit window for every call: the replay is about shapes, not pacing.
        self.sandbox.advance_clock(10_000);
        let url = if path.starts_with("/spi/v3/accounts") || path == "/accounts" {
            format!("{}/spi/v3/accounts", self.base)
        } else {
            format!("{}/northwind{path}", self.base)
        };
        let mut request = self.client.request(method.parse().unwrap(), url).bearer_auth(seed::NORTHWIND_TOKEN);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let content_type =
            response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        (status, content_type, response.text().await.unwrap())
    }

    /// A new candidate in the job, moved once (so it has an activity by a member).
    async fn candidate(&self, label: &str) -> String {
        let email = format!("{label}.{}@example.com", self.sandbox.now_ms());
        let body = json!({ "candidate": { "firstname": "Replay", "lastname": label, "email": email } });
        let (status, _, text) = self.call("POST", &format!("/spi/v3/jobs/{}/candidates", self.job), Some(&body)).await;
        assert_eq!(status, 200, "{text}");
        let id = serde_json::from_str::<Value>(&text).unwrap()["candidate"]["id"].as_str().unwrap().to_owned();
        let (status, _, _) = self
            .call(
                "POST",
                &format!("/spi/v3/candidates/{id}/move"),
                Some(&json!({ "member_id": self.member, "target_stage": "interview" })),
            )
            .await;
        assert_eq!(status, 200);
        id
    }
}

fn replace_all(text: &str, from: &str, to: &str) -> String {
    text.replace(from, to)
}

#[tokio::test]
async fn the_sandbox_answers_every_recorded_exchange_as_workable_did() {
    let sandbox = Sandbox::new(seed::seed(vec![]), None);
    let (base, _server) = sandbox.serve(0).await.unwrap();
    let (job, member, reason) = sandbox.read(|w| {
        let a = w.account("northwind").unwrap();
        (a.jobs[0].shortcode.clone(), a.members[0].id.clone(), a.disqualification_reasons[0].id.clone())
    });
    let replay = Replay { sandbox: sandbox.clone(), base, client: reqwest::Client::new(), job, member, reason };

    let mut files: Vec<PathBuf> = std::fs::read_dir(recordings_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut passed = Vec::new();
    let mut failed = Vec::new();
    for file in &files {
        let recording: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        for exchange in recording["exchanges"].as_array().unwrap() {
            let method = exchange["method"].as_str().unwrap();
            let mut path = exchange["path"].as_str().unwrap().to_owned();
            let mut body = exchange["request_body"].clone();

            path = replace_all(&path, "9CD658E13E", &replay.job);
            let mut body_text = body.to_string();
            body_text = replace_all(&body_text, "\"1f395d\"", &format!("\"{}\"", replay.member));
            body_text = replace_all(&body_text, "\"b29c63\"", &format!("\"{}\"", replay.reason));
            body = serde_json::from_str(&body_text).unwrap();

            // Recorded candidate and subscription ids → sandbox objects in the same state.
            let segments: Vec<String> = path.split('/').map(str::to_owned).collect();
            if let Some(i) = segments.iter().position(|s| s == "candidates")
                && let Some(id) = segments.get(i + 1)
                && segments[1] == "spi"
                && !id.is_empty()
            {
                let ours = replay.candidate("recorded").await;
                if path.ends_with("/revert") {
                    let (status, _, _) = replay
                        .call(
                            "POST",
                            &format!("/spi/v3/candidates/{ours}/disqualify"),
                            Some(&json!({ "member_id": replay.member })),
                        )
                        .await;
                    assert_eq!(status, 200);
                }
                path = path.replace(id.as_str(), &ours);
            }
            if path.starts_with("/spi/v3/subscriptions/") {
                let (_, _, text) = replay
                    .call("POST", "/spi/v3/subscriptions", Some(&json!({ "target": format!("https://example.com/hook/{}", replay.sandbox.now_ms()), "event": "candidate_moved" })))
                    .await;
                let id = serde_json::from_str::<Value>(&text).unwrap()["id"].as_i64().unwrap();
                path = format!("/spi/v3/subscriptions/{id}");
            }
            if path.contains("/candidates") && method == "POST" && path.ends_with("/candidates") {
                body["candidate"]["email"] = json!(format!("created.{}@example.com", replay.sandbox.now_ms()));
            }
            if path == "/spi/v3/subscriptions" && method == "POST" {
                body["target"] = json!(format!("https://example.com/hooks/{}", replay.sandbox.now_ms()));
            }
            if path == "/spi/v3/candidates" {
                // The recorded list had a next page: make sure ours has more than one page too.
                let needed = 60;
                for i in 0..needed {
                    let email = format!("filler{i}.{}@example.com", replay.sandbox.now_ms());
                    sandbox.write(|w| {
                        let c =
                            seed::new_candidate(w, &replay.job, "Filler", &i.to_string(), &email, "applied", false, 0);
                        w.account_mut("northwind").unwrap().candidates.push(c);
                    });
                }
            }

            let query: Vec<String> = exchange["request_params"]
                .as_object()
                .map(|params| {
                    params
                        .iter()
                        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap().replace("9CD658E13E", &replay.job)))
                        .collect()
                })
                .unwrap_or_default();
            let full_path = if query.is_empty() { path.clone() } else { format!("{path}?{}", query.join("&")) };
            let (status, content_type, text) =
                replay.call(method, &full_path, (!body.is_null()).then_some(&body)).await;

            let problems =
                differences(exchange, status, (!content_type.is_empty()).then_some(content_type.as_str()), &text);
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            if problems.is_empty() {
                passed.push(name);
            } else {
                failed.push(format!("{name} ({method} {path}):\n    {}", problems.join("\n    ")));
            }
        }
    }
    println!("conformance: {} of {} recorded exchanges answered alike", passed.len(), passed.len() + failed.len());
    assert_eq!(passed.len() + failed.len(), 23, "the recordings folder holds 23 exchanges");
    assert!(failed.is_empty(), "{} of 23 differ:\n{}", failed.len(), failed.join("\n"));
}
