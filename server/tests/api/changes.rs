//! `/events/roles/{id}`: an open pipeline page is told when what it shows changed, and of nothing
//! else; strangers and other companies get nothing.

use std::time::Duration;

use app::api::{AnswerRequest, GetPipeline, ListRoles};
use domain::RequestStatus;
use domain::views::{Pipeline, RoleSummary};
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;

use crate::helpers::{HANK, MARIA, Visitor};
use crate::on_both_databases;

async fn pipeline(visitor: &Visitor, title: &str) -> (String, Pipeline) {
    let roles: Vec<RoleSummary> = visitor.call_ok::<ListRoles, _>(&[]).await;
    let id = roles.into_iter().find(|r| r.title == title).unwrap().id.to_string();
    let pipeline = visitor.call_ok::<GetPipeline, _>(&[("role_id", &id)]).await;
    (id, pipeline)
}

/// The next event of the stream, if one comes within `wait`: its `event:` and `data:` lines.
async fn next_event(stream: &mut reqwest::Response, wait: Duration) -> Option<(String, String)> {
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk()).await.ok()?.unwrap()?;
        text.push_str(std::str::from_utf8(&chunk).unwrap());
        // Comments (keep-alives) are not events.
        if let Some(event) = text.split("\n\n").find(|block| block.lines().any(|l| l.starts_with("event:"))) {
            let field = |name: &str| {
                event.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().to_owned()).unwrap_or_default()
            };
            return Some((field("event:"), field("data:")));
        }
    }
}

on_both_databases! {
    async fn an_open_pipeline_is_told_of_a_change_and_of_nothing_else(app: TestApp) {
        let maria = app.signed_in(MARIA).await;
        let (role, page) = pipeline(&maria, "Senior Rust Engineer").await;
        let follow = |visitor: &Visitor, since: &str| {
            visitor.client.get(format!("{}/events/roles/{role}?since={since}", app.address)).send()
        };
        // Strangers and another company: nothing.
        assert_eq!(follow(&app.visitor(), &page.version).await.unwrap().status(), StatusCode::UNAUTHORIZED);
        let hank = app.signed_in(HANK).await;
        assert_eq!(follow(&hank, &page.version).await.unwrap().status(), StatusCode::NOT_FOUND);
        let unknown = maria.client.get(format!("{}/events/roles/999999", app.address)).send().await.unwrap();
        assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

        // The sync worker records the demo's earlier acceptances as it starts: wait until the
        // role is still, then follow it from what the page shows.
        let mut version = page.version.clone();
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let now = maria.call_ok::<GetPipeline, Pipeline>(&[("role_id", &role)]).await.version;
            if now == version {
                break;
            }
            version = now;
        }
        let mut stream = follow(&maria, &version).await.unwrap();
        assert_eq!(stream.status(), StatusCode::OK);
        assert_eq!(stream.headers()[CONTENT_TYPE], "text/event-stream");
        assert_eq!(next_event(&mut stream, Duration::from_millis(800)).await, None, "nothing changed, nothing sent");

        // A candidate accepts: the page is told at once, with the new version.
        let page = maria.call_ok::<GetPipeline, Pipeline>(&[("role_id", &role)]).await;
        let pending = page.requests.iter().find(|r| r.status == RequestStatus::Pending).unwrap().request_id.to_string();
        maria.call_ok::<AnswerRequest, ()>(&[("request_id", &pending), ("accept", "true")]).await;
        let (event, told) = next_event(&mut stream, Duration::from_secs(2)).await.expect("told of the acceptance");
        assert_eq!(event, "changed");
        assert_ne!(told, version);

        // A page out of date when it connects is told at once.
        let mut late = follow(&maria, &version).await.unwrap();
        let (event, _) = next_event(&mut late, Duration::from_secs(1)).await.expect("told at once");
        assert_eq!(event, "changed");
    }
}
