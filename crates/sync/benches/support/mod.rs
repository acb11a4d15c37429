//! What the export benches share (`export` on Workable, `lever` on Lever): a candidate accepting
//! a request, waiting for the exports, and the acceptance → created latency as the tables say it.

use std::time::Duration;

use domain::export::ExportState;
use domain::views::CandidateProfile;
use domain::{Email, RequestId, RoleId};
use integrations::Actor;
use marketplace::Marketplace;
use storage::{CvFile, Db, NewCandidate};

/// A new candidate (with a small CV) who accepts `actor`'s request for `role`.
pub async fn accept(db: &Db, market: &Marketplace, actor: &Actor, role: RoleId, n: usize) -> RequestId {
    let email = format!("c{n}-{}@bench.test", actor.company_id);
    let profile = CandidateProfile { skills: vec!["Rust".into()], ..Default::default() };
    let candidate = db
        .insert_candidate(NewCandidate {
            name: "Bench Candidate",
            email: &Email::parse(&email).unwrap(),
            phone: None,
            headline: "Engineer",
            summary: "Benchmarks things.",
            profile: &profile,
            cv: Some(CvFile { filename: format!("cv-{n}.pdf"), pdf: b"%PDF-1.4 bench".to_vec() }),
        })
        .await
        .unwrap();
    let request = db.insert_request(actor.company_id, role, candidate, Some(actor.user_id)).await.unwrap();
    market.accept_on_behalf(actor, request).await.unwrap();
    request
}

/// Waits until every export is done (a failed one ends the bench); returns when the last reached
/// its stage (ms).
pub async fn wait_done(db: &Db, actor: &Actor, requests: &[RequestId]) -> i64 {
    let mut last = 0;
    for request in requests {
        loop {
            let export = db.export_by_request(actor.company_id, *request).await.unwrap();
            match export {
                Some(e) if e.state == ExportState::Done => {
                    last = last.max(e.at_stage_at.unwrap_or_default());
                    break;
                }
                Some(e) if e.state == ExportState::Failed => panic!("an export failed: {:?}", e.last_error),
                _ => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    }
    last
}

/// From each acceptance to its candidate created in the ATS: "p50 … ms · p99 … ms · max … ms".
pub async fn creation_latency(db: &Db, actor: &Actor, requests: &[RequestId]) -> String {
    let mut latency = Vec::new();
    for request in requests {
        let e = db.export_by_request(actor.company_id, *request).await.unwrap().unwrap();
        let accepted = db.export_context(&e).await.unwrap().accepted_at;
        latency.push(e.created_in_workable_at.unwrap() - accepted);
    }
    latency.sort_unstable();
    format!(
        "p50 {} ms · p99 {} ms · max {} ms",
        percentile(&latency, 0.5),
        percentile(&latency, 0.99),
        latency.last().unwrap()
    )
}

pub fn percentile(sorted: &[i64], p: f64) -> i64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}
