//! The Insights page's server function: any user of the company, read from stored data.

use domain::insights::Insights;
use leptos::prelude::*;

use crate::error::AppError;

/// Insights for the page's filter (the fields of its form; blank = the default).
#[server]
pub async fn get_insights(
    #[server(default)] range: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
    #[server(default)] role: String,
    #[server(default)] job: String,
) -> Result<Insights, AppError> {
    use super::workable::ssr;
    let (integrations, actor) = ssr::connector().await?;
    let filter = domain::insights::InsightsFilter::parse(&range, &from, &to, &role, &job)
        .map_err(|invalid| AppError::Invalid(invalid).respond())?;
    ssr::respond(integrations.insights(&actor, filter).await)
}
