//! `server worker` as a real process, killed (SIGKILL) in the middle of an export and replaced by
//! another: every acceptance still ends as exactly one Workable candidate with both files. The
//! leases are the default five minutes: the replacement, on the same machine, sees the killed
//! process gone and takes its items over at once.

use std::time::Duration;

use domain::Email;
use domain::export::ExportState;
use integrations::{Actor, Integrations, TokenCipher};
use marketplace::demo::DEMO_LOGINS;
use storage::Backend;
use storage::testing::{TestDatabase, eventually};
use workable::{Endpoints, WorkableClient};
use workable_sandbox::{Faults, Sandbox, seed};

use crate::helpers::{RUST_JOB, everyone_at_sourced, server_process};

fn worker(database_url: &str, workable_url: &str, key: &str, data_dir: &std::path::Path) -> tokio::process::Child {
    server_process(&["worker"], database_url, workable_url, key, data_dir).spawn().expect("start `server worker`")
}

async fn killed_mid_export_resumes_in_another_process(backend: Backend) {
    let database = TestDatabase::new(backend).await;
    let db = server::prepare_database(&database.url, true).await.unwrap();
    let sandbox = Sandbox::new(seed::seed(Vec::new()), None);
    let (base, _) = sandbox.serve(0).await.unwrap();
    let (cipher, key) = TokenCipher::generate();
    let integrations = Integrations::new(db.clone(), WorkableClient::new(Endpoints::sandbox(&base)), None, cipher);
    let maria =
        Actor::from(&db.find_user_by_email(&Email::parse(DEMO_LOGINS[0].email).unwrap()).await.unwrap().unwrap());
    integrations.connect_with_api_token(&maria, "northwind", seed::NORTHWIND_TOKEN, None).await.unwrap();
    let roles = db.list_roles(maria.company_id).await.unwrap();
    let rust = roles.iter().find(|r| r.title == "Senior Rust Engineer").unwrap().id;
    integrations.save_configuration(&maria, rust, RUST_JOB, &everyone_at_sourced()).await.unwrap();
    // The demo's acceptances for the role were queued when it was seeded; slow answers widen the
    // window between two steps. The rate limit is lifted: the processes go by the system clock
    // (no test clock crosses a process), and the windows are the sync scenarios' subject.
    let lifted = Faults { rate_limit_override: Some(1_000), ..Faults::default() };
    sandbox.set_faults(Faults { latency_ms: 300, ..lifted.clone() });
    let data_dir = tempfile::tempdir().unwrap();

    let mut first = worker(&database.url, &base, &key, data_dir.path());
    let pipeline = |db: storage::Db| async move { db.list_pipeline(maria.company_id, rust).await.unwrap() };
    let requests: Vec<_> = pipeline(db.clone()).await.into_iter().map(|e| e.request_id).collect();
    assert!(!requests.is_empty());
    eventually(Duration::from_secs(60), || async {
        for request in &requests {
            let export = db.export_by_request(maria.company_id, *request).await.unwrap();
            if export.is_some_and(|e| e.created_in_workable_at.is_some() && e.state != ExportState::Done) {
                return Ok(());
            }
        }
        Err("the first worker never created a candidate".to_owned())
    })
    .await;
    first.kill().await.unwrap();

    sandbox.set_faults(lifted);
    let _second = worker(&database.url, &base, &key, data_dir.path());
    for request in &requests {
        eventually(Duration::from_secs(60), || async {
            let export = db.export_by_request(maria.company_id, *request).await.unwrap();
            if export.as_ref().is_some_and(|e| e.state == ExportState::Done) {
                return Ok(());
            }
            Err(format!("{request:?} still {export:?}; now {}; queue: {:?}", storage::now_ms(), db.queue_rows().await))
        })
        .await;
    }
    let emails: Vec<String> = pipeline(db.clone()).await.into_iter().map(|e| e.email).collect();
    sandbox.read(|w| {
        let account = w.account("northwind").unwrap();
        for email in &emails {
            let found: Vec<_> = account
                .candidates
                .iter()
                .filter(|c| !c.deleted && c.job_shortcode == RUST_JOB && &c.email == email)
                .collect();
            assert_eq!(found.len(), 1, "{email}");
            let files: Vec<&str> =
                found[0].resume.iter().chain(found[0].files.iter()).map(|f| f.name.as_str()).collect();
            assert_eq!(files.iter().filter(|f| f.starts_with("Marketplace profile")).count(), 1, "{email}: {files:?}");
            assert!(found[0].resume.is_some(), "{email}: the CV as the resume");
        }
    });
    let creates = sandbox
        .request_log()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with(&format!("/jobs/{RUST_JOB}/candidates")) && r.status < 300)
        .count();
    assert_eq!(creates, emails.len(), "one create per acceptance, none repeated after the kill");
}

#[tokio::test]
async fn a_killed_worker_process_is_resumed_by_another_on_sqlite() {
    killed_mid_export_resumes_in_another_process(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_killed_worker_process_is_resumed_by_another_on_postgres() {
    killed_mid_export_resumes_in_another_process(Backend::Postgres).await;
}
