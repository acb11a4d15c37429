//! `GET /healthz`: is the database reachable, and which version is running.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use storage::Db;

#[derive(Serialize)]
pub struct Health {
    status: &'static str,
    version: &'static str,
    database: DatabaseHealth,
}

#[derive(Serialize)]
pub struct DatabaseHealth {
    backend: &'static str,
    reachable: bool,
}

pub async fn healthz(State(db): State<Db>) -> (StatusCode, Json<Health>) {
    let reachable = match db.ping().await {
        Ok(()) => true,
        Err(err) => {
            tracing::warn!(error = %err, "health check: database unreachable");
            false
        }
    };
    let status = if reachable { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let health = Health {
        status: if reachable { "ok" } else { "unavailable" },
        version: env!("CARGO_PKG_VERSION"),
        database: DatabaseHealth { backend: db.backend().name(), reachable },
    };
    (status, Json(health))
}
