//! How a company's ATS connection authenticates and where it stands.

use serde::{Deserialize, Serialize};

/// Which ATS a company connected (one per company).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AtsKind {
    Workable,
    Lever,
}
text_enum!(AtsKind, "ATS", { Workable => "workable", Lever => "lever" });

impl AtsKind {
    /// The ATS's name as the screens show it.
    pub fn name(self) -> &'static str {
        match self {
            AtsKind::Workable => "Workable",
            AtsKind::Lever => "Lever",
        }
    }

    /// Whether a mapping chooses the account's outcome reasons (Lever's archive reasons); Workable's
    /// mappings disqualify without one.
    pub fn chooses_outcome_reasons(self) -> bool {
        matches!(self, AtsKind::Lever)
    }

    /// How the mapping table offers taking a candidate out of the pipeline: the option, and its
    /// hint (Workable disqualifies; Lever archives with a reason).
    pub fn closing_words(self) -> (&'static str, &'static str) {
        match self {
            AtsKind::Workable => ("Disqualify in Workable", "Workable's disqualify action."),
            AtsKind::Lever => ("Archive in Lever", "Lever's archive, with the account's reason for it."),
        }
    }
}

/// How an ATS connection authenticates: OAuth, or a key made in the ATS (Workable's API access
/// token, Lever's API key).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthKind {
    OAuth,
    ApiToken,
}
text_enum!(AuthKind, "auth kind", { OAuth => "oauth", ApiToken => "api_token" });

/// A stored connection's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConnectionStatus {
    Connected,
    ReconnectNeeded,
    Disconnected,
}
text_enum!(ConnectionStatus, "connection status", {
    Connected => "connected",
    ReconnectNeeded => "reconnect_needed",
    Disconnected => "disconnected",
});

#[cfg(test)]
mod tests {
    use super::*;

    // That the databases' CHECK constraints allow exactly these words: storage's `migrations` test.
    #[test]
    fn the_stored_words_round_trip_and_nothing_else_parses() {
        let ats: Vec<&str> = AtsKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(ats, ["workable", "lever"]);
        assert_eq!(AtsKind::Lever.name(), "Lever");
        let kinds: Vec<&str> = AuthKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(kinds, ["oauth", "api_token"]);
        let states: Vec<&str> = ConnectionStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(states, ["connected", "reconnect_needed", "disconnected"]);
        for status in ConnectionStatus::ALL {
            assert_eq!(ConnectionStatus::parse(status.as_str()), Ok(*status));
        }
        assert!(AuthKind::parse("password").is_err());
    }
}
