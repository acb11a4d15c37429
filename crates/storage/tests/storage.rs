//! The storage layer, run against a real SQLite file and a real PostgreSQL database.

use domain::views::CandidateProfile;
use domain::{
    CandidateId, CompanyId, Email, Location, MarketplaceStage, MoveOrigin, RequestId, RequestStatus, RoleId,
    RoleStatus, RoleTitle, UserId, UserRole,
};
use storage::{CvFile, Db, NewCandidate, NewUser, StorageError, test_on_both_databases};

struct Fixture {
    company: CompanyId,
    other_company: CompanyId,
    user: UserId,
    role: RoleId,
    candidate: CandidateId,
}

async fn company_with_user(db: &Db, name: &str, email: &str) -> (CompanyId, UserId) {
    let company = db.insert_company(name).await.unwrap();
    let email = Email::parse(email).unwrap();
    let user = db
        .insert_user(NewUser {
            company_id: company,
            email: &email,
            name: "Dana",
            role: UserRole::Master,
            password_hash: "$argon2id$x",
        })
        .await
        .unwrap();
    (company, user)
}

async fn candidate(db: &Db, email: &str, with_cv: bool) -> CandidateId {
    let email = Email::parse(email).unwrap();
    let profile = CandidateProfile { skills: vec!["Rust".into()], ..Default::default() };
    db.insert_candidate(NewCandidate {
        name: "Ada Lovelace",
        email: &email,
        phone: None,
        headline: "Engineer",
        summary: "Writes programs",
        profile: &profile,
        cv: with_cv.then(|| CvFile { filename: "ada.pdf".into(), pdf: b"%PDF-1.7 fake".to_vec() }),
    })
    .await
    .unwrap()
}

async fn fixture(db: &Db) -> Fixture {
    let (company, user) = company_with_user(db, "Northwind", "dana@northwind.test").await;
    let (other_company, _) = company_with_user(db, "Globex", "hank@globex.test").await;
    let role = db
        .insert_role(
            company,
            &RoleTitle::parse("Rust engineer").unwrap(),
            &Location::parse("Berlin").unwrap(),
            RoleStatus::Live,
        )
        .await
        .unwrap();
    let candidate = candidate(db, "ada@example.com", true).await;
    Fixture { company, other_company, user, role, candidate }
}

test_on_both_databases! {
    async fn migrating_twice_changes_nothing(db: Db) {
        db.migrate().await.unwrap();
        db.ping().await.unwrap();
        assert!(!db.has_companies().await.unwrap());
    }
}

test_on_both_databases! {
    async fn a_user_is_found_by_email_with_their_company(db: Db) {
        let (company, user) = company_with_user(&db, "Northwind", "dana@northwind.test").await;
        let found = db.find_user_by_email(&Email::parse("DANA@northwind.test").unwrap()).await.unwrap().unwrap();
        assert_eq!(found.id, user);
        assert_eq!(found.company_id, company);
        assert_eq!(found.company_name, "Northwind");
        assert_eq!(found.role, UserRole::Master);
        assert!(db.find_user(UserId(user.0 + 100)).await.unwrap().is_none());
    }
}

test_on_both_databases! {
    async fn a_second_user_with_the_same_email_is_refused(db: Db) {
        let (company, _) = company_with_user(&db, "Northwind", "dana@northwind.test").await;
        let email = Email::parse("dana@northwind.test").unwrap();
        let err = db
            .insert_user(NewUser { company_id: company, email: &email, name: "Again", role: UserRole::Member, password_hash: "x" })
            .await
            .unwrap_err();
        assert!(matches!(err, StorageError::Duplicate), "{err:?}");
    }
}

test_on_both_databases! {
    async fn roles_are_listed_per_company_live_first(db: Db) {
        let f = fixture(&db).await;
        let draft = db
            .insert_role(f.company, &RoleTitle::parse("Designer").unwrap(), &Location::parse("Remote").unwrap(), RoleStatus::Draft)
            .await
            .unwrap();
        db.insert_role(f.other_company, &RoleTitle::parse("Secret").unwrap(), &Location::parse("Springfield").unwrap(), RoleStatus::Live)
            .await
            .unwrap();
        let roles = db.list_roles(f.company).await.unwrap();
        let ids: Vec<RoleId> = roles.iter().map(|r| r.id).collect();
        assert_eq!(ids, vec![f.role, draft]);
        assert!(db.role_summary(f.other_company, f.role).await.unwrap().is_none());
        assert!(db.find_role(f.other_company, f.role).await.unwrap().is_none());
    }
}

test_on_both_databases! {
    async fn publishing_a_draft_happens_once(db: Db) {
        let f = fixture(&db).await;
        let draft = db
            .insert_role(f.company, &RoleTitle::parse("Designer").unwrap(), &Location::parse("Remote").unwrap(), RoleStatus::Draft)
            .await
            .unwrap();
        db.change_role_status(f.company, draft, RoleStatus::Draft, RoleStatus::Live).await.unwrap();
        let again = db.change_role_status(f.company, draft, RoleStatus::Draft, RoleStatus::Live).await.unwrap_err();
        assert!(matches!(again, StorageError::Conflict(_)), "{again:?}");
        let foreign = db.change_role_status(f.other_company, draft, RoleStatus::Live, RoleStatus::Closed).await.unwrap_err();
        assert!(matches!(foreign, StorageError::NotFound), "{foreign:?}");
        assert_eq!(db.find_role(f.company, draft).await.unwrap().unwrap().status, RoleStatus::Live);
    }
}

/// What the storage half of an acceptance writes (the use case adds what follows from it).
async fn accept(db: &Db, company: CompanyId, request: RequestId) -> Result<storage::AcceptedRequest, StorageError> {
    let now = storage::now_ms();
    let mut write = db.write().await?;
    let accepted = write.accept_request(company, request, now).await?;
    write.record_move(company, request, (None, MarketplaceStage::Accepted), None, MoveOrigin::Candidate, now).await?;
    write.commit().await?;
    Ok(accepted)
}

/// A move from the stage the request is at, as a person makes it (`false`: it was not at `from`).
async fn move_from(
    db: &Db,
    company: CompanyId,
    request: RequestId,
    stages: (MarketplaceStage, MarketplaceStage),
    by: UserId,
) -> bool {
    let mut write = db.write().await.unwrap();
    let moved = write
        .move_request_stage(company, request, stages, Some(by), MoveOrigin::Marketplace, storage::now_ms())
        .await
        .unwrap();
    write.commit().await.unwrap();
    moved
}

test_on_both_databases! {
    async fn accepting_a_request_enters_the_pipeline_at_accepted(db: Db) {
        let f = fixture(&db).await;
        let request = db.insert_request(f.company, f.role, f.candidate, Some(f.user)).await.unwrap();
        assert!(db.list_pipeline(f.company, f.role).await.unwrap().is_empty());
        assert_eq!(db.list_open_requests(f.company, f.role).await.unwrap()[0].status, RequestStatus::Pending);

        let accepted = accept(&db, f.company, request).await.unwrap();
        assert_eq!((accepted.role_id, accepted.candidate_id), (f.role, f.candidate));

        let pipeline = db.list_pipeline(f.company, f.role).await.unwrap();
        assert_eq!(pipeline.len(), 1);
        assert_eq!(pipeline[0].stage, MarketplaceStage::Accepted);
        assert!(pipeline[0].has_cv);
        assert!(db.list_open_requests(f.company, f.role).await.unwrap().is_empty());

        let twice = accept(&db, f.company, request).await.unwrap_err();
        assert!(matches!(twice, StorageError::Conflict(_)), "{twice:?}");
        // A unit of work dropped without commit leaves nothing behind.
        let grace = candidate(&db, "grace@example.com", true).await;
        let other = db.insert_request(f.company, f.role, grace, Some(f.user)).await.unwrap();
        let mut write = db.write().await.unwrap();
        write.accept_request(f.company, other, storage::now_ms()).await.unwrap();
        write.enqueue(domain::WorkKind::Export, f.company, other.0, storage::now_ms()).await.unwrap();
        drop(write);
        assert_eq!(db.list_open_requests(f.company, f.role).await.unwrap()[0].status, RequestStatus::Pending);
        assert!(!db.work_pending(domain::WorkKind::Export, other.0).await.unwrap());
    }
}

test_on_both_databases! {
    async fn a_pipeline_slice_reads_only_its_page_at_its_stage(db: Db) {
        let f = fixture(&db).await;
        let mut accepted = Vec::new();
        for n in 0..7 {
            let candidate = candidate(&db, &format!("c{n}@example.com"), false).await;
            let request = db.insert_request(f.company, f.role, candidate, Some(f.user)).await.unwrap();
            if n < 5 {
                accept(&db, f.company, request).await.unwrap();
                accepted.push(request);
            }
        }
        for request in [accepted[1], accepted[3]] {
            assert!(move_from(&db, f.company, request, (MarketplaceStage::Accepted, MarketplaceStage::Screening), f.user).await);
        }
        let slice = |stage, limit, offset| storage::PipelineSlice { stage, limit, offset };
        let ids = |entries: Vec<domain::views::PipelineEntry>| entries.into_iter().map(|e| e.request_id).collect::<Vec<_>>();
        // In the order they accepted, a page at a time.
        assert_eq!(ids(db.pipeline_slice(f.company, f.role, slice(None, 2, 2)).await.unwrap()), accepted[2..4]);
        assert_eq!(ids(db.pipeline_slice(f.company, f.role, slice(None, 2, 4)).await.unwrap()), accepted[4..]);
        let screening = Some(MarketplaceStage::Screening);
        assert_eq!(ids(db.pipeline_slice(f.company, f.role, slice(screening, 50, 0)).await.unwrap()), [accepted[1], accepted[3]]);
        assert_eq!(db.pipeline_counts(f.company, f.role, screening).await.unwrap(), (5, 2));
        assert_eq!(db.pipeline_counts(f.company, f.role, None).await.unwrap(), (5, 5));
        assert_eq!(ids(db.list_pipeline(f.company, f.role).await.unwrap()), accepted);
        // No exports were made: none for any slice; no interviews either.
        assert!(db.slice_exports(f.company, f.role, slice(None, 50, 0), 0).await.unwrap().is_empty());
        // The open requests, a page at a time, and their count.
        assert_eq!(db.open_requests_count(f.company, f.role).await.unwrap(), 2);
        assert_eq!(db.open_requests_page(f.company, f.role, 1, 1).await.unwrap().len(), 1);
        assert_eq!(db.open_requests_page(f.company, f.role, 50, 0).await.unwrap().len(), 2);
        // Another company's view of the same role: empty.
        assert_eq!(db.pipeline_counts(f.other_company, f.role, None).await.unwrap(), (0, 0));
        assert!(db.pipeline_slice(f.other_company, f.role, slice(None, 50, 0)).await.unwrap().is_empty());
        assert_eq!(db.open_requests_count(f.other_company, f.role).await.unwrap(), 0);
    }
}

test_on_both_databases! {
    async fn the_same_request_cannot_be_sent_twice(db: Db) {
        let f = fixture(&db).await;
        db.insert_request(f.company, f.role, f.candidate, Some(f.user)).await.unwrap();
        let err = db.insert_request(f.company, f.role, f.candidate, Some(f.user)).await.unwrap_err();
        assert!(matches!(err, StorageError::Duplicate), "{err:?}");
        assert_eq!(db.candidates_without_request(f.role, "", 25).await.unwrap(), (Vec::new(), 0));
    }
}

test_on_both_databases! {
    async fn moves_are_recorded_with_who_and_when(db: Db) {
        let f = fixture(&db).await;
        let request = db.insert_request(f.company, f.role, f.candidate, Some(f.user)).await.unwrap();
        accept(&db, f.company, request).await.unwrap();
        assert!(move_from(&db, f.company, request, (MarketplaceStage::Accepted, MarketplaceStage::Screening), f.user).await);
        // Someone else's move meanwhile: the compare-and-swap refuses, nothing is recorded.
        assert!(!move_from(&db, f.company, request, (MarketplaceStage::Accepted, MarketplaceStage::Offer), f.user).await);
        assert!(move_from(&db, f.company, request, (MarketplaceStage::Screening, MarketplaceStage::Rejected), f.user).await);

        let history = db.stage_history(f.company, request).await.unwrap();
        let steps: Vec<_> = history.iter().map(|m| (m.from, m.to, m.moved_by.clone())).collect();
        assert_eq!(
            steps,
            vec![
                (None, MarketplaceStage::Accepted, None),
                (Some(MarketplaceStage::Accepted), MarketplaceStage::Screening, Some("Dana".to_owned())),
                (Some(MarketplaceStage::Screening), MarketplaceStage::Rejected, Some("Dana".to_owned())),
            ]
        );
        let entry = &db.list_pipeline(f.company, f.role).await.unwrap()[0];
        assert_eq!(entry.stage, MarketplaceStage::Rejected);
        assert_eq!(entry.last_moved_by.as_deref(), Some("Dana"));
    }
}

test_on_both_databases! {
    async fn the_marketplace_has_a_move_of_its_own_only_when_it_made_the_latest(db: Db) {
        let f = fixture(&db).await;
        let request = db.insert_request(f.company, f.role, f.candidate, Some(f.user)).await.unwrap();
        accept(&db, f.company, request).await.unwrap();
        assert!(move_from(&db, f.company, request, (MarketplaceStage::Accepted, MarketplaceStage::Screening), f.user).await);
        let screened = db.last_marketplace_move_at(f.company, request).await.unwrap();
        assert!(screened.is_some(), "Dana's move is the latest");
        // The ATS moves them on: the marketplace has nothing of its own to send any more.
        let mut write = db.write().await.unwrap();
        let stages = (MarketplaceStage::Screening, MarketplaceStage::FinalInterview);
        assert!(write.move_request_stage(f.company, request, stages, None, MoveOrigin::Workable, storage::now_ms() + 1).await.unwrap());
        write.commit().await.unwrap();
        assert_eq!(db.last_marketplace_move_at(f.company, request).await.unwrap(), None);
        assert!(move_from(&db, f.company, request, (MarketplaceStage::FinalInterview, MarketplaceStage::Offer), f.user).await);
        assert!(db.last_marketplace_move_at(f.company, request).await.unwrap() >= screened);
    }
}

test_on_both_databases! {
    async fn another_company_can_neither_see_nor_change_a_request(db: Db) {
        let f = fixture(&db).await;
        let request = db.insert_request(f.company, f.role, f.candidate, Some(f.user)).await.unwrap();
        assert!(matches!(accept(&db, f.other_company, request).await, Err(StorageError::NotFound)));
        assert!(matches!(db.decline_request(f.other_company, request).await, Err(StorageError::NotFound)));
        accept(&db, f.company, request).await.unwrap();
        let mut write = db.write().await.unwrap();
        assert_eq!(write.request_stage(f.other_company, request).await.unwrap(), None);
        drop(write);
        assert!(!move_from(&db, f.other_company, request, (MarketplaceStage::Accepted, MarketplaceStage::Offer), f.user).await);
        assert!(db.stage_history(f.other_company, request).await.unwrap().is_empty());
        assert!(db.list_pipeline(f.other_company, f.role).await.unwrap().is_empty());
    }
}

test_on_both_databases! {
    async fn a_cv_is_served_only_after_acceptance_and_only_to_that_company(db: Db) {
        let f = fixture(&db).await;
        let request = db.insert_request(f.company, f.role, f.candidate, Some(f.user)).await.unwrap();
        assert!(db.cv_for_company(f.company, f.candidate).await.unwrap().is_none());
        accept(&db, f.company, request).await.unwrap();
        let cv = db.cv_for_company(f.company, f.candidate).await.unwrap().unwrap();
        assert_eq!(cv.filename, "ada.pdf");
        assert_eq!(cv.pdf, b"%PDF-1.7 fake");
        assert!(db.cv_for_company(f.other_company, f.candidate).await.unwrap().is_none());
        assert_eq!(db.profile_for_company(f.company, f.candidate).await.unwrap().unwrap().skills, vec!["Rust"]);
        assert!(db.profile_for_company(f.other_company, f.candidate).await.unwrap().is_none());
    }
}

test_on_both_databases! {
    async fn a_declined_request_stays_out_of_the_pipeline(db: Db) {
        let f = fixture(&db).await;
        let request = db.insert_request(f.company, f.role, f.candidate, Some(f.user)).await.unwrap();
        db.decline_request(f.company, request).await.unwrap();
        assert!(matches!(accept(&db, f.company, request).await, Err(StorageError::Conflict(_))));
        assert_eq!(db.list_open_requests(f.company, f.role).await.unwrap()[0].status, RequestStatus::Declined);
        assert!(db.cv_for_company(f.company, f.candidate).await.unwrap().is_none());
    }
}

mod sessions {
    use storage::{SqlSessionStore, test_on_both_databases};
    use tower_sessions::SessionStore;
    use tower_sessions::session::{Id, Record};

    fn record(minutes: i64) -> Record {
        let mut data = std::collections::HashMap::new();
        data.insert("user_id".to_owned(), serde_json::json!(7));
        Record {
            id: Id::default(),
            data,
            expiry_date: time::OffsetDateTime::now_utc() + time::Duration::minutes(minutes),
        }
    }

    test_on_both_databases! {
        async fn a_session_is_saved_loaded_and_deleted(db: Db) {
            let store = SqlSessionStore::new(db.clone());
            let mut rec = record(30);
            store.create(&mut rec).await.unwrap();
            // Stored under a hash: the database holds nothing a browser could present.
            let dump = String::from_utf8_lossy(&db.dump_session_keys().await.unwrap()).into_owned();
            assert!(!dump.is_empty() && !dump.contains(&rec.id.to_string()), "{dump}");
            let loaded = store.load(&rec.id).await.unwrap().unwrap();
            assert_eq!(loaded.data, rec.data);
            rec.data.insert("x".into(), serde_json::json!("y"));
            store.save(&rec).await.unwrap();
            assert_eq!(store.load(&rec.id).await.unwrap().unwrap().data.len(), 2);
            store.delete(&rec.id).await.unwrap();
            assert!(store.load(&rec.id).await.unwrap().is_none());
        }
    }

    test_on_both_databases! {
        async fn an_expired_session_is_not_loaded_and_is_swept(db: Db) {
            let store = SqlSessionStore::new(db);
            let mut rec = record(-1);
            store.create(&mut rec).await.unwrap();
            assert!(store.load(&rec.id).await.unwrap().is_none());
            assert_eq!(store.delete_expired().await.unwrap(), 1);
        }
    }
}

fn job(shortcode: &str, title: &str) -> domain::mapping::JobRef {
    domain::mapping::JobRef {
        shortcode: shortcode.into(),
        title: title.into(),
        code: Some("RUST-01".into()),
        department: Some("Engineering".into()),
        location: Some("Berlin, Germany".into()),
        state: domain::mapping::JobState::Published,
    }
}

fn mapping_rows() -> Vec<(MarketplaceStage, domain::mapping::StageAction)> {
    use domain::mapping::StageAction;
    MarketplaceStage::ALL
        .iter()
        .map(|stage| {
            let action = match stage {
                MarketplaceStage::Accepted => StageAction::Move { slug: "sourced".into(), name: "Sourced".into() },
                MarketplaceStage::Offer => StageAction::Nothing,
                MarketplaceStage::Rejected => StageAction::Disqualify,
                // Lever's archive reasons, by id and name.
                MarketplaceStage::Withdrawn => {
                    StageAction::Archive { reason: "r-withdrew".into(), name: "Withdrew".into() }
                }
                MarketplaceStage::Hired => StageAction::Archive { reason: "r-hired".into(), name: "Hired".into() },
                _ => StageAction::Move { slug: "interview".into(), name: "Interview".into() },
            };
            (*stage, action)
        })
        .collect()
}

test_on_both_databases! {
    async fn a_configuration_is_saved_edited_in_place_and_removed_keeping_its_row(db: Db) {
        use domain::views::AtsState;
        let f = fixture(&db).await;
        let rows = mapping_rows();
        let jobs = ["NOR01", "NOR02", "NOR03"].map(|code| job(code, "Senior Rust Engineer"));
        let save = |n: usize| storage::SaveConfiguration {
            company_id: f.company,
            role_id: f.role,
            subdomain: "northwind",
            job: &jobs[n],
            rows: &rows,
            by: f.user,
        };
        let id = db.save_configuration(save(0)).await.unwrap();
        let stored = db.configuration_for_role(f.company, f.role).await.unwrap().unwrap();
        assert_eq!(stored.id, id);
        assert_eq!(stored.rows, rows);
        assert_eq!(stored.job.shortcode, "NOR01");
        assert_eq!(stored.role_title, "Rust engineer");
        let summary = db.role_summary(f.company, f.role).await.unwrap().unwrap();
        assert_eq!(summary.ats_state, AtsState::Mapped { job_title: "Senior Rust Engineer".into() });

        // Editing keeps the id; another company sees nothing.
        assert_eq!(db.save_configuration(save(1)).await.unwrap(), id);
        assert_eq!(db.configuration_for_role(f.company, f.role).await.unwrap().unwrap().job.shortcode, "NOR02");
        assert!(db.configuration_for_role(f.other_company, f.role).await.unwrap().is_none());
        assert!(db.configuration(f.other_company, id).await.unwrap().is_none());
        assert!(db.list_configurations(f.other_company).await.unwrap().is_empty());
        assert!(matches!(db.remove_configuration(f.other_company, f.role, f.user).await, Err(StorageError::NotFound)));

        // Drift is recorded only against the version that was checked.
        let problems = vec!["Stage “Interview” was deleted in Workable.".to_owned()];
        assert!(!db.record_configuration_check(id, stored.updated_at - 1, domain::mapping::JobState::Published, &problems).await.unwrap());
        let current = db.configuration(f.company, id).await.unwrap().unwrap();
        assert!(db.record_configuration_check(id, current.updated_at, domain::mapping::JobState::Closed, &problems).await.unwrap());
        let flagged = db.configuration(f.company, id).await.unwrap().unwrap();
        assert_eq!((flagged.attention.clone(), flagged.job.state.as_str()), (problems.clone(), "closed"));
        let summary = db.role_summary(f.company, f.role).await.unwrap().unwrap();
        assert_eq!(summary.ats_state, AtsState::NeedsAttention { job_title: "Senior Rust Engineer".into(), problems });
        assert_eq!(db.configurations_to_check(i64::MAX, 10).await.unwrap().len(), 1);

        db.remove_configuration(f.company, f.role, f.user).await.unwrap();
        assert!(db.configuration_for_role(f.company, f.role).await.unwrap().is_none());
        assert_eq!(db.role_summary(f.company, f.role).await.unwrap().unwrap().ats_state, AtsState::NotMapped);
        assert!(db.configurations_to_check(i64::MAX, 10).await.unwrap().is_empty());
        // A new configuration after removal is a new row; the old one is kept.
        let again = db.save_configuration(save(2)).await.unwrap();
        assert_ne!(again, id);
    }
}

test_on_both_databases! {
    async fn the_work_queue_leases_retries_reruns_pauses_and_fails(db: Db) {
        let f = fixture(&db).await;
        let now = storage::now_ms();
        assert_eq!(db.next_work_at().await.unwrap(), None, "nothing queued");
        db.enqueue(domain::WorkKind::Export, f.company, 1, now).await.unwrap();
        assert_eq!(db.next_work_at().await.unwrap(), Some(now));
        db.enqueue(domain::WorkKind::Export, f.company, 1, now).await.unwrap();
        db.enqueue(domain::WorkKind::Export, f.company, 2, now + 60_000).await.unwrap();
        let claimed = db.claim_work("a", storage::now_ms(), 60_000, 10, 0).await.unwrap();
        assert_eq!(claimed.iter().map(|i| i.subject_id).collect::<Vec<_>>(), [1], "one item per subject; the later one is not due");
        assert_eq!(claimed[0].attempts, 1);
        assert!(db.claim_work("b", storage::now_ms(), 60_000, 10, 0).await.unwrap().is_empty(), "leased to a");
        assert!(!db.finish_work(claimed[0].id, "b").await.unwrap(), "only the lease's owner finishes it");

        // Queued again while running: it runs once more afterwards.
        db.enqueue(domain::WorkKind::Export, f.company, 1, now).await.unwrap();
        assert!(db.finish_work(claimed[0].id, "a").await.unwrap());
        let again = db.claim_work("a", storage::now_ms(), 60_000, 10, 0).await.unwrap();
        assert_eq!(again.len(), 1);

        // A retry counts the attempt; a deferral does not.
        assert!(db.retry_work(again[0].id, "a", now - 1, "503").await.unwrap());
        let retried = db.claim_work("a", storage::now_ms(), 60_000, 10, 0).await.unwrap();
        assert_eq!(retried[0].attempts, 2);
        assert!(db.defer_work(retried[0].id, "a", now - 1).await.unwrap());
        assert_eq!(db.claim_work("a", storage::now_ms(), 60_000, 10, 0).await.unwrap()[0].attempts, 2);

        // A lease that runs out (a crashed worker) makes the item due for someone else: claims
        // go by the workers' clock, given here.
        let stolen = {
            let items = db.claim_work("b", storage::now_ms(), 1, 10, 0).await.unwrap();
            assert!(items.is_empty(), "a's lease still runs");
            db.pause_work(retried[0].id, "a", "reconnect needed").await.unwrap();
            db.resume_company_work(f.company).await.unwrap();
            let resumed = storage::now_ms();
            let items = db.claim_work("c", resumed, 1, 10, 0).await.unwrap();
            let after = db.claim_work("d", resumed + 5, 60_000, 10, 0).await.unwrap();
            (items, after)
        };
        assert_eq!(stolen.0.len(), 1);
        assert_eq!(stolen.1.len(), 1, "c's one-millisecond lease ran out");
        assert!(db.fail_work(stolen.1[0].id, "d", "gave up").await.unwrap());
        assert_eq!(db.work_counts().await.unwrap(), [("failed".to_owned(), 1), ("queued".to_owned(), 1)]);
        assert!(db.next_work_at().await.unwrap().is_some(), "the queued item is due");
        // Queueing a failed item again starts it afresh.
        db.enqueue(domain::WorkKind::Export, f.company, 1, now).await.unwrap();
        assert_eq!(db.claim_work("e", storage::now_ms(), 60_000, 10, 0).await.unwrap()[0].attempts, 1);
    }
}

test_on_both_databases! {
    multi_thread;
    async fn concurrent_claims_never_share_an_item(db: Db) {
        let f = fixture(&db).await;
        let now = storage::now_ms();
        for subject in 0..200 {
            db.enqueue(domain::WorkKind::Export, f.company, subject, now).await.unwrap();
        }
        // Eight claimers on four threads, released together.
        let start = std::sync::Arc::new(tokio::sync::Barrier::new(8));
        let claimers: Vec<_> = (0..8).map(|n| {
            let (db, start) = (db.clone(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                let mut mine = Vec::new();
                loop {
                    let items = db.claim_work(&format!("w{n}"), now, 60_000, 7, 0).await.unwrap();
                    if items.is_empty() {
                        break mine;
                    }
                    mine.extend(items.into_iter().map(|i| i.subject_id));
                }
            })
        }).collect();
        let mut all = Vec::new();
        for claimer in claimers {
            all.extend(claimer.await.unwrap());
        }
        all.sort_unstable();
        assert_eq!(all, (0..200).collect::<Vec<_>>(), "every item claimed exactly once");
    }
}

test_on_both_databases! {
    multi_thread;
    async fn work_queued_again_while_it_finishes_is_never_lost(db: Db) {
        let f = fixture(&db).await;
        // Each round: an item in a worker's hands is finished while the same work is queued
        // again. Whichever lands first, the new work must be queued afterwards (the finish's
        // requeue or the fresh insert), never deleted with the finished run.
        for round in 0..150 {
            let now = storage::now_ms();
            db.enqueue(domain::WorkKind::StageSync, f.company, 7, now).await.unwrap();
            let item = db.claim_work("w", storage::now_ms(), 60_000, 1, 0).await.unwrap().remove(0);
            let start = std::sync::Arc::new(tokio::sync::Barrier::new(2));
            let finish = tokio::spawn({
                let (db, start) = (db.clone(), start.clone());
                async move {
                    start.wait().await;
                    db.finish_work(item.id, "w").await.unwrap()
                }
            });
            let queue_again = tokio::spawn({
                let (db, start) = (db.clone(), start.clone());
                async move {
                    start.wait().await;
                    db.enqueue(domain::WorkKind::StageSync, f.company, 7, storage::now_ms()).await.unwrap()
                }
            });
            assert!(finish.await.unwrap(), "round {round}: the finish kept its lease");
            queue_again.await.unwrap();
            assert_eq!(db.work_state(domain::WorkKind::StageSync, 7).await.unwrap().as_deref(), Some("queued"), "round {round}");
            let rerun = db.claim_work("w", storage::now_ms(), 60_000, 1, 0).await.unwrap();
            assert_eq!(rerun.len(), 1, "round {round}");
            assert!(db.finish_work(rerun[0].id, "w").await.unwrap());
        }
    }
}

test_on_both_databases! {
    async fn work_queued_again_while_its_attempt_fails_runs_once_more(db: Db) {
        let f = fixture(&db).await;
        db.enqueue(domain::WorkKind::StageSync, f.company, 8, storage::now_ms()).await.unwrap();
        let item = db.claim_work("w", storage::now_ms(), 60_000, 1, 0).await.unwrap().remove(0);
        // A newer move is queued while the attempt runs; the attempt then fails for good.
        db.enqueue(domain::WorkKind::StageSync, f.company, 8, storage::now_ms()).await.unwrap();
        assert!(db.fail_work(item.id, "w", "Workable refused it").await.unwrap());
        assert_eq!(db.work_state(domain::WorkKind::StageSync, 8).await.unwrap().as_deref(), Some("queued"), "the newer work still runs");
        let rerun = db.claim_work("w", storage::now_ms(), 60_000, 1, 0).await.unwrap();
        assert_eq!(rerun[0].attempts, 1, "from a fresh count");
        // Nothing newer this time: the failure stands for a person to retry.
        assert!(db.fail_work(rerun[0].id, "w", "Workable refused it").await.unwrap());
        assert_eq!(db.work_state(domain::WorkKind::StageSync, 8).await.unwrap().as_deref(), Some("failed"));
        assert!(!db.fail_work(rerun[0].id, "w", "again").await.unwrap(), "no longer in anyone's hands");
    }
}

test_on_both_databases! {
    async fn a_lease_of_a_worker_known_gone_or_silent_is_taken_over_at_once(db: Db) {
        let f = fixture(&db).await;
        let now = storage::now_ms();
        db.enqueue(domain::WorkKind::Export, f.company, 1, now).await.unwrap();
        db.register_worker("a", "host-1", 41).await.unwrap();
        let held = db.claim_work("a", now, 300_000, 10, 0).await.unwrap();
        assert_eq!(held.len(), 1);
        let silent_for_15s = storage::now_ms() - 15_000;
        assert!(db.claim_work("b", now, 300_000, 10, silent_for_15s).await.unwrap().is_empty(), "a heartbeats: its lease holds");
        assert!(db.worker_heartbeat("a").await.unwrap());
        assert_eq!(db.workers_on_host("host-1").await.unwrap().len(), 1);
        assert!(db.workers_on_host("host-2").await.unwrap().is_empty());
        // Known gone (stopped, or a restart saw its process dead): taken over long before the lease ends.
        db.worker_gone("a").await.unwrap();
        assert!(!db.worker_heartbeat("a").await.unwrap(), "a gone worker stays gone");
        // A worker registering meanwhile (the restart itself) does not forget the gone row.
        db.register_worker("d", "host-1", 42).await.unwrap();
        let taken = db.claim_work("b", now, 300_000, 10, silent_for_15s).await.unwrap();
        assert_eq!(taken.iter().map(|i| i.id).collect::<Vec<_>>(), [held[0].id]);
        assert_eq!(taken[0].attempts, 2, "the lost attempt counts");
        assert!(!db.finish_work(held[0].id, "a").await.unwrap(), "the old owner's finish is refused");
        // Silent past the limit (killed, machine gone): the same, without anyone saying so.
        db.register_worker("b", "host-2", 7).await.unwrap();
        let later = storage::now_ms() + 1;
        let again = db.claim_work("c", now, 300_000, 10, later).await.unwrap();
        assert_eq!(again.len(), 1, "b has not heartbeaten since before `later`");
    }
}

test_on_both_databases! {
    async fn a_roles_counts_say_sent_awaiting_accepted_and_in_pipeline(db: Db) {
        let f = fixture(&db).await;
        // Seven requests: four accepted (one of them hired since), two awaiting an answer, one declined.
        let mut requests = Vec::new();
        for n in 0..7 {
            let candidate = candidate(&db, &format!("count{n}@example.com"), true).await;
            requests.push(db.insert_request(f.company, f.role, candidate, Some(f.user)).await.unwrap());
        }
        for request in &requests[..4] {
            accept(&db, f.company, *request).await.unwrap();
        }
        db.decline_request(f.company, requests[6]).await.unwrap();
        assert!(move_from(&db, f.company, requests[0], (MarketplaceStage::Accepted, MarketplaceStage::Hired), f.user).await);
        let role = db.list_roles(f.company).await.unwrap().into_iter().find(|r| r.id == f.role).unwrap();
        assert_eq!(
            (role.requests_sent, role.pending_requests, role.accepted, role.in_pipeline),
            (7, 2, 4, 3),
            "sent, awaiting, accepted, in pipeline"
        );
        // A role with no request counts zeros, not nothing.
        let quiet = db.insert_role(f.company, &RoleTitle::parse("Quiet").unwrap(), &Location::parse("Remote").unwrap(), RoleStatus::Draft).await.unwrap();
        let quiet = db.list_roles(f.company).await.unwrap().into_iter().find(|r| r.id == quiet).unwrap();
        assert_eq!((quiet.requests_sent, quiet.pending_requests, quiet.accepted, quiet.in_pipeline), (0, 0, 0, 0));
    }
}

test_on_both_databases! {
    async fn the_tally_of_hires_by_source_counts_each_candidate_once_however_many_store_them_at_once(db: Db) {
        let company = db.insert_company("Northwind").await.unwrap();
        const DAY: i64 = 86_400_000;
        let row = |n: i64| storage::AtsCandidateRow {
            candidate_id: format!("c{}", n % 3),
            job_shortcode: "JOB1".into(),
            source: if n % 2 == 0 { "linkedin.com" } else { "indeed.com" }.into(),
            furthest: n % 4,
            disqualified: false,
            created_at: 20_000 * DAY + (n % 5) * DAY,
            hired_at: (n % 4 == 3).then_some(20_040 * DAY),
            updated_at: 20_050 * DAY + n,
        };
        // Twenty transactions store the same three candidates at once, each saying something else.
        let stores: Vec<_> = (0..20)
            .map(|n| {
                let db = db.clone();
                tokio::spawn(async move { db.store_ats_candidates(company, &[row(n), row(n + 1)]).await })
            })
            .collect();
        for store in stores {
            store.await.unwrap().unwrap();
        }
        let scalar = |sql: &'static str| {
            let db = db.clone();
            async move { storage::testing::scalar(&db, sql).await.unwrap() }
        };
        assert_eq!(scalar("SELECT COUNT(*) FROM ats_candidates").await, 3);
        assert_eq!(scalar("SELECT CAST(SUM(candidates) AS BIGINT) FROM ats_source_days").await, 3, "each counted once");
        assert_eq!(scalar("SELECT COUNT(*) FROM ats_source_days WHERE candidates < 0").await, 0);
        // Each one is counted where they are now.
        let sources = db.hires_by_source(company, (19_990, 20_100), None).await.unwrap();
        assert_eq!(sources.iter().map(|s| s.applicants).sum::<i64>(), 3);
    }
}
