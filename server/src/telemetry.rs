//! Logs (tracing) and metrics (Prometheus text format at `/metrics`).

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::config::LogFormat;

/// The process-wide metrics registry (one recorder per process, shared by every router).
#[derive(Clone)]
pub struct Metrics(PrometheusHandle);

impl Metrics {
    pub fn install() -> Metrics {
        static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
        Metrics(
            HANDLE
                .get_or_init(|| {
                    let recorder = PrometheusBuilder::new().build_recorder();
                    let handle = recorder.handle();
                    // Fails only if another recorder was installed first; ours then stays idle.
                    let _ = metrics::set_global_recorder(recorder);
                    handle
                })
                .clone(),
        )
    }
}

pub fn init_logging(format: LogFormat, filter: &str) {
    let filter =
        tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// Counts every request by route template (never the raw path: ids would explode the series),
/// method and status, and records its duration.
pub async fn track_requests(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route =
        request.extensions().get::<MatchedPath>().map_or_else(|| "fallback".to_owned(), |p| p.as_str().to_owned());
    let route = if route.starts_with("/api/") { "/api/{server_fn}".to_owned() } else { route };
    let method = request.method().to_string();
    let response = next.run(request).await;
    let labels = [("route", route), ("method", method), ("status", response.status().as_u16().to_string())];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(started.elapsed().as_secs_f64());
    response
}

pub async fn metrics(State(metrics): State<Metrics>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], metrics.0.render())
}
