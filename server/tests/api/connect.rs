//! *Connect* through the browser legs (authorise redirect, Workable's page, callback) against the
//! mounted sandbox, with every refusal the callback must handle.

use app::api::workable::{ConnectWorkableToken, DisconnectWorkable, GetWorkableCard, WorkableCardView};
use app::error::AppError;
use domain::views::ConnectionState;
use reqwest::StatusCode;
use reqwest::header::LOCATION;

use crate::helpers::{HANK, MARIA, TOM, TestApp, Visitor, spawn_app};

fn location(response: &reqwest::Response) -> String {
    response.headers()[LOCATION].to_str().unwrap().to_owned()
}

/// Starts *Connect*; returns the sandbox's authorise URL.
async fn start(visitor: &Visitor) -> String {
    let response = visitor.get("/integrations/workable/authorize").await;
    assert!(response.status().is_redirection(), "{}", response.status());
    let url = location(&response);
    assert!(
        url.contains("/sandbox/oauth/authorize?") && url.contains("code_challenge=") && url.contains("state="),
        "{url}"
    );
    url
}

/// The person on Workable's page: returns the callback URL Workable redirects to.
async fn approve(app: &TestApp, authorize_url: &str, decision: &str) -> String {
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = browser.get(authorize_url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Allow") && page.contains("ats-bridge (local)"));
    let query = authorize_url.split_once('?').unwrap().1;
    let mut form: Vec<(String, String)> = url_pairs(query);
    form.push(("member_email".into(), "maria@northwind.test".into()));
    form.push(("decision".into(), decision.into()));
    let response = browser.post(format!("{}/sandbox/oauth/authorize", app.address)).form(&form).send().await.unwrap();
    location(&response)
}

fn url_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap();
            let mut bytes = Vec::new();
            let raw = v.as_bytes();
            let mut i = 0;
            while i < raw.len() {
                match raw[i] {
                    b'%' => {
                        bytes.push(u8::from_str_radix(std::str::from_utf8(&raw[i + 1..i + 3]).unwrap(), 16).unwrap());
                        i += 3;
                    }
                    b'+' => {
                        bytes.push(b' ');
                        i += 1;
                    }
                    b => {
                        bytes.push(b);
                        i += 1;
                    }
                }
            }
            (k.to_owned(), String::from_utf8(bytes).unwrap())
        })
        .collect()
}

/// Follows the callback in the visitor's own browser session; returns where it lands.
async fn callback(visitor: &Visitor, url: &str) -> String {
    let path = url
        .split_once("127.0.0.1")
        .map(|(_, rest)| rest.split_once('/').map(|(_, p)| format!("/{p}")).unwrap())
        .unwrap();
    let response = visitor.get(&path).await;
    assert!(response.status().is_redirection(), "{}", response.status());
    location(&response)
}

async fn card(visitor: &Visitor) -> WorkableCardView {
    visitor.call_ok::<GetWorkableCard, _>(&[]).await
}

#[tokio::test]
async fn a_master_connects_through_workables_page_and_sees_connected() {
    let app = spawn_app(storage::Backend::Sqlite).await;
    let maria = app.signed_in(MARIA).await;
    let authorize = start(&maria).await;
    let back = approve(&app, &authorize, "allow").await;
    assert!(back.contains("/integrations/workable/callback?code="), "{back}");
    assert_eq!(callback(&maria, &back).await, "/account-settings");

    let view = card(&maria).await;
    assert_eq!(view.card.state, ConnectionState::Connected);
    assert_eq!(view.card.account_name.as_deref(), Some("Northwind Labs"));
    assert_eq!(view.notice.map(|n| (n.ok, n.text)), Some((true, "Workable is connected.".to_owned())));
    assert_eq!(card(&maria).await.notice, None, "the message shows once");

    // The same callback again (a reload): the state is spent, the connection untouched.
    assert_eq!(callback(&maria, &back).await, "/account-settings");
    let view = card(&maria).await;
    assert_eq!(view.card.state, ConnectionState::Connected);
    assert!(!view.notice.unwrap().ok);

    // Another company sees none of it.
    assert_eq!(card(&app.signed_in(HANK).await).await.card.state, ConnectionState::NotConnected);
    let page = maria.get("/account-settings").await.text().await.unwrap();
    assert!(page.contains("Connected") && page.contains("Disconnect"));
}

#[tokio::test]
async fn a_callback_in_another_session_a_denial_or_a_forged_state_connect_nothing() {
    let app = spawn_app(storage::Backend::Sqlite).await;
    let maria = app.signed_in(MARIA).await;
    let other_browser = app.signed_in(MARIA).await;

    let authorize = start(&maria).await;
    let back = approve(&app, &authorize, "allow").await;
    assert_eq!(callback(&other_browser, &back).await, "/account-settings");
    let notice = card(&other_browser).await.notice.unwrap();
    assert!(!notice.ok && notice.text.contains("Connect again"), "{}", notice.text);
    assert_eq!(card(&maria).await.card.state, ConnectionState::NotConnected);

    let authorize = start(&maria).await;
    let denied = approve(&app, &authorize, "deny").await;
    assert!(denied.contains("error=access_denied"));
    callback(&maria, &denied).await;
    let view = card(&maria).await;
    assert_eq!(view.card.state, ConnectionState::NotConnected);
    assert!(view.notice.unwrap().text.contains("access was denied"));

    start(&maria).await;
    callback(&maria, "http://127.0.0.1/integrations/workable/callback?code=made-up&state=forged").await;
    let view = card(&maria).await;
    assert_eq!(view.card.state, ConnectionState::NotConnected);
    assert!(!view.notice.unwrap().ok);
}

#[tokio::test]
async fn members_get_no_connect_and_the_server_refuses_them() {
    let app = spawn_app(storage::Backend::Sqlite).await;
    let tom = app.signed_in(TOM).await;
    let view = card(&tom).await;
    assert!(!view.card.can_manage);
    let page = tom.get("/account-settings").await.text().await.unwrap();
    assert!(!page.contains(">Connect<"), "no Connect for a member");
    assert!(page.contains("Customer Success Manager"));
    assert_eq!(callback(&tom, "http://127.0.0.1/integrations/workable/authorize").await, "/account-settings");
    assert!(card(&tom).await.notice.unwrap().text.contains("master account"));
    let (status, err) = tom
        .call_err::<ConnectWorkableToken>(&[
            ("subdomain", "northwind"),
            ("token", workable_sandbox::seed::NORTHWIND_TOKEN),
        ])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err:?}");
    assert_eq!(tom.call_err::<DisconnectWorkable>(&[]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        app.visitor().call_err::<GetWorkableCard>(&[]).await,
        (StatusCode::UNAUTHORIZED, AppError::Unauthorized)
    );
}

#[tokio::test]
async fn the_api_token_path_names_what_is_wrong_and_connects_when_right() {
    let app = spawn_app(storage::Backend::Sqlite).await;
    let maria = app.signed_in(MARIA).await;
    let (status, err) = maria
        .call_err::<ConnectWorkableToken>(&[
            ("subdomain", "northwind"),
            ("token", workable_sandbox::seed::NORTHWIND_READONLY_TOKEN),
        ])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(err.to_string().contains("create candidates"), "{err}");
    let (_, err) = maria.call_err::<ConnectWorkableToken>(&[("subdomain", "a b"), ("token", "x")]).await;
    assert_eq!(err.field(), Some("subdomain"));
    assert_eq!(card(&maria).await.card.state, ConnectionState::NotConnected);
    let response = maria
        .call::<ConnectWorkableToken>(&[("subdomain", "northwind"), ("token", workable_sandbox::seed::NORTHWIND_TOKEN)])
        .await;
    assert!(response.status().is_success() || response.status().is_redirection());
    let view = card(&maria).await;
    assert_eq!((view.card.state, view.card.auth.as_deref()), (ConnectionState::Connected, Some("API token")));

    let _: () = maria.call_ok::<DisconnectWorkable, _>(&[]).await;
    assert_eq!(card(&maria).await.card.state, ConnectionState::Disconnected);
    let calls =
        app.sandbox.request_log().iter().filter(|r| r.token.as_deref() == Some("northwind account token")).count();
    assert!(calls >= 5, "the pre-check made real calls ({calls})");
}
