//! Files served to signed-in users: a candidate's CV, once they accepted the company's request.

use axum::extract::{Path, State};
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
