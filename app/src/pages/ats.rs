//! The *Add ATS configuration* wizard, one route per step so the browser's Back works and every
//! step renders on the server: (1) *New configuration* or *Import existing configuration*,
//! (2) the Workable job → *Continue to mapping*, (3) the mapping table → *Save*; and the
//! confirmation for *Remove ATS configuration*.

use domain::MarketplaceStage;
use domain::mapping::{
    ConfigurationView, JobChoices, JobRef, JobState, MappingRow, MappingTable, StageAction, StageOption, WizardStart,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use crate::api::mapping::{RemoveAtsConfiguration, SaveAtsConfiguration, ats_jobs, ats_mapping, ats_wizard};
use crate::components::{ErrorList, FormError, SignedIn};
use crate::error::AppError;

fn role_param() -> impl Fn() -> Option<i64> + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get("id").and_then(|id| id.parse::<i64>().ok())
}

fn query_param(name: &'static str) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static {
    let query = use_query_map();
    move || query.read().get(name).filter(|v| !v.is_empty())
}

/// `?from=` as the id of the configuration being imported.
fn from_param() -> impl Fn() -> Option<i64> + Copy + Send + Sync + 'static {
    let from = query_param("from");
    move || from().and_then(|v| v.parse().ok())
}

fn from_query(from: Option<i64>) -> String {
    from.map(|f| format!("?from={f}")).unwrap_or_default()
}

#[component]
fn Steps(current: u8) -> impl IntoView {
    let step = move |n: u8, label: &'static str| {
        let class = if n == current {
            "current"
        } else if n < current {
            "done"
        } else {
            ""
        };
        view! { <li class=class aria-current=(n == current).then_some("step")>{label}</li> }
    };
    view! {
        <ol class="steps" aria-label="Steps">
            {step(1, "Configuration")}
            {step(2, "Workable job")}
            {step(3, "Stage mapping")}
        </ol>
    }
}

/// What each marketplace stage does, as the import list and the mapping summary say it.
fn action_words(action: &StageAction) -> String {
    match action {
        StageAction::Nothing => "nothing".to_owned(),
        StageAction::Disqualify => "disqualify".to_owned(),
        StageAction::Move { name, .. } => name.clone(),
    }
}

// ---- Step 1 -------------------------------------------------------------------------------

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
fn StartStep(start: WizardStart, importing: impl Fn() -> bool + Copy + Send + Sync + 'static) -> impl IntoView {
    let role_id = start.role.id.0;
    let heading = if start.current.is_some() { "Edit ATS configuration" } else { "Add ATS configuration" };
    let current = start.current.clone();
    let importable = StoredValue::new(start.importable);
    let can_import = !importable.read_value().is_empty();
    view! {
        <h1>{heading}</h1>
        <p class="lead">{start.role.title.clone()} " · " {start.role.location.clone()}</p>
        <Steps current=1/>
        {if !start.connected {
            view! {
                <p class="notice" role="alert">
                    "Workable is not connected. A master account can connect it under "
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
                        <span>"Choose the Workable job and map each stage."</span>
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
                        <p>"Choose the configuration to copy. You pick this role's Workable job next."</p>
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
fn CurrentConfiguration(config: ConfigurationView) -> impl IntoView {
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
fn MappingSummary(rows: Vec<(MarketplaceStage, StageAction)>) -> impl IntoView {
    view! {
        <dl class="mapping-summary">
            {rows.into_iter().map(|(stage, action)| view! {
                <dt>{stage.label()}</dt><dd>{action_words(&action)}</dd>
            }).collect_view()}
        </dl>
    }
}

#[component]
fn ImportChoice(role_id: i64, config: ConfigurationView) -> impl IntoView {
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

#[component]
pub fn AtsJobPage() -> impl IntoView {
    let role_id = role_param();
    let from = from_param();
    let choices = Resource::new(
        move || (role_id(), from()),
        |(id, from)| async move {
            match id {
                Some(id) => ats_jobs(id, from).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text="Choose the Workable job · ats-bridge"/>
        <SignedIn>
            <Transition fallback=|| view! { <p>"Loading Workable jobs…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                    {move || Suspend::new(async move {
                        let (id, from) = (role_id().unwrap_or_default(), from());
                        choices.await.map(|choices| view! { <JobStep role_id=id from choices/> })
                    })}
                </ErrorBoundary>
            </Transition>
        </SignedIn>
    }
}

#[component]
fn JobStep(role_id: i64, from: Option<i64>, choices: JobChoices) -> impl IntoView {
    let search = RwSignal::new(String::new());
    let jobs = StoredValue::new(choices.jobs);
    let any_match = move || jobs.read_value().iter().any(|j| j.matches(&search.get()));
    let preselected = choices.preselected.clone();
    let suggested = choices.suggested.clone();
    let hidden = choices.hidden;
    view! {
        <p><A href=format!("/roles/{role_id}/ats")>"← Back"</A></p>
        <h1>"Choose the Workable job"</h1>
        <p class="lead">"For " <strong>{choices.role_title.clone()}</strong></p>
        <Steps current=2/>
        {choices.imported_from.map(|role| view! {
            <p class="notice">"Importing the stage mapping of " <strong>{role}</strong> ". Choose this role's own Workable job."</p>
        })}
        <label class="search">
            "Search Workable jobs"
            <input
                type="search"
                placeholder="Title, code, department or location"
                prop:value=move || search.get()
                on:input=move |ev| search.set(event_target_value(&ev))
            />
        </label>
        <Form method="GET" action=format!("/roles/{role_id}/ats/mapping")>
            {from.map(|f| view! { <input type="hidden" name="from" value=f/> })}
            <fieldset class="jobs">
                <legend>"Workable jobs (published first)"</legend>
                {jobs.get_value().into_iter().map(|job| {
                    let checked = preselected.as_deref() == Some(job.shortcode.as_str());
                    let is_suggested = suggested.as_deref() == Some(job.shortcode.as_str());
                    view! { <JobOption job checked is_suggested search/> }
                }).collect_view()}
                <Show when=move || !any_match()>
                    <p class="muted">"No Workable job matches “" {move || search.get()} "”."</p>
                </Show>
            </fieldset>
            {(hidden > 0).then(|| view! {
                <p class="muted">{format!("{hidden} closed or archived Workable job{} not listed: they cannot take candidates.", if hidden == 1 { " is" } else { "s are" })}</p>
            })}
            <button type="submit" class="primary">"Continue to mapping"</button>
        </Form>
    }
}

#[component]
fn JobOption(job: JobRef, checked: bool, is_suggested: bool, search: RwSignal<String>) -> impl IntoView {
    let details: Vec<String> =
        [job.code.clone(), job.department.clone(), job.location.clone()].into_iter().flatten().collect();
    let draft = job.state == JobState::Draft;
    let shortcode = job.shortcode.clone();
    let data_job = job.shortcode.clone();
    let title = job.title.clone();
    let visible = move || job.matches(&search.get());
    view! {
        <label class="job" class:suggested=is_suggested hidden=move || !visible() data-job=data_job>
            <input type="radio" name="job" value=shortcode checked=checked required/>
            <span class="job-title">{title}</span>
            {is_suggested.then(|| view! { <span class="badge badge-suggested">"Suggested"</span> })}
            {draft.then(|| view! { <span class="badge badge-draft">"Draft in Workable"</span> })}
            <span class="muted job-details">{details.join(" · ")}</span>
        </label>
    }
}

// ---- Step 3 -------------------------------------------------------------------------------

#[component]
pub fn AtsMappingPage() -> impl IntoView {
    let role_id = role_param();
    let from = from_param();
    let job = query_param("job");
    let table = Resource::new(
        move || (role_id(), job(), from()),
        |(id, job, from)| async move {
            match (id, job) {
                (Some(id), Some(job)) => ats_mapping(id, job, from).await,
                (Some(_), None) => {
                    Err(AppError::Invalid { field: "job".into(), message: "Choose a Workable job first.".into() })
                }
                _ => Err(AppError::NotFound),
            }
        },
    );
    let save = ServerAction::<SaveAtsConfiguration>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let (Some(Ok(_)), Some(role)) = (save.value().get(), role_id()) {
            // Source then offers to export whoever accepted before the mapping.
            navigate(&format!("/source?mapped={role}"), Default::default());
        }
    });
    view! {
        <Title text="Stage mapping · ats-bridge"/>
        <SignedIn>
            <Transition fallback=|| view! { <p>"Loading the job's stages…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                    {move || Suspend::new(async move {
                        let (id, from) = (role_id().unwrap_or_default(), from());
                        table.await.map(|table| view! { <MappingStep role_id=id from table save/> })
                    })}
                </ErrorBoundary>
            </Transition>
        </SignedIn>
    }
}

#[component]
fn MappingStep(
    role_id: i64,
    from: Option<i64>,
    table: MappingTable,
    save: ServerAction<SaveAtsConfiguration>,
) -> impl IntoView {
    let stages = StoredValue::new(table.stages);
    let unresolved = table.rows.iter().filter(|r| r.action.is_none()).count();
    let error_field = move || save.value().get().and_then(|r| r.err()).and_then(|e| e.field().map(str::to_owned));
    view! {
        <p><A href=format!("/roles/{role_id}/ats/job{}", from_query(from))>"← Choose another job"</A></p>
        <h1>"Map the stages"</h1>
        <p class="lead">
            <strong>{table.role_title.clone()}</strong> " → Workable job " <strong>{table.job.title.clone()}</strong>
        </p>
        <Steps current=3/>
        {table.imported_from.map(|role| view! {
            <p class="notice">"Imported from " <strong>{role}</strong> ". Check each row, then save."</p>
        })}
        {(unresolved > 0).then(|| view! {
            <p class="attention" role="alert">
                {format!("{unresolved} stage{} of the imported mapping {} not in this job's pipeline: choose for {}.",
                    if unresolved == 1 { "" } else { "s" }, if unresolved == 1 { "is" } else { "are" }, if unresolved == 1 { "it" } else { "them" })}
            </p>
        })}
        <ActionForm action=save attr:class="mapping">
            <input type="hidden" name="role_id" value=role_id/>
            <input type="hidden" name="job" value=table.job.shortcode.clone()/>
            <table class="mapping">
                <thead><tr><th scope="col">"Marketplace stage"</th><th scope="col">"Workable stage"</th></tr></thead>
                <tbody>
                    {table.rows.into_iter().map(|row| {
                        let field = format!("mapping[{}]", row.stage.as_str());
                        let invalid = {
                            let field = field.clone();
                            move || error_field().as_deref() == Some(field.as_str())
                        };
                        view! { <MappingRowView row stages=stages.get_value() field invalid/> }
                    }).collect_view()}
                </tbody>
            </table>
            <p class="muted">"Blank: nothing happens in Workable when a candidate reaches that stage."</p>
            <FormError result=save.value()/>
            <button type="submit" class="primary">"Save"</button>
        </ActionForm>
    }
}

#[component]
fn MappingRowView(
    row: MappingRow,
    stages: Vec<StageOption>,
    field: String,
    invalid: impl Fn() -> bool + Send + Sync + 'static,
) -> impl IntoView {
    let stage = row.stage;
    let selected = row.action.as_ref().map(StageAction::form_value);
    let is = move |value: &str| selected.as_deref() == Some(value);
    let hint = match stage {
        MarketplaceStage::Accepted => Some("Where the candidate is created in Workable."),
        MarketplaceStage::Rejected | MarketplaceStage::Withdrawn => Some("Workable's disqualify action."),
        _ => None,
    };
    let needs_choice = row.needs_choice.clone();
    let flagged = needs_choice.is_some();
    let options = if stage.is_outcome() {
        view! { <option value="disqualify" selected=is("disqualify")>"Disqualify in Workable"</option> }.into_any()
    } else {
        stages
            .into_iter()
            .map(|s| {
                let value = format!("move:{}", s.slug);
                let selected = is(&value);
                view! { <option value=value selected=selected>{s.name}</option> }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <tr data-stage=stage.as_str() class:needs-choice=flagged class:invalid=invalid>
            <th scope="row">
                <label for=field.clone()>{stage.label()}</label>
                {hint.map(|h| view! { <br/><span class="muted">{h}</span> })}
            </th>
            <td>
                <select id=field.clone() name=field required>
                    {flagged.then(|| view! { <option value="" selected disabled>"Choose…"</option> })}
                    <option value="none" selected=is("none")>"— Nothing (blank) —"</option>
                    {options}
                </select>
                {needs_choice.map(|why| view! { <p class="needs-choice-why">{why}</p> })}
            </td>
        </tr>
    }
}

// ---- Remove -------------------------------------------------------------------------------

#[component]
pub fn AtsRemovePage() -> impl IntoView {
    let role_id = role_param();
    let start = Resource::new(role_id, |id| async move {
        match id {
            Some(id) => ats_wizard(id).await,
            None => Err(AppError::NotFound),
        }
    });
    let remove = ServerAction::<RemoveAtsConfiguration>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            navigate("/source", Default::default());
        }
    });
    view! {
        <Title text="Remove ATS configuration · ats-bridge"/>
        <SignedIn>
            <p><A href="/source">"← Source"</A></p>
            <h1>"Remove ATS configuration"</h1>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                    {move || Suspend::new(async move {
                        start.await.map(|start| match start.current {
                            None => view! { <p>{start.role.title} " has no ATS configuration."</p> }.into_any(),
                            Some(config) => view! {
                                <p>
                                    <strong>{start.role.title.clone()}</strong> " will stop sending candidates to the Workable job "
                                    <strong>{config.job.title.clone()}</strong> ". Candidates already in Workable stay there, and their export history is kept."
                                </p>
                                <ActionForm action=remove attr:class="row">
                                    <input type="hidden" name="role_id" value=start.role.id.0/>
                                    <button type="submit" class="danger">"Remove ATS configuration"</button>
                                    <A href="/source">"Cancel"</A>
                                </ActionForm>
                                <FormError result=remove.value()/>
                            }.into_any(),
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </SignedIn>
    }
}
