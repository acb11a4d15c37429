//! Step 2: the Workable job (suggested, searchable) → *Continue to mapping*.

use domain::mapping::{JobChoices, JobRef, JobState};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};

use crate::api::mapping::ats_jobs;
use crate::components::{ErrorList, SignedIn};
use crate::error::AppError;

use super::*;

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
        <SignedIn>
            <Transition fallback=|| view! { <p>"Loading the ATS's jobs…"</p> }>
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
pub(super) fn JobStep(role_id: i64, from: Option<i64>, choices: JobChoices) -> impl IntoView {
    let preselected = choices.preselected.clone();
    let suggested = choices.suggested.clone();
    let hidden = choices.hidden;
    let ats = choices.ats;
    let name = ats.name();
    view! {
        <Title text=format!("Choose the {name} job · ats-bridge")/>
        <p><A href=format!("/roles/{role_id}/ats")>"← Back"</A></p>
        <h1>{format!("Choose the {name} job")}</h1>
        <p class="lead">"For " <strong>{choices.role_title.clone()}</strong></p>
        <Steps current=2 ats/>
        {choices.imported_from.map(|role| view! {
            <p class="notice">"Importing the stage mapping of " <strong>{role}</strong> {format!(". Choose this role's own {name} job.")}</p>
        })}
        // Filtered as one types by the page's island (every word in the job's words).
        <label class="search">
            {format!("Search {name} jobs")}
            <input type="search" placeholder="Title, code, department or location" data-filter="label.job"/>
        </label>
        <Form method="GET" action=format!("/roles/{role_id}/ats/mapping")>
            {from.map(|f| view! { <input type="hidden" name="from" value=f/> })}
            <fieldset class="jobs">
                <legend>{format!("{name} jobs (published first)")}</legend>
                {choices.jobs.into_iter().map(|job| {
                    let checked = preselected.as_deref() == Some(job.shortcode.as_str());
                    let is_suggested = suggested.as_deref() == Some(job.shortcode.as_str());
                    view! { <JobOption job checked is_suggested ats/> }
                }).collect_view()}
                <p class="muted" hidden data-filter-empty>{format!("No {name} job matches “")} <span data-filter-query></span> "”."</p>
            </fieldset>
            {(hidden > 0).then(|| view! {
                <p class="muted">{format!("{hidden} closed or archived {name} job{} not listed: they cannot take candidates.", if hidden == 1 { " is" } else { "s are" })}</p>
            })}
            <button type="submit" class="primary">"Continue to mapping"</button>
        </Form>
    }
}

#[component]
pub(super) fn JobOption(job: JobRef, checked: bool, is_suggested: bool, ats: domain::AtsKind) -> impl IntoView {
    let details: Vec<String> =
        [job.code.clone(), job.department.clone(), job.location.clone()].into_iter().flatten().collect();
    let draft = job.state == JobState::Draft;
    let shortcode = job.shortcode.clone();
    let data_job = job.shortcode.clone();
    let title = job.title.clone();
    view! {
        <label class="job" class:suggested=is_suggested data-job=data_job data-search=job.haystack()>
            <input type="radio" name="job" value=shortcode checked=checked required/>
            <span class="job-title">{title}</span>
            {is_suggested.then(|| view! { <span class="badge badge-suggested">"Suggested"</span> })}
            {draft.then(|| view! { <span class="badge badge-draft">{format!("Draft in {}", ats.name())}</span> })}
            <span class="muted job-details">{details.join(" · ")}</span>
        </label>
    }
}

// ---- Step 3 -------------------------------------------------------------------------------
