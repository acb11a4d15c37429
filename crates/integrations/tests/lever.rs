//! *Connect* under Lever, with an API key and through Lever's OAuth page (the grant renewed ahead
//! of its hour and after a 401, one refresh at a time, the rotated refresh token kept), against
//! the Lever sandbox, on both databases: the users
//! to act as (the master's own first, then super admins; deactivated ones never), every refusal
//! in words the master account can act on, one connected ATS per company, the key never in clear
//! in the database, and the wizard's reads of postings and stages.

use domain::views::ConnectionState;
use integrations::{Actor, ConnectError, Integrations, TokenCipher};
use lever_sandbox::{LeverSandbox, seed};
use marketplace::demo::{DEMO_LOGINS, seed_if_empty};
use secrecy::ExposeSecret;
use storage::{AuthKind, Db, test_on_both_databases};

async fn actor(db: &Db, login: usize) -> Actor {
    let user = db.find_user_by_email(&domain::Email::parse(DEMO_LOGINS[login].email).unwrap()).await.unwrap().unwrap();
    Actor::from(&user)
}

/// Where Lever's authorisation page sends the browser back (registered with the sandbox's client).
const CALLBACK: &str = "http://127.0.0.1:3000/integrations/lever/callback";

async fn setup(db: &Db) -> (LeverSandbox, Integrations) {
    seed_if_empty(db).await.unwrap();
    let sandbox = LeverSandbox::new(seed::seed(vec![CALLBACK.to_owned()]), None, clock::Clock::system());
    let (base, _) = sandbox.serve(0).await.unwrap();
    // Workable is not connected here: its client points nowhere.
    let workable = workable::WorkableClient::new(workable::Endpoints::sandbox("http://127.0.0.1:9"));
    let app = lever::oauth::OAuthApp {
        client_id: seed::CLIENT_ID.into(),
        client_secret: seed::CLIENT_SECRET.to_owned().into(),
        redirect_uri: CALLBACK.into(),
    };
    let integrations = Integrations::new(db.clone(), workable, None, TokenCipher::generate().0)
        .with_lever(lever::LeverClient::new(lever::Endpoints::local(&base)))
        .with_lever_oauth(Some(app));
    (sandbox, integrations)
}

/// What a super admin does on Lever's authorisation page (the sandbox's); the callback's query.
async fn authorise(url: &str, account: &str, decision: &str, scope: Option<&str>) -> Vec<(String, String)> {
    lever_sandbox::consent(url, account, decision, scope).await.unwrap()
}

/// The refusal of a grant Lever's page gave without `scope`.
async fn granted_without(integrations: &Integrations, maria: &Actor, scope: &str) -> ConnectError {
    let authorization = integrations.begin_lever_oauth(maria).await.unwrap();
    let scopes = lever::REQUIRED_SCOPES.iter().filter(|s| **s != scope).copied().collect::<Vec<_>>().join(" ");
    let callback = authorise(&authorization.url, seed::NORTHWIND, "allow", Some(&scopes)).await;
    integrations.complete_lever_oauth(maria, &param(&callback, "code").unwrap()).await.unwrap_err()
}

/// One call to Lever through the port (its postings, counted).
async fn read_postings(integrations: &Integrations, maria: &Actor) -> Result<usize, integrations::CallError> {
    integrations.ats_calls(maria.company_id).await.unwrap().jobs().await.map(|jobs| jobs.len())
}

fn param(query: &[(String, String)], key: &str) -> Option<String> {
    query.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

/// Northwind through Lever's OAuth page, acting as the user preselected.
async fn connect_with_oauth(integrations: &Integrations, maria: &Actor) {
    let authorization = integrations.begin_lever_oauth(maria).await.unwrap();
    let callback = authorise(&authorization.url, seed::NORTHWIND, "allow", None).await;
    assert_eq!(param(&callback, "state").as_deref(), Some(authorization.state.expose_secret()));
    let pending = integrations.complete_lever_oauth(maria, &param(&callback, "code").unwrap()).await.unwrap();
    let users = integrations.lever_pending_users(maria, &pending).await.unwrap();
    integrations.finish_lever(maria, &pending, &users[0].id).await.unwrap();
}

/// Northwind connected to Lever with its key (acting as the user preselected), and a live role.
async fn connected_with_role(db: &Db, integrations: &Integrations, title: &str) -> (Actor, domain::RoleId) {
    let maria = actor(db, 0).await;
    let pending = integrations.begin_lever_key(&maria, seed::NORTHWIND_KEY).await.unwrap();
    let users = integrations.lever_pending_users(&maria, &pending).await.unwrap();
    integrations.finish_lever(&maria, &pending, &users[0].id).await.unwrap();
    let (title, location) = (domain::RoleTitle::parse(title).unwrap(), domain::Location::parse("London").unwrap());
    let role = db.insert_role(maria.company_id, &title, &location, domain::RoleStatus::Live).await.unwrap();
    (maria, role)
}

test_on_both_databases! {
    async fn a_lever_key_connects_acting_as_the_chosen_user(db: Db) {
        let (_sandbox, integrations) = setup(&db).await;
        let maria = actor(&db, 0).await;
        let pending = integrations.begin_lever_key(&maria, &format!("  {}  ", seed::NORTHWIND_KEY)).await.unwrap();
        let users = integrations.lever_pending_users(&maria, &pending).await.unwrap();
        let names: Vec<&str> = users.iter().map(|u| u.name.as_str()).collect();
        // The super admin first (Maria's e-mail is not a Lever user's); the deactivated one never.
        assert_eq!(names, ["Nora Quinn", "Ivy Chen", "Sam Okafor"]);
        // Nothing is connected before the choice.
        assert_eq!(integrations.card(&maria).await.unwrap().state, ConnectionState::NotConnected);
        let refused = integrations.finish_lever(&maria, &pending, "00000000-0000-4000-8000-000000000000").await;
        assert!(matches!(refused, Err(ConnectError::InvalidInput(_))), "{refused:?}");
        integrations.finish_lever(&maria, &pending, &users[1].id).await.unwrap();
        let card = integrations.card(&maria).await.unwrap();
        assert_eq!((card.state, card.acting_member.as_deref()), (ConnectionState::Connected, Some("Ivy Chen")));
        assert_eq!(card.ats, Some(domain::AtsKind::Lever));
        // Lever's API names no account; its postings' job site does.
        assert_eq!(card.account_name.as_deref(), Some("jobs.lever.co/northwind"));
        let stored = db.connection(maria.company_id).await.unwrap().unwrap();
        assert_eq!((stored.ats, stored.member_id.as_str()), (domain::AtsKind::Lever, users[1].id.as_str()));
        let sealed = stored.access_token_enc.unwrap();
        assert!(!sealed.windows(8).any(|w| w == &seed::NORTHWIND_KEY.as_bytes()[..8]), "the key is sealed");
        // The pending choice is used up.
        let again = integrations.finish_lever(&maria, &pending, &users[0].id).await;
        assert!(matches!(again, Err(ConnectError::PendingExpired)), "{again:?}");
    }
}

test_on_both_databases! {
    async fn every_refusal_says_what_to_do(db: Db) {
        let (_sandbox, integrations) = setup(&db).await;
        let (maria, tom, hank) = (actor(&db, 0).await, actor(&db, 1).await, actor(&db, 2).await);
        assert!(matches!(integrations.begin_lever_key(&tom, seed::NORTHWIND_KEY).await, Err(ConnectError::NotMaster)));
        for bad in ["", "two words", &"k".repeat(201)] {
            let refused = integrations.begin_lever_key(&maria, bad).await;
            assert!(matches!(refused, Err(ConnectError::InvalidInput(_))), "{bad:?}: {refused:?}");
        }
        let wrong = integrations.begin_lever_key(&maria, "lvr_not_a_key").await.unwrap_err();
        assert!(matches!(wrong, ConnectError::LeverKeyRejected));
        assert!(wrong.to_string().starts_with("Lever did not accept that API key"), "{wrong}");
        // Another company's pending choice is not found for Maria.
        let globex = integrations.begin_lever_key(&hank, seed::GLOBEX_KEY).await.unwrap();
        assert!(matches!(integrations.lever_pending_users(&maria, &globex).await, Err(ConnectError::PendingExpired)));
        // One connected ATS per company: with Lever connected, Workable's paths are refused.
        let pending = integrations.begin_lever_key(&maria, seed::NORTHWIND_KEY).await.unwrap();
        let users = integrations.lever_pending_users(&maria, &pending).await.unwrap();
        integrations.finish_lever(&maria, &pending, &users[0].id).await.unwrap();
        let other = integrations.connect_with_api_token(&maria, "northwind", "wat_anything", None).await.unwrap_err();
        assert!(other.to_string().starts_with("Lever is connected: a company connects one ATS"), "{other}");
        // Disconnected, Lever may be replaced by Workable (tried here up to Workable's refusal).
        integrations.disconnect(&maria).await.unwrap();
        let after = integrations.connect_with_api_token(&maria, "northwind", "wat_anything", None).await.unwrap_err();
        assert!(!matches!(after, ConnectError::OtherAtsConnected(_)), "{after:?}");
    }
}

test_on_both_databases! {
    async fn the_wizard_lists_postings_and_the_account_stages(db: Db) {
        let (_sandbox, integrations) = setup(&db).await;
        let (maria, role) = connected_with_role(&db, &integrations, "Frontend Engineer").await;
        let choices = integrations.job_choices(&maria, role, None).await.unwrap();
        let titles: Vec<&str> = choices.jobs.iter().map(|j| j.title.as_str()).collect();
        // Published (internal counts) first, then drafts; the closed posting is hidden.
        assert_eq!(titles, ["Data Engineer", "Frontend Engineer", "Senior Rust Engineer", "Product Designer"]);
        assert_eq!(choices.hidden, 1);
        let frontend = choices.jobs.iter().find(|j| j.title == "Frontend Engineer").unwrap();
        assert_eq!(choices.preselected.as_deref(), Some(frontend.shortcode.as_str()));
        let table = integrations.mapping_table(&maria, role, &frontend.shortcode, None).await.unwrap();
        let stages: Vec<&str> = table.stages.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(stages.first(), Some(&"New lead"));
        assert!(stages.contains(&"On-site interview") && stages.contains(&"Offer"), "{stages:?}");
        // Only a posting the wizard listed reaches a URL.
        let refused = integrations.mapping_table(&maria, role, "not a posting", None).await;
        assert!(matches!(refused, Err(integrations::MappingError::Invalid(_))), "{refused:?}");
    }
}

test_on_both_databases! {
    async fn drift_on_lever_a_stage_removed_or_the_posting_closed_needs_attention(db: Db) {
        let (sandbox, integrations) = setup(&db).await;
        let integrations = integrations.with_read_cache_ttl(std::time::Duration::ZERO);
        let (maria, role) = connected_with_role(&db, &integrations, "Senior Rust Engineer").await;
        let posting = integrations.job_choices(&maria, role, None).await.unwrap().preselected.unwrap();
        let table = integrations.mapping_table(&maria, role, &posting, None).await.unwrap();
        let mut choices = table.choices();
        let screen = table.stages.iter().find(|s| s.name == "Recruiter screen").unwrap().slug.clone();
        for (stage, choice) in choices.iter_mut() {
            if *stage == domain::MarketplaceStage::Screening {
                *choice = domain::mapping::StageChoice::Move(screen.clone());
            }
        }
        integrations.save_configuration(&maria, role, &posting, &choices).await.unwrap();
        let config = || async { db.configuration_for_role(maria.company_id, role).await.unwrap().unwrap() };
        assert!(integrations.check_configuration(config().await).await.unwrap().attention.is_empty());
        // Someone removes the stage in Lever, then closes the posting.
        sandbox.write(|w| w.account_mut(seed::NORTHWIND).unwrap().stages.retain(|s| s.id != screen));
        let checked = integrations.check_configuration(config().await).await.unwrap();
        assert_eq!(
            checked.attention,
            ["Lever stage “Recruiter screen” (for Screening) was deleted from the job's pipeline."]
        );
        sandbox.write(|w| {
            let account = w.account_mut(seed::NORTHWIND).unwrap();
            account.postings.iter_mut().find(|p| p.id == posting).unwrap().state = "closed".into();
        });
        let checked = integrations.check_configuration(config().await).await.unwrap();
        assert_eq!(checked.attention[0], "The Lever job “Senior Rust Engineer” is closed.");
        assert_eq!(checked.job.state, domain::mapping::JobState::Closed);
    }
}

test_on_both_databases! {
    async fn the_mapping_table_offers_archive_reasons_and_drift_names_a_removed_one(db: Db) {
        use domain::MarketplaceStage;
        use domain::mapping::StageAction;
        let (sandbox, integrations) = setup(&db).await;
        let integrations = integrations.with_read_cache_ttl(std::time::Duration::ZERO);
        let (maria, role) = connected_with_role(&db, &integrations, "Senior Rust Engineer").await;
        let posting = integrations.job_choices(&maria, role, None).await.unwrap().preselected.unwrap();
        let table = integrations.mapping_table(&maria, role, &posting, None).await.unwrap();
        // The account's active reasons (the inactive one is not offered), hired ones marked.
        let names: Vec<&str> = table.reasons.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names.len(), 11, "{names:?}");
        assert!(!names.contains(&"No Response - OLD"));
        assert_eq!(table.reasons.iter().filter(|r| r.hired).map(|r| r.name.as_str()).collect::<Vec<_>>(), ["Hired"]);
        // Proposed: the first reason that fits each outcome, a hire archived as hired.
        let proposed = |stage: MarketplaceStage| match table.rows.iter().find(|r| r.stage == stage).unwrap().action.clone() {
            Some(StageAction::Archive { name, .. }) => name,
            other => panic!("{stage:?}: {other:?}"),
        };
        assert_eq!(proposed(MarketplaceStage::Rejected), "Position filled");
        assert_eq!(proposed(MarketplaceStage::Withdrawn), "Withdrew");
        assert_eq!(proposed(MarketplaceStage::Hired), "Hired");
        integrations.save_configuration(&maria, role, &posting, &table.choices()).await.unwrap();
        let config = || async { db.configuration_for_role(maria.company_id, role).await.unwrap().unwrap() };
        assert!(integrations.check_configuration(config().await).await.unwrap().attention.is_empty());
        // Someone deletes *Withdrew* in Lever: the mapping needs attention, and the table asks again.
        let withdrew = table.reasons.iter().find(|r| r.name == "Withdrew").unwrap().id.clone();
        sandbox.write(|w| w.account_mut(seed::NORTHWIND).unwrap().archive_reasons.retain(|r| r.id != withdrew));
        let checked = integrations.check_configuration(config().await).await.unwrap();
        assert_eq!(checked.attention, ["Lever archive reason “Withdrew” (for Withdrawn) was deleted or deactivated."]);
        let again = integrations.mapping_table(&maria, role, &posting, None).await.unwrap();
        let row = again.rows.iter().find(|r| r.stage == MarketplaceStage::Withdrawn).unwrap();
        assert_eq!(row.action, None);
        assert!(row.needs_choice.as_deref().is_some_and(|why| why.starts_with("“Withdrew” is not an archive reason")), "{row:?}");
    }
}

test_on_both_databases! {
    async fn lever_oauth_connects_acting_as_the_chosen_user(db: Db) {
        let (sandbox, integrations) = setup(&db).await;
        let maria = actor(&db, 0).await;
        assert!(integrations.lever_oauth_offered());
        let authorization = integrations.begin_lever_oauth(&maria).await.unwrap();
        for asked in ["audience=", "prompt=consent", "offline_access", "opportunities%3Awrite%3Aadmin", "state="] {
            assert!(authorization.url.contains(asked), "{asked} missing from {}", authorization.url);
        }
        let callback = authorise(&authorization.url, seed::NORTHWIND, "allow", None).await;
        let code = param(&callback, "code").unwrap();
        let pending = integrations.complete_lever_oauth(&maria, &code).await.unwrap();
        assert_eq!(integrations.lever_pending_step(&maria, &pending).await.unwrap().0, AuthKind::OAuth);
        // Nothing is connected before the choice of user; the same users as with a key.
        assert_eq!(integrations.card(&maria).await.unwrap().state, ConnectionState::NotConnected);
        let users = integrations.lever_pending_users(&maria, &pending).await.unwrap();
        assert_eq!(users[0].name, "Nora Quinn");
        integrations.finish_lever(&maria, &pending, &users[0].id).await.unwrap();
        let stored = db.connection(maria.company_id).await.unwrap().unwrap();
        assert_eq!((stored.ats, stored.auth_kind), (domain::AtsKind::Lever, AuthKind::OAuth));
        assert!(stored.refresh_token_enc.is_some() && stored.token_expires_at.is_some());
        assert!(stored.scopes.contains("webhooks:write:admin"), "{}", stored.scopes);
        let card = integrations.card(&maria).await.unwrap();
        assert_eq!((card.state, card.acting_member.as_deref()), (ConnectionState::Connected, Some("Nora Quinn")));
        // No token Lever issued is anywhere in clear.
        let dump = db.dump_connection_tables().await.unwrap();
        let issued: Vec<String> = sandbox.read(|w| {
            w.tokens.iter().map(|t| t.token.clone()).chain(w.refresh_tokens.iter().map(|r| r.token.clone())).collect()
        });
        assert!(issued.len() >= 2, "an access and a refresh token were issued");
        for token in &issued {
            assert!(!dump.windows(token.len()).any(|w| w == token.as_bytes()), "a token in clear");
        }
        // The code is single-use.
        let replay = integrations.complete_lever_oauth(&maria, &code).await.unwrap_err();
        assert!(matches!(replay, ConnectError::CodeRejected("Lever")), "{replay:?}");
        assert!(replay.to_string().starts_with("Lever refused the authorisation code"), "{replay}");
        // Disconnect forgets the grant (Lever has no revoke endpoint; the customer revokes there).
        integrations.disconnect(&maria).await.unwrap();
        let row = db.connection(maria.company_id).await.unwrap().unwrap();
        assert!(row.access_token_enc.is_none() && row.refresh_token_enc.is_none());
    }
}

test_on_both_databases! {
    async fn a_lever_grant_without_what_the_product_needs_is_refused(db: Db) {
        let (_sandbox, integrations) = setup(&db).await;
        let (maria, tom) = (actor(&db, 0).await, actor(&db, 1).await);
        assert!(matches!(integrations.begin_lever_oauth(&tom).await, Err(ConnectError::NotMaster)));
        // A grant without webhooks: refused, naming the permission.
        let refused = granted_without(&integrations, &maria, "webhooks:write:admin").await;
        assert!(refused.to_string().contains("manage webhooks (webhooks:write:admin)"), "{refused}");
        // Without offline_access no refresh token comes: the connection would die within the hour.
        let refused = granted_without(&integrations, &maria, "offline_access").await;
        assert!(refused.to_string().contains("offline_access"), "{refused}");
        // Declined on Lever's page: the callback says so (the server's route words it).
        let authorization = integrations.begin_lever_oauth(&maria).await.unwrap();
        let callback = authorise(&authorization.url, seed::NORTHWIND, "deny", None).await;
        assert_eq!(param(&callback, "error").as_deref(), Some("access_denied"));
        assert_eq!(integrations.card(&maria).await.unwrap().state, ConnectionState::NotConnected);
    }
}

test_on_both_databases! {
    async fn a_lever_grant_is_renewed_ahead_of_its_hour_once_however_many_call(db: Db) {
        let (sandbox, integrations) = setup(&db).await;
        let maria = actor(&db, 0).await;
        // Access tokens that live four minutes: inside the five-minute margin at once.
        sandbox.set_access_token_seconds(240);
        connect_with_oauth(&integrations, &maria).await;
        let first = db.connection(maria.company_id).await.unwrap().unwrap();
        sandbox.set_access_token_seconds(3600);
        // Three calls at once on the expiring token: one refresh (a second use of the rotated
        // refresh token would end the whole grant at Lever), every call answered.
        let read = || read_postings(&integrations, &maria);
        let (a, b, c) = tokio::join!(read(), read(), read());
        assert!(a.unwrap() > 0 && b.is_ok() && c.is_ok(), "{b:?} {c:?}");
        let renewed = db.connection(maria.company_id).await.unwrap().unwrap();
        assert_eq!(renewed.token_version, first.token_version + 1, "renewed once");
        assert_ne!(renewed.refresh_token_enc, first.refresh_token_enc, "the rotated refresh token is kept");
        assert!(renewed.token_expires_at > first.token_expires_at);
        // A token far from expiry is used as it is.
        read().await.unwrap();
        assert_eq!(db.connection(maria.company_id).await.unwrap().unwrap().token_version, renewed.token_version);
        // The access token revoked early (the refresh token still good): renewed after the 401.
        sandbox.write(|w| w.tokens.clear());
        read().await.unwrap();
        let after_401 = db.connection(maria.company_id).await.unwrap().unwrap();
        assert_eq!(after_401.token_version, renewed.token_version + 1);
        assert_eq!(integrations.card(&maria).await.unwrap().state, ConnectionState::Connected);
        // The grant revoked in Lever's settings: *Reconnect needed*, in Lever's words.
        sandbox.revoke_account_grants(seed::NORTHWIND);
        let gone = read().await.unwrap_err();
        assert!(gone.to_string().contains("reconnect"), "{gone}");
        let card = integrations.card(&maria).await.unwrap();
        assert_eq!(card.state, ConnectionState::ReconnectNeeded);
        assert!(card.last_error.as_deref().is_some_and(|e| e.starts_with("Lever no longer accepts")), "{:?}", card.last_error);
        // Reconnecting through the page again keeps the same connection.
        connect_with_oauth(&integrations, &maria).await;
        let back = db.connection(maria.company_id).await.unwrap().unwrap();
        assert_eq!((back.id, back.status), (first.id, storage::ConnectionStatus::Connected));
        read().await.unwrap();
    }
}

test_on_both_databases! {
    async fn two_instances_renewing_one_grant_exchange_its_refresh_token_once(db: Db) {
        let (sandbox, integrations) = setup(&db).await;
        let maria = actor(&db, 0).await;
        sandbox.set_access_token_seconds(240);
        connect_with_oauth(&integrations, &maria).await;
        sandbox.set_access_token_seconds(3600);
        let first = db.connection(maria.company_id).await.unwrap().unwrap();
        // A second instance: the same database and token key, its own locks and limiter.
        let other = integrations.instance_beside();
        let (a, b) = tokio::join!(read_postings(&integrations, &maria), read_postings(&other, &maria));
        assert!(a.is_ok() && b.is_ok(), "{a:?} {b:?}");
        let renewed = db.connection(maria.company_id).await.unwrap().unwrap();
        assert_eq!(renewed.token_version, first.token_version + 1, "renewed once, by one instance");
        assert_eq!(renewed.refresh_claimed_until, None, "the claim ends with the renewal");
        let exchanges = sandbox.read(|w| w.refresh_tokens.iter().filter(|r| r.used).count());
        assert_eq!(exchanges, 1, "the refresh token was presented once (twice would end the grant)");
        assert_eq!(integrations.card(&maria).await.unwrap().state, ConnectionState::Connected);
    }
}

test_on_both_databases! {
    async fn a_grant_nothing_used_for_a_while_is_renewed_by_the_sweep(db: Db) {
        let (sandbox, integrations) = setup(&db).await;
        let maria = actor(&db, 0).await;
        // An access token of one second, expired by the time the sweep looks.
        sandbox.set_access_token_seconds(1);
        connect_with_oauth(&integrations, &maria).await;
        sandbox.set_access_token_seconds(3600);
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let first = db.connection(maria.company_id).await.unwrap().unwrap();
        let idle = std::time::Duration::from_millis(50);
        assert_eq!(integrations.renew_idle_grants(idle, 10).await.unwrap(), 1);
        let renewed = db.connection(maria.company_id).await.unwrap().unwrap();
        assert_eq!(renewed.token_version, first.token_version + 1);
        // Fresh now: nothing to renew.
        assert_eq!(integrations.renew_idle_grants(idle, 10).await.unwrap(), 0);
        // Revoked in Lever while idle: the card says so without waiting for the next export.
        sandbox.set_access_token_seconds(1);
        connect_with_oauth(&integrations, &maria).await;
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        sandbox.revoke_account_grants(seed::NORTHWIND);
        assert_eq!(integrations.renew_idle_grants(idle, 10).await.unwrap(), 0);
        assert_eq!(integrations.card(&maria).await.unwrap().state, ConnectionState::ReconnectNeeded);
    }
}
