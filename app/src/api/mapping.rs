//! Server functions behind the *Add ATS configuration* wizard. Each checks the session; the use
//! cases scope every id to the caller's company (another company's role is simply not found).
//! Any user of the company may map; only Workable's answers decide what can be chosen.

use std::collections::HashMap;

use domain::mapping::{JobChoices, MappingTable, WizardStart};
use leptos::prelude::*;

use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    use integrations::MappingError;

    use crate::error::AppError;

    pub fn respond<T>(result: Result<T, MappingError>) -> Result<T, AppError> {
        result.map_err(|err| {
            let app = match err {
                MappingError::NotFound => AppError::NotFound,
                MappingError::Invalid(invalid) => AppError::Invalid(invalid),
                MappingError::Internal => AppError::Internal,
                MappingError::Unavailable(_) => AppError::Unavailable(err.to_string()),
                other => AppError::Conflict(other.to_string()),
            };
            app.respond()
        })
    }
}

/// Step one: the role, its current configuration (checked for drift now) and what can be
/// imported.
#[server]
pub async fn ats_wizard(role_id: i64) -> Result<WizardStart, AppError> {
    let (integrations, actor) = super::workable::ssr::connector().await?;
    ssr::respond(integrations.wizard_start(&actor, domain::RoleId(role_id)).await)
}

/// Step two: the connected account's jobs. `from` is the configuration being imported.
#[server]
pub async fn ats_jobs(role_id: i64, #[server(default)] from: Option<i64>) -> Result<JobChoices, AppError> {
    let (integrations, actor) = super::workable::ssr::connector().await?;
    let from = from.map(domain::ConfigurationId);
    ssr::respond(integrations.job_choices(&actor, domain::RoleId(role_id), from).await)
}

/// Step three: the mapping table for the chosen job.
#[server]
pub async fn ats_mapping(
    role_id: i64,
    /// The chosen job; none: the job the role is mapped to now (editing).
    #[server(default)]
    job: Option<String>,
    #[server(default)] from: Option<i64>,
) -> Result<MappingTable, AppError> {
    let (integrations, actor) = super::workable::ssr::connector().await?;
    let (role, from) = (domain::RoleId(role_id), from.map(domain::ConfigurationId));
    let job = match job {
        Some(job) => job,
        None => ssr::respond(integrations.current_job(&actor, role).await)?,
    };
    ssr::respond(integrations.mapping_table(&actor, role, &job, from).await)
}

/// *Save*. `mapping` holds one entry per marketplace stage (`mapping[screening]=move:phone-screen`,
/// `none` for blank, `disqualify` for the outcomes).
#[server]
pub async fn save_ats_configuration(
    role_id: i64,
    job: String,
    #[server(default)] mapping: HashMap<String, String>,
) -> Result<i64, AppError> {
    use domain::MarketplaceStage;
    use domain::mapping::StageChoice;
    use integrations::mapping::stage_field;

    let (integrations, actor) = super::workable::ssr::connector().await?;
    let mut choices = Vec::with_capacity(mapping.len());
    for (key, value) in &mapping {
        let stage = MarketplaceStage::parse(key).map_err(|_| {
            AppError::Invalid(domain::FieldError::new("mapping", format!("There is no marketplace stage “{key}”.")))
                .respond()
        })?;
        let choice = StageChoice::parse(stage, value)
            .map_err(|message| AppError::Invalid(domain::FieldError::new(stage_field(stage), message)).respond())?;
        choices.push((stage, choice));
    }
    let id = ssr::respond(integrations.save_configuration(&actor, domain::RoleId(role_id), &job, &choices).await)?;
    // Source then offers to export whoever accepted before the mapping.
    leptos_axum::redirect(&format!("/source?mapped={role_id}"));
    Ok(id.0)
}

/// *Remove ATS configuration*.
#[server]
pub async fn remove_ats_configuration(role_id: i64) -> Result<(), AppError> {
    let (integrations, actor) = super::workable::ssr::connector().await?;
    ssr::respond(integrations.remove_configuration(&actor, domain::RoleId(role_id)).await)?;
    // Back to Source, also for a browser that posted the form without JavaScript.
    leptos_axum::redirect("/source");
    Ok(())
}
