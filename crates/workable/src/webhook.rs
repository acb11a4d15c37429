//! Workable's webhooks on the wire: the events, how a delivery is signed (`X-Workable-Signature`,
//! lower-case hex HMAC-SHA256 of the raw body, keyed by the account token or the OAuth client
//! secret) and what a candidate event carries. The one place the signing scheme is written:
//! the product verifies with it, the sandbox and the tests sign with it.

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use crate::{CandidateId, CandidateJob};

/// The header a delivery's signature travels in.
pub const SIGNATURE_HEADER: &str = "X-Workable-Signature";

/// The candidate events ats-bridge subscribes to, by Workable's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    CandidateCreated,
    CandidateMoved,
    CandidateDeleted,
}

impl Event {
    pub const ALL: [Event; 3] = [Event::CandidateCreated, Event::CandidateMoved, Event::CandidateDeleted];

    pub fn as_str(self) -> &'static str {
        match self {
            Event::CandidateCreated => "candidate_created",
            Event::CandidateMoved => "candidate_moved",
            Event::CandidateDeleted => "candidate_deleted",
        }
    }

    /// `None` for any event ats-bridge does not subscribe to.
    pub fn parse(name: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.as_str() == name)
    }
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

fn mac(key: &[u8], body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(body);
    mac
}

/// The signature Workable sends with `body` under `key`.
pub fn sign(key: &[u8], body: &[u8]) -> String {
    hex::encode(mac(key, body).finalize().into_bytes())
}

/// Whether `signature` (hex, either case) is `body`'s under `key`, compared in constant time.
pub fn verify(key: &[u8], body: &[u8], signature: &str) -> bool {
    let Ok(expected) = hex::decode(signature.trim()) else { return false };
    mac(key, body).verify_slice(&expected).is_ok()
}

/// A candidate event as Workable delivers it; only what ats-bridge reads.
#[derive(Clone, Debug, Deserialize)]
pub struct Delivery {
    /// Kept as sent: an event we never subscribed to is recorded and ignored, not refused.
    pub event_type: String,
    pub data: DeliveryCandidate,
}

impl Delivery {
    /// The event, if it is one ats-bridge subscribes to.
    pub fn event(&self) -> Option<Event> {
        Event::parse(&self.event_type)
    }
}

/// The candidate in a delivery, as of delivery time.
#[derive(Clone, Debug, Deserialize)]
pub struct DeliveryCandidate {
    pub id: CandidateId,
    #[serde(default)]
    pub account: Option<DeliveryAccount>,
    #[serde(default)]
    pub job: Option<CandidateJob>,
    #[serde(default)]
    pub stage: Option<String>,
    #[serde(default)]
    pub disqualified: Option<bool>,
    #[serde(default)]
    pub withdrew: Option<bool>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct DeliveryAccount {
    pub subdomain: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_lower_case_hex_hmac_sha256_and_only_the_right_key_over_the_exact_body_verifies() {
        // RFC 4231 test case 2.
        let sig = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert_eq!(sign(b"Jefe", b"what do ya want for nothing?"), sig);
        assert!(verify(b"Jefe", b"what do ya want for nothing?", sig));
        assert!(verify(b"Jefe", b"what do ya want for nothing?", &sig.to_uppercase()));
        assert!(!verify(b"Jefe", b"what do ya want for nothing!", sig));
        assert!(!verify(b"jefe", b"what do ya want for nothing?", sig));
        assert!(!verify(b"Jefe", b"what do ya want for nothing?", "not hex"));
        assert!(!verify(b"Jefe", b"what do ya want for nothing?", &sig[..32]));
    }

    #[test]
    fn a_delivery_is_typed_at_the_boundary() {
        let ok: Delivery = serde_json::from_str(
            r#"{"id":"d1","event_type":"candidate_moved","data":{"id":"3f2a","stage":"Interview","disqualified":false,"job":{"shortcode":"AB12"}}}"#,
        )
        .unwrap();
        assert_eq!(ok.data.id.as_str(), "3f2a");
        assert_eq!(ok.event(), Some(Event::CandidateMoved));
        let numeric: Delivery = serde_json::from_str(r#"{"event_type":"candidate_deleted","data":{"id":42}}"#).unwrap();
        assert_eq!(numeric.data.id.as_str(), "42");
        let other: Delivery = serde_json::from_str(r#"{"event_type":"employee_created","data":{"id":1}}"#).unwrap();
        assert_eq!(other.event(), None);
        assert!(serde_json::from_str::<Delivery>(r#"{"event_type":"candidate_moved","data":{"id":"../x"}}"#).is_err());
        assert!(serde_json::from_str::<Delivery>(r#"{"event_type":"candidate_moved"}"#).is_err());
        assert!(serde_json::from_str::<Delivery>("not json").is_err());
    }
}
