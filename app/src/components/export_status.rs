//! A candidate's export to Workable in the pipeline: its state in plain words, the link into
//! Workable, the ETA while waiting for the rate limit, the reason and *Retry* on failure, and
//! the ledger of every step.

use domain::export::{ExportState, ExportStatus};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::exports::{BackfillRole, RetryExport};
use crate::format::timestamp;

#[component]
pub fn ExportCell(
    export: Option<ExportStatus>,
    /// The connected ATS, which the words name.
    ats: domain::AtsKind,
    retry: ServerAction<RetryExport>,
    name: String,
    /// The role is mapped now: a *not mapped* export was accepted before that.
    #[prop(optional)]
    role_mapped: bool,
) -> impl IntoView {
    let Some(export) = export else {
        return view! { <span class="muted">"—"</span> }.into_any();
    };
    let state = export.state;
    let badge = match state {
        ExportState::Done => "mapped",
        ExportState::Failed => "closed",
        ExportState::NotMapped | ExportState::Paused | ExportState::Waiting => "unmapped",
        ExportState::Queued => "pending",
    };
    let detail = match state {
        ExportState::Waiting => export.eta_seconds.map(|s| format!("About {s} s")),
        ExportState::Queued => export.last_error.clone().map(|why| match export.eta_seconds {
            Some(s) => format!("{why} Next attempt in about {s} s."),
            None => why,
        }),
        ExportState::Failed | ExportState::Paused => export.last_error.clone(),
        ExportState::NotMapped if role_mapped => Some("Export the earlier candidates (above) to send them.".to_owned()),
        ExportState::NotMapped => Some("Map the role, then export earlier candidates from Source.".to_owned()),
        ExportState::Done => None,
    };
    // The role is mapped now: "role not mapped" would be wrong; say when they accepted.
    let label = match state {
        ExportState::NotMapped if role_mapped => "Accepted before the role was mapped".to_owned(),
        _ => state.label_in(ats),
    };
    let open_label = format!("Open in {}", ats.name());
    let retry_label = format!("Retry the export of {name}");
    let ledger = export.ledger.clone();
    view! {
        <div class="export" data-export=state.as_str()>
            <span class=format!("badge badge-{badge}")>{label}</span>
            {export.workable_url.clone().filter(|_| state == ExportState::Done).map(|url| view! {
                " " <a href=url rel="external noopener" target="_blank">{open_label.clone()}</a>
            })}
            {detail.map(|d| view! { <p class="muted export-detail">{d}</p> })}
            {(state == ExportState::Paused).then(|| view! { <A href="/account-settings">"Account settings"</A> })}
            {state.can_retry().then(|| view! {
                <ActionForm action=retry attr:class="inline">
                    <input type="hidden" name="export_id" value=export.id.0/>
                    <button type="submit" aria-label=retry_label>"Retry"</button>
                </ActionForm>
            })}
            {(!ledger.is_empty()).then(|| view! {
                <details class="ledger">
                    <summary>"Ledger"</summary>
                    <ol>
                        {ledger.into_iter().map(|e| view! {
                            <li><span class="muted">{timestamp(e.at_ms)}</span> " " {e.detail}</li>
                        }).collect_view()}
                    </ol>
                </details>
            })}
        </div>
    }
    .into_any()
}

/// The quiet line of a mapped role some of whose candidates accepted before it was mapped: they
/// are not in the connected ATS until someone exports them (Source's row and the role's pipeline).
#[component]
pub fn BackfillLine(
    role_id: i64,
    title: String,
    waiting: i64,
    ats: domain::AtsKind,
    backfill: ServerAction<BackfillRole>,
) -> impl IntoView {
    let label = format!("Export the earlier candidates of {title}");
    let count = match waiting {
        1 => "1 earlier candidate is".to_owned(),
        n => format!("{n} earlier candidates are"),
    };
    view! {
        // A <div>, not a <p>: a form inside a paragraph is split by the browser's parser, and the
        // page would no longer be what the server rendered.
        <div class="tally backfill-line">
            <span class="muted">{format!("{count} not in {} — ", ats.name())}</span>
            <ActionForm action=backfill attr:class="inline">
                <input type="hidden" name="role_id" value=role_id/>
                <button type="submit" class="link" aria-label=label>"Export them"</button>
            </ActionForm>
        </div>
    }
}
