//! A role's pipeline: the candidates who accepted, their marketplace stage and a control to move
//! them; the requests still open; and (for a live role) a way to send more.

use domain::export::ExportState;
use domain::views::{OpenRequest, Pipeline, PipelineEntry, PipelineFilter};
use domain::{MarketplaceStage, RequestId, RequestStatus, RoleStatus};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::exports::{BackfillRole, RetryExport};
use crate::api::{
    AnswerRequest, CancelInterview, MoveCandidate, RescheduleInterview, ScheduleInterview, SendRequest, get_pipeline,
};
use crate::components::{
    BackfillLine, ErrorList, ExportCell, FilterSelect, Follow, FormError, Pager, SignedIn, StatusBadge,
};
use crate::error::AppError;
use crate::format::timestamp;
use domain::interview::{Interview, InterviewKind};

#[component]
pub fn PipelinePage() -> impl IntoView {
    let params = use_params_map();
    let role_id = move || params.read().get("id").and_then(|id| id.parse::<i64>().ok());
    let query = use_query_map();
    let field = move |name: &str| query.read().get(name).unwrap_or_default();
    let actions = Actions {
        move_candidate: ServerAction::new(),
        answer: ServerAction::new(),
        send: ServerAction::new(),
        retry: ServerAction::new(),
        backfill: ServerAction::new(),
        schedule: ServerAction::new(),
        reschedule: ServerAction::new(),
        cancel: ServerAction::new(),
    };
    let pipeline = Resource::new(
        move || (role_id(), (field("find"), field("stage"), field("page"), field("rpage"))),
        |(role_id, (find, stage, page, rpage))| async move {
            match role_id {
                Some(id) => get_pipeline(id, Some(find).filter(|f| !f.is_empty()), stage, page, rpage).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text="Pipeline · ats-bridge"/>
        <SignedIn>
            <PipelineView pipeline actions/>
        </SignedIn>
    }
}

/// The actions that change what this page shows.
#[derive(Clone, Copy)]
struct Actions {
    move_candidate: ServerAction<MoveCandidate>,
    answer: ServerAction<AnswerRequest>,
    send: ServerAction<SendRequest>,
    retry: ServerAction<RetryExport>,
    backfill: ServerAction<BackfillRole>,
    schedule: ServerAction<ScheduleInterview>,
    reschedule: ServerAction<RescheduleInterview>,
    cancel: ServerAction<CancelInterview>,
}

#[component]
fn PipelineView(pipeline: Resource<Result<Pipeline, AppError>>, actions: Actions) -> impl IntoView {
    view! {
        <p><A href="/source">"← Source"</A></p>
        <Transition fallback=|| view! { <p>"Loading pipeline…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                {move || Suspend::new(async move { pipeline.await.map(|p| view! { <PipelineBody pipeline=p actions/> }) })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn PipelineBody(pipeline: Pipeline, actions: Actions) -> impl IntoView {
    let role = pipeline.role;
    let role_id = role.id.0;
    let role_mapped = role.ats_state.is_mapped();
    let ats = pipeline.ats;
    let live = role.status == RoleStatus::Live;
    let demo = pipeline.demo;
    provide_context(ReaderZone(pipeline.time_zone.clone()));
    let (entries_link, requests_link) = (pipeline.filter.clone(), pipeline.filter.clone());
    let chosen = pipeline.entries.iter().map(|e| (e.request_id, e.name.clone(), e.stage)).collect();
    view! {
        // The server says when what the page shows has changed (an export's step, a move from
        // the ATS, an acceptance elsewhere): one connection per open page, nothing while idle.
        // While the candidate dialog is open the page is not read again under the person filling
        // it; closing it reads the page.
        <Follow events=format!("/events/roles/{role_id}") since=pipeline.version.clone()/>
        <h1>{role.title.clone()} " " <StatusBadge kind=role.status.as_str() label=role.status.label()/></h1>
        <p class="lead">{role.location.clone()}</p>

        <section>
            <h2>"Pipeline"</h2>
            <FormError result=actions.move_candidate.value()/>
            <FormError result=actions.retry.value()/>
            <FormError result=actions.backfill.value()/>
            {(role.ats_state.is_mapped() && role.exports.not_mapped > 0).then(|| view! {
                <BackfillLine role_id title=role.title.clone() waiting=role.exports.not_mapped ats=pipeline.ats backfill=actions.backfill/>
            })}
            <FormError result=actions.schedule.value()/>
            <FormError result=actions.reschedule.value()/>
            <FormError result=actions.cancel.value()/>
            {(pipeline.entries_total > 0).then(|| view! { <StageFilter filter=pipeline.filter.clone()/> })}
            <CandidateDialog role_id entries=chosen actions/>
            {if pipeline.entries.is_empty() {
                let said = if pipeline.entries_total == 0 {
                    "Nobody has accepted a request for this role yet."
                } else {
                    "No candidate is at this stage."
                };
                view! { <p>{said}</p> }.into_any()
            } else {
                view! {
                    <table class="pipeline stack">
                        <thead><tr><th>"Candidate"</th><th>"Stage"</th><th>{ats.name()}</th><th>"Interviews"</th><th>"Move to"</th></tr></thead>
                        <tbody>
                            {pipeline.entries.into_iter().map(|entry| view! { <EntryRow role_id entry actions role_mapped ats/> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <Pager
                label="Pages of candidates"
                count=pipeline.entries_matching
                per_page=PipelineFilter::PER_PAGE
                current=pipeline.filter.page
                href=move |page| format!("/roles/{role_id}{}", entries_link.query(page, entries_link.requests_page))
            />
        </section>

        <section>
            <h2>"Requests"</h2>
            <FormError result=actions.answer.value()/>
            {if pipeline.requests.is_empty() {
                view! { <p>"No open requests."</p> }.into_any()
            } else {
                view! {
                    <table class="requests stack">
                        <thead><tr><th>"Candidate"</th><th>"Status"</th><th>"Sent"</th><th></th></tr></thead>
                        <tbody>
                            {pipeline.requests.into_iter().map(|request| view! { <RequestRow request demo action=actions.answer/> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <Pager
                label="Pages of requests"
                count=pipeline.requests_total
                per_page=PipelineFilter::PER_PAGE
                current=pipeline.filter.requests_page
                href=move |page| format!("/roles/{role_id}{}", requests_link.query(requests_link.page, page))
            />
            {live.then(|| view! {
                <SendRequest role_id find=pipeline.find.clone() candidates=pipeline.can_request.clone()
                    matching=pipeline.candidates_matching send=actions.send/>
            })}
            <FormError result=actions.send.value()/>
        </section>
    }
}

#[component]
fn EntryRow(
    role_id: i64,
    entry: PipelineEntry,
    actions: Actions,
    role_mapped: bool,
    ats: domain::AtsKind,
) -> impl IntoView {
    let retry = actions.retry;
    let current = entry.stage;
    let in_workable = entry.export.as_ref().is_some_and(|x| x.state == ExportState::Done);
    let interviews = entry.interviews.clone();
    let who = entry.name.clone();
    let moved = match &entry.last_moved_by {
        Some(who) => format!("Since {} by {who}", timestamp(entry.last_moved_at_ms)),
        None => format!("Since {} by the candidate", timestamp(entry.last_moved_at_ms)),
    };
    let query = use_query_map();
    let id = entry.request_id;
    let open = move |dialog: Dialog| dialog_href(role_id, &query.read(), Some((dialog, id)));
    view! {
        <tr data-candidate=entry.name.clone()>
            <td class="candidate">
                <strong>{entry.name.clone()}</strong><br/>
                <span class="muted">{entry.headline}</span><br/>
                <span class="muted">{entry.email}</span>
                {entry.has_cv.then(|| view! {
                    <br/>
                    <a href=format!("/candidates/{}/cv", entry.candidate_id) rel="external" target="_blank">
                        "CV (PDF)"
                    </a>
                })}
            </td>
            <td class="stage" data-label="Stage">
                <StatusBadge kind=current.as_str() label=current.label()/>
                <span class="muted last-change">{moved}</span>
            </td>
            <td class="export-cell" data-label=ats.name()><ExportCell export=entry.export.clone() ats retry name=entry.name.clone() role_mapped/></td>
            <td class="interviews" data-label="Interviews">
                {interviews.into_iter().map(|interview| {
                    let who = who.clone();
                    view! { <InterviewLine interview in_workable who ats action=actions.reschedule cancel=actions.cancel/> }
                }).collect_view()}
                <A href=move || open(Dialog::Schedule) scroll=false attr:class="button small"
                    attr:aria-label=format!("Schedule interview with {}", entry.name)>"Schedule interview"</A>
            </td>
            <td class="move" data-label="Move to">
                <A href=move || open(Dialog::Move) scroll=false attr:class="button small"
                    attr:aria-label=format!("Move {}", entry.name)>"Move…"</A>
            </td>
        </tr>
    }
}

/// What the candidate dialog does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dialog {
    Schedule,
    Move,
}

impl Dialog {
    const ALL: [Dialog; 2] = [Dialog::Schedule, Dialog::Move];

    /// Its parameter in the page's query (`?schedule=<request>` or `?move=<request>`).
    fn param(self) -> &'static str {
        match self {
            Dialog::Schedule => "schedule",
            Dialog::Move => "move",
        }
    }
}

/// The pipeline's address with the page's other parameters kept and the dialog open on
/// `chosen` (or closed).
fn dialog_href(role_id: i64, query: &leptos_router::params::ParamsMap, chosen: Option<(Dialog, RequestId)>) -> String {
    let mut query = query.clone();
    for dialog in Dialog::ALL {
        query.remove(dialog.param());
    }
    if let Some((dialog, request)) = chosen {
        query.insert(dialog.param(), request.0.to_string());
    }
    format!("/roles/{role_id}{}", query.to_query_string())
}

/// The page's one form to schedule an interview with a candidate or move them: opened by the
/// row's link (so it is a link, and works without the page's script), closed by *Cancel*, Escape or a
/// successful submission. It stays where it is on the screen while the page scrolls.
#[component]
fn CandidateDialog(
    role_id: i64,
    entries: Vec<(RequestId, String, MarketplaceStage)>,
    actions: Actions,
) -> impl IntoView {
    let query = use_query_map();
    let chosen = move || {
        let query = query.read();
        Dialog::ALL.into_iter().find_map(|dialog| {
            let id = query.get_str(dialog.param())?.parse::<i64>().ok()?;
            entries.iter().find(|(request, ..)| request.0 == id).map(|entry| (dialog, entry.clone()))
        })
    };
    let close = move || dialog_href(role_id, &query.read(), None);
    move || {
        chosen().map(|(dialog, (request, name, stage))| {
            let title = match dialog {
                Dialog::Schedule => format!("Schedule interview with {name}"),
                Dialog::Move => format!("Move {name}"),
            };
            // The dialog's form: which candidate, the fields, then its button and *Cancel*.
            let inside = move |fields: AnyView, submit: &'static str| {
                view! {
                    <input type="hidden" name="request_id" value=request.0/>
                    {fields}
                    <div class="row">
                        <button type="submit" class="primary">{submit}</button>
                        <A href=close scroll=false>"Cancel"</A>
                    </div>
                }
            };
            let form = match dialog {
                Dialog::Schedule => {
                    let fields = view! { <InterviewFields interview=None who=name.clone() first=true/> }.into_any();
                    view! { <ActionForm action=actions.schedule attr:class="stack">{inside(fields, "Schedule")}</ActionForm> }
                        .into_any()
                }
                Dialog::Move => {
                    let fields = view! {
                        <label>"Stage"
                            <select name="stage" aria-label=format!("Stage for {name}") autofocus>
                                {MarketplaceStage::ALL.iter().map(|s| view! {
                                    <option value=s.as_str() selected=*s == stage>{s.label()}</option>
                                }).collect_view()}
                            </select>
                        </label>
                    }
                    .into_any();
                    view! { <ActionForm action=actions.move_candidate attr:class="stack">{inside(fields, "Move")}</ActionForm> }
                        .into_any()
                }
            };
            view! {
                // Escape closes it too (the page's island goes to `data-close`).
                <section class="prompt sheet" role="dialog" aria-labelledby="candidate-dialog-title" data-close=close>
                    <h2 id="candidate-dialog-title">{title}</h2>
                    {form}
                </section>
            }
        })
    }
}

#[component]
fn RequestRow(request: OpenRequest, demo: bool, action: ServerAction<AnswerRequest>) -> impl IntoView {
    let pending = request.status == RequestStatus::Pending;
    let id = request.request_id.0;
    let accept_label = format!("Accept on the candidate's behalf: {}", request.name);
    view! {
        <tr data-candidate=request.name.clone()>
            <td><strong>{request.name.clone()}</strong><br/><span class="muted">{request.headline}</span></td>
            <td data-label="Status"><StatusBadge kind=request.status.as_str() label=request.status.label()/></td>
            <td class="muted" data-label="Sent">{timestamp(request.sent_at_ms)}</td>
            <td>
                {(demo && pending).then(|| view! {
                    <ActionForm action attr:class="inline">
                        <input type="hidden" name="request_id" value=id/>
                        <input type="hidden" name="accept" value="true"/>
                        <button type="submit" aria-label=accept_label>
                            "Accept on the candidate's behalf"
                        </button>
                    </ActionForm>
                    <ActionForm action attr:class="inline">
                        <input type="hidden" name="request_id" value=id/>
                        <input type="hidden" name="accept" value="false"/>
                        <button type="submit" class="link">"Decline on the candidate's behalf"</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}

/// One scheduled interview: what, when, who, whether Workable's timeline has it, and forms to
/// move or cancel it.
#[component]
fn InterviewLine(
    interview: Interview,
    in_workable: bool,
    who: String,
    ats: domain::AtsKind,
    action: ServerAction<RescheduleInterview>,
    cancel: ServerAction<CancelInterview>,
) -> impl IntoView {
    let ats = ats.name();
    let state = match (interview.in_workable, in_workable) {
        (true, _) => format!("On the {ats} timeline"),
        (false, true) => format!("Posting to {ats}…"),
        (false, false) => format!("Goes to {ats} with the candidate"),
    };
    let id = interview.id;
    let cancelled = interview.cancelled;
    let cancel_label = format!("Cancel the {} with {}", interview.kind.label().to_lowercase(), who);
    view! {
        <div class="interview" class:cancelled=cancelled data-interview=id.0>
            <strong>{interview.kind.label()}</strong>
            " · " {interview.starts.clone()} " · " {format!("{} min", interview.duration_minutes)}
            " · " {interview.interviewer.clone()}<br/>
            {cancelled.then(|| view! { <span class="badge">"Cancelled"</span> " " })}
            <span class="muted">{state}</span>
            {(!cancelled).then(|| view! {
                <details>
                    <summary>"Move interview"</summary>
                    <ActionForm action attr:class="stack">
                        <input type="hidden" name="interview_id" value=id.0/>
                        <InterviewFields interview=Some(interview.clone()) who=who.clone() first=false/>
                        <button type="submit" class="primary">"Save"</button>
                    </ActionForm>
                </details>
                <ActionForm action=cancel attr:class="inline">
                    <input type="hidden" name="interview_id" value=id.0/>
                    <button type="submit" class="link" aria-label=cancel_label.clone()>"Cancel interview"</button>
                </ActionForm>
            })}
        </div>
    }
}

/// The time zone the reader enters and reads interview times in (an IANA name).
#[derive(Clone, Debug)]
struct ReaderZone(String);

/// The fields of an interview form, filled from `interview` when moving one.
#[component]
fn InterviewFields(
    interview: Option<Interview>,
    who: String,
    /// The dialog's first field: the keyboard starts there when the dialog opens.
    first: bool,
) -> impl IntoView {
    let zone = use_context::<ReaderZone>().map_or_else(|| "UTC".to_owned(), |zone| zone.0);
    let kind = interview.as_ref().map(|i| i.kind);
    let starts = interview.as_ref().map(|i| i.starts_field.clone()).unwrap_or_default();
    let minutes = interview.as_ref().map_or(60, |i| i.duration_minutes);
    let interviewer = interview.as_ref().map(|i| i.interviewer.clone()).unwrap_or_default();
    view! {
        <label>"Interview kind"
            <select name="kind" aria-label=format!("Interview kind for {who}") autofocus=first>
                {InterviewKind::ALL.iter().map(|k| view! {
                    <option value=k.as_str() selected=Some(*k) == kind>{k.label()}</option>
                }).collect_view()}
            </select>
        </label>
        <label>{format!("Starts ({zone})")}
            <input type="datetime-local" name="starts_at" required value=starts aria-label=format!("Interview start for {who}")/>
        </label>
        <label>"Minutes"
            <input type="number" name="duration_minutes" min="15" max="480" step="5" required value=minutes/>
        </label>
        <label>"Interviewer"
            <input type="text" name="interviewer" required maxlength="120" value=interviewer aria-label=format!("Interviewer for {who}")/>
        </label>
    }
}

/// *Send request*: a search over the marketplace's candidates (on the server; a plain GET form
/// without JavaScript), then the first matches to choose from.
#[component]
fn SendRequest(
    role_id: i64,
    find: String,
    candidates: Vec<domain::views::CandidateOption>,
    matching: i64,
    send: ServerAction<SendRequest>,
) -> impl IntoView {
    let shown = candidates.len() as i64;
    let summary = match (find.is_empty(), matching) {
        (true, 0) => "Every candidate on the marketplace has a request for this role.".to_owned(),
        (false, 0) => format!("No candidate without a request matches “{find}”."),
        (_, n) if n > shown => format!("The first {shown} of {n} candidates by name: search to find the others."),
        (true, 1) => "1 candidate has no request for this role yet.".to_owned(),
        (true, n) => format!("{n} candidates have no request for this role yet."),
        (false, 1) => format!("1 candidate matches “{find}”."),
        (false, n) => format!("{n} candidates match “{find}”."),
    };
    view! {
        <h3>"Send a request"</h3>
        <Form method="GET" action="" attr:class="row" attr:role="search" noscroll=true>
            <label>"Find a candidate"
                <input type="search" name="find" value=find.clone() maxlength="100" placeholder="Name or skill"/>
            </label>
            <button type="submit">"Search"</button>
        </Form>
        <p class="muted" role="status">{summary}</p>
        {(!candidates.is_empty()).then(|| view! {
            <ActionForm action=send attr:class="row">
                <input type="hidden" name="role_id" value=role_id/>
                <label>"Candidate"
                    <select name="candidate_id">
                        {candidates.into_iter().map(|c| view! {
                            <option value=c.id.0>{format!("{} — {}", c.name, c.headline)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="primary">"Send request"</button>
            </ActionForm>
        })}
    }
}

/// The stage filter of the candidates' table: a GET form, so a filtered pipeline is a link.
#[component]
fn StageFilter(filter: PipelineFilter) -> impl IntoView {
    view! {
        <Form method="GET" action="" attr:class="row filters" noscroll=true>
            <FilterSelect label="Show stage" name="stage" all="All stages"
                choices=MarketplaceStage::ALL.iter().map(|s| (s.as_str(), s.label())).collect()
                selected=filter.stage.map(MarketplaceStage::as_str)/>
            <button type="submit">"Show"</button>
        </Form>
    }
}
