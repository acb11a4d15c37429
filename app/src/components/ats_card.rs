//! One card per ATS under *ATS integrations* (Workable, Lever): state, health and (for the master
//! account) the buttons. A company connects one ATS: the other card says which is connected and
//! how to switch. Presentational: the page passes the data and the disconnect action.

use domain::AtsKind;
use domain::views::{ConnectionState, WorkableCard};
use leptos::prelude::*;

use crate::api::workable::{DisconnectWorkable, Notice};
use crate::components::{FormError, StatusBadge};
use crate::format::timestamp;

#[component]
pub fn AtsCardView(
    ats: AtsKind,
    card: WorkableCard,
    notice: Option<Notice>,
    disconnect: ServerAction<DisconnectWorkable>,
) -> impl IntoView {
    let name = ats.name();
    let connected_ats = card.ats.unwrap_or(AtsKind::Workable);
    // Another ATS connected (or waiting for a reconnect) holds the company's one connection.
    let other = (connected_ats != ats
        && matches!(card.state, ConnectionState::Connected | ConnectionState::ReconnectNeeded))
    .then_some(connected_ats);
    let state = if connected_ats == ats { card.state } else { ConnectionState::NotConnected };
    let notice = notice.filter(|n| n.ats == ats);
    let badge = match state {
        ConnectionState::Connected => "live",
        ConnectionState::ReconnectNeeded => "pending",
        ConnectionState::Disconnected | ConnectionState::NotConnected => "closed",
    };
    let manage = card.can_manage;
    let connect_label = match (state, other) {
        (_, Some(_)) => None,
        (ConnectionState::NotConnected, None) => Some("Connect"),
        (ConnectionState::ReconnectNeeded | ConnectionState::Disconnected, None) => Some("Reconnect"),
        (ConnectionState::Connected, None) => None,
    };
    let connect_href = match ats {
        AtsKind::Workable => "/integrations/workable/connect",
        AtsKind::Lever => "/integrations/lever/connect",
    };
    let health = (state != ConnectionState::NotConnected).then(|| health(ats, &card));
    let job = match ats {
        AtsKind::Workable => "job and stage",
        AtsKind::Lever => "posting and stage",
    };
    view! {
        <article class="card ats" data-ats=ats.as_str() data-state=format!("{state:?}")>
            <h3>{name}" " <StatusBadge kind=badge label=state.label()/></h3>
            {notice.map(|n| view! { <p class=if n.ok { "notice ok" } else { "notice error" } role="status">{n.text}</p> })}
            {other.map(|other| view! {
                <p class="muted">{format!(
                    "{} is connected: a company connects one ATS. To use {name} instead, disconnect {} on its card, then connect {name}.",
                    other.name(), other.name()
                )}</p>
            })}
            {match state {
                ConnectionState::NotConnected => view! {
                    <p>{format!("Every candidate who accepts a request for a mapped role lands in the right {name} {job}, with CV and profile.")}</p>
                }.into_any(),
                ConnectionState::ReconnectNeeded => view! {
                    <p class="notice error">{format!("{name} no longer accepts this connection. Reconnect to resume: nothing waiting is lost and every mapping is kept.")}</p>
                }.into_any(),
                ConnectionState::Disconnected => view! {
                    <p>"Disconnected. Your role mappings are kept and come back when you reconnect."</p>
                }.into_any(),
                ConnectionState::Connected => ().into_any(),
            }}
            {health}
            {(manage).then(|| view! {
                <div class="actions">
                    {connect_label.map(|label| view! {
                        <a class="button primary" href=connect_href>{label}</a>
                    })}
                    {(state == ConnectionState::Connected).then(|| view! {
                        <ActionForm action=disconnect attr:class="inline">
                            <button type="submit">"Disconnect"</button>
                        </ActionForm>
                    })}
                </div>
                <FormError result=disconnect.value()/>
            })}
            {(ats == AtsKind::Workable).then(|| view! {
                <p class="guide-link"><a href="/integrations/workable/guide">"How the Workable connection works"</a>
                    " · "<a href="/integrations/workable/source-guide">"Candidate Source setup guide"</a></p>
            })}
            {(ats == AtsKind::Lever).then(|| view! {
                <p class="guide-link"><a href="/integrations/lever/connect#guide">"How the Lever connection works"</a></p>
            })}
        </article>
    }
}

fn health(ats: AtsKind, card: &WorkableCard) -> impl IntoView + use<> {
    let name = ats.name();
    let account = match (&card.account_name, &card.subdomain) {
        (Some(name), Some(sub)) if !sub.is_empty() => format!("{name} ({sub})"),
        (Some(name), _) => name.clone(),
        _ => String::new(),
    };
    let connected = match (&card.connected_by, card.connected_at_ms) {
        (Some(who), Some(at)) => format!("{who}, {}", timestamp(at)),
        (None, Some(at)) => timestamp(at),
        _ => String::new(),
    };
    let access = match (card.auth.as_deref(), card.token_expires_at_ms) {
        (Some("OAuth"), _) => "OAuth — renewed automatically".to_owned(),
        (Some(kind), Some(at)) => format!("{kind} — expires {}", timestamp(at)),
        (Some(kind), None) => format!("{kind} — no expiry set"),
        _ => String::new(),
    };
    let rate = match ats {
        // Lever reports nothing of its limit: ours stays under its documented bucket.
        AtsKind::Lever => "Kept under Lever's 10 requests a second (Lever does not report its limit)".to_owned(),
        AtsKind::Workable => card.rate_limit.map_or_else(
            || "No calls yet".to_owned(),
            |(remaining, limit, _)| format!("{remaining} of {limit} requests left in the current 10-second window"),
        ),
    };
    let never = |at: Option<i64>, none: &str| at.map_or_else(|| none.to_owned(), timestamp);
    let refused = card.webhooks_refused.filter(|_| card.webhook_error.is_none());
    let webhooks = match (&card.webhook_error, card.webhooks_active) {
        (Some(error), _) => error.clone(),
        (None, true) if let Some((count, last)) = refused => format!(
            "Deliveries refused: {count} since the last one accepted (the last at {}) — their signatures do not match this connection. Reconnect to subscribe again; reconciliation still catches up meanwhile.",
            timestamp(last)
        ),
        (None, true) => "On — moves and disqualifications in Workable come back within seconds".to_owned(),
        (None, false) if ats == AtsKind::Lever => {
            "Not used yet — changes made in Lever come back with the next reconciliation".to_owned()
        }
        (None, false) => "Off until the first role is mapped".to_owned(),
    };
    let reconciliation = match (card.last_reconciliation_ms, &card.reconciliation_error) {
        (None, _) => "None yet".to_owned(),
        (Some(at), Some(error)) => format!("{} — did not finish: {error}", timestamp(at)),
        (Some(at), None) => match card.last_reconciliation_corrections.unwrap_or(0) {
            0 => format!("{} — nothing to correct", timestamp(at)),
            1 => format!("{} — 1 correction", timestamp(at)),
            n => format!("{} — {n} corrections", timestamp(at)),
        },
    };
    view! {
        <dl class="health">
            <dt>"Account"</dt><dd>{account}</dd>
            <dt>"Acting as"</dt><dd>{card.acting_member.clone()}</dd>
            <dt>"Connected by"</dt><dd>{connected}</dd>
            <dt>"Access"</dt><dd>{access}</dd>
            {card.expiry_warning.then(|| view! { <dt>"Expiry"</dt><dd class="error">"The token expires soon: reconnect with a new one before then."</dd> })}
            <dt>{format!("Last successful {name} call")}</dt><dd>{never(card.last_success_ms, "None yet")}</dd>
            <dt>{format!("{name} webhooks")}</dt><dd class:error=card.webhook_error.is_some() || refused.is_some()>{webhooks}</dd>
            <dt>"Last webhook received"</dt><dd>{never(card.last_webhook_ms, "None yet")}</dd>
            <dt>"Last reconciliation"</dt><dd>{reconciliation}</dd>
            <dt>"Rate limit"</dt><dd>{rate}</dd>
            {card.last_error.clone().map(|e| view! { <dt>"Last error"</dt><dd class="error">{e}{card.last_error_ms.map(|at| format!(" ({})", timestamp(at)))}</dd> })}
        </dl>
    }
}
