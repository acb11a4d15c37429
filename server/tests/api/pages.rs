use app::api::{GetPipeline, ListRoles};
use domain::views::{Pipeline, RoleSummary};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, LOCATION};

use crate::helpers::{HANK, MARIA, TOM, TestApp, spawn_app};

async fn rust_role(app: &TestApp) -> (String, Pipeline) {
    let maria = app.signed_in(MARIA).await;
    let roles: Vec<RoleSummary> = maria.call_ok::<ListRoles, _>(&[]).await;
    let id = roles.into_iter().find(|r| r.title == "Senior Rust Engineer").unwrap().id.to_string();
    let pipeline = maria.call_ok::<GetPipeline, _>(&[("role_id", &id)]).await;
    (id, pipeline)
}

#[tokio::test]
async fn signed_out_visitors_are_sent_to_sign_in_which_shows_the_demo_logins() {
    let app = spawn_app(storage::Backend::Sqlite).await;
    let visitor = app.visitor();
    let home = visitor.get("/").await;
    assert!(home.status().is_redirection());
    assert_eq!(home.headers()[LOCATION], "/source");
    for path in ["/source", "/account-settings", "/roles/1"] {
        let response = visitor.get(path).await;
        assert_eq!(response.status(), StatusCode::FOUND, "{path}");
        assert_eq!(response.headers()[LOCATION], "/sign-in", "{path}");
    }
    let page = visitor.get("/sign-in").await.text().await.unwrap();
    assert!(page.contains("Sign in"));
    assert!(page.contains("maria@northwind.test") && page.contains("northwind-master"));
}

#[tokio::test]
async fn the_source_page_lists_the_roles_in_the_products_words() {
    let app = spawn_app(storage::Backend::Sqlite).await;
    let tom = app.signed_in(TOM).await;
    let response = tom.get("/source").await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    for words in [
        "Source",
        "Account settings",
        "Senior Rust Engineer",
        "DevOps Engineer",
        "Draft",
        "Live",
        "Not mapped",
        "Publish",
    ] {
        assert!(page.contains(words), "Source should show {words:?}");
    }
    assert!(!page.contains("Platform Engineer"));
}

#[tokio::test]
async fn account_settings_tells_a_member_to_ask_their_customer_success_manager() {
    let app = spawn_app(storage::Backend::Sqlite).await;
    let tom = app.signed_in(TOM).await.get("/account-settings").await.text().await.unwrap();
    assert!(tom.contains("ATS integrations") && tom.contains("Workable"));
    assert!(tom.contains("Customer Success Manager"));
    let maria = app.signed_in(MARIA).await.get("/account-settings").await.text().await.unwrap();
    assert!(maria.contains("ATS integrations"));
    assert!(!maria.contains("Customer Success Manager"));
}

#[tokio::test]
async fn another_companys_pipeline_page_is_a_404_without_its_data() {
    let app = spawn_app(storage::Backend::Sqlite).await;
    let (id, pipeline) = rust_role(&app).await;
    let response = app.signed_in(HANK).await.get(&format!("/roles/{id}")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let page = response.text().await.unwrap();
    assert!(!page.contains("Senior Rust Engineer"));
    assert!(!page.contains(&pipeline.entries[0].name));

    let own = app.signed_in(MARIA).await.get(&format!("/roles/{id}")).await;
    assert_eq!(own.status(), StatusCode::OK);
    let page = own.text().await.unwrap();
    assert!(page.contains(&pipeline.entries[0].name));
    assert!(
        page.contains("Accept on the candidate&#x27;s behalf") || page.contains("Accept on the candidate's behalf")
    );
}

#[tokio::test]
async fn a_cv_is_served_to_the_company_the_candidate_accepted_and_nobody_else() {
    let app = spawn_app(storage::Backend::Sqlite).await;
    let (_, pipeline) = rust_role(&app).await;
    let path = format!("/candidates/{}/cv", pipeline.entries[0].candidate_id);

    let response = app.signed_in(MARIA).await.get(&path).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_TYPE], "application/pdf");
    assert!(response.bytes().await.unwrap().starts_with(b"%PDF-"));

    assert_eq!(app.visitor().get(&path).await.status(), StatusCode::UNAUTHORIZED);
    // Candidate 1 accepted Globex too, so pick one who only accepted Northwind.
    let northwind_only = pipeline.entries.iter().find(|e| e.name != "Ada Lovelace").unwrap();
    let foreign = app.signed_in(HANK).await.get(&format!("/candidates/{}/cv", northwind_only.candidate_id)).await;
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
    // Before accepting, a candidate's CV is not the company's to read.
    let not_asked = &pipeline.can_request[0];
    let before = app.signed_in(MARIA).await.get(&format!("/candidates/{}/cv", not_asked.id)).await;
    assert_eq!(before.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn health_reports_the_database_and_version_and_metrics_count_requests() {
    let app = spawn_app(storage::Backend::Sqlite).await;
    let visitor = app.visitor();
    let health: serde_json::Value = visitor.get("/healthz").await.json().await.unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["database"]["backend"], "sqlite");
    assert_eq!(health["database"]["reachable"], true);
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));

    visitor.get("/sign-in").await;
    let metrics = visitor.get("/metrics").await;
    assert!(metrics.headers()[CONTENT_TYPE].to_str().unwrap().starts_with("text/plain"));
    let text = metrics.text().await.unwrap();
    assert!(text.contains("http_requests_total{"), "{text}");
    assert!(text.contains("route=\"/sign-in\""), "{text}");
}

#[tokio::test]
async fn the_embedded_default_mounts_the_workable_sandbox() {
    let data = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let public = format!("http://{}", listener.local_addr().unwrap());
    let (router, _) =
        server::mount_sandbox(axum::Router::new(), &public, data.path(), &workable::Clock::system()).unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap()
    });
    let client = reqwest::Client::new();
    let index = client.get(format!("{public}/sandbox")).send().await.unwrap().text().await.unwrap();
    assert!(index.contains("Northwind Labs"));
    let jobs: serde_json::Value = client
        .get(format!("{public}/sandbox/northwind/spi/v3/jobs?state=published"))
        .bearer_auth(workable_sandbox::seed::NORTHWIND_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(jobs["jobs"].as_array().unwrap().len() >= 5);
    assert!(data.path().join("workable-sandbox.json").exists(), "the sandbox keeps its state in the data directory");
}

#[tokio::test]
async fn pages_are_sent_gzipped_to_browsers_that_accept_it() {
    let app = spawn_app(storage::Backend::Sqlite).await;
    let response = reqwest::Client::new()
        .get(format!("{}/sign-in", app.address))
        .header(reqwest::header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[reqwest::header::CONTENT_ENCODING], "gzip");
    let plain = app.visitor().get("/sign-in").await;
    assert!(plain.headers().get(reqwest::header::CONTENT_ENCODING).is_none());
}
