//! Lever's webhook deliveries: the signature is **inside the body** — lower-case hex
//! HMAC-SHA256 under the webhook's signature token of `token` followed by `triggeredAt` — and
//! it does not cover `data`, so a delivery only ever names what to read again.

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use crate::{Archived, ContactId, OpportunityId, StageId};

/// The events ats-bridge registers for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    StageChange,
    ArchiveChange,
    Hired,
    Deleted,
}

impl Event {
    pub const ALL: [Event; 4] = [Event::StageChange, Event::ArchiveChange, Event::Hired, Event::Deleted];

    pub fn as_str(self) -> &'static str {
        match self {
            Event::StageChange => "candidateStageChange",
            Event::ArchiveChange => "candidateArchiveChange",
            Event::Hired => "candidateHired",
            Event::Deleted => "candidateDeleted",
        }
    }

    pub fn parse(name: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.as_str() == name)
    }
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

fn mac(key: &[u8], token: &str, triggered_at: i64) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(token.as_bytes());
    mac.update(triggered_at.to_string().as_bytes());
    mac
}

/// The signature Lever puts in a delivery with `token` and `triggered_at`, under the webhook's
/// `signature_token`.
pub fn sign(signature_token: &str, token: &str, triggered_at: i64) -> String {
    hex::encode(mac(signature_token.as_bytes(), token, triggered_at).finalize().into_bytes())
}

/// A delivery as Lever posts it; only what ats-bridge reads.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// Kept as sent: an event we never registered is recorded and ignored, not refused.
    pub event: String,
    pub triggered_at: i64,
    pub token: String,
    pub signature: String,
    /// Empty in the `verifyConnection` ping.
    #[serde(default)]
    pub data: DeliveryData,
}

impl Delivery {
    /// The event, if it is one ats-bridge registers for.
    pub fn event(&self) -> Option<Event> {
        Event::parse(&self.event)
    }

    /// Whether the signature is this delivery's under `signature_token`, compared in constant time.
    pub fn verify(&self, signature_token: &str) -> bool {
        let Ok(expected) = hex::decode(self.signature.trim()) else { return false };
        mac(signature_token.as_bytes(), &self.token, self.triggered_at).verify_slice(&expected).is_ok()
    }
}

/// Ids, and the states the delivery claims (not to be trusted: the signature does not cover them).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryData {
    pub opportunity_id: Option<OpportunityId>,
    pub contact_id: Option<ContactId>,
    pub from_stage_id: Option<StageId>,
    pub to_stage_id: Option<StageId>,
    pub from_archived: Option<Archived>,
    pub to_archived: Option<Archived>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_token_and_time_only_and_only_the_right_key_verifies() {
        // Signed as Lever signs (token + triggeredAt under the webhook's token, the one from the
        // create-webhook recording): verifies under that token only, and not if either part changes.
        let sig = sign("81358960e95ed76bf1def200692c2f956818caf168682e26", "a5b1c0d3", 1782973996415);
        let body = format!(
            r#"{{"event":"candidateStageChange","triggeredAt":1782973996415,"token":"a5b1c0d3","signature":"{sig}",
                "data":{{"opportunityId":"6408dc54-7015-4e5b-8d60-23afff2b1efc","toStageId":"offer"}}}}"#
        );
        let delivery: Delivery = serde_json::from_str(&body).unwrap();
        assert!(delivery.verify("81358960e95ed76bf1def200692c2f956818caf168682e26"));
        assert!(!delivery.verify("another token"));
        assert_eq!(delivery.event(), Some(Event::StageChange));
        let later = Delivery { triggered_at: 1782973996416, ..delivery.clone() };
        assert!(!later.verify("81358960e95ed76bf1def200692c2f956818caf168682e26"), "the time is signed");
        let other = Delivery { token: "a5b1c0d4".into(), ..delivery.clone() };
        assert!(!other.verify("81358960e95ed76bf1def200692c2f956818caf168682e26"), "the token is signed");
        let upper = Delivery { signature: sig.to_uppercase(), ..delivery };
        assert!(upper.verify("81358960e95ed76bf1def200692c2f956818caf168682e26"));
    }

    #[test]
    fn hmac_is_sha256_over_the_concatenation() {
        // RFC 4231 test case 2 pins the primitive; `sign` is it over `token` then the decimal time.
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let direct = hex::encode(mac.finalize().into_bytes());
        assert_eq!(direct, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assert_eq!(sign("key", "abc", 123), {
            let mut m = Hmac::<Sha256>::new_from_slice(b"key").unwrap();
            m.update(b"abc123");
            hex::encode(m.finalize().into_bytes())
        });
    }

    #[test]
    fn a_delivery_is_typed_at_the_boundary() {
        let ping: Delivery =
            serde_json::from_str(r#"{"event":"candidateHired","triggeredAt":1,"token":"t","signature":"00"}"#).unwrap();
        assert!(ping.data.opportunity_id.is_none());
        assert!(
            serde_json::from_str::<Delivery>(
                r#"{"event":"candidateHired","triggeredAt":1,"token":"t","signature":"00","data":{"opportunityId":"../x"}}"#
            )
            .is_err()
        );
        assert!(
            serde_json::from_str::<Delivery>(r#"{"event":"candidateHired","token":"t","signature":"00"}"#).is_err()
        );
        let other: Delivery =
            serde_json::from_str(r#"{"event":"offerCreated","triggeredAt":1,"token":"t","signature":"00"}"#).unwrap();
        assert_eq!(other.event(), None);
    }
}
