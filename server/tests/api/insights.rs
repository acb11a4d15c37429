//! Insights over HTTP: the page, its server function and its CSV downloads answer the signed-in
//! company with its own data only; strangers get 401, a bad filter 400 with the reason.

use app::api::insights::GetInsights;
use app::api::mapping::SaveAtsConfiguration;
use app::api::workable::ConnectWorkableToken;
use domain::insights::Insights;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use storage::testing::eventually;

use crate::helpers::{HANK, MARIA, RUST_JOB, TOM};
use crate::mapping::mapping_form;
use crate::on_both_databases;

on_both_databases! {
    async fn insights_and_their_csv_show_the_company_its_own_data_only(app: TestApp) {
        let maria = app.signed_in(MARIA).await;
        let _ = maria.call::<ConnectWorkableToken>(&[("subdomain", "northwind"), ("token", workable_sandbox::seed::NORTHWIND_TOKEN)]).await;
        let roles: Vec<domain::views::RoleSummary> = maria.call_ok::<app::api::ListRoles, _>(&[]).await;
        let rust = roles.iter().find(|r| r.title == "Senior Rust Engineer").unwrap().id.to_string();
        let _: i64 = maria.call_ok::<SaveAtsConfiguration, _>(&mapping_form(&rust, RUST_JOB, "move:phone-screen")).await;

        // Mapping queued the job's first read; a member sees it once it is done.
        let tom = app.signed_in(TOM).await;
        let year: Insights = eventually(std::time::Duration::from_secs(30), || async {
            let insights: Insights = tom.call_ok::<GetInsights, _>(&[("range", "365")]).await;
            if insights.as_of_ms.is_some() && !insights.sources.is_empty() { Ok(insights) } else { Err("not read yet".to_owned()) }
        })
        .await;
        assert!(year.funnel[0] > 10, "the demo's requests of the year: {:?}", year.funnel);
        assert!(year.sources.iter().any(|s| s.source == "linkedin.com"));

        let csv = tom.get("/insights/sources.csv?range=365").await;
        assert_eq!(csv.status(), StatusCode::OK);
        assert_eq!(csv.headers()[CONTENT_TYPE], "text/csv; charset=utf-8");
        assert!(csv.headers()[CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment; filename=\"insights-sources-"));
        let text = csv.text().await.unwrap();
        assert!(text.starts_with("Source,Candidates,Reached interview,Reached offer,Hired,Median days to hire\n"));
        assert_eq!(text.lines().count(), year.sources.len() + 1);
        let funnel = tom.get("/insights/funnel.csv?range=365").await.text().await.unwrap();
        assert!(funnel.contains(&format!("Requests sent,{},,", year.funnel[0])), "{funnel}");
        let page = tom.get("/insights?range=365").await.text().await.unwrap();
        assert!(page.contains("Marketplace funnel") && page.contains("Hires by source") && page.contains("linkedin.com"));

        // Globex, asking for Northwind's role and job, gets its own (empty) view.
        let hank = app.signed_in(HANK).await;
        let theirs: Insights = hank.call_ok::<GetInsights, _>(&[("range", "365"), ("role", &rust), ("job", RUST_JOB)]).await;
        assert_eq!(theirs.funnel, [0; 8]);
        assert!(theirs.sources.is_empty() && theirs.jobs.is_empty());
        let csv = hank.get(&format!("/insights/sources.csv?range=365&job={RUST_JOB}")).await.text().await.unwrap();
        assert_eq!(csv.lines().count(), 1, "only the header: {csv}");
        let page = hank.get(&format!("/insights?range=365&job={RUST_JOB}")).await.text().await.unwrap();
        assert!(!page.contains("linkedin.com") && !page.contains("Senior Rust Engineer"));

        // Strangers and bad filters.
        assert_eq!(app.visitor().get("/insights/funnel.csv").await.status(), StatusCode::UNAUTHORIZED);
        let bad = tom.get("/insights/funnel.csv?range=custom&from=2026-02-30&to=2026-03-01").await;
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
        assert!(bad.text().await.unwrap().contains("YYYY-MM-DD"));
        assert_eq!(tom.get("/insights/other.csv").await.status(), StatusCode::NOT_FOUND);
        let (status, _) = tom.call_err::<GetInsights>(&[("range", "7")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}
