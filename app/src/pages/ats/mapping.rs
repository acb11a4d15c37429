//! Step 3: the mapping table, one row per marketplace stage → *Save*.

use domain::MarketplaceStage;
use domain::mapping::{MappingRow, MappingTable, ReasonOption, StageAction, StageOption};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::mapping::{SaveAtsConfiguration, ats_mapping};
use crate::components::{ErrorList, FormError, SignedIn};
use crate::error::AppError;

use super::*;

#[component]
pub fn AtsMappingPage() -> impl IntoView {
    let role_id = role_param();
    let from = from_param();
    let job = query_param("job");
    let table = Resource::new(
        move || (role_id(), job(), from()),
        |(id, job, from)| async move {
            match id {
                // Without a job: the role's current one (*Edit ATS configuration*).
                Some(id) => ats_mapping(id, job, from).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let save = ServerAction::<SaveAtsConfiguration>::new();
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
pub(super) fn MappingStep(
    role_id: i64,
    from: Option<i64>,
    table: MappingTable,
    save: ServerAction<SaveAtsConfiguration>,
) -> impl IntoView {
    let stages = StoredValue::new(table.stages);
    let reasons = StoredValue::new(table.reasons);
    let unresolved = table.rows.iter().filter(|r| r.action.is_none()).count();
    let error_field = move || save.value().get().and_then(|r| r.err()).and_then(|e| e.field().map(str::to_owned));
    let editing = table.editing;
    let ats = table.ats;
    let name = ats.name();
    view! {
        {if editing {
            // Editing is editing: the table first; the other ways in are secondary.
            view! {
                <p><A href="/source">"← Source"</A></p>
                <h1>"Edit ATS configuration"</h1>
                <p class="lead">
                    <strong>{table.role_title.clone()}</strong> {format!(" → {name} job ")} <strong>{table.job.title.clone()}</strong>
                </p>
                <p class="row secondary-actions">
                    <A href=format!("/roles/{role_id}/ats/job") attr:class="button">{format!("Change {name} job")}</A>
                    <A href=format!("/roles/{role_id}/ats?import=1") attr:class="button">"Copy from another role"</A>
                </p>
            }.into_any()
        } else {
            view! {
                <p><A href=format!("/roles/{role_id}/ats/job{}", from_query(from))>"← Choose another job"</A></p>
                <h1>"Map the stages"</h1>
                <p class="lead">
                    <strong>{table.role_title.clone()}</strong> {format!(" → {name} job ")} <strong>{table.job.title.clone()}</strong>
                </p>
                <Steps current=3 ats/>
            }.into_any()
        }}
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
            <table class="mapping stack">
                <thead><tr><th scope="col">"Marketplace stage"</th><th scope="col">{format!("{name} stage")}</th></tr></thead>
                <tbody>
                    {table.rows.into_iter().map(|row| {
                        let field = format!("mapping[{}]", row.stage.as_str());
                        let invalid = {
                            let field = field.clone();
                            move || error_field().as_deref() == Some(field.as_str())
                        };
                        view! { <MappingRowView row stages=stages.get_value() reasons=reasons.get_value() field invalid ats/> }
                    }).collect_view()}
                </tbody>
            </table>
            <p class="muted">{format!("Blank: nothing happens in {name} when a candidate reaches that stage.")}</p>
            <FormError result=save.value()/>
            <button type="submit" class="primary">"Save"</button>
        </ActionForm>
    }
}

#[component]
pub(super) fn MappingRowView(
    row: MappingRow,
    stages: Vec<StageOption>,
    /// The account's outcome reasons (Lever's archive reasons; none for Workable).
    reasons: Vec<ReasonOption>,
    field: String,
    invalid: impl Fn() -> bool + Send + Sync + 'static,
    ats: domain::AtsKind,
) -> impl IntoView {
    let stage = row.stage;
    let (close_option, close_hint) = ats.closing_words();
    let created_hint = format!("Where the candidate is created in {}.", ats.name());
    let selected = row.action.as_ref().map(StageAction::form_value);
    let is = move |value: &str| selected.as_deref() == Some(value);
    // With outcome reasons (Lever), the outcomes and *Hired* archive with a chosen one.
    let fitting: Vec<ReasonOption> = reasons.into_iter().filter(|r| r.fits(stage)).collect();
    let hint = match stage {
        MarketplaceStage::Accepted => Some(created_hint),
        MarketplaceStage::Rejected | MarketplaceStage::Withdrawn if !fitting.is_empty() => {
            Some(format!("Archived in {} with the reason chosen.", ats.name()))
        }
        MarketplaceStage::Rejected | MarketplaceStage::Withdrawn => Some(close_hint.to_owned()),
        MarketplaceStage::Hired if !fitting.is_empty() => {
            Some(format!("A hire is archived in {} with a hired reason, or moved to a stage.", ats.name()))
        }
        _ => None,
    };
    let bad = invalid();
    let needs_choice = row.needs_choice.clone();
    let flagged = needs_choice.is_some();
    let archive_label = format!("{close_option}, with the reason");
    let reason_options = (!fitting.is_empty()).then(|| {
        view! {
            <optgroup label=archive_label>
                {fitting.into_iter().map(|r| {
                    let value = format!("archive:{}", r.id);
                    let selected = is(&value);
                    // Said as an archive even when the list is closed: the column is the ATS's stages.
                    view! { <option value=value selected=selected>{format!("Archive: {}", r.name)}</option> }
                }).collect_view()}
            </optgroup>
        }
    });
    let closes = stage.is_outcome() && reason_options.is_none();
    let options = if stage.is_outcome() {
        closes
            .then(|| view! { <option value="disqualify" selected=is("disqualify")>{close_option}</option> })
            .into_any()
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
        <tr data-stage=stage.as_str() class:needs-choice=flagged class:invalid=bad>
            <th scope="row">
                <label for=field.clone()>{stage.label()}</label>
                {hint.map(|h| view! { <br/><span class="muted">{h}</span> })}
            </th>
            <td data-label=format!("{} stage", ats.name())>
                <select id=field.clone() name=field required aria-invalid=bad.then_some("true")>
                    {flagged.then(|| view! { <option value="" selected disabled>"Choose…"</option> })}
                    <option value="none" selected=is("none")>"— Nothing (blank) —"</option>
                    {options}
                    {reason_options}
                </select>
                {needs_choice.map(|why| view! { <p class="needs-choice-why">{why}</p> })}
            </td>
        </tr>
    }
}

// ---- Remove -------------------------------------------------------------------------------
