//! Scenario tests: what a client of Workable lives through — OAuth and its errors, paging,
//! the rate limit, duplicates, signed webhooks, and every fault knob.

use std::time::Duration;

use base64::Engine;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use workable_sandbox::{Faults, Sandbox, seed};

const CALLBACK: &str = "http://127.0.0.1:9/callback";

struct Env {
    sandbox: Sandbox,
    base: String,
    http: reqwest::Client,
    job: String,
    member: String,
}

async fn start() -> Env {
    let sandbox = Sandbox::new(seed::seed(vec![CALLBACK.to_owned()]), None);
    let (base, _) = sandbox.serve(0).await.unwrap();
    let (job, member) = sandbox.read(|w| {
        let a = w.account("northwind").unwrap();
        (a.jobs[0].shortcode.clone(), a.members[0].id.clone())
    });
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    Env { sandbox, base, http, job, member }
}

impl Env {
    fn api(&self, path: &str) -> String {
        format!("{}/northwind/spi/v3{path}", self.base)
    }

    async fn get(&self, token: &str, path: &str) -> reqwest::Response {
        self.http.get(self.api(path)).bearer_auth(token).send().await.unwrap()
    }

    async fn post(&self, token: &str, path: &str, body: Value) -> reqwest::Response {
        self.http.post(self.api(path)).bearer_auth(token).json(&body).send().await.unwrap()
    }

    async fn create(&self, email: &str) -> reqwest::Response {
        self.post(
            seed::NORTHWIND_TOKEN,
            &format!("/jobs/{}/candidates", self.job),
            json!({ "sourced": true, "candidate": { "name": "Ada Lovelace", "email": email } }),
        )
        .await
    }

    async fn create_id(&self, email: &str) -> String {
        let response = self.create(email).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json::<Value>().await.unwrap()["candidate"]["id"].as_str().unwrap().to_owned()
    }

    fn fresh_window(&self) {
        self.sandbox.advance_clock(10_000);
    }
}

// ---------------------------------------------------------------------------------------------
// OAuth

fn pkce() -> (String, String) {
    let verifier = "a-verifier-of-enough-length-for-pkce-0123456789".to_owned();
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn query_param(location: &str, key: &str) -> Option<String> {
    let query = location.split_once('?')?.1;
    query
        .split('&')
        .find_map(|pair| pair.split_once('=').filter(|(k, _)| *k == key).map(|(_, v)| v.replace("%20", " ")))
}

impl Env {
    fn authorize_params(&self, challenge: &str) -> Vec<(&'static str, String)> {
        vec![
            ("client_id", seed::CLIENT_ID.to_owned()),
            ("redirect_uri", CALLBACK.to_owned()),
            ("response_type", "code".to_owned()),
            ("scope", "r_jobs r_candidates w_candidates".to_owned()),
            ("state", "state-123".to_owned()),
            ("code_challenge", challenge.to_owned()),
            ("code_challenge_method", "S256".to_owned()),
        ]
    }

    /// Allow (or deny) on the authorise page as `email`; returns the redirect's Location.
    async fn decide(&self, challenge: &str, email: &str, decision: &str) -> String {
        let mut form = self.authorize_params(challenge);
        form.push(("member_email", email.to_owned()));
        form.push(("decision", decision.to_owned()));
        let response = self.http.post(format!("{}/oauth/authorize", self.base)).form(&form).send().await.unwrap();
        assert!(response.status().is_redirection(), "{}", response.status());
        response.headers()["location"].to_str().unwrap().to_owned()
    }

    async fn token(&self, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let response = self.http.post(format!("{}/oauth/token", self.base)).form(form).send().await.unwrap();
        (response.status(), response.json().await.unwrap())
    }

    async fn exchange(&self, code: &str, verifier: &str) -> (StatusCode, Value) {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", CALLBACK),
            ("client_id", seed::CLIENT_ID),
            ("client_secret", seed::CLIENT_SECRET),
            ("code_verifier", verifier),
        ])
        .await
    }
}

#[tokio::test]
async fn the_oauth_code_flow_issues_rotating_tokens_that_reach_the_users_accounts() {
    let env = start().await;
    let (verifier, challenge) = pkce();
    let page = env
        .http
        .get(format!("{}/oauth/authorize", env.base))
        .query(&env.authorize_params(&challenge))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    for words in ["ats-bridge (local)", "r_candidates", "Allow", "Deny", "Northwind Labs"] {
        assert!(html.contains(words), "the authorise page shows {words:?}");
    }

    let location = env.decide(&challenge, "maria@northwind.test", "allow").await;
    assert!(location.starts_with(CALLBACK));
    assert_eq!(query_param(&location, "state").as_deref(), Some("state-123"));
    let code = query_param(&location, "code").unwrap();

    let (status, tokens) = env.exchange(&code, &verifier).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 7200);
    assert_eq!(tokens["scope"], "r_jobs r_candidates w_candidates");
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();

    let accounts: Value = env
        .http
        .get(format!("{}/spi/v3/accounts", env.base))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(accounts["accounts"].as_array().unwrap().len(), 1);
    assert_eq!(accounts["accounts"][0]["subdomain"], "northwind");
    let jobs = env.get(&access, "/jobs").await;
    assert_eq!(jobs.status(), StatusCode::OK);
    assert_eq!(jobs.headers()["x-rate-limit-limit"], "50", "OAuth tokens get 50 requests per 10 s");
    let globex = env.http.get(format!("{}/globex/spi/v3/jobs", env.base)).bearer_auth(&access).send().await.unwrap();
    assert_eq!(globex.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let refresh_form = |rt: &str| {
        vec![
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", rt.to_owned()),
            ("client_id", seed::CLIENT_ID.to_owned()),
            ("client_secret", seed::CLIENT_SECRET.to_owned()),
        ]
    };
    let response =
        env.http.post(format!("{}/oauth/token", env.base)).form(&refresh_form(&refresh)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let rotated: Value = response.json().await.unwrap();
    assert_ne!(rotated["refresh_token"], tokens["refresh_token"]);
    let reused = env.http.post(format!("{}/oauth/token", env.base)).form(&refresh_form(&refresh)).send().await.unwrap();
    assert_eq!(reused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(reused.json::<Value>().await.unwrap()["error"], "invalid_grant");

    // Expiry: two hours later the first access token no longer works.
    env.sandbox.advance_clock(7_200_000);
    assert_eq!(env.get(&access, "/jobs").await.status(), StatusCode::UNAUTHORIZED);
    let new_access = rotated["access_token"].as_str().unwrap();
    assert_eq!(
        env.get(new_access, "/jobs").await.status(),
        StatusCode::UNAUTHORIZED,
        "issued at the same sandbox time, it expired too"
    );

    // Revocation ends the grant: its refresh token stops working.
    let revoke = env
        .http
        .post(format!("{}/oauth/revoke", env.base))
        .form(&[("token", rotated["refresh_token"].as_str().unwrap())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), StatusCode::OK);
    let after = env
        .http
        .post(format!("{}/oauth/token", env.base))
        .form(&refresh_form(rotated["refresh_token"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(after.json::<Value>().await.unwrap()["error"], "invalid_grant");
}

#[tokio::test]
async fn every_oauth_error_is_answered_as_rfc_6749_says() {
    let env = start().await;
    let (verifier, challenge) = pkce();

    let mut params = env.authorize_params(&challenge);
    params[0].1 = "someone-else".into();
    let unknown_client = env.http.get(format!("{}/oauth/authorize", env.base)).query(&params).send().await.unwrap();
    assert_eq!(unknown_client.status(), StatusCode::BAD_REQUEST, "an unknown client is shown an error, not redirected");
    let mut params = env.authorize_params(&challenge);
    params[1].1 = "http://evil.example/callback".into();
    let wrong_redirect = env.http.get(format!("{}/oauth/authorize", env.base)).query(&params).send().await.unwrap();
    assert_eq!(wrong_redirect.status(), StatusCode::BAD_REQUEST, "redirect URIs are checked exactly");
    let mut params = env.authorize_params(&challenge);
    params[3].1 = "r_jobs launch_missiles".into();
    let bad_scope = env.http.get(format!("{}/oauth/authorize", env.base)).query(&params).send().await.unwrap();
    assert_eq!(
        query_param(bad_scope.headers()["location"].to_str().unwrap(), "error").as_deref(),
        Some("invalid_scope")
    );

    let denied = env.decide(&challenge, "maria@northwind.test", "deny").await;
    assert_eq!(query_param(&denied, "error").as_deref(), Some("access_denied"));
    assert_eq!(query_param(&denied, "state").as_deref(), Some("state-123"));

    let code = query_param(&env.decide(&challenge, "maria@northwind.test", "allow").await, "code").unwrap();
    let (status, body) = env.exchange(&code, "not-the-verifier").await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "PKCE is checked");
    let (status, body) = env
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("client_id", seed::CLIENT_ID),
            ("client_secret", "wrong"),
        ])
        .await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));
    let (status, _) = env.exchange(&code, &verifier).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = env.exchange(&code, &verifier).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant")),
        "a code is single-use"
    );

    let late = query_param(&env.decide(&challenge, "maria@northwind.test", "allow").await, "code").unwrap();
    env.sandbox.advance_clock(11 * 60 * 1000);
    let (status, body) = env.exchange(&late, &verifier).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant")),
        "codes expire after 10 minutes"
    );
    let (status, body) = env
        .token(&[("grant_type", "password"), ("client_id", seed::CLIENT_ID), ("client_secret", seed::CLIENT_SECRET)])
        .await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("unsupported_grant_type")));
}

// ---------------------------------------------------------------------------------------------
// Paging, limits, errors

#[tokio::test]
async fn paging_walks_250_candidates_in_pages_of_100_with_an_absolute_next_link() {
    let env = start().await;
    let applied_before = env.sandbox.read(|w| {
        w.account("northwind")
            .unwrap()
            .candidates
            .iter()
            .filter(|c| c.job_shortcode == env.job && c.stage_slug == "applied")
            .count()
    });
    env.sandbox.write(|w| {
        for i in 0..250 {
            let c = seed::new_candidate(
                w,
                &env.job,
                "Page",
                &i.to_string(),
                &format!("page{i}@example.com"),
                "applied",
                false,
                0,
            );
            w.account_mut("northwind").unwrap().candidates.push(c);
        }
    });
    let mut url = format!("{}?shortcode={}&stage=applied&limit=100", env.api("/candidates"), env.job);
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        env.fresh_window();
        let page: Value =
            env.http.get(&url).bearer_auth(seed::NORTHWIND_TOKEN).send().await.unwrap().json().await.unwrap();
        pages += 1;
        let items = page["candidates"].as_array().unwrap();
        seen.extend(items.iter().map(|c| c["id"].as_str().unwrap().to_owned()));
        match page.get("paging") {
            Some(paging) => {
                let next = paging["next"].as_str().unwrap();
                assert!(next.starts_with(&env.base), "next is absolute: {next}");
                assert!(
                    next.contains(&format!("/jobs/{}/candidates?", env.job)),
                    "as recorded, the job filter moves into the path: {next}"
                );
                assert!(next.contains("stage=applied") && next.contains("limit=100"), "filters are carried: {next}");
                // since_id is inclusive: it names the first item of the next page.
                let since = next.split("since_id=").nth(1).unwrap().split('&').next().unwrap().to_owned();
                url = next.to_owned();
                assert!(!seen.contains(&since));
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 250 + applied_before);
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no candidate twice");
}

#[tokio::test]
async fn the_eleventh_request_in_ten_seconds_on_an_account_token_gets_429() {
    let env = start().await;
    env.fresh_window();
    for remaining in (0..10).rev() {
        let response = env.get(seed::NORTHWIND_TOKEN, "/jobs").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["x-rate-limit-limit"], "10");
        assert_eq!(response.headers()["x-rate-limit-remaining"], remaining.to_string().as_str());
    }
    let refused = env.get(seed::NORTHWIND_TOKEN, "/jobs").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.headers()["x-rate-limit-remaining"], "0");
    let reset: i64 = refused.headers()["x-rate-limit-reset"].to_str().unwrap().parse().unwrap();
    assert!(
        reset * 1000 > env.sandbox.now_ms() && reset * 1000 <= env.sandbox.now_ms() + 10_000,
        "reset is the next window's start"
    );
    // Another token has its own window.
    assert_eq!(env.get(seed::NORTHWIND_READONLY_TOKEN, "/jobs").await.status(), StatusCode::OK);
    env.fresh_window();
    assert_eq!(env.get(seed::NORTHWIND_TOKEN, "/jobs").await.status(), StatusCode::OK);
    let log = env.sandbox.request_log();
    assert!(
        log.iter().all(|r| r.token.as_deref() != Some(seed::NORTHWIND_TOKEN)),
        "the log names tokens by label, never by value"
    );
    assert_eq!(log.iter().filter(|r| r.status == 429).count(), 1);
}

#[tokio::test]
async fn auth_scope_and_subdomain_errors_are_workables() {
    let env = start().await;
    let no_token = env.http.get(env.api("/jobs")).send().await.unwrap();
    assert_eq!(no_token.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(no_token.json::<Value>().await.unwrap(), json!({ "error": "Not authorized" }));
    assert_eq!(env.get("made-up", "/jobs").await.status(), StatusCode::UNAUTHORIZED);
    let readonly = env
        .post(
            seed::NORTHWIND_READONLY_TOKEN,
            &format!("/jobs/{}/candidates", env.job),
            json!({ "candidate": { "name": "A B", "email": "a@b.example" } }),
        )
        .await;
    assert_eq!(readonly.status(), StatusCode::FORBIDDEN);
    let mismatch = env
        .http
        .get(format!("{}/globex/spi/v3/jobs", env.base))
        .bearer_auth(seed::NORTHWIND_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(mismatch.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(mismatch.json::<Value>().await.unwrap()["error"], "Request subdomain does not match account subdomain");
    let nowhere = env
        .http
        .get(format!("{}/nowhere/spi/v3/jobs", env.base))
        .bearer_auth(seed::NORTHWIND_TOKEN)
        .send()
        .await
        .unwrap();
    // As recorded: an account nobody has is the same 422, never 404.
    assert_eq!(nowhere.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let missing = env.get(seed::NORTHWIND_TOKEN, "/candidates/ffffffff").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.headers().get("x-rate-limit-limit").is_none(), "as recorded, errors carry no rate-limit headers");
}

#[tokio::test]
async fn a_candidate_is_created_with_a_resume_once_per_job_and_email() {
    let env = start().await;
    let pdf = b"%PDF-1.7 a tiny resume";
    let body = json!({ "sourced": true, "candidate": { "name": "Ada Lovelace", "email": "ada@example.com", "skills": ["Rust"],
        "resume": { "name": "ada.pdf", "data": base64::engine::general_purpose::STANDARD.encode(pdf) } } });
    let created = env
        .post(seed::NORTHWIND_TOKEN, &format!("/jobs/{}/candidates?stage=phone-screen", env.job), body.clone())
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["status"], "created");
    let candidate = &created["candidate"];
    assert_eq!(candidate["stage"], "Phone Screen");
    assert_eq!(candidate["stage_kind"], "phone-screen");
    assert_eq!(candidate["sourced"], true);
    assert_eq!(candidate["skills"], json!([{ "name": "Rust" }]));
    let resume = env.http.get(candidate["resume_url"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(resume.bytes().await.unwrap().as_ref(), pdf);

    env.fresh_window();
    let duplicate = env.post(seed::NORTHWIND_TOKEN, &format!("/jobs/{}/candidates", env.job), body.clone()).await;
    assert_eq!(duplicate.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = duplicate.json().await.unwrap();
    assert_eq!(err["validation_errors"]["email"], json!(["candidate already exists"]));
    let other_job = env.sandbox.read(|w| w.account("northwind").unwrap().jobs[1].shortcode.clone());
    assert_eq!(
        env.post(seed::NORTHWIND_TOKEN, &format!("/jobs/{other_job}/candidates"), body).await.status(),
        StatusCode::OK,
        "duplicates are per job"
    );
    let no_email = env
        .post(
            seed::NORTHWIND_TOKEN,
            &format!("/jobs/{}/candidates", env.job),
            json!({ "candidate": { "name": "X Y" } }),
        )
        .await;
    assert_eq!(no_email.json::<Value>().await.unwrap()["validation_errors"]["email"], json!(["can't be blank"]));
}

#[tokio::test]
async fn comments_carry_one_attachment_that_shows_in_the_candidates_files() {
    let env = start().await;
    let id = env.create_id("files@example.com").await;
    let attachment =
        json!({ "name": "profile.pdf", "data": base64::engine::general_purpose::STANDARD.encode(b"%PDF profile") });
    let comment = env.post(seed::NORTHWIND_TOKEN, &format!("/candidates/{id}/comments"), json!({ "member_id": env.member, "comment": { "body": "From the marketplace", "policy": [], "attachment": attachment } })).await;
    assert_eq!(comment.status(), StatusCode::OK);
    assert!(comment.json::<Value>().await.unwrap()["id"].is_string());
    let files: Value = env.get(seed::NORTHWIND_TOKEN, &format!("/candidates/{id}/files")).await.json().await.unwrap();
    assert_eq!(files["files"][0]["name"], "profile.pdf");
    let unknown_member = env
        .post(
            seed::NORTHWIND_TOKEN,
            &format!("/candidates/{id}/comments"),
            json!({ "member_id": "nobody", "comment": { "body": "x" } }),
        )
        .await;
    assert_eq!(unknown_member.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

// ---------------------------------------------------------------------------------------------
// Webhooks

/// A webhook receiver on port 0 that answers `status` and reports every delivery.
async fn receiver(status: u16) -> (String, mpsc::UnboundedReceiver<(String, String)>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let tx = tx.clone();
            async move {
                let signature = headers
                    .get(workable::webhook::SIGNATURE_HEADER)
                    .map(|v| v.to_str().unwrap().to_owned())
                    .unwrap_or_default();
                let _ = tx.send((signature, body));
                axum::http::StatusCode::from_u16(status).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap()
    });
    (url, rx)
}

fn verify(key: &str, body: &str, signature: &str) -> bool {
    workable::webhook::verify(key.as_bytes(), body.as_bytes(), signature)
}

async fn next(rx: &mut mpsc::UnboundedReceiver<(String, String)>) -> (String, Value, String) {
    let (signature, body) =
        tokio::time::timeout(Duration::from_secs(10), rx.recv()).await.expect("a delivery").unwrap();
    (signature, serde_json::from_str(&body).unwrap(), body)
}

#[tokio::test]
async fn webhooks_are_signed_with_the_account_token_and_carry_the_candidate_at_delivery() {
    let env = start().await;
    let (url, mut rx) = receiver(200).await;
    for event in ["candidate_created", "candidate_moved"] {
        let response = env.post(seed::NORTHWIND_TOKEN, "/subscriptions", json!({ "target": format!("{url}?{event}"), "event": event, "args": { "account_id": "northwind", "job_shortcode": "", "stage_slug": "" } })).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.json::<Value>().await.unwrap()["id"].is_i64());
    }
    let conflict = env
        .post(
            seed::NORTHWIND_TOKEN,
            "/subscriptions",
            json!({ "target": format!("{url}?candidate_moved"), "event": "candidate_moved" }),
        )
        .await;
    assert_eq!(conflict.status(), StatusCode::CONFLICT);

    let id = env.create_id("hooks@example.com").await;
    let (signature, envelope, raw) = next(&mut rx).await;
    assert_eq!(envelope["event_type"], "candidate_created");
    assert_eq!(envelope["resource_type"], "candidate");
    assert_eq!(envelope["id"], id.as_str());
    assert!(envelope["fired_at"].as_str().unwrap().ends_with('Z'));
    assert!(verify(seed::NORTHWIND_TOKEN, &raw, &signature), "signed with the account token");
    assert!(
        !verify(seed::GLOBEX_TOKEN, &raw, &signature) && !verify(seed::CLIENT_SECRET, &raw, &signature),
        "and with nothing else"
    );

    env.fresh_window();
    let moved = env
        .post(
            seed::NORTHWIND_TOKEN,
            &format!("/candidates/{id}/move"),
            json!({ "member_id": env.member, "target_stage": "interview" }),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    assert_eq!(moved.headers()["content-type"], "text/plain; charset=utf-8");
    assert!(moved.text().await.unwrap().is_empty());
    let (_, envelope, _) = next(&mut rx).await;
    assert_eq!(envelope["event_type"], "candidate_moved");
    assert_eq!(envelope["data"]["stage"], "Interview");
}

#[tokio::test]
async fn webhooks_are_retried_until_accepted_and_oauth_ones_are_signed_with_the_client_secret() {
    let env = start().await;
    let (url, mut rx) = receiver(500).await;
    let (verifier, challenge) = pkce();
    let code = query_param(&env.decide(&challenge, "maria@northwind.test", "allow").await, "code").unwrap();
    let (_, tokens) = env.exchange(&code, &verifier).await;
    let access = tokens["access_token"].as_str().unwrap();
    env.post(access, "/subscriptions", json!({ "target": url, "event": "candidate_created" })).await;
    env.create_id("retry@example.com").await;
    let (first_signature, _, raw) = next(&mut rx).await;
    assert!(
        verify(seed::CLIENT_SECRET, &raw, &first_signature),
        "OAuth subscriptions are signed with the client secret"
    );
    // The receiver said 500: the same delivery comes again after the backoff.
    env.sandbox.advance_clock(1_500);
    env.sandbox.set_faults(Faults::default()); // wakes the deliverer
    let (_, again, _) = next(&mut rx).await;
    assert_eq!(again["event_type"], "candidate_created");
}

#[tokio::test]
async fn webhook_faults_pause_duplicate_and_reorder_deliveries() {
    let env = start().await;
    let (url, mut rx) = receiver(200).await;
    env.post(seed::NORTHWIND_TOKEN, "/subscriptions", json!({ "target": url, "event": "candidate_created" })).await;

    env.sandbox.set_faults(Faults { webhooks_paused: true, webhooks_reorder: true, ..Faults::default() });
    let first = env.create_id("first@example.com").await;
    env.fresh_window();
    let second = env.create_id("second@example.com").await;
    // Deliberate: room for a wrong delivery to arrive (an absence cannot be waited for).
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(rx.try_recv().is_err(), "paused: nothing is delivered");
    assert_eq!(env.sandbox.pending_webhooks(), 2);
    env.sandbox.set_faults(Faults { webhooks_reorder: true, webhooks_duplicate: true, ..Faults::default() });
    let mut order = Vec::new();
    for _ in 0..4 {
        order.push(next(&mut rx).await.1["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(order, vec![second.clone(), second, first.clone(), first], "newest first, each twice");
}

// ---------------------------------------------------------------------------------------------
// Faults and drift

#[tokio::test]
async fn each_fault_knob_does_what_it_says() {
    let env = start().await;
    env.sandbox.set_faults(Faults { error_rate: 0.5, ..Faults::default() });
    let statuses: Vec<u16> = {
        let mut statuses = Vec::new();
        for _ in 0..4 {
            env.fresh_window();
            statuses.push(env.get(seed::NORTHWIND_TOKEN, "/jobs").await.status().as_u16());
        }
        statuses
    };
    assert_eq!(statuses, vec![200, 503, 200, 503]);

    env.sandbox
        .set_faults(Faults { rate_limit_storm_until_ms: Some(env.sandbox.now_ms() + 30_000), ..Faults::default() });
    assert_eq!(env.get(seed::NORTHWIND_TOKEN, "/jobs").await.status(), StatusCode::TOO_MANY_REQUESTS);
    env.sandbox.advance_clock(31_000);
    assert_eq!(env.get(seed::NORTHWIND_TOKEN, "/jobs").await.status(), StatusCode::OK, "the storm passes");

    env.sandbox.set_faults(Faults { latency_ms: 300, ..Faults::default() });
    let started = std::time::Instant::now();
    env.get(seed::NORTHWIND_TOKEN, "/stages").await;
    assert!(started.elapsed() >= Duration::from_millis(300));

    env.sandbox.set_faults(Faults { lose_responses_after_commit: 1, ..Faults::default() });
    env.fresh_window();
    assert_eq!(env.create("lost@example.com").await.status(), StatusCode::BAD_GATEWAY);
    let found: Value = env.get(seed::NORTHWIND_TOKEN, "/candidates?email=lost@example.com").await.json().await.unwrap();
    assert_eq!(found["candidates"].as_array().unwrap().len(), 1, "the write happened although the answer was lost");
    assert!(env.sandbox.request_log().iter().any(|r| r.lost_after_commit));
    env.sandbox.set_faults(Faults::default());

    // Through the control API, as a person or another program would.
    let control = |path: &str| format!("{}/_control{path}", env.base);
    let revoke =
        env.http.post(control("/tokens/revoke")).json(&json!({ "token": seed::GLOBEX_TOKEN })).send().await.unwrap();
    assert_eq!(revoke.status(), StatusCode::NO_CONTENT);
    let globex =
        env.http.get(format!("{}/globex/spi/v3/jobs", env.base)).bearer_auth(seed::GLOBEX_TOKEN).send().await.unwrap();
    assert_eq!(globex.status(), StatusCode::UNAUTHORIZED);

    let rename = env
        .http
        .post(control(&format!("/accounts/northwind/jobs/{}/stages/interview/rename", env.job)))
        .json(&json!({ "name": "Tech interview" }))
        .send()
        .await
        .unwrap();
    assert_eq!(rename.status(), StatusCode::NO_CONTENT);
    let delete = env
        .http
        .delete(control(&format!("/accounts/northwind/jobs/{}/stages/assessment", env.job)))
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), StatusCode::NO_CONTENT);
    let close = env
        .http
        .post(control(&format!("/accounts/northwind/jobs/{}/state", env.job)))
        .json(&json!({ "state": "closed" }))
        .send()
        .await
        .unwrap();
    assert_eq!(close.status(), StatusCode::NO_CONTENT);
    env.fresh_window();
    let stages: Value =
        env.get(seed::NORTHWIND_TOKEN, &format!("/jobs/{}/stages", env.job)).await.json().await.unwrap();
    let names: Vec<&str> = stages["stages"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"Tech interview") && !names.contains(&"Assessment"), "{names:?}");
    let job: Value = env.get(seed::NORTHWIND_TOKEN, &format!("/jobs/{}", env.job)).await.json().await.unwrap();
    assert_eq!(job["state"], "closed");
    let published: Value = env.get(seed::NORTHWIND_TOKEN, "/jobs?state=published").await.json().await.unwrap();
    assert!(published["jobs"].as_array().unwrap().iter().all(|j| j["shortcode"] != env.job.as_str()));

    let faults = env.http.put(control("/faults")).json(&json!({ "latency_ms": 5 })).send().await.unwrap();
    assert_eq!(faults.json::<Value>().await.unwrap()["latency_ms"], 5);
    let log: Value = env.http.get(control("/requests")).send().await.unwrap().json().await.unwrap();
    assert!(log.as_array().unwrap().len() > 5);
    assert!(!log.to_string().contains(seed::NORTHWIND_TOKEN), "no token in the log");
}

#[tokio::test]
async fn disqualify_and_revert_change_the_candidate_and_answer_empty() {
    let env = start().await;
    let id = env.create_id("dq@example.com").await;
    let reason = env.sandbox.read(|w| {
        w.account("northwind")
            .unwrap()
            .disqualification_reasons
            .iter()
            .find(|r| r.candidate_withdrew)
            .unwrap()
            .id
            .clone()
    });
    let response = env
        .post(
            seed::NORTHWIND_TOKEN,
            &format!("/candidates/{id}/disqualify"),
            json!({ "member_id": env.member, "disqualify_reason_id": reason, "withdrew": true }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let candidate: Value = env.get(seed::NORTHWIND_TOKEN, &format!("/candidates/{id}")).await.json().await.unwrap();
    assert_eq!(candidate["candidate"]["disqualified"], true);
    assert_eq!(candidate["candidate"]["withdrew"], true);
    assert_eq!(candidate["candidate"]["disqualification_reason"], "Candidate accepted another offer");
    env.fresh_window();
    let revert =
        env.post(seed::NORTHWIND_TOKEN, &format!("/candidates/{id}/revert"), json!({ "member_id": env.member })).await;
    assert_eq!(revert.status(), StatusCode::OK);
    let candidate: Value = env.get(seed::NORTHWIND_TOKEN, &format!("/candidates/{id}")).await.json().await.unwrap();
    assert_eq!(candidate["candidate"]["disqualified"], false);
    let twice =
        env.post(seed::NORTHWIND_TOKEN, &format!("/candidates/{id}/revert"), json!({ "member_id": env.member })).await;
    assert_eq!(twice.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_people_page_moves_a_candidate_and_fires_the_webhook() {
    let env = start().await;
    let (url, mut rx) = receiver(200).await;
    env.post(seed::NORTHWIND_TOKEN, "/subscriptions", json!({ "target": url, "event": "candidate_moved" })).await;
    let id = env.create_id("page@example.com").await;
    let page =
        env.http.get(format!("{}/ui/northwind/jobs/{}", env.base, env.job)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Ada Lovelace") && page.contains("Disqualify"));
    let moved = env
        .http
        .post(format!("{}/ui/northwind/candidates/{id}/move", env.base))
        .form(&[("stage", "offer")])
        .send()
        .await
        .unwrap();
    assert!(moved.status().is_redirection());
    let (_, envelope, _) = next(&mut rx).await;
    assert_eq!(envelope["data"]["stage"], "Offer");
}

#[tokio::test]
async fn state_survives_a_restart_when_persisted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sandbox.json");
    let sandbox = Sandbox::open(Some(path.clone()), vec![CALLBACK.to_owned()], workable::Clock::system()).unwrap();
    let id = sandbox.write(|w| {
        let shortcode = w.accounts[0].jobs[0].shortcode.clone();
        let c = seed::new_candidate(w, &shortcode, "Kept", "Across", "kept@example.com", "applied", false, 0);
        let id = c.id.clone();
        w.accounts[0].candidates.push(c);
        id
    });
    drop(sandbox);
    let reopened = Sandbox::open(Some(path.clone()), vec![], workable::Clock::system()).unwrap();
    assert!(reopened.read(|w| w.accounts[0].candidate(&id).is_some()));

    // Many changes at once from many threads: every save completes, and the file holds the last.
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let sandbox = reopened.clone();
            std::thread::spawn(move || {
                for n in 0..25 {
                    sandbox.write(|w| w.accounts[0].candidates[0].tags.push(format!("t{t}-{n}")));
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    assert!(!path.with_extension("tmp").exists(), "no temporary file left behind");
    let saved: workable_sandbox::World = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(saved.accounts[0].candidates[0].tags.len(), reopened.read(|w| w.accounts[0].candidates[0].tags.len()));
    assert!(saved.accounts[0].candidates[0].tags.len() >= 200);

    // A damaged file is refused, not replaced by the seed.
    std::fs::write(&path, b"{\"accounts\": [").unwrap();
    let err = Sandbox::open(Some(path.clone()), vec![], workable::Clock::system()).err().expect("refused");
    assert!(err.to_string().contains("move the file away"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), b"{\"accounts\": [", "left as it was");
}

#[tokio::test]
async fn the_controls_and_pages_answer_only_on_this_machine() {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    use tower::ServiceExt;
    let sandbox = Sandbox::new(seed::seed(vec![]), None);
    let ask = |path: &str, from: Option<[u8; 4]>| {
        let mut request = axum::http::Request::get(path);
        if let Some(ip) = from {
            request = request.extension(ConnectInfo(SocketAddr::from((ip, 40_000))));
        }
        sandbox.router().oneshot(request.body(axum::body::Body::empty()).unwrap())
    };
    for path in ["/_control/faults", "/_control/requests", "/"] {
        assert_eq!(ask(path, Some([127, 0, 0, 1])).await.unwrap().status(), 200, "{path} from this machine");
        assert_eq!(ask(path, Some([203, 0, 113, 9])).await.unwrap().status(), 403, "{path} from elsewhere");
        assert_eq!(ask(path, None).await.unwrap().status(), 403, "{path} from an unknown peer");
    }
    // The API itself is a token's business, wherever it comes from.
    let api = ask("/spi/v3/accounts", Some([203, 0, 113, 9])).await.unwrap();
    assert_eq!(api.status(), 401);
}

#[tokio::test]
async fn unknown_accounts_and_deleted_jobs_are_answered_as_workable_does() {
    let env = start().await;
    // An account that does not exist gets the same 422 as someone else's: nothing says it is missing.
    for subdomain in ["nowhere", "globex"] {
        let url = format!("{}/{subdomain}/spi/v3/jobs", env.base);
        let response = env.http.get(url).bearer_auth(seed::NORTHWIND_TOKEN).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{subdomain}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "Request subdomain does not match account subdomain");
    }
    // A deleted job: its candidates' list and reads are 404, not an empty list.
    let id = env.create_id("ada@example.com").await;
    assert_eq!(
        env.get(seed::NORTHWIND_TOKEN, &format!("/candidates?shortcode={}", env.job)).await.status(),
        StatusCode::OK
    );
    assert!(env.sandbox.delete_job("northwind", &env.job));
    for path in [
        format!("/candidates?shortcode={}", env.job),
        format!("/jobs/{}/candidates", env.job),
        format!("/jobs/{}", env.job),
        format!("/candidates/{id}"),
    ] {
        let response = env.get(seed::NORTHWIND_TOKEN, &path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(response.json::<Value>().await.unwrap()["error"], "Not found");
    }
    assert!(!env.sandbox.delete_job("northwind", &env.job), "gone already");
}
