//! Mapping roles to Workable jobs against the sandbox, on both databases: the wizard's three
//! steps, validation on save, import, removal, isolation between companies, drift (stage renamed,
//! stage deleted, job closed) and the read cache.

use std::time::Duration;

use domain::mapping::{StageAction, StageChoice};
use domain::views::AtsState;
use domain::{MarketplaceStage, RoleId, RoleStatus};
use integrations::{Actor, Integrations, MappingError, TokenCipher};
use marketplace::demo::{DEMO_LOGINS, seed_if_empty};
use storage::{Db, test_on_both_databases};
use workable::{Endpoints, WorkableClient};
use workable_sandbox::{Sandbox, seed};

/// The sandbox's Senior Rust Engineer and Frontend Engineer jobs, and its closed PHP job.
const RUST_JOB: &str = "NOR01RUST01";
const FRONTEND_JOB: &str = "NOR02FE02";
const CLOSED_JOB: &str = "NOR07PHP07";

/// The wizard's steps within one cache lifetime; the drift test reads Workable afresh each time.
const CACHED: Duration = Duration::from_secs(60);

struct Setup {
    sandbox: Sandbox,
    integrations: Integrations,
    maria: Actor,
    tom: Actor,
    hank: Actor,
}

async fn actor(db: &Db, login: usize) -> Actor {
    let user = db.find_user_by_email(&domain::Email::parse(DEMO_LOGINS[login].email).unwrap()).await.unwrap().unwrap();
    Actor::from(&user)
}

/// Northwind connected with its account token; `ttl` is the read cache's lifetime.
async fn setup(db: &Db, ttl: Duration) -> Setup {
    seed_if_empty(db).await.unwrap();
    // Workable's rate-limit windows pass without waiting: one skipping clock for both sides.
    let clock = workable::Clock::skipping();
    let sandbox = Sandbox::with_clock(seed::seed(Vec::new()), None, clock.clone());
    let (base, _) = sandbox.serve(0).await.unwrap();
    let integrations =
        Integrations::new(db.clone(), WorkableClient::new(Endpoints::sandbox(&base)), None, TokenCipher::generate().0)
            .with_read_cache_ttl(ttl)
            .with_clock(clock);
    let maria = actor(db, 0).await;
    integrations.connect_with_api_token(&maria, "northwind", seed::NORTHWIND_TOKEN, None).await.unwrap();
    Setup { sandbox, integrations, maria, tom: actor(db, 1).await, hank: actor(db, 2).await }
}

async fn role(db: &Db, actor: &Actor, title: &str) -> RoleId {
    db.list_roles(actor.company_id).await.unwrap().into_iter().find(|r| r.title == title).unwrap().id
}

/// Every stage mapped: screening to the phone screen, technical and final interviews to the
/// interview, offer left blank, the outcomes disqualify.
fn choices() -> Vec<(MarketplaceStage, StageChoice)> {
    MarketplaceStage::ALL
        .iter()
        .map(|&stage| {
            let choice = match stage {
                MarketplaceStage::Accepted => StageChoice::Move("sourced".into()),
                MarketplaceStage::Screening => StageChoice::Move("phone-screen".into()),
                MarketplaceStage::TechnicalInterview | MarketplaceStage::FinalInterview => {
                    StageChoice::Move("interview".into())
                }
                MarketplaceStage::Offer => StageChoice::Nothing,
                MarketplaceStage::Hired => StageChoice::Move("hired".into()),
                MarketplaceStage::Rejected | MarketplaceStage::Withdrawn => StageChoice::Disqualify,
            };
            (stage, choice)
        })
        .collect()
}

fn field_of(err: MappingError) -> String {
    match err {
        MappingError::Invalid(invalid) => invalid.field,
        other => panic!("expected a field error, got {other:?}"),
    }
}

test_on_both_databases! {
    async fn a_member_maps_a_role_through_the_three_steps(db: Db) {
        let s = setup(&db, CACHED).await;
        let rust = role(&db, &s.tom, "Senior Rust Engineer").await;

        let start = s.integrations.wizard_start(&s.tom, rust).await.unwrap();
        assert!(start.connected && start.current.is_none() && start.importable.is_empty());
        assert_eq!(start.role.ats_state, AtsState::NotMapped);

        let jobs = s.integrations.job_choices(&s.tom, rust, None).await.unwrap();
        let states: Vec<&str> = jobs.jobs.iter().map(|j| j.state.as_str()).collect();
        assert_eq!(states, ["published", "published", "published", "published", "published", "draft"], "published first");
        assert_eq!(jobs.hidden, 2, "the closed and the archived job are left out");
        assert_eq!(jobs.suggested.as_deref(), Some(RUST_JOB));
        assert_eq!(jobs.preselected.as_deref(), Some(RUST_JOB));

        // Not mapped yet: nothing to edit, the wizard's first steps come first.
        let unmapped = s.integrations.current_job(&s.tom, rust).await.unwrap_err();
        assert!(matches!(unmapped, MappingError::Invalid(ref invalid) if invalid.field == "job"), "{unmapped:?}");
        let table = s.integrations.mapping_table(&s.tom, rust, RUST_JOB, None).await.unwrap();
        assert!(!table.editing);
        assert_eq!(table.stages.len(), 7, "the job's own pipeline");
        assert_eq!(table.rows.len(), MarketplaceStage::ALL.len());
        assert!(table.rows.iter().all(|r| r.action.is_some() && r.needs_choice.is_none()), "a new mapping starts proposed");
        assert_eq!(table.rows[1].action, Some(StageAction::Move { slug: "phone-screen".into(), name: "Phone Screen".into() }));

        s.integrations.save_configuration(&s.tom, rust, RUST_JOB, &choices()).await.unwrap();
        let summary = db.role_summary(s.tom.company_id, rust).await.unwrap().unwrap();
        assert_eq!(summary.ats_state, AtsState::Mapped { job_title: "Senior Rust Engineer".into() });
        let saved = db.configuration_for_role(s.tom.company_id, rust).await.unwrap().unwrap();
        assert_eq!(saved.action(MarketplaceStage::Offer), StageAction::Nothing, "blank stays blank");
        assert_eq!(saved.action(MarketplaceStage::Withdrawn), StageAction::Disqualify);

        // Editing: the current job is preselected and the saved rows come back.
        let jobs = s.integrations.job_choices(&s.maria, rust, None).await.unwrap();
        assert_eq!(jobs.preselected.as_deref(), Some(RUST_JOB));
        // *Edit ATS configuration* opens the current job's table directly, as an edit.
        assert_eq!(s.integrations.current_job(&s.maria, rust).await.unwrap(), RUST_JOB);
        let table = s.integrations.mapping_table(&s.maria, rust, RUST_JOB, None).await.unwrap();
        assert!(table.editing);
        assert_eq!(table.rows[4].action, Some(StageAction::Nothing));
        assert_eq!(s.integrations.current_job(&s.hank, rust).await.unwrap_err(), MappingError::NotFound, "another company's role");
        assert_eq!(s.integrations.wizard_start(&s.maria, rust).await.unwrap().current.unwrap().job.shortcode, RUST_JOB);
    }
}

test_on_both_databases! {
    async fn save_refuses_what_the_account_does_not_have(db: Db) {
        let s = setup(&db, CACHED).await;
        let rust = role(&db, &s.maria, "Senior Rust Engineer").await;
        let save = |job: &'static str, choices: Vec<(MarketplaceStage, StageChoice)>| {
            let integrations = s.integrations.clone();
            let maria = s.maria.clone();
            async move { integrations.save_configuration(&maria, rust, job, &choices).await }
        };
        assert_eq!(field_of(save("NOPE", choices()).await.unwrap_err()), "job");
        assert_eq!(field_of(save(CLOSED_JOB, choices()).await.unwrap_err()), "job", "a closed job cannot take candidates");
        let mut unknown_stage = choices();
        unknown_stage[1].1 = StageChoice::Move("lunch".into());
        assert_eq!(field_of(save(RUST_JOB, unknown_stage).await.unwrap_err()), "mapping[screening]");
        let mut missing = choices();
        missing.retain(|(stage, _)| *stage != MarketplaceStage::Hired);
        assert_eq!(field_of(save(RUST_JOB, missing).await.unwrap_err()), "mapping[hired]");
        assert!(db.configuration_for_role(s.maria.company_id, rust).await.unwrap().is_none(), "nothing saved");

        // A closed role cannot be mapped.
        db.change_role_status(s.maria.company_id, rust, RoleStatus::Live, RoleStatus::Closed).await.unwrap();
        assert_eq!(save(RUST_JOB, choices()).await.unwrap_err(), MappingError::RoleClosed);
    }
}

test_on_both_databases! {
    async fn another_company_sees_not_found_and_an_unconnected_one_is_told_to_connect(db: Db) {
        let s = setup(&db, CACHED).await;
        let rust = role(&db, &s.maria, "Senior Rust Engineer").await;
        s.integrations.save_configuration(&s.maria, rust, RUST_JOB, &choices()).await.unwrap();
        assert_eq!(s.integrations.wizard_start(&s.hank, rust).await.unwrap_err(), MappingError::NotFound);
        assert_eq!(s.integrations.job_choices(&s.hank, rust, None).await.unwrap_err(), MappingError::NotFound);
        assert_eq!(s.integrations.mapping_table(&s.hank, rust, RUST_JOB, None).await.unwrap_err(), MappingError::NotFound);
        assert_eq!(s.integrations.save_configuration(&s.hank, rust, RUST_JOB, &choices()).await.unwrap_err(), MappingError::NotFound);
        assert_eq!(s.integrations.remove_configuration(&s.hank, rust).await.unwrap_err(), MappingError::NotFound);
        assert!(db.configuration_for_role(s.maria.company_id, rust).await.unwrap().is_some(), "still there");

        // Globex never connected: its own role's wizard opens, says so, and Workable steps refuse.
        let platform = role(&db, &s.hank, "Platform Engineer").await;
        assert!(!s.integrations.wizard_start(&s.hank, platform).await.unwrap().connected);
        assert_eq!(s.integrations.job_choices(&s.hank, platform, None).await.unwrap_err(), MappingError::NotConnected);
        // And it cannot import Northwind's configuration by guessing its id.
        let northwind_config = db.configuration_for_role(s.maria.company_id, rust).await.unwrap().unwrap().id;
        let err = s.integrations.job_choices(&s.hank, platform, Some(northwind_config)).await.unwrap_err();
        assert_eq!(field_of(err), "from", "another company's configuration is not found");
    }
}

test_on_both_databases! {
    async fn importing_copies_the_mapping_and_flags_stages_the_new_job_lacks(db: Db) {
        let s = setup(&db, CACHED).await;
        let rust = role(&db, &s.maria, "Senior Rust Engineer").await;
        let frontend = role(&db, &s.maria, "Frontend Engineer (Leptos)").await;
        s.integrations.save_configuration(&s.maria, rust, RUST_JOB, &choices()).await.unwrap();
        let from = db.configuration_for_role(s.maria.company_id, rust).await.unwrap().unwrap().id;

        let start = s.integrations.wizard_start(&s.tom, frontend).await.unwrap();
        assert_eq!(start.importable.len(), 1);
        assert_eq!(start.importable[0].role_title, "Senior Rust Engineer");
        let jobs = s.integrations.job_choices(&s.tom, frontend, Some(from)).await.unwrap();
        assert_eq!(jobs.suggested.as_deref(), Some(FRONTEND_JOB));
        assert_eq!(jobs.imported_from.as_deref(), Some("Senior Rust Engineer"));

        // The frontend job has no phone screen any more: that row needs a choice.
        assert!(s.sandbox.delete_stage("northwind", FRONTEND_JOB, "phone-screen"));
        let table = s.integrations.mapping_table(&s.tom, frontend, FRONTEND_JOB, Some(from)).await.unwrap();
        assert_eq!(table.imported_from.as_deref(), Some("Senior Rust Engineer"));
        let screening = &table.rows[1];
        assert_eq!((screening.stage, screening.action.clone()), (MarketplaceStage::Screening, None));
        assert!(screening.needs_choice.as_deref().unwrap().contains("Phone Screen"));
        assert_eq!(table.rows[0].action, Some(StageAction::Move { slug: "sourced".into(), name: "Sourced".into() }));
        assert_eq!(table.rows[4].action, Some(StageAction::Nothing), "the blank row is copied as blank");
        assert_eq!(table.rows[7].action, Some(StageAction::Disqualify));

        // Saving the import as it was is refused on that row; choosing fixes it.
        let err = s.integrations.save_configuration(&s.tom, frontend, FRONTEND_JOB, &choices()).await.unwrap_err();
        assert_eq!(field_of(err), "mapping[screening]");
        let mut fixed = choices();
        fixed[1].1 = StageChoice::Move("assessment".into());
        s.integrations.save_configuration(&s.tom, frontend, FRONTEND_JOB, &fixed).await.unwrap();
        assert_eq!(db.list_configurations(s.tom.company_id).await.unwrap().len(), 2);
    }
}

test_on_both_databases! {
    async fn removing_unmaps_the_role_and_keeps_the_row(db: Db) {
        let s = setup(&db, CACHED).await;
        let rust = role(&db, &s.maria, "Senior Rust Engineer").await;
        s.integrations.save_configuration(&s.maria, rust, RUST_JOB, &choices()).await.unwrap();
        s.integrations.remove_configuration(&s.tom, rust).await.unwrap();
        assert_eq!(db.role_summary(s.tom.company_id, rust).await.unwrap().unwrap().ats_state, AtsState::NotMapped);
        assert_eq!(s.integrations.remove_configuration(&s.tom, rust).await.unwrap_err(), MappingError::NotFound);
        assert!(s.integrations.wizard_start(&s.tom, rust).await.unwrap().current.is_none());
    }
}

test_on_both_databases! {
    async fn drift_flags_a_renamed_stage_a_deleted_stage_and_a_closed_job(db: Db) {
        let s = setup(&db, Duration::ZERO).await;
        let rust = role(&db, &s.maria, "Senior Rust Engineer").await;
        s.integrations.save_configuration(&s.maria, rust, RUST_JOB, &choices()).await.unwrap();
        let state = || async { db.role_summary(s.maria.company_id, rust).await.unwrap().unwrap().ats_state };

        // Nothing changed: nothing flagged.
        let current = s.integrations.wizard_start(&s.maria, rust).await.unwrap().current.unwrap();
        assert!(current.attention.is_empty());

        // Renamed: flagged when the wizard opens, naming old and new.
        assert!(s.sandbox.rename_stage("northwind", RUST_JOB, "phone-screen", "Recruiter call"));
        let current = s.integrations.wizard_start(&s.maria, rust).await.unwrap().current.unwrap();
        assert_eq!(current.attention, ["Workable stage “Phone Screen” (for Screening) was renamed to “Recruiter call”."]);
        assert!(matches!(state().await, AtsState::NeedsAttention { .. }));

        // Deleted: the periodic sweep notices.
        assert!(s.sandbox.delete_stage("northwind", RUST_JOB, "interview"));
        assert_eq!(s.integrations.check_due_configurations(Duration::ZERO, 100).await.unwrap(), 1);
        let AtsState::NeedsAttention { problems, .. } = state().await else { panic!("flagged") };
        assert_eq!(problems.len(), 3, "the rename, and the deleted stage for both interviews: {problems:?}");
        assert!(problems[1].contains("“Interview” (for Technical interview) was deleted"));

        // Job closed: the check before using the mapping says so.
        assert!(s.sandbox.set_job_state("northwind", RUST_JOB, "closed"));
        let config = db.configuration_for_role(s.maria.company_id, rust).await.unwrap().unwrap();
        let checked = s.integrations.check_configuration(config).await.unwrap();
        assert_eq!(checked.attention[0], "The Workable job “Senior Rust Engineer” is closed.");
        assert_eq!(checked.job.state, domain::mapping::JobState::Closed);

        // Re-saving against a job that takes candidates clears it.
        let mut fixed = choices();
        fixed[1].1 = StageChoice::Move("phone-screen".into());
        fixed[2].1 = StageChoice::Move("assessment".into());
        fixed[3].1 = StageChoice::Move("offer".into());
        s.integrations.save_configuration(&s.maria, rust, FRONTEND_JOB, &fixed).await.unwrap();
        assert_eq!(state().await, AtsState::Mapped { job_title: "Frontend Engineer".into() });
    }
}

test_on_both_databases! {
    async fn the_wizard_reads_workable_once_per_cache_lifetime(db: Db) {
        let s = setup(&db, Duration::from_secs(60)).await;
        let rust = role(&db, &s.maria, "Senior Rust Engineer").await;
        let calls = |path: &str| {
            s.sandbox.request_log().iter().filter(|r| r.method == "GET" && r.path.ends_with(path)).count()
        };
        let stages_path = format!("/jobs/{RUST_JOB}/stages");
        let (jobs_before, stages_before) = (calls("/spi/v3/jobs"), calls(&stages_path));
        for _ in 0..3 {
            s.integrations.job_choices(&s.maria, rust, None).await.unwrap();
            s.integrations.mapping_table(&s.maria, rust, RUST_JOB, None).await.unwrap();
        }
        s.integrations.save_configuration(&s.maria, rust, RUST_JOB, &choices()).await.unwrap();
        assert_eq!(calls("/spi/v3/jobs") - jobs_before, 1, "one jobs listing for the whole wizard");
        assert_eq!(calls(&stages_path) - stages_before, 1, "one read of the job's pipeline");
    }
}
