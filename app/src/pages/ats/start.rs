//! Step 1: *New configuration* or *Import existing configuration* (and the current configuration,
//! when there is one).

use domain::MarketplaceStage;
use domain::mapping::{ConfigurationView, StageAction, WizardStart};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::mapping::ats_wizard;
use crate::components::{ErrorList, SignedIn};
use crate::error::AppError;

use super::*;

#[component]
pub fn AtsStartPage() -> impl IntoView {
    let role_id = role_param();
    let start = Resource::new(role_id, |id| async move {
        match id {
            Some(id) => ats_wizard(id).await,
            None => Err(AppError::NotFound),
        }
    });
    let importing = {
        let import = query_param("import");
        move || import().is_some()
    };
    view! {
        <Title text="ATS configuration · ats-bridge"/>
        <SignedIn>
            <p><A href="/source">"← Source"</A></p>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                    {move || Suspend::new(async move {
                        start.await.map(|start| view! { <StartStep start importing/> })
                    })}
                </ErrorBoundary>
            </Transition>
        </SignedIn>
    }
}

#[component]
pub(super) fn StartStep(
    start: WizardStart,
    importing: impl Fn() -> bool + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let role_id = start.role.id.0;
    let heading = if start.current.is_some() { "Edit ATS configuration" } else { "Add ATS configuration" };
    let current = start.current.clone();
    let importable = StoredValue::new(start.importable);
    let can_import = !importable.read_value().is_empty();
    view! {
        <h1>{heading}</h1>
        <p class="lead">{start.role.title.clone()} " · " {start.role.location.clone()}</p>
        <Steps current=1 ats=start.ats/>
        {if !start.connected {
            view! {
                <p class="notice" role="alert">
                    "No ATS is connected. A master account can connect one under "
                    <A href="/account-settings">"Account settings → ATS integrations"</A>
                    "; then come back to map this role."
                </p>
            }.into_any()
        } else {
            view! {
                {current.map(|c| view! { <CurrentConfiguration config=c/> })}
                <div class="choices">
                    <A href=format!("/roles/{role_id}/ats/job") attr:class="choice">
                        <strong>"New configuration"</strong>
                        <span>{format!("Choose the {} job and map each stage.", start.ats.name())}</span>
                    </A>
                    {if can_import {
                        view! {
                            <A href=format!("/roles/{role_id}/ats?import=1") attr:class="choice">
                                <strong>"Import existing configuration"</strong>
                                <span>"Copy another role's stage mapping; you can change it before saving."</span>
                            </A>
                        }.into_any()
                    } else {
                        view! {
                            <div class="choice disabled" aria-disabled="true">
                                <strong>"Import existing configuration"</strong>
                                <span>"No other role has an ATS configuration yet."</span>
                            </div>
                        }.into_any()
                    }}
                </div>
                <Show when=move || importing() && can_import>
                    <section class="imports">
                        <h2>"Import existing configuration"</h2>
                        <p>{format!("Choose the configuration to copy. You pick this role's {} job next.", start.ats.name())}</p>
                        <ul>
                            {importable.get_value().into_iter().map(|config| view! { <ImportChoice role_id config/> }).collect_view()}
                        </ul>
                    </section>
                </Show>
            }.into_any()
        }}
    }
}

#[component]
pub(super) fn CurrentConfiguration(config: ConfigurationView) -> impl IntoView {
    let attention = config.attention.clone();
    view! {
        <section class="card">
            <h2>"Currently mapped to " {config.job.title.clone()}</h2>
            {(!attention.is_empty()).then(|| view! {
                <div class="attention" role="alert">
                    <strong>"Mapping needs attention"</strong>
                    <ul>{attention.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                    <p>"Choose a job and stages again to fix it."</p>
                </div>
            })}
            <MappingSummary rows=config.rows/>
        </section>
    }
}

#[component]
pub(super) fn MappingSummary(rows: Vec<(MarketplaceStage, StageAction)>) -> impl IntoView {
    view! {
        <dl class="mapping-summary">
            {rows.into_iter().map(|(stage, action)| view! {
                <dt>{stage.label()}</dt><dd>{action_words(&action)}</dd>
            }).collect_view()}
        </dl>
    }
}

#[component]
pub(super) fn ImportChoice(role_id: i64, config: ConfigurationView) -> impl IntoView {
    let label = format!("{} → {}", config.role_title, config.job.title);
    view! {
        <li>
            <A href=format!("/roles/{role_id}/ats/job?from={}", config.id.0) attr:class="import">
                <strong>{label}</strong>
            </A>
            <MappingSummary rows=config.rows/>
        </li>
    }
}

// ---- Step 2 -------------------------------------------------------------------------------
