//! The marketplace use cases on both databases, starting from the demo data.

use domain::{CandidateId, MarketplaceStage, RequestStatus, RoleStatus, UserRole};
use marketplace::demo::{DEMO_LOGINS, seed_if_empty};
use marketplace::{Actor, Marketplace, MarketplaceError};
use storage::{Db, test_on_both_databases};

async fn demo(db: &Db, demo_mode: bool) -> Marketplace {
    assert!(seed_if_empty(db).await.unwrap());
    Marketplace::new(db.clone(), demo_mode, clock::Clock::system())
}

async fn rust_role(market: &Marketplace, actor: &Actor) -> domain::RoleId {
    market.list_roles(actor).await.unwrap().into_iter().find(|r| r.title == "Senior Rust Engineer").unwrap().id
}

/// What *Source*'s filter means, said in Rust: words in the title or location (any case), the
/// status, the ATS state. The database's statements must agree.
fn admits(filter: &domain::views::RoleFilter, role: &domain::views::RoleSummary) -> bool {
    use domain::views::{AtsFilter, AtsState};
    let words = filter.search.to_lowercase();
    let ats = |ats: AtsFilter| match ats {
        AtsFilter::Mapped => matches!(role.ats_state, AtsState::Mapped { .. }),
        AtsFilter::NotMapped => matches!(role.ats_state, AtsState::NotMapped),
        AtsFilter::NeedsAttention => matches!(role.ats_state, AtsState::NeedsAttention { .. }),
    };
    (words.is_empty() || role.title.to_lowercase().contains(&words) || role.location.to_lowercase().contains(&words))
        && filter.status.is_none_or(|status| role.status == status)
        && filter.ats.is_none_or(ats)
}

async fn actor(market: &Marketplace, login: usize) -> Actor {
    let login = DEMO_LOGINS[login];
    let user = market.sign_in(login.email, login.password).await.unwrap();
    Actor::from(&user)
}

test_on_both_databases! {
    async fn the_demo_is_seeded_once_with_five_roles_and_twenty_cvs(db: Db) {
        let market = demo(&db, true).await;
        assert!(!seed_if_empty(&db).await.unwrap(), "a second start must not seed again");
        let maria = actor(&market, 0).await;
        let roles = market.list_roles(&maria).await.unwrap();
        assert_eq!(roles.len(), 5);
        assert_eq!(roles.iter().filter(|r| r.status == RoleStatus::Draft).count(), 1);
        assert!(roles.iter().filter(|r| r.status == RoleStatus::Live).count() >= 3);
        let rust = market.pipeline(&maria, rust_role(&market, &maria).await).await.unwrap();
        assert!(rust.entries.iter().all(|e| e.has_cv));
        assert!(rust.requests.iter().any(|r| r.status == RequestStatus::Pending));
        assert!(rust.requests.iter().any(|r| r.status == RequestStatus::Declined));
        let total_candidates = rust.entries.len() + rust.requests.len() + rust.can_request.len();
        assert_eq!(total_candidates, 20);
        let cv = market.cv(&maria, rust.entries[0].candidate_id).await.unwrap();
        assert!(cv.pdf.starts_with(b"%PDF-"));
    }
}

test_on_both_databases! {
    async fn sign_in_refuses_a_wrong_password_and_an_unknown_email_alike(db: Db) {
        let market = demo(&db, true).await;
        let wrong = market.sign_in(DEMO_LOGINS[0].email, "guess").await.unwrap_err();
        let unknown = market.sign_in("nobody@northwind.test", DEMO_LOGINS[0].password).await.unwrap_err();
        let malformed = market.sign_in("not an email", "x").await.unwrap_err();
        for err in [wrong, unknown, malformed] {
            assert!(matches!(err, MarketplaceError::BadCredentials), "{err:?}");
        }
        let user = market.sign_in("  MARIA@northwind.test ", DEMO_LOGINS[0].password).await.unwrap();
        assert_eq!(user.role, UserRole::Master);
        let tom = market.sign_in(DEMO_LOGINS[1].email, DEMO_LOGINS[1].password).await.unwrap();
        assert_eq!(tom.role, UserRole::Member);
    }
}

test_on_both_databases! {
    async fn one_company_never_reaches_anothers_roles_requests_or_cvs(db: Db) {
        let market = demo(&db, true).await;
        let maria = actor(&market, 0).await;
        let hank = actor(&market, 2).await;
        let northwind_role = rust_role(&market, &maria).await;
        let pipeline = market.pipeline(&maria, northwind_role).await.unwrap();
        let request = pipeline.entries[0].request_id;
        let pending = pipeline.requests.iter().find(|r| r.status == RequestStatus::Pending).unwrap().request_id;

        assert!(matches!(market.pipeline(&hank, northwind_role).await, Err(MarketplaceError::NotFound)));
        assert!(matches!(market.move_candidate(&hank, request, "offer").await, Err(MarketplaceError::NotFound)));
        assert!(matches!(market.accept_on_behalf(&hank, pending).await, Err(MarketplaceError::NotFound)));
        assert!(matches!(market.stage_history(&hank, request).await, Err(MarketplaceError::NotFound)));
        assert!(matches!(market.publish_role(&hank, northwind_role).await, Err(MarketplaceError::NotFound)));
        // Globex's candidate 5 (index 4) accepted Globex only: Northwind cannot download the CV.
        let globex_pipeline = market.pipeline(&hank, market.list_roles(&hank).await.unwrap()[0].id).await.unwrap();
        let globex_only = globex_pipeline.entries.iter().map(|e| e.candidate_id).find(|id| !pipeline.entries.iter().any(|e| e.candidate_id == *id)).unwrap();
        assert!(matches!(market.cv(&maria, globex_only).await, Err(MarketplaceError::NotFound)));
    }
}

test_on_both_databases! {
    async fn accepting_on_a_candidates_behalf_needs_demo_mode_and_announces_the_event(db: Db) {
        let market = demo(&db, true).await;
        let maria = actor(&market, 0).await;
        let role = rust_role(&market, &maria).await;
        let pending = market.pipeline(&maria, role).await.unwrap().requests.into_iter().find(|r| r.status == RequestStatus::Pending).unwrap();

        let strict = Marketplace::new(db.clone(), false, clock::Clock::system());
        assert!(matches!(strict.accept_on_behalf(&maria, pending.request_id).await, Err(MarketplaceError::Forbidden(_))));

        let accepted = market.accept_on_behalf(&maria, pending.request_id).await.unwrap();
        assert_eq!(accepted.request_id, pending.request_id);
        assert!(db.work_pending(domain::WorkKind::Export, pending.request_id.0).await.unwrap(), "its export is queued");
        assert!(matches!(market.accept_on_behalf(&maria, pending.request_id).await, Err(MarketplaceError::Conflict(_))));
        let queued = db.queue_rows().await.unwrap();
        assert_eq!(queued.iter().filter(|r| r.kind == domain::WorkKind::Export && r.subject_id == pending.request_id.0).count(), 1, "queued once");
        let entry = market.pipeline(&maria, role).await.unwrap().entries.into_iter().find(|e| e.request_id == pending.request_id).unwrap();
        assert_eq!(entry.stage, MarketplaceStage::Accepted);
    }
}

test_on_both_databases! {
    async fn a_move_to_an_unknown_stage_names_the_field(db: Db) {
        let market = demo(&db, true).await;
        let tom = actor(&market, 1).await;
        let role = rust_role(&market, &tom).await;
        let request = market.pipeline(&tom, role).await.unwrap().entries[0].request_id;
        match market.move_candidate(&tom, request, "lunch").await {
            Err(MarketplaceError::Invalid(invalid)) => assert_eq!(invalid.field, "stage"),
            other => panic!("expected a field error, got {other:?}"),
        }
        assert!(market.move_candidate(&tom, request, "final_interview").await.unwrap());
        assert!(db.work_pending(domain::WorkKind::StageSync, request.0).await.unwrap(), "the move follows to the ATS");
        assert!(!market.move_candidate(&tom, request, "final_interview").await.unwrap(), "already there: nothing recorded");
        let history = market.stage_history(&tom, request).await.unwrap();
        assert_eq!(history.last().unwrap().moved_by.as_deref(), Some("Tom Becker"));
    }
}

test_on_both_databases! {
    async fn roles_are_created_validated_and_published(db: Db) {
        let market = demo(&db, true).await;
        let tom = actor(&market, 1).await;
        match market.create_role(&tom, "  ", "Berlin", false).await {
            Err(MarketplaceError::Invalid(invalid)) => assert_eq!(invalid.field, "title"),
            other => panic!("expected a title error, got {other:?}"),
        }
        let role = market.create_role(&tom, "QA Engineer", "Hamburg", false).await.unwrap();
        let someone = CandidateId(1);
        assert!(matches!(market.send_request(&tom, role, someone).await, Err(MarketplaceError::Conflict(_))));
        market.publish_role(&tom, role).await.unwrap();
        assert!(matches!(market.publish_role(&tom, role).await, Err(MarketplaceError::Conflict(_))));
        market.send_request(&tom, role, someone).await.unwrap();
        assert!(matches!(market.send_request(&tom, role, someone).await, Err(MarketplaceError::Conflict(_))));
        assert!(matches!(market.send_request(&tom, role, CandidateId(9999)).await, Err(MarketplaceError::Invalid(ref invalid)) if invalid.field == "candidate"));
    }
}

test_on_both_databases! {
    async fn five_wrong_passwords_lock_the_accounts_sign_in_for_a_quarter_of_an_hour(db: Db) {
        assert!(seed_if_empty(&db).await.unwrap());
        let clock = clock::Clock::skipping();
        let market = Marketplace::new(db.clone(), true, clock.clone());
        let maria = DEMO_LOGINS[0];
        for _ in 0..5 {
            assert!(matches!(market.sign_in(maria.email, "guess").await, Err(MarketplaceError::BadCredentials)));
        }
        // Locked: even the right password is refused, without a password check.
        let locked = market.sign_in(maria.email, maria.password).await.unwrap_err();
        assert!(matches!(&locked, MarketplaceError::TooManyAttempts(m) if m.contains("15 minutes")), "{locked:?}");
        assert!(matches!(market.sign_in("  MARIA@northwind.test ", "guess").await, Err(MarketplaceError::TooManyAttempts(_))), "the same account however typed");
        // Another account is not affected.
        assert!(market.sign_in(DEMO_LOGINS[1].email, DEMO_LOGINS[1].password).await.is_ok());
        // A quarter of an hour later the right password works, and the count starts afresh.
        clock.advance(15 * 60 * 1000 + 1);
        assert!(market.sign_in(maria.email, maria.password).await.is_ok());
        for _ in 0..4 {
            assert!(matches!(market.sign_in(maria.email, "guess").await, Err(MarketplaceError::BadCredentials)));
        }
        assert!(market.sign_in(maria.email, maria.password).await.is_ok(), "four failures do not lock");
        assert_eq!(db.prune_sign_in_failures(clock.now_ms() + 1).await.unwrap(), 0, "a success forgets the failures");
    }
}

test_on_both_databases! {
    async fn send_request_offers_the_first_matches_of_a_search_among_a_thousand_candidates(db: Db) {
        let market = demo(&db, true).await;
        let maria = actor(&market, 0).await;
        let role = rust_role(&market, &maria).await;
        let profile = domain::views::CandidateProfile::default();
        for n in 0..1_000 {
            let email = domain::Email::parse(&format!("bulk{n}@candidates.example")).unwrap();
            let headline = if n % 10 == 0 { "Go engineer (100%_remote)" } else { "Kotlin engineer" };
            let name = format!("Bulk Candidate {n:04}");
            let new = storage::NewCandidate { name: &name, email: &email, phone: None, headline, summary: "", profile: &profile, cv: None };
            db.insert_candidate(new).await.unwrap();
        }
        // Untouched: the first 25 by name, and how many there are in all.
        let pipeline = market.pipeline(&maria, role).await.unwrap();
        assert_eq!(pipeline.can_request.len(), marketplace::CANDIDATES_OFFERED as usize);
        assert!(pipeline.candidates_matching >= 1_000, "{}", pipeline.candidates_matching);
        let names: Vec<&str> = pipeline.can_request.iter().map(|c| c.name.as_str()).collect();
        assert!(names.windows(2).all(|w| w[0] <= w[1]), "by name: {names:?}");
        // A search, any case, on the name or the headline; `%` and `_` are plain letters.
        let go = market.pipeline_finding(&maria, role, "  GO ENGINEER ", Default::default()).await.unwrap();
        assert_eq!(go.candidates_matching, 100);
        assert!(go.can_request.iter().all(|c| c.headline.starts_with("Go engineer")));
        assert_eq!(market.pipeline_finding(&maria, role, "100%_remote", Default::default()).await.unwrap().candidates_matching, 100);
        assert_eq!(market.pipeline_finding(&maria, role, "100%%", Default::default()).await.unwrap().candidates_matching, 0);
        assert_eq!(market.pipeline_finding(&maria, role, "0_0%", Default::default()).await.unwrap().candidates_matching, 0);
        let one = market.pipeline_finding(&maria, role, "candidate 0420", Default::default()).await.unwrap();
        assert_eq!((one.candidates_matching, one.can_request[0].name.as_str()), (1, "Bulk Candidate 0420"));
        // Asked already: no longer offered.
        market.send_request(&maria, role, one.can_request[0].id).await.unwrap();
        assert_eq!(market.pipeline_finding(&maria, role, "candidate 0420", Default::default()).await.unwrap().candidates_matching, 0);
        // The pipeline pages its candidates and its open requests, 50 at a time, by stage.
        let bulk = market.pipeline_finding(&maria, role, "bulk", Default::default()).await.unwrap();
        let mut requests = Vec::new();
        for candidate in market.pipeline_finding(&maria, role, "bulk candidate 01", Default::default()).await.unwrap().can_request.iter().chain(&bulk.can_request) {
            requests.push(market.send_request(&maria, role, candidate.id).await.unwrap());
        }
        assert_eq!(requests.len(), 50);
        for request in &requests[..30] {
            market.accept_on_behalf(&maria, *request).await.unwrap();
        }
        for request in &requests[..10] {
            market.move_candidate(&maria, *request, "screening").await.unwrap();
        }
        let filter = |stage: &str, page: &str, rpage: &str| domain::views::PipelineFilter::parse(stage, page, rpage).unwrap();
        let first = market.pipeline_finding(&maria, role, "", filter("", "", "")).await.unwrap();
        let before_entries = first.entries_total;
        assert!(first.entries.len() <= 50 && first.entries_total >= 30, "{}", first.entries_total);
        let screening = market.pipeline_finding(&maria, role, "", filter("screening", "", "")).await.unwrap();
        assert!(screening.entries.iter().all(|e| e.stage == MarketplaceStage::Screening));
        assert!(screening.entries_matching >= 10 && screening.entries_total == before_entries);
        assert!(first.requests_total >= 20);
        let last = market.pipeline_finding(&maria, role, "", filter("", "99", "99")).await.unwrap();
        assert_eq!(last.filter.page, domain::views::pages(last.entries_matching, 50), "a page past the last shows the last");
        assert!(domain::views::PipelineFilter::parse("lunch", "", "").is_err_and(|e| e.field == "stage"));
        assert_eq!(filter("screening", "2", "3").query(2, 1), "?stage=screening&page=2");
        let long = "x".repeat(101);
        assert!(matches!(market.pipeline_finding(&maria, role, &long, Default::default()).await, Err(MarketplaceError::Invalid(ref e)) if e.field == "find"));
    }
}

test_on_both_databases! {
    async fn source_shows_a_thousand_roles_fifty_at_a_time_filtered_and_searched(db: Db) {
        let market = demo(&db, true).await;
        let maria = actor(&market, 0).await;
        let location = domain::Location::parse("Lisbon, Portugal").unwrap();
        let mut drafts = Vec::new();
        for n in 0..1_000 {
            let title = domain::RoleTitle::parse(&format!("Scale role {n:04}")).unwrap();
            let status = if n % 4 == 0 { RoleStatus::Draft } else { RoleStatus::Live };
            let id = db.insert_role(maria.company_id, &title, &location, status).await.unwrap();
            if status == RoleStatus::Draft {
                drafts.push(id);
            }
        }
        let filter = |search: &str, status: &str, ats: &str, page: &str| {
            domain::views::RoleFilter::parse(search, status, ats, page).unwrap()
        };
        let all = market.roles_page(&maria, filter("", "", "", ""), None).await.unwrap();
        assert_eq!((all.total, all.matching, all.pages, all.roles.len()), (1_005, 1_005, 21, 50));
        // Every live role without a mapping, whatever the page shows (750 new, 4 of the demo's).
        assert_eq!(all.unmapped_live, 754);
        let last = market.roles_page(&maria, filter("", "", "", "21"), None).await.unwrap();
        assert_eq!(last.roles.len(), 5);
        let past = market.roles_page(&maria, filter("", "", "", "99"), None).await.unwrap();
        assert_eq!((past.filter.page, past.roles.len()), (21, 5), "a page past the last shows the last");
        // The pages together list every role once, each as the whole list has it (its counts and
        // export tallies too: the demo's roles have requests and exports).
        // The whole list as storage's other statements make it (every role's summary, then every
        // role's tally): what the paged statement must agree with.
        let mut listed = db.list_roles(maria.company_id).await.unwrap();
        let tallies: std::collections::HashMap<_, _> = db.export_tallies(maria.company_id).await.unwrap().into_iter().collect();
        for role in &mut listed {
            role.exports = tallies.get(&role.id).cloned().unwrap_or_default();
        }
        assert_eq!(market.list_roles(&maria).await.unwrap(), listed);
        let mut seen = std::collections::HashSet::new();
        for p in 1..=21 {
            let page = market.roles_page(&maria, filter("", "", "", &p.to_string()), None).await.unwrap().roles;
            assert_eq!(page, listed[(p - 1) * 50..(p * 50).min(1_005)], "page {p}");
            for role in page {
                assert!(seen.insert(role.id), "{:?} listed twice", role.id);
            }
        }
        assert_eq!(seen.len(), 1_005);
        assert!(listed.iter().any(|r| r.requests_sent > 0 && r.exports != Default::default()));
        // A filtered page is the whole list filtered, then paged.
        for (f, p) in [(filter("lisbon", "live", "", "3"), 3), (filter("", "draft", "", "2"), 2), (filter("berlin", "", "", ""), 1)] {
            let expected: Vec<_> = listed.iter().filter(|r| admits(&f, r)).skip((p - 1) * 50).take(50).cloned().collect();
            assert_eq!(market.roles_page(&maria, f.clone(), None).await.unwrap().roles, expected, "{f:?}");
        }
        // A search's % and _ are letters, not patterns.
        assert_eq!(market.roles_page(&maria, filter("%", "", "", ""), None).await.unwrap().matching, 0);
        assert_eq!(market.roles_page(&maria, filter("role_0", "", "", ""), None).await.unwrap().matching, 0);
        // Another company's Source counts only its own roles.
        let hank = actor(&market, 2).await;
        let theirs = market.roles_page(&hank, filter("", "", "", ""), None).await.unwrap();
        assert_eq!(theirs.total, market.list_roles(&hank).await.unwrap().len());
        assert!(theirs.roles.iter().all(|r| !seen.contains(&r.id)));
        assert_eq!(market.roles_page(&hank, filter("scale role", "", "", ""), None).await.unwrap().matching, 0);
        // Filters and search.
        let drafts_page = market.roles_page(&maria, filter("", "draft", "", ""), None).await.unwrap();
        assert_eq!(drafts_page.matching, 251);
        assert!(drafts_page.roles.iter().all(|r| r.status == RoleStatus::Draft));
        let found = market.roles_page(&maria, filter("  ROLE 042", "", "", ""), None).await.unwrap();
        assert_eq!(found.matching, 10, "Scale role 0420–0429");
        let lisbon_live = market.roles_page(&maria, filter("lisbon", "live", "not_mapped", ""), None).await.unwrap();
        assert_eq!(lisbon_live.matching, 750);
        assert_eq!(market.roles_page(&maria, filter("", "", "mapped", ""), None).await.unwrap().matching, 0);
        // The role asked about comes along wherever it is listed.
        let focus = *drafts.last().unwrap();
        let page = market.roles_page(&maria, filter("", "", "", ""), Some(focus)).await.unwrap();
        assert!(!page.roles.iter().any(|r| r.id == focus));
        assert_eq!(page.focus.map(|r| r.id), Some(focus));
        // Mapped roles leave the warning and its count (a draft's mapping changes nothing there);
        // a removed mapping counts again.
        let job = domain::mapping::JobRef {
            shortcode: "NOR01".into(),
            title: "Scale job".into(),
            code: None,
            department: None,
            location: None,
            state: domain::mapping::JobState::Published,
        };
        let rows = [(domain::MarketplaceStage::Accepted, domain::mapping::StageAction::Nothing)];
        let live: Vec<_> = listed.iter().filter(|r| r.status == RoleStatus::Live && !r.ats_state.is_mapped()).take(3).map(|r| r.id).collect();
        for role in live.iter().copied().chain([drafts[0]]) {
            let save = storage::SaveConfiguration { company_id: maria.company_id, role_id: role, subdomain: "northwind", job: &job, rows: &rows, by: maria.user_id };
            db.save_configuration(save).await.unwrap();
        }
        db.remove_configuration(maria.company_id, live[2], maria.user_id).await.unwrap();
        let mapped = market.roles_page(&maria, filter("", "", "", ""), None).await.unwrap();
        assert_eq!(mapped.unmapped_live, 752);
        assert_eq!(market.roles_page(&maria, filter("", "", "mapped", ""), None).await.unwrap().matching, 3);
        assert_eq!(market.roles_page(&maria, filter("", "live", "not_mapped", ""), None).await.unwrap().matching, 752);

        // Links keep the filter.
        assert_eq!(filter("role 04", "live", "not_mapped", "3").query(4), "?search=role+04&status=live&ats=not_mapped&page=4");
        assert!(domain::views::RoleFilter::parse("", "archived", "", "").is_err_and(|e| e.field == "status"));
        assert!(domain::views::RoleFilter::parse("", "", "maybe", "").is_err_and(|e| e.field == "ats"));
    }
}
