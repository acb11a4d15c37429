//! The marketplace's own vocabulary: user roles, role status, request status and the stages a
//! candidate moves through after accepting a request.

use serde::{Deserialize, Serialize};

/// What a user may do for their company: only the master account manages ATS connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserRole {
    Master,
    Member,
}
text_enum!(UserRole, "user role", { Master => "master", Member => "member" });

/// A role's lifecycle on the marketplace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleStatus {
    Draft,
    Live,
    Closed,
}
text_enum!(RoleStatus, "role status", { Draft => "draft", Live => "live", Closed => "closed" });

impl RoleStatus {
    pub fn label(self) -> &'static str {
        match self {
            RoleStatus::Draft => "Draft",
            RoleStatus::Live => "Live",
            RoleStatus::Closed => "Closed",
        }
    }
}

/// Where a request stands from the candidate's side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Pending,
    Accepted,
    Declined,
}
text_enum!(RequestStatus, "request status", { Pending => "pending", Accepted => "accepted", Declined => "declined" });

impl RequestStatus {
    pub fn label(self) -> &'static str {
        match self {
            RequestStatus::Pending => "Request sent",
            RequestStatus::Accepted => "Request accepted",
            RequestStatus::Declined => "Request declined",
        }
    }
}

/// The marketplace's stages, platform-wide, in order; `Rejected` and `Withdrawn` are outcomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarketplaceStage {
    Accepted,
    Screening,
    TechnicalInterview,
    FinalInterview,
    Offer,
    Hired,
    Rejected,
    Withdrawn,
}
text_enum!(MarketplaceStage, "marketplace stage", {
    Accepted => "accepted",
    Screening => "screening",
    TechnicalInterview => "technical_interview",
    FinalInterview => "final_interview",
    Offer => "offer",
    Hired => "hired",
    Rejected => "rejected",
    Withdrawn => "withdrawn",
});

impl MarketplaceStage {
    /// The words on screen.
    pub fn label(self) -> &'static str {
        match self {
            MarketplaceStage::Accepted => "Request accepted",
            MarketplaceStage::Screening => "Screening",
            MarketplaceStage::TechnicalInterview => "Technical interview",
            MarketplaceStage::FinalInterview => "Final interview",
            MarketplaceStage::Offer => "Offer",
            MarketplaceStage::Hired => "Hired",
            MarketplaceStage::Rejected => "Rejected",
            MarketplaceStage::Withdrawn => "Withdrawn",
        }
    }

    /// Rejected and withdrawn end the process rather than advance it.
    pub fn is_outcome(self) -> bool {
        matches!(self, MarketplaceStage::Rejected | MarketplaceStage::Withdrawn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stage_round_trips_through_its_stored_text() {
        for stage in MarketplaceStage::ALL {
            assert_eq!(MarketplaceStage::parse(stage.as_str()), Ok(*stage));
        }
        assert_eq!(MarketplaceStage::ALL.len(), 8);
    }

    #[test]
    fn an_unknown_stage_is_refused_with_its_text() {
        let err = MarketplaceStage::parse("lunch").unwrap_err();
        assert_eq!(err.to_string(), "unknown marketplace stage: lunch");
    }

    #[test]
    fn stages_are_ordered_as_product_md_lists_them() {
        assert!(MarketplaceStage::Accepted < MarketplaceStage::Screening);
        assert!(MarketplaceStage::Offer < MarketplaceStage::Hired);
        assert!(MarketplaceStage::Rejected.is_outcome());
        assert!(!MarketplaceStage::Hired.is_outcome());
    }
}

/// Who moved a candidate from one marketplace stage to another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MoveOrigin {
    /// Accepting the request put them at *Request accepted*.
    Candidate,
    /// A user of the company, in the pipeline.
    Marketplace,
    /// A person in Workable (read back through the mapping).
    Workable,
}
text_enum!(MoveOrigin, "move origin", { Candidate => "candidate", Marketplace => "marketplace", Workable => "workable" });
