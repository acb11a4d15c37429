//! The user behind a plain axum request's session (the server functions use `app::session`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use marketplace::Marketplace;
use storage::UserRecord;
use tower_sessions::Session;

/// The signed-in user, `None` without a session; a store failure is a logged 500.
pub async fn session_user(market: &Marketplace, session: &Session) -> Result<Option<UserRecord>, Response> {
    let user_id = session.get::<i64>(app::session::USER_ID_KEY).await.map_err(|err| {
        tracing::error!(error = %err, "session store failure");
        StatusCode::INTERNAL_SERVER_ERROR.into_response()
    })?;
    let Some(user_id) = user_id else { return Ok(None) };
    market.session_user(domain::UserId(user_id)).await.map_err(|err| {
        tracing::error!(error = %err, "could not read the signed-in user");
        StatusCode::INTERNAL_SERVER_ERROR.into_response()
    })
}
