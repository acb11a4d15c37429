//! Signing in with email and password (argon2).

use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use domain::Email;
use storage::UserRecord;

use crate::{Marketplace, MarketplaceError, Result};

/// Failed sign-ins wait this long, whatever the reason, so that guessing is slow and an unknown
/// email cannot be told from a wrong password by timing.
const FAILURE_DELAY: Duration = Duration::from_millis(400);

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 hashes any password").to_string()
}

fn password_matches(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

impl Marketplace {
    /// Checks the credentials; the same error (after the same delay) for an unknown email, a
    /// malformed one and a wrong password.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<UserRecord> {
        let user = match Email::parse(email) {
            Ok(email) => self.db.find_user_by_email(&email).await?,
            Err(_) => None,
        };
        // Verify against a throwaway hash when the user is unknown, so both paths cost the same.
        let hash = user.as_ref().map_or_else(|| DUMMY_HASH.clone(), |u| u.password_hash.clone());
        let password = password.to_owned();
        let matches = tokio::task::spawn_blocking(move || password_matches(&hash, &password)).await.unwrap_or(false);
        match user {
            Some(user) if matches => Ok(user),
            _ => {
                tokio::time::sleep(FAILURE_DELAY).await;
                Err(MarketplaceError::BadCredentials)
            }
        }
    }

    /// The user behind a session, if they still exist.
    pub async fn session_user(&self, user_id: domain::UserId) -> Result<Option<UserRecord>> {
        Ok(self.db.find_user(user_id).await?)
    }
}

static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| hash_password("not a real password"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password("correct horse");
        assert!(hash.starts_with("$argon2id$"));
        assert!(password_matches(&hash, "correct horse"));
        assert!(!password_matches(&hash, "battery staple"));
        assert!(!password_matches("not a hash", "correct horse"));
    }
}
