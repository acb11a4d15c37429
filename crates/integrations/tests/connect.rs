//! The whole connection flow against the Workable sandbox, on both databases: OAuth (one and
//! several accounts), the API-token path, every refusal, refresh, revocation, reconnect,
//! disconnect, isolation between companies, and no token in clear anywhere.

use std::sync::{Arc, Mutex};

use domain::UserRole;
use domain::views::ConnectionState;
use integrations::{Actor, Completion, ConnectError, Integrations, TokenCipher};
use marketplace::demo::{DEMO_LOGINS, seed_if_empty};
use storage::{Db, test_on_both_databases};
use workable::oauth::OAuthApp;
use workable::{Endpoints, Secret, WorkableClient};
use workable_sandbox::{Faults, Sandbox, seed};

const CALLBACK: &str = "http://127.0.0.1:9/integrations/workable/callback";

struct Setup {
    sandbox: Sandbox,
    base: String,
    integrations: Integrations,
    maria: Actor,
    tom: Actor,
    hank: Actor,
}

async fn actor(db: &Db, login: usize) -> Actor {
    let user = db.find_user_by_email(&domain::Email::parse(DEMO_LOGINS[login].email).unwrap()).await.unwrap().unwrap();
    Actor::from(&user)
}

async fn setup(db: &Db) -> Setup {
    seed_if_empty(db).await.unwrap();
    // One clock for Workable and for our limiter (`Setup::advance`).
    let clock = workable::Clock::system();
    let sandbox = Sandbox::with_clock(seed::seed(vec![CALLBACK.to_owned()]), None, clock.clone());
    let (base, _) = sandbox.serve(0).await.unwrap();
    let app = OAuthApp {
        client_id: seed::CLIENT_ID.into(),
        client_secret: Secret::new(seed::CLIENT_SECRET),
        redirect_uri: CALLBACK.into(),
    };
    let integrations = Integrations::new(
        db.clone(),
        WorkableClient::new(Endpoints::sandbox(&base)),
        Some(app),
        TokenCipher::generate().0,
    )
    .with_clock(clock);
    Setup { sandbox, base, integrations, maria: actor(db, 0).await, tom: actor(db, 1).await, hank: actor(db, 2).await }
}

impl Setup {
    /// Time passes for Workable and for our limiter alike, without waiting for it.
    fn advance(&self, ms: i64) {
        self.integrations.clock().advance(ms);
    }

    /// What a person does on the sandbox's authorise page; returns the callback's query.
    async fn approve(&self, url: &str, email: &str, decision: &str) -> Vec<(String, String)> {
        let (_, query) = url.split_once('?').unwrap();
        let mut form: Vec<(String, String)> = query
            .split('&')
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap();
                (k.to_owned(), decode(v))
            })
            .collect();
        form.push(("member_email".into(), email.into()));
        form.push(("decision".into(), decision.into()));
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let response = client.post(format!("{}/oauth/authorize", self.base)).form(&form).send().await.unwrap();
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        location
            .split_once('?')
            .unwrap()
            .1
            .split('&')
            .map(|p| p.split_once('=').unwrap())
            .map(|(k, v)| (k.to_owned(), decode(v)))
            .collect()
    }

    async fn connect(&self, actor: &Actor, email: &str) -> Completion {
        let authorization = self.integrations.begin_oauth(actor).unwrap();
        let callback = self.approve(&authorization.url, email, "allow").await;
        let param = |k: &str| callback.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap();
        assert_eq!(param("state"), authorization.state.expose(), "state comes back unchanged");
        self.integrations.complete_oauth(actor, &param("code"), &authorization.pkce_verifier).await.unwrap()
    }
}

fn decode(text: &str) -> String {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap(), 16).unwrap());
            i += 3;
        } else {
            out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

test_on_both_databases! {
    async fn a_master_connects_with_oauth_and_the_card_shows_the_connection(db: Db) {
        let s = setup(&db).await;
        assert_eq!(s.integrations.card(&s.maria).await.unwrap().state, ConnectionState::NotConnected);
        assert_eq!(s.connect(&s.maria, "maria@northwind.test").await, Completion::Connected);
        let card = s.integrations.card(&s.maria).await.unwrap();
        assert_eq!(card.state, ConnectionState::Connected);
        assert_eq!(card.account_name.as_deref(), Some("Northwind Labs"));
        assert_eq!(card.acting_member.as_deref(), Some("Maria Keller"), "the member whose email matches the connecting user");
        assert_eq!(card.connected_by.as_deref(), Some("Maria Keller"));
        assert_eq!(card.auth.as_deref(), Some("OAuth"));
        assert!(card.token_expires_at_ms.is_some() && !card.expiry_warning, "OAuth renews itself");
        assert!(card.last_success_ms.is_some());
        assert!(card.rate_limit.is_some_and(|(_, limit, _)| limit == 50));
        // The member sees the card, cannot manage it.
        let seen_by_tom = s.integrations.card(&s.tom).await.unwrap();
        assert_eq!(seen_by_tom.state, ConnectionState::Connected);
        assert!(!seen_by_tom.can_manage);
        // Another company sees nothing of it.
        assert_eq!(s.integrations.card(&s.hank).await.unwrap().state, ConnectionState::NotConnected);
        assert!(matches!(s.integrations.credentials(s.hank.company_id).await, Err(ConnectError::NotConnected)));
    }
}

test_on_both_databases! {
    async fn members_cannot_connect_or_disconnect(db: Db) {
        let s = setup(&db).await;
        assert!(matches!(s.integrations.begin_oauth(&s.tom), Err(ConnectError::NotMaster)));
        assert!(matches!(s.integrations.connect_with_api_token(&s.tom, "northwind", seed::NORTHWIND_TOKEN, None).await, Err(ConnectError::NotMaster)));
        assert!(matches!(s.integrations.disconnect(&s.tom).await, Err(ConnectError::NotMaster)));
        let pretend = Actor { role: UserRole::Member, ..s.maria.clone() };
        assert!(matches!(s.integrations.complete_oauth(&pretend, "x", &Secret::new("y")).await, Err(ConnectError::NotMaster)));
    }
}

test_on_both_databases! {
    async fn a_used_code_and_missing_scopes_leave_the_previous_connection_untouched(db: Db) {
        let s = setup(&db).await;
        let authorization = s.integrations.begin_oauth(&s.maria).unwrap();
        let callback = s.approve(&authorization.url, "maria@northwind.test", "allow").await;
        let code = callback.iter().find(|(k, _)| k == "code").unwrap().1.clone();
        s.integrations.complete_oauth(&s.maria, &code, &authorization.pkce_verifier).await.unwrap();
        let before = db.connection(s.maria.company_id).await.unwrap().unwrap();

        let replay = s.integrations.complete_oauth(&s.maria, &code, &authorization.pkce_verifier).await;
        assert!(matches!(replay, Err(ConnectError::CodeRejected(_))), "{replay:?}");

        // A provider that grants less than asked: the authorise URL with only r_jobs.
        let narrow = s.integrations.begin_oauth(&s.maria).unwrap();
        let url = narrow.url.replace("scope=r_jobs+r_candidates+w_candidates", "scope=r_jobs").replace("scope=r_jobs%20r_candidates%20w_candidates", "scope=r_jobs");
        assert_ne!(url, narrow.url);
        let callback = s.approve(&url, "maria@northwind.test", "allow").await;
        let code = callback.iter().find(|(k, _)| k == "code").unwrap().1.clone();
        match s.integrations.complete_oauth(&s.maria, &code, &narrow.pkce_verifier).await {
            Err(ConnectError::MissingPermissions(missing)) => {
                let text = ConnectError::MissingPermissions(missing).to_string();
                assert!(text.contains("w_candidates") && text.contains("r_candidates"), "{text}");
            }
            other => panic!("expected missing permissions, got {other:?}"),
        }
        let after = db.connection(s.maria.company_id).await.unwrap().unwrap();
        assert_eq!((after.token_version, after.access_token_enc), (before.token_version, before.access_token_enc));
        s.integrations.credentials(s.maria.company_id).await.unwrap();
    }
}

test_on_both_databases! {
    async fn the_api_token_path_is_validated_by_real_calls_before_saving(db: Db) {
        let s = setup(&db).await;
        let refusals = [
            ("no such place", seed::NORTHWIND_TOKEN, "subdomain"),
            ("nowhere", seed::NORTHWIND_TOKEN, "unknown"),
            ("northwind", "not-a-real-token", "rejected"),
            ("northwind", seed::GLOBEX_TOKEN, "wrong account"),
            ("northwind", seed::NORTHWIND_READONLY_TOKEN, "permissions"),
        ];
        for (subdomain, token, why) in refusals {
            let err = s.integrations.connect_with_api_token(&s.maria, subdomain, token, None).await.unwrap_err();
            let text = err.to_string();
            match why {
                "subdomain" => assert!(matches!(err, ConnectError::InvalidInput(ref invalid) if invalid.field == "subdomain"), "{text}"),
                // Workable answers an account the token is not for with one 422, whether or not
                // the account exists: the message says what to check.
                "unknown" => assert!(matches!(err, ConnectError::WrongAccount(_)) && text.contains("subdomain \"nowhere\""), "{text}"),
                "rejected" => assert!(matches!(err, ConnectError::TokenRejected), "{text}"),
                "wrong account" => assert!(matches!(err, ConnectError::WrongAccount(_)), "{text}"),
                _ => assert!(text.contains("create candidates") && text.contains("subscribe to webhooks"), "{text}"),
            }
            assert!(db.connection(s.maria.company_id).await.unwrap().is_none(), "nothing half-saved after {why}");
            s.advance(10_000);
        }
        let past = s.integrations.connect_with_api_token(&s.maria, "northwind", seed::NORTHWIND_TOKEN, Some("2020-01-31")).await.unwrap_err();
        assert!(matches!(past, ConnectError::InvalidInput(ref invalid) if invalid.field == "expires_on"), "{past:?}");
        let garbled = s.integrations.connect_with_api_token(&s.maria, "northwind", seed::NORTHWIND_TOKEN, Some("next week")).await.unwrap_err();
        assert!(matches!(garbled, ConnectError::InvalidInput(ref invalid) if invalid.field == "expires_on"), "{garbled:?}");
        // Expiring in three days: the card warns, since an API token cannot be renewed unattended.
        let soon = (time::OffsetDateTime::now_utc() + time::Duration::days(3)).date();
        let soon = format!("{:04}-{:02}-{:02}", soon.year(), soon.month() as u8, soon.day());
        s.integrations.connect_with_api_token(&s.maria, "https://northwind.workable.com/", seed::NORTHWIND_TOKEN, Some(&soon)).await.unwrap();
        let card = s.integrations.card(&s.maria).await.unwrap();
        assert_eq!((card.state, card.auth.as_deref(), card.subdomain.as_deref()), (ConnectionState::Connected, Some("API token"), Some("northwind")));
        assert!(card.rate_limit.is_some_and(|(_, limit, _)| limit == 10));
        assert!(card.expiry_warning && card.token_expires_at_ms.is_some());
    }
}

test_on_both_databases! {
    async fn tokens_are_refreshed_before_expiry_and_once_after_a_401(db: Db) {
        let s = setup(&db).await;
        // Tokens that live four minutes: inside the five-minute refresh-ahead margin at once.
        s.sandbox.set_access_token_seconds(240);
        s.connect(&s.maria, "maria@northwind.test").await;
        let first = db.connection(s.maria.company_id).await.unwrap().unwrap();
        s.sandbox.set_access_token_seconds(7200);
        let renewed = s.integrations.credentials(s.maria.company_id).await.unwrap();
        assert_eq!(renewed.version, first.token_version + 1, "refreshed ahead of expiry");
        let fresh = s.integrations.credentials(s.maria.company_id).await.unwrap();
        assert_eq!(fresh.version, renewed.version, "a token far from expiry is used as is");

        // Two workers see a 401 on the same token: one refresh happens, both get its result.
        let (a, b) = tokio::join!(
            s.integrations.after_unauthorized(s.maria.company_id, renewed.version),
            s.integrations.after_unauthorized(s.maria.company_id, renewed.version)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.token.expose(), b.token.expose());
        assert_eq!(a.version, renewed.version + 1);
        let response = reqwest::Client::new().get(format!("{}/northwind/spi/v3/jobs", s.base)).bearer_auth(a.token.expose()).send().await.unwrap();
        assert_eq!(response.status(), 200);
    }
}

test_on_both_databases! {
    async fn a_revoked_grant_needs_a_reconnect_which_keeps_the_connection(db: Db) {
        let s = setup(&db).await;
        s.connect(&s.maria, "maria@northwind.test").await;
        let before = db.connection(s.maria.company_id).await.unwrap().unwrap();
        let credentials = s.integrations.credentials(s.maria.company_id).await.unwrap();
        assert!(s.sandbox.revoke_token(credentials.token.expose()));

        let err = s.integrations.after_unauthorized(s.maria.company_id, credentials.version).await.unwrap_err();
        assert!(matches!(err, ConnectError::ReconnectNeeded), "{err:?}");
        let card = s.integrations.card(&s.maria).await.unwrap();
        assert_eq!(card.state, ConnectionState::ReconnectNeeded);
        assert!(card.last_error.unwrap().contains("revoked"));
        assert!(matches!(s.integrations.credentials(s.maria.company_id).await, Err(ConnectError::ReconnectNeeded)));

        assert_eq!(s.connect(&s.maria, "maria@northwind.test").await, Completion::Connected);
        let after = db.connection(s.maria.company_id).await.unwrap().unwrap();
        assert_eq!(after.id, before.id, "a reconnect keeps the same connection (and what hangs off it)");
        assert_eq!(s.integrations.card(&s.maria).await.unwrap().state, ConnectionState::Connected);
        assert!(after.last_error.is_none());
    }
}

test_on_both_databases! {
    async fn disconnect_revokes_at_workable_and_forgets_the_tokens(db: Db) {
        let s = setup(&db).await;
        s.connect(&s.maria, "maria@northwind.test").await;
        let credentials = s.integrations.credentials(s.maria.company_id).await.unwrap();
        s.integrations.disconnect(&s.maria).await.unwrap();
        let row = db.connection(s.maria.company_id).await.unwrap().unwrap();
        assert!(row.access_token_enc.is_none() && row.refresh_token_enc.is_none());
        assert_eq!(s.integrations.card(&s.maria).await.unwrap().state, ConnectionState::Disconnected);
        let response = reqwest::Client::new().get(format!("{}/northwind/spi/v3/jobs", s.base)).bearer_auth(credentials.token.expose()).send().await.unwrap();
        assert_eq!(response.status(), 401, "revoked at Workable");
        assert!(matches!(s.integrations.credentials(s.maria.company_id).await, Err(ConnectError::NotConnected)));
    }
}

test_on_both_databases! {
    async fn a_user_with_several_accounts_chooses_one(db: Db) {
        let s = setup(&db).await;
        // Riley Recruiter also works for Globex in Workable.
        s.sandbox.write(|w| {
            let member = w.account("northwind").unwrap().members[2].clone();
            w.account_mut("globex").unwrap().members.push(member);
        });
        let completion = s.connect(&s.maria, "riley@northwind.test").await;
        let Completion::ChooseAccount { pending_id } = completion else { panic!("expected a choice, got {completion:?}") };
        let choices = s.integrations.pending_accounts(&s.maria, &pending_id).await.unwrap();
        let names: Vec<&str> = choices.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, vec!["Northwind Labs", "Globex"]);
        assert!(matches!(s.integrations.pending_accounts(&s.hank, &pending_id).await, Err(ConnectError::PendingExpired)), "only its owner sees it");
        assert!(matches!(s.integrations.choose_account(&s.maria, &pending_id, "elsewhere").await, Err(ConnectError::InvalidInput(_))));
        s.integrations.choose_account(&s.maria, &pending_id, "globex").await.unwrap();
        let card = s.integrations.card(&s.maria).await.unwrap();
        assert_eq!(card.account_name.as_deref(), Some("Globex"));
        assert_eq!(card.acting_member.as_deref(), Some("Riley Recruiter"), "no email match: the first admin Workable lists");
        assert!(matches!(s.integrations.choose_account(&s.maria, &pending_id, "globex").await, Err(ConnectError::PendingExpired)), "used once");
    }
}

/// Collects every log line written while it is the default subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

test_on_both_databases! {
    async fn after_a_connect_no_token_is_in_clear_in_the_database_or_the_logs(db: Db) {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt().with_max_level(tracing::Level::TRACE).with_writer(move || writer.clone()).finish();
        let _guard = tracing::subscriber::set_default(subscriber);

        let s = setup(&db).await;
        s.sandbox.set_access_token_seconds(60);
        s.connect(&s.maria, "maria@northwind.test").await;
        s.integrations.credentials(s.maria.company_id).await.unwrap();

        let secrets: Vec<String> = s.sandbox.read(|w| {
            w.tokens.iter().filter(|t| t.grant_id.is_some()).map(|t| t.secret.clone()).chain(w.refresh_tokens.iter().map(|r| r.secret.clone())).collect()
        });
        assert!(secrets.len() >= 4, "two access and two refresh tokens were issued");
        let stored = db.dump_connection_tables().await.unwrap();
        let logs = captured.0.lock().unwrap().clone();
        assert!(!logs.is_empty(), "the capture works");
        for secret in &secrets {
            assert!(!stored.windows(secret.len()).any(|w| w == secret.as_bytes()), "a token is stored in clear");
            assert!(!logs.windows(secret.len()).any(|w| w == secret.as_bytes()), "a token reached the logs");
        }
    }
}

test_on_both_databases! {
    async fn connecting_rides_out_workable_blips_and_says_plainly_when_workable_is_down(db: Db) {
        let s = setup(&db).await;
        // Every other call to Workable answers 503 (the limit lifted: the retries are the subject).
        let blips = Faults { error_rate: 0.5, rate_limit_override: Some(1_000), ..Faults::default() };
        s.sandbox.set_faults(blips.clone());
        s.integrations.connect_with_api_token(&s.maria, "northwind", seed::NORTHWIND_TOKEN, None).await.unwrap();
        s.sandbox.set_faults(Faults::default());
        s.integrations.disconnect(&s.maria).await.unwrap();
        s.sandbox.set_faults(blips);
        assert_eq!(s.connect(&s.maria, "maria@northwind.test").await, Completion::Connected);
        s.sandbox.set_faults(Faults::default());
        s.integrations.disconnect(&s.maria).await.unwrap();

        // Workable down: OAuth says so, and does not ask to check a subdomain nobody typed.
        s.sandbox.set_faults(Faults { error_rate: 1.0, rate_limit_override: Some(1_000), ..Faults::default() });
        let authorization = s.integrations.begin_oauth(&s.maria).unwrap();
        let callback = s.approve(&authorization.url, "maria@northwind.test", "allow").await;
        let code = callback.iter().find(|(k, _)| k == "code").unwrap().1.clone();
        let down = s.integrations.complete_oauth(&s.maria, &code, &authorization.pkce_verifier).await.unwrap_err();
        assert!(matches!(down, ConnectError::Unavailable("Workable")), "{down:?}");
        // The API token's subdomain was typed: it may be the cause.
        let typed = s.integrations.connect_with_api_token(&s.maria, "northwind", seed::NORTHWIND_TOKEN, None).await.unwrap_err();
        assert!(matches!(typed, ConnectError::UnreachableSubdomain(_)), "{typed:?}");
        let kept = db.connection(s.maria.company_id).await.unwrap();
        assert!(kept.is_none_or(|c| c.status != storage::ConnectionStatus::Connected), "nothing half-saved");
    }
}
