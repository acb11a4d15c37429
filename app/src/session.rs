//! The signed-in user behind a request (server side only).

use domain::UserId;
use marketplace::{Actor, Marketplace};
use storage::UserRecord;
use tower_sessions::Session;

use crate::error::AppError;

/// The session key holding the signed-in user's id.
pub const USER_ID_KEY: &str = "user_id";
/// The session key holding when the user signed in (ms, the marketplace's clock): a sign-in lasts
/// at most `marketplace::auth::SIGN_IN_LASTS`.
pub const SIGNED_IN_AT_KEY: &str = "signed_in_at";

pub fn marketplace() -> Result<Marketplace, AppError> {
    leptos::prelude::use_context::<Marketplace>().ok_or_else(|| {
        tracing::error!("the marketplace service is not in the request context");
        AppError::Internal.respond()
    })
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|err| {
        tracing::error!(error = %err, "no session layer");
        AppError::Internal.respond()
    })
}

/// The user signed in with `session`, if any: the one reading of a session, for server
/// functions ([`current_user`]) and plain routes (the CV download, the OAuth callback) alike.
/// A session whose user was removed is flushed; a store failure is logged and `Internal`.
pub async fn user_in(market: &Marketplace, session: &Session) -> Result<Option<UserRecord>, AppError> {
    let user_id: Option<i64> = session.get(USER_ID_KEY).await.map_err(|err| {
        tracing::error!(error = %err, "session store failure");
        AppError::Internal
    })?;
    let Some(user_id) = user_id else { return Ok(None) };
    let signed_in_at: Option<i64> = session.get(SIGNED_IN_AT_KEY).await.map_err(|err| {
        tracing::error!(error = %err, "session store failure");
        AppError::Internal
    })?;
    // A session from before sign-in times were kept has no time: it ends now.
    match market.session_user(UserId(user_id), signed_in_at.unwrap_or(i64::MIN)).await {
        Ok(Some(user)) => Ok(Some(user)),
        Ok(None) => {
            // The sign-in is too old, or the user was removed: this session is worthless.
            let _ = session.flush().await;
            Ok(None)
        }
        Err(err) => Err(AppError::from(err)),
    }
}

/// The user signed in on this request, if any.
pub async fn current_user() -> Result<Option<(Marketplace, UserRecord)>, AppError> {
    let market = marketplace()?;
    let session = session().await?;
    match user_in(&market, &session).await {
        Ok(user) => Ok(user.map(|user| (market, user))),
        Err(err) => Err(err.respond()),
    }
}

/// The marketplace and the signed-in user's record, or 401.
pub async fn signed_in_user() -> Result<(Marketplace, UserRecord), AppError> {
    current_user().await?.ok_or_else(|| AppError::Unauthorized.respond())
}

/// The marketplace and the acting user, or 401.
pub async fn signed_in() -> Result<(Marketplace, Actor), AppError> {
    match current_user().await? {
        Some((market, user)) => Ok((market, Actor::from(&user))),
        None => Err(AppError::Unauthorized.respond()),
    }
}
