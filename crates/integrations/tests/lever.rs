//! *Connect* under Lever with an API key against the Lever sandbox, on both databases: the users
//! to act as (the master's own first, then super admins; deactivated ones never), every refusal
//! in words the master account can act on, one connected ATS per company, the key never in clear
//! in the database, and the wizard's reads of postings and stages.

use domain::views::ConnectionState;
use integrations::{Actor, ConnectError, Integrations, TokenCipher};
use lever_sandbox::{LeverSandbox, seed};
use marketplace::demo::{DEMO_LOGINS, seed_if_empty};
use storage::{Db, test_on_both_databases};

async fn actor(db: &Db, login: usize) -> Actor {
    let user = db.find_user_by_email(&domain::Email::parse(DEMO_LOGINS[login].email).unwrap()).await.unwrap().unwrap();
    Actor::from(&user)
}

async fn setup(db: &Db) -> (LeverSandbox, Integrations) {
    seed_if_empty(db).await.unwrap();
    let sandbox = LeverSandbox::new(seed::seed(Vec::new()), None, clock::Clock::system());
    let (base, _) = sandbox.serve(0).await.unwrap();
    // Workable is not connected here: its client points nowhere.
    let workable = workable::WorkableClient::new(workable::Endpoints::sandbox("http://127.0.0.1:9"));
    let integrations = Integrations::new(db.clone(), workable, None, TokenCipher::generate().0)
        .with_lever(lever::LeverClient::new(lever::Endpoints::local(&base)));
    (sandbox, integrations)
}

/// Northwind connected to Lever with its key (acting as the user preselected), and a live role.
async fn connected_with_role(db: &Db, integrations: &Integrations, title: &str) -> (Actor, domain::RoleId) {
    let maria = actor(db, 0).await;
    let pending = integrations.begin_lever_key(&maria, seed::NORTHWIND_KEY).await.unwrap();
    let users = integrations.lever_pending_users(&maria, &pending).await.unwrap();
    integrations.finish_lever_key(&maria, &pending, &users[0].id).await.unwrap();
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
        let refused = integrations.finish_lever_key(&maria, &pending, "00000000-0000-4000-8000-000000000000").await;
        assert!(matches!(refused, Err(ConnectError::InvalidInput(_))), "{refused:?}");
        integrations.finish_lever_key(&maria, &pending, &users[1].id).await.unwrap();
        let card = integrations.card(&maria).await.unwrap();
        assert_eq!((card.state, card.acting_member.as_deref()), (ConnectionState::Connected, Some("Ivy Chen")));
        assert_eq!(card.ats, Some(domain::AtsKind::Lever));
        let stored = db.connection(maria.company_id).await.unwrap().unwrap();
        assert_eq!((stored.ats, stored.member_id.as_str()), (domain::AtsKind::Lever, users[1].id.as_str()));
        let sealed = stored.access_token_enc.unwrap();
        assert!(!sealed.windows(8).any(|w| w == &seed::NORTHWIND_KEY.as_bytes()[..8]), "the key is sealed");
        // The pending choice is used up.
        let again = integrations.finish_lever_key(&maria, &pending, &users[0].id).await;
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
        integrations.finish_lever_key(&maria, &pending, &users[0].id).await.unwrap();
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
