//! The user behind a plain axum request's session, read as the server functions read it
//! (`app::session::user_in`), with a failure as the response to send.

use axum::response::{IntoResponse, Response};
use marketplace::Marketplace;
use storage::UserRecord;
use tower_sessions::Session;

/// The signed-in user, `None` without a session; a failure is the response to send.
pub async fn session_user(market: &Marketplace, session: &Session) -> Result<Option<UserRecord>, Response> {
    app::session::user_in(market, session).await.map_err(|err| err.status().into_response())
}
