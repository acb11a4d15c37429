//! Webhook delivery: each event becomes one delivery per matching subscription, POSTed with
//! the candidate *as it is at delivery time*, signed `X-Workable-Signature` = hex HMAC-SHA256 of
//! the raw body, and retried with backoff until the target answers 200.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::json;
use tokio::sync::Notify;

use crate::{Sandbox, render};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    Created,
    Moved,
    Deleted,
}

impl Event {
    pub fn name(self) -> &'static str {
        match self {
            Event::Created => "candidate_created",
            Event::Moved => "candidate_moved",
            Event::Deleted => "candidate_deleted",
        }
    }
}

#[derive(Clone, Debug)]
struct Delivery {
    subdomain: String,
    subscription_id: i64,
    event: Event,
    candidate_id: String,
    fired_at: i64,
    attempt: u32,
    not_before: i64,
}

/// Deliveries waiting to go out.
#[derive(Default)]
pub struct Outbox {
    queue: Mutex<VecDeque<Delivery>>,
    wake: Notify,
}

impl Outbox {
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// Retries after 1, 2, 4 … 32 s; then the delivery is dropped (logged).
const MAX_ATTEMPTS: u32 = 7;

impl Sandbox {
    /// Queues `event` for every subscription of the account that matches it.
    pub(crate) fn fire(&self, subdomain: &str, event: Event, candidate_id: &str) {
        let now = self.now_ms();
        let deliveries: Vec<Delivery> = self.read(|w| {
            let Some(account) = w.account(subdomain) else { return Vec::new() };
            let candidate = account.candidates.iter().find(|c| c.id == candidate_id);
            account
                .subscriptions
                .iter()
                .filter(|s| s.event == event.name())
                .filter(|s| {
                    s.job_shortcode.as_ref().is_none_or(|job| candidate.is_some_and(|c| &c.job_shortcode == job))
                })
                .filter(|s| s.stage_slug.as_ref().is_none_or(|stage| candidate.is_some_and(|c| &c.stage_slug == stage)))
                .map(|s| Delivery {
                    subdomain: subdomain.to_owned(),
                    subscription_id: s.id,
                    event,
                    candidate_id: candidate_id.to_owned(),
                    fired_at: now,
                    attempt: 0,
                    not_before: now,
                })
                .collect()
        });
        if deliveries.is_empty() {
            return;
        }
        if self.faults().webhooks_dropped {
            tracing::info!(event = event.name(), deliveries = deliveries.len(), "webhooks dropped (fault)");
            return;
        }
        self.inner.webhooks.queue.lock().expect("outbox lock").extend(deliveries);
        self.inner.webhooks.wake();
    }

    /// Deliveries still waiting (paused, or retrying).
    pub fn pending_webhooks(&self) -> usize {
        self.inner.webhooks.queue.lock().expect("outbox lock").len()
    }
}

/// Takes the deliveries that are due (none while paused), in the order the faults ask for.
fn take_due(sandbox: &Sandbox) -> (Vec<Delivery>, bool) {
    let faults = sandbox.faults();
    if faults.webhooks_paused {
        return (Vec::new(), false);
    }
    let now = sandbox.now_ms();
    let mut queue = sandbox.inner.webhooks.queue.lock().expect("outbox lock");
    let (due, later): (VecDeque<Delivery>, VecDeque<Delivery>) = queue.drain(..).partition(|d| d.not_before <= now);
    *queue = later;
    let mut due: Vec<Delivery> = due.into();
    if faults.webhooks_reorder {
        due.reverse();
    }
    (due, faults.webhooks_duplicate)
}

pub async fn deliver_forever(sandbox: Sandbox) {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("an HTTP client");
    loop {
        let (due, duplicate) = take_due(&sandbox);
        for delivery in due {
            let copies = if duplicate { 2 } else { 1 };
            let mut delivered = false;
            for _ in 0..copies {
                delivered |= deliver(&sandbox, &client, &delivery).await;
            }
            if !delivered {
                retry_later(&sandbox, delivery);
            }
        }
        let next_due = {
            let queue = sandbox.inner.webhooks.queue.lock().expect("outbox lock");
            queue.iter().map(|d| d.not_before).min()
        };
        let wait = next_due.map_or(Duration::from_secs(3600), |at| {
            Duration::from_millis((at - sandbox.now_ms()).clamp(10, 60_000) as u64)
        });
        let _ = tokio::time::timeout(wait, sandbox.inner.webhooks.wake.notified()).await;
    }
}

fn retry_later(sandbox: &Sandbox, mut delivery: Delivery) {
    delivery.attempt += 1;
    if delivery.attempt >= MAX_ATTEMPTS {
        tracing::warn!(
            subscription = delivery.subscription_id,
            event = delivery.event.name(),
            "webhook dropped after retries"
        );
        return;
    }
    delivery.not_before = sandbox.now_ms() + 1000 * (1 << (delivery.attempt - 1));
    sandbox.inner.webhooks.queue.lock().expect("outbox lock").push_back(delivery);
}

/// One POST; true when the target answered 200.
async fn deliver(sandbox: &Sandbox, client: &reqwest::Client, delivery: &Delivery) -> bool {
    let found = sandbox.read(|w| {
        let account = w.account(&delivery.subdomain)?;
        let subscription = account.subscriptions.iter().find(|s| s.id == delivery.subscription_id)?.clone();
        let data = match delivery.event {
            Event::Deleted => json!({ "id": delivery.candidate_id }),
            _ => {
                let c = account.candidates.iter().find(|c| c.id == delivery.candidate_id)?;
                render::candidate_detail(&sandbox.account_base(&account.subdomain), &sandbox.base_url(), account, c)
            }
        };
        Some((subscription, data))
    });
    // The subscription was removed meanwhile: nothing to deliver.
    let Some((subscription, data)) = found else { return true };
    let body = json!({
        "id": delivery.candidate_id,
        "resource_type": "candidate",
        "event_type": delivery.event.name(),
        "fired_at": render::millis(delivery.fired_at),
        "data": data,
    })
    .to_string();
    let signature = workable::webhook::sign(subscription.signing_key.as_bytes(), body.as_bytes());
    let result = client
        .post(&subscription.target)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(workable::webhook::SIGNATURE_HEADER, signature)
        .body(body)
        .send()
        .await;
    match result {
        Ok(response) if response.status() == reqwest::StatusCode::OK => true,
        Ok(response) => {
            tracing::info!(status = %response.status(), target = %subscription.target, "webhook refused; will retry");
            false
        }
        Err(err) => {
            tracing::info!(error = %err, target = %subscription.target, "webhook not delivered; will retry");
            false
        }
    }
}
