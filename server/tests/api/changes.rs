//! `/events/roles/{id}` and `/events/source`: an open pipeline or *Source* page is told when what
//! it shows changed, and of nothing else; strangers and other companies get nothing.

use std::time::Duration;

use app::api::{AnswerRequest, GetPipeline, GetRolesPage, ListRoles};
use domain::RequestStatus;
use domain::views::{Pipeline, RoleSummary, RolesPage};
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

/// The version `read` gives once it stayed the same for a second (the sync worker records the
/// demo's earlier acceptances as it starts).
async fn settled<F, Fut>(read: F) -> String
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = String>,
{
    let (mut version, mut same) = (read().await, 0);
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = read().await;
        same = if now == version { same + 1 } else { 0 };
        if same == 5 {
            return version;
        }
        version = now;
    }
    panic!("the page never settled: {version}");
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
        let version = settled(|| async { maria.call_ok::<GetPipeline, Pipeline>(&[("role_id", &role)]).await.version }).await;
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

on_both_databases! {
    async fn an_open_source_page_is_told_of_its_companys_changes_only(app: TestApp) {
        let maria = app.signed_in(MARIA).await;
        let hank = app.signed_in(HANK).await;
        let source = |visitor: &Visitor, since: &str| {
            visitor.client.get(format!("{}/events/source?since={since}", app.address)).send()
        };
        assert_eq!(source(&app.visitor(), "1").await.unwrap().status(), StatusCode::UNAUTHORIZED);
        // Settled first: the worker records the demo's earlier acceptances as it starts.
        let version = settled(|| async { maria.call_ok::<GetRolesPage, RolesPage>(&[]).await.version }).await;
        let mut northwind = source(&maria, &version).await.unwrap();
        assert_eq!(northwind.headers()[CONTENT_TYPE], "text/event-stream");
        let globex_version = hank.call_ok::<GetRolesPage, RolesPage>(&[]).await.version;
        let mut globex = source(&hank, &globex_version).await.unwrap();
        assert_eq!(next_event(&mut northwind, Duration::from_millis(800)).await, None, "nothing changed, nothing sent");

        // A Northwind candidate accepts: Northwind's Source is told, Globex's is not.
        let (_, page) = pipeline(&maria, "Senior Rust Engineer").await;
        let pending = page.requests.iter().find(|r| r.status == RequestStatus::Pending).unwrap().request_id.to_string();
        maria.call_ok::<AnswerRequest, ()>(&[("request_id", &pending), ("accept", "true")]).await;
        let (event, told) = next_event(&mut northwind, Duration::from_secs(2)).await.expect("told of the acceptance");
        assert_eq!((event.as_str(), told != version), ("changed", true));
        assert_eq!(next_event(&mut globex, Duration::from_millis(800)).await, None, "another company's change");
    }
}
