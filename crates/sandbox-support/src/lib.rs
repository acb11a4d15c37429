//! What every local ATS sandbox shares: its controls answer only on this machine, its faults
//! are spread evenly and deterministically, and its conformance test compares answers with the
//! recorded ones by shape; and its world is saved and opened alike (`saved`).

mod saved;

pub use saved::{OpenError, SavedWorld};

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A sandbox's control API and people's pages change and show every account without a
/// credential, so they answer only on this machine: a request from any other address — or one
/// served without its peer address (`into_make_service_with_connect_info`), which cannot be told
/// apart — gets 403. (Behind a reverse proxy on the same machine everything looks local: keep the
/// sandboxes off there, as the server's default does.)
pub async fn loopback_only(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let peer = request.extensions().get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|info| info.0.ip());
    match peer {
        Some(ip) if ip.is_loopback() => next.run(request).await,
        _ => {
            tracing::warn!(peer = ?peer, path = %request.uri().path(), "sandbox control refused: not from this machine");
            (
                StatusCode::FORBIDDEN,
                Json(json!({ "error": "The sandbox's controls answer only on the machine it runs on." })),
            )
                .into_response()
        }
    }
}

/// A JSON answer with the content type both ATSs were recorded sending
/// (`application/json; charset=utf-8`).
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// Text made safe inside HTML (elements and quoted attributes) for the sandboxes' pages.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// Whether the `seen`-th event is one of an evenly spread `rate` share (0.0–1.0): with 0.25
/// every fourth.
pub fn picked(seen: u64, rate: f64) -> bool {
    let rate = rate.clamp(0.0, 1.0);
    seen > 0 && rate > 0.0 && (seen as f64 * rate).floor() > ((seen - 1) as f64 * rate).floor()
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Compares `ours` with a `recorded` answer, collecting every difference with its JSON path: the
/// same keys at every level and the same JSON types. Values may differ, and `null` matches any
/// type (an optional field that happened to be empty on one side). Elements of a list may differ
/// in optional keys (an old record without a field): each of ours is compared with the recorded
/// element it differs least from.
pub fn same_shape(recorded: &Value, ours: &Value, at: &str, problems: &mut Vec<String>) {
    match (recorded, ours) {
        (Value::Null, _) | (_, Value::Null) => {}
        (Value::Object(r), Value::Object(o)) => {
            for missing in r.keys().filter(|k| !o.contains_key(*k)) {
                problems.push(format!("{at}.{missing}: missing"));
            }
            for extra in o.keys().filter(|k| !r.contains_key(*k)) {
                problems.push(format!("{at}.{extra}: not in the recording"));
            }
            for (key, value) in r {
                if let Some(mine) = o.get(key) {
                    same_shape(value, mine, &format!("{at}.{key}"), problems);
                }
            }
        }
        (Value::Array(r), Value::Array(o)) => {
            if r.is_empty() {
                return;
            }
            for (i, item) in o.iter().enumerate() {
                let at = format!("{at}[{i}]");
                let least = r
                    .iter()
                    .map(|candidate| {
                        let mut found = Vec::new();
                        same_shape(candidate, item, &at, &mut found);
                        found
                    })
                    .min_by_key(Vec::len)
                    .unwrap_or_default();
                problems.extend(least);
            }
        }
        (r, o) if kind(r) != kind(o) => problems.push(format!("{at}: {} recorded, {} here", kind(r), kind(o))),
        _ => {}
    }
}

/// How an answer differs from a recorded exchange (`status`, `content_type` — `null` when the ATS
/// sent none — and `body`, `""` for an empty one): its status, its content type and, by
/// [`same_shape`], its JSON. Empty when they are alike.
pub fn differences(exchange: &Value, status: u16, content_type: Option<&str>, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let expected_status = exchange["status"].as_u64().unwrap_or_default();
    if u64::from(status) != expected_status {
        problems.push(format!("status {status}, recorded {expected_status}: {text}"));
    }
    let expected_type = exchange["content_type"].as_str();
    if content_type != expected_type {
        problems.push(format!("content type {content_type:?}, recorded {expected_type:?}"));
    }
    let recorded_body = &exchange["body"];
    if recorded_body == &json!("") {
        if !text.is_empty() {
            problems.push(format!("body {text:?}, recorded empty"));
        }
    } else {
        match serde_json::from_str::<Value>(text) {
            Ok(ours) => same_shape(recorded_body, &ours, "$", &mut problems),
            Err(err) => problems.push(format!("body is not JSON ({err}): {text}")),
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shape_check_notices_missing_and_extra_keys_and_changed_types() {
        let recorded = json!({ "data": { "id": "1", "tags": ["a"], "stage": "x", "fields": [{ "value": "x" }] }, "hasNext": false });
        let ours =
            json!({ "data": { "id": 1, "tags": ["b"], "extra": true, "fields": [{ "text": "x" }] }, "hasNext": null });
        let mut problems = Vec::new();
        same_shape(&recorded, &ours, "$", &mut problems);
        problems.sort();
        assert_eq!(
            problems,
            vec![
                "$.data.extra: not in the recording",
                "$.data.fields[0].text: not in the recording",
                "$.data.fields[0].value: missing",
                "$.data.id: string recorded, number here",
                "$.data.stage: missing",
            ]
        );
    }

    #[test]
    fn a_list_element_is_compared_with_the_recorded_one_it_differs_least_from() {
        let recorded = json!([{ "to": "a", "userId": "u" }, { "to": "b" }]);
        let mut problems = Vec::new();
        same_shape(&recorded, &json!([{ "to": "c" }, { "to": "d", "userId": "v" }]), "$", &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        same_shape(&recorded, &json!([{ "to": "c", "other": 1 }]), "$", &mut problems);
        assert_eq!(problems, ["$[0].other: not in the recording"]);
    }

    #[test]
    fn escaped_text_cannot_open_an_element_or_leave_an_attribute() {
        assert_eq!(escape(r#"<a href="x" title='y'>&"#), "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;");
    }

    #[test]
    fn an_answer_differs_from_an_exchange_by_status_content_type_and_shape() {
        let exchange = json!({ "status": 200, "content_type": "application/json", "body": { "data": [] } });
        assert!(differences(&exchange, 200, Some("application/json"), r#"{"data":[1]}"#).is_empty());
        let found = differences(&exchange, 201, None, "{}");
        assert_eq!(found.len(), 3, "{found:?}");
        let empty = json!({ "status": 204, "content_type": null, "body": "" });
        assert!(differences(&empty, 204, None, "").is_empty());
        assert_eq!(differences(&empty, 204, None, "x"), [r#"body "x", recorded empty"#]);
        assert!(differences(&exchange, 200, Some("application/json"), "not json")[0].starts_with("body is not JSON"));
    }

    #[test]
    fn an_error_share_is_spread_evenly() {
        let picks: Vec<bool> = (1..=8).map(|seen| picked(seen, 0.25)).collect();
        assert_eq!(picks, [false, false, false, true, false, false, false, true]);
        assert!(!picked(0, 1.0) && !picked(5, 0.0));
    }
}
