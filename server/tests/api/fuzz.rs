//! Fuzzed boundaries: property tests over every server function and the webhook endpoint of the
//! real router. Arbitrary bytes and near-misses of the real arguments (the right field names
//! with wrong, huge, empty, non-ASCII or repeated values) get a client error or an answer, never
//! a 500 and never a panic (the server still answers afterwards). A fixed case budget per
//! property, no failure files: the run is the same in CI as here.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reqwest::StatusCode;
use storage::Backend;

use crate::helpers::{MARIA, TestApp, Visitor, spawn_app};

/// The names the product's forms use, so that near-misses reach past the decoding into the
/// use cases.
const FIELDS: &[&str] = &[
    "role_id",
    "request_id",
    "candidate_id",
    "stage",
    "title",
    "location",
    "publish",
    "email",
    "password",
    "subdomain",
    "token",
    "expires_on",
    "accept",
    "kind",
    "starts_at",
    "duration_minutes",
    "interviewer",
    "job",
    "shortcode",
    "pending_id",
    "account",
    "export_id",
    "interview_id",
    "notes",
    "row_accepted",
];

/// Values that are near what a field expects, or far from it.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        Just(String::new()),
        Just("1".to_owned()),
        Just("northwind".to_owned()),
        Just("move:sourced".to_owned()),
        Just("offer".to_owned()),
        Just("2026-12-03T14:30".to_owned()),
        Just("maria@northwind.test".to_owned()),
        "\\PC{0,40}",
        "[a-z0-9:_-]{0,20}",
        (1usize..5_000).prop_map(|n| "x".repeat(n)),
    ]
}

fn form() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![4 => prop::sample::select(FIELDS).prop_map(str::to_owned), 1 => "\\PC{0,12}"];
    prop::collection::vec((name, value()), 0..7)
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() })
}

fn paths() -> Vec<&'static str> {
    let mut paths: Vec<&'static str> = server_fn::axum::server_fn_paths().map(|(path, _)| path).collect();
    paths.sort_unstable();
    assert!(paths.len() >= 20, "every server function is registered: {paths:?}");
    paths
}

/// Not a 500, and not any other 5xx than "Workable (or the sign-in queue) is busy" (503).
fn acceptable(status: StatusCode) -> bool {
    !status.is_server_error() || status == StatusCode::SERVICE_UNAVAILABLE
}

async fn still_up(app: &TestApp) {
    let health = reqwest::get(format!("{}/healthz", app.address)).await.unwrap();
    assert_eq!(health.status(), StatusCode::OK, "the server survived");
}

#[test]
fn server_functions_answer_any_form_with_a_client_error_never_a_500() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = rt.block_on(spawn_app(Backend::Sqlite));
    let maria: Visitor = rt.block_on(app.signed_in(MARIA));
    let anonymous = app.visitor();
    let paths = paths();
    runner(400)
        .run(&(prop::sample::select(paths), form(), any::<bool>()), |(path, fields, signed_in)| {
            let visitor = if signed_in { &maria } else { &anonymous };
            let status = rt.block_on(async {
                visitor.client.post(format!("{}{path}", visitor.address)).form(&fields).send().await.unwrap().status()
            });
            prop_assert!(acceptable(status), "{path} {fields:?} answered {status}");
            Ok(())
        })
        .unwrap();
    rt.block_on(still_up(&app));
}

#[test]
fn server_functions_answer_any_bytes_with_a_client_error_never_a_500() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = rt.block_on(spawn_app(Backend::Sqlite));
    let maria: Visitor = rt.block_on(app.signed_in(MARIA));
    let paths = paths();
    let content_type = prop::sample::select(vec![
        "application/x-www-form-urlencoded",
        "application/json",
        "text/plain",
        "multipart/form-data; boundary=x",
        "application/cbor",
        "",
    ]);
    let body = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..4_096),
        "\\PC{0,200}".prop_map(String::into_bytes),
        form().prop_map(|f| serde_json::to_vec(&f.into_iter().collect::<std::collections::HashMap<_, _>>()).unwrap()),
    ];
    runner(300)
        .run(&(prop::sample::select(paths), content_type, body), |(path, content_type, body)| {
            let status = rt.block_on(async {
                let mut request = maria.client.post(format!("{}{path}", maria.address)).body(body.clone());
                if !content_type.is_empty() {
                    request = request.header("content-type", content_type);
                }
                request.send().await.unwrap().status()
            });
            prop_assert!(acceptable(status), "{path} ({content_type}) {} bytes answered {status}", body.len());
            Ok(())
        })
        .unwrap();
    rt.block_on(still_up(&app));
}

#[test]
fn webhook_deliveries_of_any_shape_are_refused_or_taken_never_a_500() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = rt.block_on(spawn_app(Backend::Sqlite));
    // A connection with webhooks, so that a delivery can reach past the address check.
    let token = rt.block_on(async {
        let maria = app.signed_in(MARIA).await;
        let connect = maria
            .call::<app::api::workable::ConnectWorkableToken>(&[
                ("subdomain", "northwind"),
                ("token", workable_sandbox::seed::NORTHWIND_TOKEN),
            ])
            .await;
        assert!(connect.status().is_success() || connect.status().is_redirection());
        let roles: Vec<domain::views::RoleSummary> = maria.call_ok::<app::api::ListRoles, _>(&[]).await;
        let role = roles.into_iter().find(|r| r.title == "Data Engineer").unwrap().id.to_string();
        let form = crate::mapping::mapping_form(&role, "NOR03DATA03", "move:phone-screen");
        let _: i64 = maria.call_ok::<app::api::mapping::SaveAtsConfiguration, _>(&form).await;
        let company =
            app.db.find_user_by_email(&domain::Email::parse("maria@northwind.test").unwrap()).await.unwrap().unwrap();
        app.db.connection(company.company_id).await.unwrap().unwrap().webhook_token.unwrap()
    });
    let client = reqwest::Client::new();
    let address = prop_oneof![3 => Just(token.clone()), 1 => "[a-f0-9]{0,70}", 1 => "\\PC{0,20}"];
    let event = prop::sample::select(vec!["candidate_created", "candidate_moved", "candidate_deleted", "nope", ""]);
    let near_miss = (any::<u32>(), "\\PC{0,20}", any::<bool>()).prop_map(|(id, stage, disqualified)| {
        serde_json::to_vec(&serde_json::json!({
            "event_type": "candidate_moved", "resource_type": "candidate", "id": id.to_string(),
            "fired_at": "2026-12-03T10:00:00Z",
            "data": { "id": format!("{id:x}"), "stage": stage, "disqualified": disqualified, "job": { "shortcode": "NOR03DATA03" } }
        }))
        .unwrap()
    });
    let body = prop_oneof![prop::collection::vec(any::<u8>(), 0..2_048), near_miss];
    // Absent, garbage, or the right signature of the body (an account token's key).
    let signing = prop::sample::select(vec![0u8, 1, 2]);
    runner(300)
        .run(&(address, event, body, signing), |(address, event, body, signing)| {
            let url = format!("{}/webhooks/workable/{}/{event}", app.address, urlencode(&address));
            let status = rt.block_on(async {
                let mut request = client.post(url).body(body.clone());
                match signing {
                    0 => {}
                    1 => request = request.header(workable::webhook::SIGNATURE_HEADER, "deadbeef"),
                    _ => {
                        let signature =
                            workable::webhook::sign(workable_sandbox::seed::NORTHWIND_TOKEN.as_bytes(), &body);
                        request = request.header(workable::webhook::SIGNATURE_HEADER, signature);
                    }
                }
                request.send().await.unwrap().status()
            });
            prop_assert!(!status.is_server_error(), "{address} {event} ({signing}) answered {status}");
            Ok(())
        })
        .unwrap();
    rt.block_on(still_up(&app));
}

fn urlencode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}
