//! *Source*: the company's roles, their status and their ATS state, with each live role's ⋮ menu
//! (*Add ATS configuration*, or *Edit* / *Remove ATS configuration*), and the prompt to map a role
//! right after it goes live.

use domain::RoleStatus;
use domain::views::{AtsFilter, AtsState, RoleFilter, RoleSummary, RolesPage};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};

use crate::api::exports::BackfillRole;
use crate::api::{CreateRole, PublishRole, get_roles_page};
use crate::components::{BackfillLine, ErrorList, FilterSelect, Follow, FormError, Pager, SignedIn, StatusBadge};
use crate::error::AppError;

#[component]
pub fn SourcePage() -> impl IntoView {
    let create = ServerAction::<CreateRole>::new();
    let publish = ServerAction::<PublishRole>::new();
    let backfill = ServerAction::<BackfillRole>::new();
    // `?live=<role>`: the role that just went live, whose ATS configuration the page offers;
    // `?mapped=<role>`: the wizard just saved this role's configuration. Then the filter's fields.
    let query = leptos_router::hooks::use_query_map();
    let id = move |name: &str| query.read().get(name).and_then(|v| v.parse::<i64>().ok());
    let field = move |name: &str| query.read().get(name).unwrap_or_default();
    let roles = Resource::new(
        move || ((field("search"), field("status"), field("ats"), field("page")), id("live").or(id("mapped"))),
        |((search, status, ats, page), focus)| get_roles_page(search, status, ats, page, focus),
    );
    view! {
        <Title text="Source · ats-bridge"/>
        <SignedIn>
            <Source create publish backfill roles live=id("live") mapped=id("mapped")/>
        </SignedIn>
    }
}

#[component]
fn Source(
    create: ServerAction<CreateRole>,
    publish: ServerAction<PublishRole>,
    backfill: ServerAction<BackfillRole>,
    roles: Resource<Result<RolesPage, AppError>>,
    live: Option<i64>,
    mapped: Option<i64>,
) -> impl IntoView {
    view! {
        <h1>"Source"</h1>
        <p class="lead">"Your roles on the marketplace, and where each one stands with your ATS."</p>
        <Transition fallback=|| view! { <p>"Loading roles…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                {move || Suspend::new(async move {
                    roles.await.map(|page| {
                        let unmapped = page.unmapped_live;
                        let ats = page.ats;
                        let known = |id: i64| page.focus.iter().chain(page.roles.iter()).find(|r| r.id.0 == id).cloned();
                        let just_live = live.and_then(known)
                            .filter(|r| r.status == RoleStatus::Live && !r.ats_state.is_mapped());
                        let just_mapped = mapped.and_then(known)
                            .filter(|r| r.ats_state.is_mapped() && r.exports.not_mapped > 0);
                        // *Skip for now*: the same list without the prompt.
                        let skip = format!("/source{}", page.filter.query(page.filter.page));
                        view! {
                            // The server says when what the page shows has changed (an export's
                            // progress, a new acceptance, a mapping): nothing while idle.
                            <Follow events="/events/source".to_owned() since=page.version.clone()/>
                            {just_live.map(|role| view! { <PublishPrompt role skip ats/> })}
                            {just_mapped.map(|role| view! { <BackfillOffer role backfill ats/> })}
                            {(unmapped > 0).then(|| view! {
                                <p class="attention">
                                    {format!("{unmapped} live role{} not mapped to {}: candidates who accept {} will not reach your ATS.",
                                        if unmapped == 1 { " is" } else { "s are" }, ats.name(), if unmapped == 1 { "it" } else { "them" })}
                                </p>
                            })}
                            <RoleFilters filter=page.filter.clone()/>
                            {(page.total == 0 || !page.roles.is_empty()).then(|| view! {
                                <RoleTable roles=page.roles.clone() ats=page.ats publish backfill/>
                            })}
                            <RolesPager page/>
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
        <FormError result=publish.value()/>
        <FormError result=backfill.value()/>
        <section class="card">
            <h2>"New role"</h2>
            <ActionForm action=create attr:class="row">
                <label>"Title" <input type="text" name="title" maxlength="120" required/></label>
                <label>"Location" <input type="text" name="location" maxlength="120" required/></label>
                <label class="check"><input type="checkbox" name="publish" value="on"/>" Publish now"</label>
                <button type="submit" class="primary">"Create role"</button>
            </ActionForm>
            <FormError result=create.value()/>
        </section>
    }
}

/// Shown once a role goes live without a mapping: map it now, import one, or skip (the role then
/// stays flagged in the table).
#[component]
fn PublishPrompt(role: RoleSummary, skip: String, ats: domain::AtsKind) -> impl IntoView {
    let id = role.id.0;
    view! {
        <section class="prompt" role="dialog" aria-labelledby="publish-prompt-title">
            <h2 id="publish-prompt-title">{format!("{} is live", role.title)}</h2>
            <p>{format!("Add its ATS configuration now, so every candidate who accepts lands in the right {} job and stage.", ats.name())}</p>
            <div class="row">
                <A href=format!("/roles/{id}/ats?import=1") attr:class="button primary">"Import existing configuration"</A>
                <A href=format!("/roles/{id}/ats") attr:class="button">"Add ATS configuration"</A>
                <A href=skip>"Skip for now"</A>
            </div>
        </section>
    }
}

/// Search and filters: a GET form, so a filtered list is a link and works without the page's script.
#[component]
fn RoleFilters(filter: RoleFilter) -> impl IntoView {
    view! {
        <Form method="GET" action="" attr:class="row filters" attr:role="search" noscroll=true>
            <label>"Search roles"
                <input type="search" name="search" value=filter.search.clone() maxlength="100" placeholder="Title or location"/>
            </label>
            <FilterSelect label="Status" name="status" all="All statuses"
                choices=RoleStatus::ALL.iter().map(|s| (s.as_str(), s.label())).collect()
                selected=filter.status.map(RoleStatus::as_str)/>
            <FilterSelect label="ATS" name="ats" all="Any ATS state"
                choices=AtsFilter::ALL.iter().map(|a| (a.as_str(), a.label())).collect()
                selected=filter.ats.map(AtsFilter::as_str)/>
            <button type="submit">"Filter"</button>
        </Form>
    }
}

/// Which roles of how many the table shows, and the way to the other pages.
#[component]
fn RolesPager(page: RolesPage) -> impl IntoView {
    let said = match (page.matching, page.matching != page.total) {
        (0, true) => "No role matches these filters.".to_owned(),
        (n, true) => format!("{n} of {} roles match.", page.total),
        (_, false) => String::new(),
    };
    let filter = page.filter.clone();
    view! {
        <p class="muted" role="status">{said}</p>
        <Pager
            label="Pages of roles"
            count=page.matching
            per_page=RolesPage::PER_PAGE
            current=page.filter.page
            href=move |n| format!("/source{}", filter.query(n))
        />
    }
}

#[component]
fn RoleTable(
    roles: Vec<RoleSummary>,
    ats: domain::AtsKind,
    publish: ServerAction<PublishRole>,
    backfill: ServerAction<BackfillRole>,
) -> impl IntoView {
    if roles.is_empty() {
        return view! { <p>"No roles yet. Create one below."</p> }.into_any();
    }
    view! {
        <table class="roles stack">
            <thead>
                <tr>
                    <th>"Role"</th><th>"Location"</th><th>"Status"</th>
                    <th><abbr title="Every interview request the role sent, answered or not">"Requests sent"</abbr></th>
                    <th><abbr title="Candidates who accepted and shared their CV and profile">"Accepted"</abbr></th>
                    <th><abbr title="Accepted and not yet hired, rejected or withdrawn">"In pipeline"</abbr></th>
                    <th>"ATS"</th><th></th>
                </tr>
            </thead>
            <tbody>
                {roles.into_iter().map(|role| view! { <RoleRow role ats publish backfill/> }).collect_view()}
            </tbody>
        </table>
        <p class="caption muted">
            "Requests sent: every interview request the role sent, with those still awaiting an answer. "
            "Accepted: candidates who accepted and shared their CV and profile. "
            "In pipeline: accepted and not yet hired, rejected or withdrawn."
        </p>
    }
    .into_any()
}

#[component]
fn RoleRow(
    role: RoleSummary,
    ats: domain::AtsKind,
    publish: ServerAction<PublishRole>,
    backfill: ServerAction<BackfillRole>,
) -> impl IntoView {
    let status = role.status;
    let live = status == RoleStatus::Live;
    let unmapped = live && !role.ats_state.is_mapped();
    let publish_label = format!("Publish {}", role.title);
    let id = role.id.0;
    let (title, menu_title) = (role.title.clone(), role.title.clone());
    let mapped = role.ats_state.is_mapped();
    view! {
        <tr data-role=role.title.clone() class:unmapped=unmapped>
            <td><A href=format!("/roles/{id}")>{title}</A></td>
            <td data-label="Location">{role.location.clone()}</td>
            <td data-label="Status"><StatusBadge kind=status.as_str() label=status.label()/></td>
            <td data-label="Requests sent">
                {role.requests_sent}
                {(role.pending_requests > 0).then(|| view! { <span class="muted">{format!(" ({} awaiting)", role.pending_requests)}</span> })}
            </td>
            <td data-label="Accepted">{role.accepted}</td>
            <td data-label="In pipeline">{role.in_pipeline}</td>
            <td class="ats" data-label="ATS">
                <AtsCell state=role.ats_state.clone() live ats/>
                <ExportTallyView role=role.clone() ats backfill/>
            </td>
            <td class="actions">
                {(status == RoleStatus::Draft).then(|| view! {
                    <ActionForm action=publish attr:class="inline">
                        <input type="hidden" name="role_id" value=id/>
                        <button type="submit" aria-label=publish_label>"Publish"</button>
                    </ActionForm>
                })}
                {live.then(|| view! { <AtsMenu role_id=id title=menu_title.clone() mapped/> })}
            </td>
        </tr>
    }
}

#[component]
fn AtsCell(state: AtsState, live: bool, ats: domain::AtsKind) -> impl IntoView {
    let label = state.label();
    match state {
        AtsState::NotMapped if live => view! {
            <span class="badge badge-unmapped">{label}</span>
            <br/><span class="muted">{format!("Candidates who accept will not reach {}.", ats.name())}</span>
        }
        .into_any(),
        AtsState::NotMapped => view! { <span class="muted">{label}</span> }.into_any(),
        AtsState::Mapped { .. } => view! { <span class="badge badge-mapped">{label}</span> }.into_any(),
        AtsState::NeedsAttention { job_title, problems } => view! {
            <span class="badge badge-attention">{label}</span>
            <br/><span class="muted">{format!("{} job: {job_title}", ats.name())}</span>
            <ul class="problems">{problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
        }
        .into_any(),
    }
}

/// The ⋮ menu: a native disclosure, so it opens with Enter or Space and works without the page's script.
#[component]
fn AtsMenu(role_id: i64, title: String, mapped: bool) -> impl IntoView {
    view! {
        <details class="menu">
            <summary aria-label=format!("ATS configuration of {title}")>"⋮"</summary>
            <ul>
                {if mapped {
                    view! {
                        <li><A href=format!("/roles/{role_id}/ats/mapping")>"Edit ATS configuration"</A></li>
                        <li><A href=format!("/roles/{role_id}/ats/remove")>"Remove ATS configuration"</A></li>
                    }.into_any()
                } else {
                    view! { <li><A href=format!("/roles/{role_id}/ats")>"Add ATS configuration"</A></li> }.into_any()
                }}
            </ul>
        </details>
    }
}

/// Where the role's candidates stand with the connected ATS, and the back-fill button when some accepted
/// before the role was mapped.
#[component]
fn ExportTallyView(role: RoleSummary, ats: domain::AtsKind, backfill: ServerAction<BackfillRole>) -> impl IntoView {
    let t = role.exports;
    let mut parts = Vec::new();
    if t.done > 0 {
        parts.push(format!("{} in {}", t.done, ats.name()));
    }
    if t.in_progress > 0 {
        parts.push(format!("{} exporting", t.in_progress));
    }
    if t.failed > 0 {
        parts.push(format!("{} failed", t.failed));
    }
    if t.paused > 0 {
        parts.push(format!("{} paused (reconnect needed)", t.paused));
    }
    let mapped = role.ats_state.is_mapped();
    let waiting = t.not_mapped;
    view! {
        {(!parts.is_empty()).then(|| view! { <p class="tally muted">{parts.join(" · ")}</p> })}
        {(waiting > 0 && !mapped).then(|| view! {
            <p class="tally muted">{format!("{waiting} accepted candidate{} not exported — role not mapped", if waiting == 1 { "" } else { "s" })}</p>
        })}
        {(waiting > 0 && mapped).then(|| view! { <BackfillLine role_id=role.id.0 title=role.title.clone() waiting ats backfill/> })}
    }
}

/// Right after a role's first mapping: offers to export who accepted before.
#[component]
fn BackfillOffer(role: RoleSummary, backfill: ServerAction<BackfillRole>, ats: domain::AtsKind) -> impl IntoView {
    let n = role.exports.not_mapped;
    let name = ats.name();
    view! {
        <section class="prompt" role="dialog" aria-labelledby="backfill-title">
            <h2 id="backfill-title">{format!("{} is mapped", role.title)}</h2>
            <p>{format!(
                "{n} candidate{} accepted a request for it before it was mapped. Export {} to {name} now? Progress shows in the table.",
                if n == 1 { "" } else { "s" }, if n == 1 { "them" } else { "them all" }
            )}</p>
            <div class="row">
                <ActionForm action=backfill attr:class="inline">
                    <input type="hidden" name="role_id" value=role.id.0/>
                    <button type="submit" class="primary">{format!("Export {n} to {name}")}</button>
                </ActionForm>
                // Declining leaves the quiet line in the role's row (and its pipeline) to do it later.
                <A href="/source" attr:class="button">"Not now"</A>
            </div>
        </section>
    }
}
