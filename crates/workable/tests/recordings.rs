//! The client against real Workable answers: every exchange in `recordings/` (a copy of
//! `../shared/workable-recordings/`, recorded against a live account) is replayed by a local
//! server, and the client's own call for that endpoint must send the recorded method and path and
//! decode the recorded answer with its own types. Endpoints the product never calls are decoded
//! with the model type of their shape where there is one.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use workable::{Endpoints, MemberId, NewCandidate, Secret, Shortcode, StageSlug, Subdomain, WorkableClient};

const RECORDINGS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/recordings");

#[derive(Clone, Debug, serde::Deserialize)]
struct Exchange {
    method: String,
    path: String,
    status: u16,
    content_type: String,
    body: Value,
}

#[derive(serde::Deserialize)]
struct Recording {
    exchanges: Vec<Exchange>,
}

fn recording(name: &str) -> Exchange {
    let text = std::fs::read_to_string(format!("{RECORDINGS}/{name}.json")).expect("the recording is there");
    let mut recording: Recording = serde_json::from_str(&text).expect("a recording file");
    assert_eq!(recording.exchanges.len(), 1, "{name}: one exchange per file");
    recording.exchanges.remove(0)
}

/// A server that answers every request with one recorded answer, and remembers what it was asked.
struct Replay {
    base: String,
    asked: Arc<Mutex<Vec<(String, String)>>>,
}

async fn replay(exchange: &Exchange) -> Replay {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let (answer, log) = (exchange.clone(), asked.clone());
    let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let (answer, log) = (answer.clone(), log.clone());
        async move {
            // `{base}/{subdomain}/spi/v3/…` is Workable's `https://{subdomain}.workable.com/spi/v3/…`.
            let path = request.uri().path();
            let path = path.strip_prefix("/nangodev").unwrap_or(path).to_owned();
            log.lock().unwrap().push((request.method().to_string(), path));
            let body = match &answer.body {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            axum::response::Response::builder()
                .status(answer.status)
                .header("content-type", answer.content_type.clone())
                .body(axum::body::Body::from(body))
                .unwrap()
        }
    });
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, app).into_future());
    Replay { base, asked }
}

impl Replay {
    fn client(&self) -> WorkableClient {
        WorkableClient::new(Endpoints::sandbox(&self.base))
    }

    /// The client sent the recorded method to the recorded path.
    fn asked_as_recorded(&self, exchange: &Exchange) {
        let asked = self.asked.lock().unwrap();
        assert_eq!(asked.len(), 1, "one request: {asked:?}");
        assert_eq!(asked[0], (exchange.method.clone(), exchange.path.clone()));
    }
}

fn token() -> Secret {
    Secret::new("recorded")
}

fn subdomain() -> Subdomain {
    Subdomain::parse("nangodev").unwrap()
}

/// The recordings' member (the one who moved and commented).
fn member() -> MemberId {
    MemberId::parse("1f395d").unwrap()
}

fn shortcode_in(path: &str) -> Shortcode {
    Shortcode::parse(&id_in(path, "/jobs/")).unwrap()
}

fn id_in(path: &str, after: &str) -> String {
    path.split(after).nth(1).unwrap().split('/').next().unwrap().to_owned()
}

/// Replays `$name`, runs the client's call on `api` and hands over what it decoded.
macro_rules! replayed {
    ($name:expr, |$api:ident, $exchange:ident| $call:expr) => {{
        let $exchange = recording($name);
        let server = replay(&$exchange).await;
        let client = server.client();
        let (subdomain, token) = (subdomain(), token());
        let $api = client.account(&subdomain, &token);
        let value = $call.await.unwrap_or_else(|err| panic!("{}: {err}", $name)).value;
        server.asked_as_recorded(&$exchange);
        value
    }};
}

#[tokio::test]
async fn accounts_jobs_stages_and_members_decode() {
    let exchange = recording("list-accounts");
    let server = replay(&exchange).await;
    let accounts = server.client().accounts(&token()).await.unwrap().value;
    assert!(!accounts.is_empty() && accounts.iter().all(|a| !a.subdomain.is_empty()));
    assert_eq!(server.asked.lock().unwrap()[0].0, "GET");

    let jobs = replayed!("list-jobs", |api, e| api.jobs(None));
    assert!(
        !jobs.is_empty()
            && jobs.iter().all(|j| !j.shortcode.as_str().is_empty() && j.state != workable::JobState::Other)
    );

    let job = replayed!("get-job", |api, e| api.job(&shortcode_in(&e.path)));
    assert_eq!(job.shortcode, "9CD658E13E");

    let stages = replayed!("list-job-stages", |api, e| api.job_stages(&shortcode_in(&e.path)));
    assert!(stages.iter().any(|s| s.kind == workable::StageKind::Hired), "{stages:?}");
    assert!(stages.iter().all(|s| s.kind != workable::StageKind::Other), "every recorded kind is known: {stages:?}");

    let members = replayed!("list-members", |api, e| api.members());
    assert!(!members.is_empty() && members.iter().all(|m| !m.id.as_str().is_empty()));
}

fn new_candidate() -> NewCandidate {
    NewCandidate {
        name: "Recorded Candidate".into(),
        email: "recorded@example.com".into(),
        phone: None,
        headline: String::new(),
        summary: String::new(),
        skills: Vec::new(),
        experience_entries: Vec::new(),
        education_entries: Vec::new(),
        social_profiles: Vec::new(),
        tags: Vec::new(),
        resume: None,
        domain: None,
    }
}

#[tokio::test]
async fn candidates_decode_as_created_read_listed_and_with_their_files() {
    let body = new_candidate();
    let created = replayed!("create-candidate", |api, e| api.create_candidate(&shortcode_in(&e.path), None, &body));
    assert!(!created.id.is_empty() && created.stage.is_some());

    let candidate = replayed!("get-candidate", |api, e| api.candidate(&id_in(&e.path, "/candidates/")));
    assert_eq!(candidate.id, "27273038");
    assert!(candidate.job.is_some() && candidate.stage.is_some() && candidate.updated_at.is_some());

    let (listed, next) = replayed!("list-candidates", |api, e| api.updated_candidates(
        &Shortcode::parse("9CD658E13E").unwrap(),
        0,
        None
    ));
    assert!(!listed.is_empty() && listed.iter().all(|c| !c.id.is_empty()));
    // List items leave `withdrew` out (only the detail has it).
    assert!(listed.iter().all(|c| c.withdrew.is_none()), "{listed:?}");
    assert!(next.is_some_and(|n| n.contains("since_id=")));

    // The recorded candidate had no files: an empty list decodes as one.
    let files = replayed!("list-candidate-files", |api, e| api.candidate_files(&id_in(&e.path, "/candidates/")));
    assert!(files.is_empty());
}

#[tokio::test]
async fn timeline_moves_and_outcomes_decode_including_empty_text_answers() {
    let comment = replayed!("create-comment", |api, e| api.comment(
        &id_in(&e.path, "/candidates/"),
        &member(),
        "A comment",
        None
    ));
    assert_eq!(comment.as_deref(), Some("90775157"));

    // Move and disqualify answer an empty `text/plain` body; revert an empty JSON one.
    replayed!("move-candidate", |api, e| api.move_candidate(
        &id_in(&e.path, "/candidates/"),
        &member(),
        &StageSlug::parse("interview").unwrap()
    ));
    replayed!("disqualify-candidate", |api, e| api.disqualify(&id_in(&e.path, "/candidates/"), &member(), None, false));
    replayed!("revert-candidate-disqualification", |api, e| api.revert(&id_in(&e.path, "/candidates/"), &member()));

    let reasons = replayed!("list-disqualification-reasons", |api, e| api.disqualification_reasons());
    assert!(!reasons.is_empty() && reasons.iter().all(|r| !r.id.is_empty() && !r.description.is_empty()));
}

#[tokio::test]
async fn webhook_subscriptions_decode() {
    let id = replayed!("create-subscription", |api, e| api.subscribe(
        "https://example.com/hook",
        "candidate_moved",
        "nangodev"
    ));
    assert!(!id.is_empty());
    let listed = replayed!("list-subscriptions", |api, e| api.subscriptions());
    assert!(listed.iter().all(|s| !s.id.is_empty() && !s.target.is_empty()));
    replayed!("delete-subscription", |api, e| api.unsubscribe(&id_in(&e.path, "/subscriptions/")));
}

#[tokio::test]
async fn the_write_probe_reads_a_tag_update_as_allowed() {
    // The pre-check's probe tags candidate 0; Workable's answer to a real tag update is a 200.
    let exchange = recording("update-candidate-tags");
    let server = replay(&exchange).await;
    let (subdomain, token) = (subdomain(), token());
    let allowed = server.client().account(&subdomain, &token).can_write_candidates().await.unwrap().value;
    assert!(allowed);
    assert_eq!(server.asked.lock().unwrap()[0], ("PUT".to_owned(), "/spi/v3/candidates/0/tags".to_owned()));
}

/// Endpoints the product does not call, decoded with the model type of their shape, or (for
/// the two nothing in the product reads) checked for their envelope.
#[test]
fn answers_of_endpoints_the_product_does_not_call_have_the_shapes_of_its_types() {
    let take =
        |name: &str, key: &str| recording(name).body.get(key).cloned().unwrap_or_else(|| panic!("{name}: {key}"));
    let members: Vec<workable::Member> = serde_json::from_value(take("list-job-members", "members")).unwrap();
    assert!(!members.is_empty());
    let stages: Vec<workable::Stage> = serde_json::from_value(take("list-stages", "stages")).unwrap();
    assert!(!stages.is_empty());
    let updated: workable::Candidate = serde_json::from_value(take("update-candidate", "candidate")).unwrap();
    assert!(!updated.id.is_empty());
    assert!(take("list-candidate-activities", "activities").is_array());
    assert!(take("get-job-application-form", "form_fields").is_array());
}

#[test]
fn every_recording_is_covered_and_the_copy_matches_the_shared_folder() {
    let covered = [
        "create-candidate",
        "create-comment",
        "create-subscription",
        "delete-subscription",
        "disqualify-candidate",
        "get-candidate",
        "get-job-application-form",
        "get-job",
        "list-accounts",
        "list-candidate-activities",
        "list-candidate-files",
        "list-candidates",
        "list-disqualification-reasons",
        "list-job-members",
        "list-job-stages",
        "list-jobs",
        "list-members",
        "list-stages",
        "list-subscriptions",
        "move-candidate",
        "revert-candidate-disqualification",
        "update-candidate-tags",
        "update-candidate",
    ];
    let mut found: Vec<String> = std::fs::read_dir(RECORDINGS)
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".json").map(str::to_owned))
        .collect();
    found.sort();
    let mut expected: Vec<String> = covered.iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    assert_eq!(found, expected);
    // Where the shared folder is checked out beside the project, the copy must not have drifted.
    let shared = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/workable-recordings");
    if std::path::Path::new(shared).is_dir() {
        for name in &found {
            let ours = std::fs::read(format!("{RECORDINGS}/{name}.json")).unwrap();
            let theirs = std::fs::read(format!("{shared}/{name}.json")).unwrap();
            assert!(ours == theirs, "{name}.json differs from the shared recordings");
        }
    }
}
