//! Files served to signed-in users: a candidate's CV, once they accepted the company's request,
//! and what each Insights chart shows, as CSV.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::CandidateId;
use marketplace::{Actor, Marketplace, MarketplaceError};
use tower_sessions::Session;

pub async fn candidate_cv(State(market): State<Marketplace>, session: Session, Path(id): Path<String>) -> Response {
    let Ok(candidate) = id.parse::<i64>().map(CandidateId) else { return StatusCode::NOT_FOUND.into_response() };
    let user = match crate::signed_in::session_user(&market, &session).await {
        Ok(Some(user)) => user,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(response) => return response,
    };
    match market.cv(&Actor::from(&user), candidate).await {
        Ok(cv) => {
            // Quotes and non-ASCII would break the header; the name is a courtesy, not data.
            let filename: String = cv
                .filename
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() || " .-_".contains(c) { c } else { '_' })
                .collect();
            (
                [
                    (header::CONTENT_TYPE, "application/pdf".to_owned()),
                    (header::CONTENT_DISPOSITION, format!("inline; filename=\"{filename}\"")),
                    (header::CACHE_CONTROL, "private, no-store".to_owned()),
                ],
                cv.pdf,
            )
                .into_response()
        }
        Err(err) => failure(err),
    }
}

fn failure(err: MarketplaceError) -> Response {
    match err {
        MarketplaceError::NotFound => StatusCode::NOT_FOUND.into_response(),
        err => {
            tracing::error!(error = %err, "could not serve a CV");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The Insights page's filter, as its links carry it (blank = the default).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct InsightsQuery {
    range: String,
    from: String,
    to: String,
    role: String,
    job: String,
}

/// `/insights/{chart}.csv`: what the chart (`funnel` or `sources`) shows for the page's filter.
pub async fn insights_csv(
    State(market): State<Marketplace>,
    State(integrations): State<integrations::Integrations>,
    session: Session,
    Path(file): Path<String>,
    Query(query): Query<InsightsQuery>,
) -> Response {
    let chart = match file.as_str() {
        "funnel.csv" => Chart::Funnel,
        "sources.csv" => Chart::Sources,
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let user = match crate::signed_in::session_user(&market, &session).await {
        Ok(Some(user)) => user,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(response) => return response,
    };
    let filter =
        match domain::insights::InsightsFilter::parse(&query.range, &query.from, &query.to, &query.role, &query.job) {
            Ok(filter) => filter,
            Err(invalid) => return (StatusCode::BAD_REQUEST, invalid.message).into_response(),
        };
    let insights = match integrations.insights(&Actor::from(&user), filter).await {
        Ok(insights) => insights,
        Err(err) => {
            tracing::error!(error = %err, "could not read Insights");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let records = match chart {
        Chart::Funnel => insights.funnel_records(),
        Chart::Sources => insights.source_records(),
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    for record in &records {
        // A cell that starts like a formula is read as text by spreadsheets (a source name is
        // whatever Workable was sent).
        let record = record.iter().map(|cell| {
            if cell.starts_with(['=', '+', '-', '@']) && cell.parse::<f64>().is_err() {
                format!("'{cell}")
            } else {
                cell.clone()
            }
        });
        if writer.write_record(record).is_err() {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    }
    let Ok(body) = writer.into_inner() else { return StatusCode::INTERNAL_SERVER_ERROR.into_response() };
    let (first, last) = insights.first_and_last_day();
    let filename = format!("insights-{}-{first}-to-{last}.csv", file.trim_end_matches(".csv"));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

enum Chart {
    Funnel,
    Sources,
}
