//! Lever's ids, checked where they enter (Lever's answers, stored configurations, webhook
//! deliveries), so nothing else ever reaches a URL or a body in their place.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a Lever {what} id is 1 to 64 letters, digits or hyphens")]
pub struct ParseError {
    pub what: &'static str,
}

/// Lever's ids are lower-case UUIDs, except its built-in stages' readable ones (`lead-new`,
/// `offer`): both are letters, digits and hyphens.
macro_rules! id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, ParseError> {
                let valid = !raw.is_empty()
                    && raw.len() <= 64
                    && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
                if valid { Ok($name(raw.to_owned())) } else { Err(ParseError { what: $what }) }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::parse(&raw).map_err(serde::de::Error::custom)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
    };
}

id!(
    /// An opportunity: one candidacy of a person (Lever's legacy "candidate" id is the same).
    OpportunityId,
    "opportunity"
);
id!(
    /// A contact: the person behind one or more opportunities.
    ContactId,
    "contact"
);
id!(
    /// A posting: Lever's job.
    PostingId,
    "posting"
);
id!(
    /// A stage of the account's one pipeline.
    StageId,
    "stage"
);
id!(
    /// A Lever user, such as the one writes are performed as (`perform_as`).
    UserId,
    "user"
);
id!(
    /// An archive reason (hired or not hired).
    ArchiveReasonId,
    "archive reason"
);
id!(
    /// An application: an opportunity's link to a posting.
    ApplicationId,
    "application"
);
id!(NoteId, "note");
id!(FileId, "file");
id!(WebhookId, "webhook");
id!(PanelId, "panel");
id!(InterviewId, "interview");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_letters_digits_and_hyphens() {
        assert!(OpportunityId::parse("6408dc54-7015-4e5b-8d60-23afff2b1efc").is_ok());
        assert!(StageId::parse("lead-new").is_ok());
        for bad in ["", "../postings", "a b", "a/b", "é", &"a".repeat(65)] {
            assert!(PostingId::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            UserId::parse("x?y").unwrap_err().to_string(),
            "a Lever user id is 1 to 64 letters, digits or hyphens"
        );
        assert!(serde_json::from_str::<StageId>("\"offer\"").is_ok());
        assert!(serde_json::from_str::<StageId>("\"of fer\"").is_err());
    }
}
