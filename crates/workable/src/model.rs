//! Workable's resources as the product reads them; unknown fields are ignored.

use serde::Deserialize;

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub subdomain: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Job {
    pub id: String,
    pub title: String,
    pub shortcode: String,
    pub code: Option<String>,
    pub state: String,
    pub department: Option<String>,
    #[serde(default)]
    pub location: Option<JobLocation>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct JobLocation {
    pub location_str: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Stage {
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub position: i64,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Member {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub role: Option<String>,
    #[serde(default = "active")]
    pub active: bool,
}

fn active() -> bool {
    true
}

/// Workable's `X-Rate-Limit-*` headers, when a response carried them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub limit: u32,
    pub remaining: u32,
    /// Start of the next window, Unix seconds.
    pub reset_at: i64,
}
