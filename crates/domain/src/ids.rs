//! Database identifiers as distinct types, so a role id can never be passed where a candidate id
//! is expected.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    };
}

id_type!(
    /// An employer on the marketplace.
    CompanyId
);
id_type!(
    /// A person who signs in on behalf of a company.
    UserId
);
id_type!(
    /// One of a company's jobs on the marketplace.
    RoleId
);
id_type!(
    /// A person on the marketplace who receives requests.
    CandidateId
);
id_type!(
    /// A company's request to a candidate for a role.
    RequestId
);
id_type!(
    /// An accepted request's export to the ATS, with its ledger.
    ExportId
);
id_type!(
    /// An interview scheduled on the marketplace (and posted to the ATS timeline).
    InterviewId
);
id_type!(
    /// A role's ATS configuration: the Workable job it maps to and its stage mapping.
    ConfigurationId
);
