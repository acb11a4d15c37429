//! Who acts: the one view every use case takes of a signed-in user (marketplace, integrations
//! and the sync engine's person-triggered actions alike).

use crate::{CompanyId, Email, UserId, UserRole};

/// A signed-in user of one company. Every use case scopes what it reads and writes to
/// `company_id` and checks `role` where only a master account may act.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub company_id: CompanyId,
    pub role: UserRole,
    /// Their sign-in email (the Workable member acting for them is the one with this email).
    pub email: Email,
}
