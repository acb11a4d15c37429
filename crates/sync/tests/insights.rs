//! Insights from stored data: the reconciliation keeps every candidate of the mapped Workable
//! jobs (a page of 100 per call, then only what changed), and the page's counts match a direct
//! count of the sandbox's candidates and of the company's own requests — for its company only.

mod common;

use std::collections::BTreeMap;

use common::{RUST_JOB, Setup, setup};
use domain::insights::InsightsFilter;
use domain::{Email, MarketplaceStage};
use marketplace::demo::DEMO_LOGINS;
use storage::test_on_both_databases;
use workable_sandbox::seed;

/// Pages of candidates Workable answered (a call refused with 429 and made again is one read).
fn reads(s: &Setup) -> usize {
    s.sandbox
        .request_log()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/candidates") && r.status == 200)
        .count()
}

/// Runs one reconciliation round to its end.
async fn reconcile(s: &Setup) {
    s.engine().schedule_reconciliations(std::time::Duration::ZERO).await.unwrap();
    s.drain().await;
}

/// The sandbox's own count of the candidates of `jobs` created in `[from, to)`, by source:
/// (candidates, reached interview, reached offer, hired).
fn counted_in_workable(s: &Setup, jobs: &[&str], (from, to): (i64, i64)) -> BTreeMap<String, (i64, i64, i64, i64)> {
    s.sandbox.read(|w| {
        let account = w.account("northwind").unwrap();
        let mut counts = BTreeMap::new();
        for c in account.candidates.iter().filter(|c| {
            !c.deleted && jobs.contains(&c.job_shortcode.as_str()) && c.created_at >= from && c.created_at < to
        }) {
            let (source, _) = workable_sandbox::common_source(c);
            let entry = counts.entry(source).or_insert((0, 0, 0, 0));
            let rank = match c.stage_slug.as_str() {
                "hired" => 3,
                "offer" => 2,
                "interview" => 1,
                _ => 0,
            };
            let rank = if c.hired_at.is_some() {
                3
            } else if c.moved_to_offer_at.is_some() {
                rank.max(2)
            } else {
                rank
            };
            entry.0 += 1;
            entry.1 += i64::from(rank >= 1);
            entry.2 += i64::from(rank >= 2);
            entry.3 += i64::from(c.hired_at.is_some());
        }
        counts
    })
}

fn shown(insights: &domain::insights::Insights) -> BTreeMap<String, (i64, i64, i64, i64)> {
    insights.sources.iter().map(|r| (r.source.clone(), (r.applicants, r.interviewed, r.offered, r.hired))).collect()
}

test_on_both_databases! {
    async fn insights_count_what_workable_and_the_marketplace_hold_for_the_company_only(db: Db) {
        let s = setup(&db).await;
        let now = s.sandbox.now_ms();
        s.sandbox.write(|w| seed::history(w, now));
        s.map_rust().await;
        let year = InsightsFilter::parse("365", "", "", "", "").unwrap();

        // Before the first read: the jobs are listed, no source yet.
        let before = s.integrations.insights(&s.maria, year.clone()).await.unwrap();
        assert!(before.connected && before.sources.is_empty() && before.as_of_ms.is_none());
        assert_eq!(before.jobs.iter().map(|j| j.shortcode.as_str()).collect::<Vec<_>>(), [RUST_JOB]);

        // The first round reads every candidate of the mapped job, 100 per call.
        let calls = reads(&s);
        reconcile(&s).await;
        let in_job = s.sandbox.read(|w| w.account("northwind").unwrap().candidates.iter().filter(|c| c.job_shortcode == RUST_JOB).count());
        assert!(in_job > 48, "the history fills the job: {in_job}");
        let log: Vec<String> = s.sandbox.request_log().iter().map(|r| format!("{} {} {}?{}", r.status, r.method, r.path, r.query)).collect();
        assert_eq!(reads(&s) - calls, in_job.div_ceil(100), "{log:#?}");
        let insights = s.integrations.insights(&s.maria, year.clone()).await.unwrap();
        assert!(insights.as_of_ms.is_some());
        assert_eq!(shown(&insights), counted_in_workable(&s, &[RUST_JOB], (insights.from_ms, insights.to_ms)));
        assert!(insights.sources.iter().any(|r| r.source == "linkedin.com" && r.applicants > 0));
        assert!(insights.sources.iter().any(|r| r.hired > 0 && r.median_days_to_hire.is_some()));

        // Later rounds read only what changed: one call for the job, and a hire shows.
        let hired_id = s.sandbox.read(|w| {
            let a = w.account("northwind").unwrap();
            a.candidates.iter().find(|c| c.job_shortcode == RUST_JOB && c.hired_at.is_none() && !c.disqualified && c.created_at > now - 300 * 86_400_000).unwrap().id.clone()
        });
        s.advance(std::time::Duration::from_secs(5));
        s.sandbox.person_moves("northwind", &hired_id, "hired").unwrap();
        let calls = reads(&s);
        reconcile(&s).await;
        assert_eq!(reads(&s) - calls, 1, "one page of what changed");
        let after = s.integrations.insights(&s.maria, year.clone()).await.unwrap();
        assert_eq!(shown(&after), counted_in_workable(&s, &[RUST_JOB], (after.from_ms, after.to_ms)));
        let hires = |i: &domain::insights::Insights| i.sources.iter().map(|r| r.hired).sum::<i64>();
        assert_eq!(hires(&after), hires(&insights) + 1);

        // A job mapped later is read from its start; the job filter shows one job.
        let frontend = s.mapped_role("Frontend (insights test)", "NOR02FE02").await;
        reconcile(&s).await;
        let both = s.integrations.insights(&s.maria, year.clone()).await.unwrap();
        assert_eq!(shown(&both), counted_in_workable(&s, &[RUST_JOB, "NOR02FE02"], (both.from_ms, both.to_ms)));
        let one = InsightsFilter { job: Some("NOR02FE02".into()), ..year.clone() };
        let one = s.integrations.insights(&s.maria, one).await.unwrap();
        assert_eq!(shown(&one), counted_in_workable(&s, &["NOR02FE02"], (one.from_ms, one.to_ms)));

        // The funnel, from the company's requests: one role's own, and every role's.
        let candidate = |n: usize| {
            let email = format!("funnel-{n}@candidates.test");
            let db = s.db.clone();
            async move {
                db.insert_candidate(storage::NewCandidate {
                    name: "Funnel Candidate", email: &Email::parse(&email).unwrap(), phone: None, headline: "Engineer",
                    summary: "—", profile: &Default::default(), cv: None,
                }).await.unwrap()
            }
        };
        let (maria, company) = (&s.maria, s.maria.company_id);
        let hired = s.db.insert_request(company, frontend, candidate(1).await, Some(maria.user_id)).await.unwrap();
        s.market.accept_on_behalf(maria, hired).await.unwrap();
        for stage in [MarketplaceStage::Screening, MarketplaceStage::Offer, MarketplaceStage::Hired] {
            s.market.move_candidate(maria, hired, stage.as_str()).await.unwrap();
        }
        let rejected = s.db.insert_request(company, frontend, candidate(2).await, Some(maria.user_id)).await.unwrap();
        s.market.accept_on_behalf(maria, rejected).await.unwrap();
        s.market.move_candidate(maria, rejected, MarketplaceStage::Rejected.as_str()).await.unwrap();
        s.db.insert_request(company, frontend, candidate(3).await, Some(maria.user_id)).await.unwrap();
        s.drain().await;
        let role = InsightsFilter { role: Some(frontend), ..year.clone() };
        let funnel = s.integrations.insights(&s.maria, role).await.unwrap();
        // Sent 3, accepted 2, both in Workable; the hire passed every step (one skipped counts
        // as passed), the rejected one none.
        assert_eq!(funnel.funnel, [3, 2, 2, 1, 1, 1, 1, 1]);
        let everyone = s.integrations.insights(&s.maria, year.clone()).await.unwrap();
        let summed: Vec<i64> = (0..8).map(|i| everyone.roles.iter().map(|r| r.steps[i]).sum()).collect();
        assert_eq!(everyone.funnel, summed);
        assert!(everyone.roles.len() >= 4, "the demo's history and this test's role: {:?}", everyone.roles);
        // A role chosen for a range where it had no request is still named, with zeros.
        let last_month = InsightsFilter { role: Some(s.rust), ..InsightsFilter::parse("30", "", "", "", "").unwrap() };
        let quiet = s.integrations.insights(&s.maria, last_month).await.unwrap();
        assert_eq!(quiet.funnel, [0; 8]);
        assert!(quiet.roles.iter().any(|r| r.role_id == s.rust && r.steps == [0; 8]), "{:?}", quiet.roles);
        let records = funnel.funnel_records();
        assert_eq!(records[1], ["Requests sent", "3", "", ""]);
        assert_eq!(records[2], ["Accepted", "2", "67%", "Requests sent"]);
        assert_eq!(records[4], ["Screening", "1", "50%", "Accepted"]);

        // A job no longer mapped leaves the sources (and is read from its start if mapped again).
        s.integrations.remove_configuration(&s.maria, frontend).await.unwrap();
        let rust_only = s.integrations.insights(&s.maria, year.clone()).await.unwrap();
        assert_eq!(shown(&rust_only), counted_in_workable(&s, &[RUST_JOB], (rust_only.from_ms, rust_only.to_ms)));
        assert!(!s.db.job_reads(s.maria.company_id).await.unwrap().contains_key("NOR02FE02"));

        // Another company sees none of it: not by filtering on Northwind's role or job.
        let hank = s.db.find_user_by_email(&Email::parse(DEMO_LOGINS[2].email).unwrap()).await.unwrap().unwrap();
        let hank = domain::Actor::from(&hank);
        let theirs = InsightsFilter { role: Some(frontend), job: Some(RUST_JOB.into()), ..year.clone() };
        let globex = s.integrations.insights(&hank, theirs).await.unwrap();
        assert_eq!(globex.funnel, [0; 8]);
        assert!(globex.sources.is_empty() && globex.jobs.is_empty() && !globex.connected);
        assert!(globex.roles.iter().all(|r| r.title == "Platform Engineer"), "{:?}", globex.roles);
    }
}

test_on_both_databases! {
    async fn a_first_read_the_rate_limit_interrupts_goes_on_where_it_stopped(db: Db) {
        // Workable's limit for an account token (10 calls per 10 s) holds: the round is put back
        // several times, and each time goes on from the page it had reached.
        let s = setup(&db).await;
        let now = s.sandbox.now_ms();
        s.sandbox.write(|w| seed::history_of(w, 1_000, now));
        let jobs = ["NOR01RUST01", "NOR02FE02", "NOR03DATA03", "NOR04EM04", "NOR05GO05"];
        for (n, job) in jobs.iter().enumerate() {
            s.mapped_role(&format!("Insights role {n}"), job).await;
        }
        let pages: usize = s.sandbox.read(|w| {
            let a = w.account("northwind").unwrap();
            jobs.iter().map(|j| a.candidates.iter().filter(|c| &c.job_shortcode == j).count().div_ceil(100)).sum()
        });
        let calls = s.calls("GET", "/candidates");
        s.drain().await;
        let log: Vec<String> = s.sandbox.request_log().iter().filter(|r| r.method == "GET" && r.path.ends_with("/candidates")).skip(calls).map(|r| format!("{} {}?{}", r.status, r.path, r.query)).collect();
        assert_eq!(log.len(), pages, "each page read once: {log:#?}");
        let year = InsightsFilter::parse("365", "", "", "", "").unwrap();
        let insights = s.integrations.insights(&s.maria, year).await.unwrap();
        assert_eq!(shown(&insights), counted_in_workable(&s, &jobs, (insights.from_ms, insights.to_ms)));
        // The history and the seed's six, less those of the day a year ago that the range leaves out.
        let total = insights.sources.iter().map(|r| r.applicants).sum::<i64>();
        assert!((990..=1_006).contains(&total), "{total}");
    }
}
