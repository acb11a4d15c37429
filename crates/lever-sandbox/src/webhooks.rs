//! Webhook delivery as Lever does it: one POST per matching webhook (event, and for candidate
//! events the opportunity's origin among the webhook's conditions), the signature in the body —
//! hex HMAC-SHA256 under the webhook's signature token of `token` + `triggeredAt` — ids only in
//! `data`, and a non-2xx answer retried up to 5 times at growing intervals.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::LeverSandbox;
use crate::model::{Happened, hex_token};

#[derive(Clone, Debug)]
struct Delivery {
    url: String,
    body: Value,
    attempt: u32,
    not_before_ms: i64,
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

    pub fn waiting(&self) -> usize {
        self.queue.lock().expect("outbox lock").len()
    }
}

/// The first try and 5 retries.
const MAX_ATTEMPTS: u32 = 6;

/// Events that carry no origin conditions.
const ANY_ORIGIN: [&str; 4] = ["candidateDeleted", "interviewCreated", "interviewUpdated", "interviewDeleted"];

/// A delivery's body, signed under `signature_token`.
pub fn signed(event: &str, signature_token: &str, triggered_at: i64, data: Value) -> Value {
    let token = hex_token(20);
    let signature = lever::webhook::sign(signature_token, &token, triggered_at);
    json!({ "event": event, "triggeredAt": triggered_at, "token": token, "signature": signature, "data": data })
}

impl LeverSandbox {
    /// Queues a delivery of each happening for every webhook of the account it matches.
    pub(crate) fn fire(&self, account: &str, happened: Happened) {
        if happened.is_empty() {
            return;
        }
        let now = self.now_ms();
        let deliveries: Vec<Delivery> = self.read(|w| {
            let Some(account) = w.account(account) else { return Vec::new() };
            let mut out = Vec::new();
            for (event, opportunity, data) in &happened {
                let origin = account.opportunity(opportunity).map(|o| o.origin.clone());
                for hook in account.webhooks.iter().filter(|h| &h.event == event) {
                    let matches = ANY_ORIGIN.contains(&event.as_str())
                        || origin.as_ref().is_some_and(|o| hook.origins.contains(o));
                    if matches {
                        out.push(Delivery {
                            url: hook.url.clone(),
                            body: signed(event, &hook.signature_token, now, data.clone()),
                            attempt: 0,
                            not_before_ms: 0,
                        });
                    }
                }
            }
            out
        });
        if deliveries.is_empty() {
            return;
        }
        self.inner.webhooks.queue.lock().expect("outbox lock").extend(deliveries);
        self.inner.webhooks.wake();
    }

    /// `verifyConnection`: a test delivery with empty `data`, which must be answered 2xx.
    pub(crate) async fn verify_connection(&self, url: &str, event: &str, signature_token: &str) -> bool {
        let body = signed(event, signature_token, self.now_ms(), json!({}));
        post(url, &body).await
    }
}

async fn post(url: &str, body: &Value) -> bool {
    static HTTP: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    let http = HTTP.get_or_init(|| {
        reqwest::Client::builder().timeout(Duration::from_secs(5)).build().expect("the HTTP client builds")
    });
    match http.post(url).json(body).send().await {
        Ok(response) => response.status().is_success(),
        Err(_) => false,
    }
}

/// Delivers what is due, forever; wakes on new deliveries and every 200 ms for retries.
pub async fn deliver_forever(sandbox: LeverSandbox) {
    loop {
        let _ = tokio::time::timeout(Duration::from_millis(200), sandbox.inner.webhooks.wake.notified()).await;
        let faults = sandbox.faults();
        if faults.webhooks_paused {
            continue;
        }
        let now = sandbox.now_ms();
        let due: Vec<Delivery> = {
            let mut queue = sandbox.inner.webhooks.queue.lock().expect("outbox lock");
            let (due, later): (Vec<_>, Vec<_>) = queue.drain(..).partition(|d| d.not_before_ms <= now);
            queue.extend(later);
            due
        };
        for mut delivery in due {
            if faults.webhooks_dropped {
                tracing::info!(url = %delivery.url, "webhook dropped on purpose");
                continue;
            }
            let mut delivered = post(&delivery.url, &delivery.body).await;
            if faults.webhooks_duplicate && delivered {
                delivered = post(&delivery.url, &delivery.body).await;
            }
            if !delivered {
                delivery.attempt += 1;
                if delivery.attempt >= MAX_ATTEMPTS {
                    tracing::warn!(url = %delivery.url, "webhook given up after {MAX_ATTEMPTS} attempts");
                    continue;
                }
                delivery.not_before_ms = sandbox.now_ms() + 1000 * (1 << (delivery.attempt - 1));
                sandbox.inner.webhooks.queue.lock().expect("outbox lock").push_back(delivery);
            }
        }
    }
}
