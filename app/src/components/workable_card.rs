//! The Workable card under *ATS integrations*: state, health and (for the master account) the
//! buttons. Presentational: the page passes the data and the disconnect action.

use domain::views::{ConnectionState, WorkableCard};
use leptos::prelude::*;

use crate::api::workable::{DisconnectWorkable, Notice};
use crate::components::{FormError, StatusBadge};
use crate::format::timestamp;

#[component]
pub fn WorkableCardView(
    card: WorkableCard,
    notice: Option<Notice>,
    disconnect: ServerAction<DisconnectWorkable>,
) -> impl IntoView {
    let state = card.state;
    let badge = match state {
        ConnectionState::Connected => "live",
        ConnectionState::ReconnectNeeded => "pending",
        ConnectionState::Disconnected | ConnectionState::NotConnected => "closed",
    };
    let manage = card.can_manage;
    let connect_label = match state {
        ConnectionState::NotConnected => Some("Connect"),
        ConnectionState::ReconnectNeeded | ConnectionState::Disconnected => Some("Reconnect"),
        ConnectionState::Connected => None,
    };
    let health = (state != ConnectionState::NotConnected).then(|| health(&card));
    view! {
        <article class="card ats" data-ats="workable" data-state=format!("{state:?}")>
            <h3>"Workable " <StatusBadge kind=badge label=state.label()/></h3>
            {notice.map(|n| view! { <p class=if n.ok { "notice ok" } else { "notice error" } role="status">{n.text}</p> })}
            {match state {
                ConnectionState::NotConnected => view! {
                    <p>"Every candidate who accepts a request for a mapped role lands in the right Workable job and stage, with CV and profile."</p>
                }.into_any(),
                ConnectionState::ReconnectNeeded => view! {
                    <p class="notice error">"Workable no longer accepts this connection. Reconnect to resume: nothing waiting is lost and every mapping is kept."</p>
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
                        <a class="button primary" href="/integrations/workable/connect">{label}</a>
                    })}
                    {(state == ConnectionState::Connected).then(|| view! {
                        <ActionForm action=disconnect attr:class="inline">
                            <button type="submit">"Disconnect"</button>
                        </ActionForm>
                    })}
                </div>
                <FormError result=disconnect.value()/>
            })}
            <p class="guide-link"><a href="/integrations/workable/guide">"How the Workable connection works"</a>
                " · "<a href="/integrations/workable/source-guide">"Candidate Source setup guide"</a></p>
        </article>
    }
}

fn health(card: &WorkableCard) -> impl IntoView + use<> {
    let account = match (&card.account_name, &card.subdomain) {
        (Some(name), Some(sub)) => format!("{name} ({sub})"),
        (Some(name), None) => name.clone(),
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
    let rate = card.rate_limit.map_or_else(
        || "No calls yet".to_owned(),
        |(remaining, limit, _)| format!("{remaining} of {limit} requests left in the current 10-second window"),
    );
    let never = |at: Option<i64>, none: &str| at.map_or_else(|| none.to_owned(), timestamp);
    let refused = card.webhooks_refused.filter(|_| card.webhook_error.is_none());
    let webhooks = match (&card.webhook_error, card.webhooks_active) {
        (Some(error), _) => error.clone(),
        (None, true) if let Some((count, last)) = refused => format!(
            "Deliveries refused: {count} since the last one accepted (the last at {}) — their signatures do not match this connection. Reconnect to subscribe again; reconciliation still catches up meanwhile.",
            timestamp(last)
        ),
        (None, true) => "On — moves and disqualifications in Workable come back within seconds".to_owned(),
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
            <dt>"Last successful Workable call"</dt><dd>{never(card.last_success_ms, "None yet")}</dd>
            <dt>"Workable webhooks"</dt><dd class:error=card.webhook_error.is_some() || refused.is_some()>{webhooks}</dd>
            <dt>"Last webhook received"</dt><dd>{never(card.last_webhook_ms, "None yet")}</dd>
            <dt>"Last reconciliation"</dt><dd>{reconciliation}</dd>
            <dt>"Rate limit"</dt><dd>{rate}</dd>
            {card.last_error.clone().map(|e| view! { <dt>"Last error"</dt><dd class="error">{e}{card.last_error_ms.map(|at| format!(" ({})", timestamp(at)))}</dd> })}
        </dl>
    }
}
