//! The *Add ATS configuration* wizard over HTTP: its server functions as a browser's forms call
//! them (member and master may map, another company gets 404, a wrong job or stage is a field
//! error) and its pages rendered on the server.

use app::api::ListRoles;
use app::api::mapping::{AtsJobs, AtsMapping, AtsWizard, RemoveAtsConfiguration, SaveAtsConfiguration};
use app::api::workable::ConnectWorkableToken;
use app::error::AppError;
use domain::mapping::{JobChoices, MappingTable, WizardStart};
use domain::views::{AtsState, RoleSummary};
use reqwest::StatusCode;

use crate::helpers::{HANK, MARIA, TOM, TestApp, Visitor};
use crate::on_both_databases;

const RUST_JOB: &str = "NOR01RUST01";

async fn connect_northwind(app: &TestApp) {
    let maria = app.signed_in(MARIA).await;
    let response = maria
        .call::<ConnectWorkableToken>(&[("subdomain", "northwind"), ("token", workable_sandbox::seed::NORTHWIND_TOKEN)])
        .await;
    assert!(response.status().is_success() || response.status().is_redirection(), "{}", response.status());
}

async fn role(visitor: &Visitor, title: &str) -> RoleSummary {
    let roles: Vec<RoleSummary> = visitor.call_ok::<ListRoles, _>(&[]).await;
    roles.into_iter().find(|r| r.title == title).unwrap()
}

/// The form the mapping table posts: every stage, screening to `screening`, offer blank.
pub(crate) fn mapping_form<'a>(role_id: &'a str, job: &'a str, screening: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("role_id", role_id),
        ("job", job),
        ("mapping[accepted]", "move:sourced"),
        ("mapping[screening]", screening),
        ("mapping[technical_interview]", "move:assessment"),
        ("mapping[final_interview]", "move:interview"),
        ("mapping[offer]", "none"),
        ("mapping[hired]", "move:hired"),
        ("mapping[rejected]", "disqualify"),
        ("mapping[withdrawn]", "disqualify"),
    ]
}

fn field(err: (StatusCode, AppError)) -> String {
    assert_eq!(err.0, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", err.1);
    err.1.field().unwrap().to_owned()
}

on_both_databases! {
    async fn a_member_maps_a_role_with_the_forms_of_the_wizard(app: TestApp) {
        connect_northwind(&app).await;
        let tom = app.signed_in(TOM).await;
        let rust = role(&tom, "Senior Rust Engineer").await;
        let id = rust.id.to_string();
        assert_eq!(rust.ats_state, AtsState::NotMapped);

        let start: WizardStart = tom.call_ok::<AtsWizard, _>(&[("role_id", &id)]).await;
        assert!(start.connected && start.current.is_none());
        let jobs: JobChoices = tom.call_ok::<AtsJobs, _>(&[("role_id", &id)]).await;
        assert_eq!(jobs.preselected.as_deref(), Some(RUST_JOB));
        let table: MappingTable = tom.call_ok::<AtsMapping, _>(&[("role_id", &id), ("job", RUST_JOB)]).await;
        assert_eq!(table.job.title, "Senior Rust Engineer");
        assert_eq!(table.rows.len(), 8);

        let _: i64 = tom.call_ok::<SaveAtsConfiguration, _>(&mapping_form(&id, RUST_JOB, "move:phone-screen")).await;
        assert_eq!(role(&tom, "Senior Rust Engineer").await.ats_state, AtsState::Mapped { job_title: "Senior Rust Engineer".into() });

        // The master edits it, then removes it.
        let maria = app.signed_in(MARIA).await;
        let _: i64 = maria.call_ok::<SaveAtsConfiguration, _>(&mapping_form(&id, RUST_JOB, "none")).await;
        let start: WizardStart = maria.call_ok::<AtsWizard, _>(&[("role_id", &id)]).await;
        assert_eq!(start.current.unwrap().rows[1].1, domain::mapping::StageAction::Nothing);
        let _: () = maria.call_ok::<RemoveAtsConfiguration, _>(&[("role_id", &id)]).await;
        assert_eq!(role(&maria, "Senior Rust Engineer").await.ats_state, AtsState::NotMapped);
    }
}

on_both_databases! {
    async fn wrong_jobs_stages_and_fields_are_field_errors_and_save_nothing(app: TestApp) {
        connect_northwind(&app).await;
        let maria = app.signed_in(MARIA).await;
        let id = role(&maria, "Senior Rust Engineer").await.id.to_string();
        assert_eq!(field(maria.call_err::<SaveAtsConfiguration>(&mapping_form(&id, "NOPE", "move:phone-screen")).await), "job");
        assert_eq!(field(maria.call_err::<SaveAtsConfiguration>(&mapping_form(&id, "NOR07PHP07", "move:phone-screen")).await), "job");
        assert_eq!(
            field(maria.call_err::<SaveAtsConfiguration>(&mapping_form(&id, RUST_JOB, "move:lunch")).await),
            "mapping[screening]"
        );
        assert_eq!(
            field(maria.call_err::<SaveAtsConfiguration>(&mapping_form(&id, RUST_JOB, "disqualify")).await),
            "mapping[screening]",
            "only the outcomes disqualify"
        );
        assert_eq!(field(maria.call_err::<SaveAtsConfiguration>(&mapping_form(&id, RUST_JOB, "")).await), "mapping[screening]");
        let mut unknown = mapping_form(&id, RUST_JOB, "move:phone-screen");
        unknown.push(("mapping[lunch]", "none"));
        assert_eq!(field(maria.call_err::<SaveAtsConfiguration>(&unknown).await), "mapping");
        let mut missing = mapping_form(&id, RUST_JOB, "move:phone-screen");
        missing.retain(|(k, _)| *k != "mapping[hired]");
        assert_eq!(field(maria.call_err::<SaveAtsConfiguration>(&missing).await), "mapping[hired]");
        assert_eq!(field(maria.call_err::<SaveAtsConfiguration>(&[("role_id", "x"), ("job", RUST_JOB)]).await), "form");
        assert_eq!(role(&maria, "Senior Rust Engineer").await.ats_state, AtsState::NotMapped, "nothing saved");
        let (status, err) = maria.call_err::<AtsMapping>(&[("role_id", &id), ("job", "../../accounts")]).await;
        assert_eq!((status, err.field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("job")), "only listed jobs reach Workable");
    }
}

on_both_databases! {
    async fn another_company_gets_not_found_for_every_step(app: TestApp) {
        connect_northwind(&app).await;
        let maria = app.signed_in(MARIA).await;
        let id = role(&maria, "Senior Rust Engineer").await.id.to_string();
        let _: i64 = maria.call_ok::<SaveAtsConfiguration, _>(&mapping_form(&id, RUST_JOB, "move:phone-screen")).await;

        let hank = app.signed_in(HANK).await;
        let not_found = (StatusCode::NOT_FOUND, AppError::NotFound);
        assert_eq!(hank.call_err::<AtsWizard>(&[("role_id", &id)]).await, not_found);
        assert_eq!(hank.call_err::<AtsJobs>(&[("role_id", &id)]).await, not_found);
        assert_eq!(hank.call_err::<AtsMapping>(&[("role_id", &id), ("job", RUST_JOB)]).await, not_found);
        assert_eq!(hank.call_err::<SaveAtsConfiguration>(&mapping_form(&id, RUST_JOB, "none")).await, not_found);
        assert_eq!(hank.call_err::<RemoveAtsConfiguration>(&[("role_id", &id)]).await, not_found);
        assert_eq!(hank.get(&format!("/roles/{id}/ats")).await.status(), StatusCode::NOT_FOUND);
        assert!(matches!(role(&maria, "Senior Rust Engineer").await.ats_state, AtsState::Mapped { .. }));

        // Signed out: nothing.
        let anonymous = app.visitor();
        assert_eq!(anonymous.call_err::<AtsWizard>(&[("role_id", &id)]).await.0, StatusCode::UNAUTHORIZED);
        // Globex is not connected: its own role's Workable steps say to connect first.
        let platform = role(&hank, "Platform Engineer").await.id.to_string();
        let (status, err) = hank.call_err::<AtsJobs>(&[("role_id", &platform)]).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(err.to_string().contains("Connect your ATS (Workable or Lever) first"), "{err}");
    }
}

on_both_databases! {
    async fn the_wizard_pages_render_on_the_server_in_the_products_words(app: TestApp) {
        connect_northwind(&app).await;
        let tom = app.signed_in(TOM).await;
        let id = role(&tom, "Senior Rust Engineer").await.id.to_string();
        let source = tom.get("/source").await.text().await.unwrap();
        assert!(source.contains("Add ATS configuration") && source.contains("Not mapped"));

        let start = tom.get(&format!("/roles/{id}/ats")).await;
        assert_eq!(start.status(), StatusCode::OK);
        let start = start.text().await.unwrap();
        assert!(start.contains("New configuration") && start.contains("Import existing configuration"));

        let jobs = tom.get(&format!("/roles/{id}/ats/job")).await.text().await.unwrap();
        assert!(jobs.contains("Continue to mapping") && jobs.contains("Suggested") && jobs.contains("Backend Engineer (Go)"));
        assert!(!jobs.contains("PHP Developer"), "closed jobs are not offered");

        let mapping = tom.get(&format!("/roles/{id}/ats/mapping?job={RUST_JOB}")).await.text().await.unwrap();
        assert!(mapping.contains("mapping[technical_interview]") && mapping.contains("Disqualify in Workable"));
        assert!(mapping.contains(">Save<"));

        let _: i64 = tom.call_ok::<SaveAtsConfiguration, _>(&mapping_form(&id, RUST_JOB, "move:phone-screen")).await;
        let source = tom.get("/source").await.text().await.unwrap();
        assert!(source.contains("Mapped to Senior Rust Engineer"));
        assert!(source.contains("Edit ATS configuration") && source.contains("Remove ATS configuration"));
        let remove = tom.get(&format!("/roles/{id}/ats/remove")).await.text().await.unwrap();
        assert!(remove.contains("will stop sending candidates"));
    }
}

#[tokio::test]
async fn workable_down_is_answered_503_with_try_again_and_nothing_done() {
    let app = crate::helpers::spawn_app(storage::Backend::Sqlite).await;
    connect_northwind(&app).await;
    let maria = app.signed_in(MARIA).await;
    let id = role(&maria, "Senior Rust Engineer").await.id.to_string();
    // Every Workable call fails (5xx): the wizard's first read cannot be made.
    app.sandbox.set_faults(workable_sandbox::Faults { error_rate: 1.0, ..Default::default() });
    let (status, err) = maria.call_err::<AtsJobs>(&[("role_id", &id)]).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(matches!(err, AppError::Unavailable(ref why) if why.contains("try again")), "{err:?}");
    // Workable back: the same step works.
    app.sandbox.set_faults(Default::default());
    let jobs: JobChoices = maria.call_ok::<AtsJobs, _>(&[("role_id", &id)]).await;
    assert!(!jobs.jobs.is_empty());
}
