//! Values parsed at the boundary: once constructed they are known to be well formed.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("{what} is required")]
    Empty { what: &'static str },
    #[error("{what} is too long (at most {max} characters)")]
    TooLong { what: &'static str, max: usize },
    #[error("{value:?} is not a valid email address")]
    InvalidEmail { value: String },
    #[error("unknown {what}: {value}")]
    Unknown { what: &'static str, value: String },
}

/// A field of a form (or a use case's argument) that is wrong, and what to do about it: the one
/// shape every layer reports it in, down to the browser, which shows the message by the field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), message: message.into() }
    }
}

/// An email address, trimmed and lower-cased so that lookups compare like with like.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let value = raw.trim().to_lowercase();
        if value.is_empty() {
            return Err(ParseError::Empty { what: "Email" });
        }
        if value.len() > 254 {
            return Err(ParseError::TooLong { what: "Email", max: 254 });
        }
        let valid = match value.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
                    && !value.chars().any(char::is_whitespace)
            }
            None => false,
        };
        if valid { Ok(Email(value)) } else { Err(ParseError::InvalidEmail { value: raw.trim().to_owned() }) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn bounded(raw: &str, what: &'static str, max: usize) -> Result<String, ParseError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(ParseError::Empty { what });
    }
    if value.chars().count() > max {
        return Err(ParseError::TooLong { what, max });
    }
    Ok(value.to_owned())
}

/// A role's title as shown to candidates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleTitle(String);

impl RoleTitle {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        bounded(raw, "Title", 120).map(RoleTitle)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a role is based ("Berlin, Germany", "Remote (EU)").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location(String);

impl Location {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        bounded(raw, "Location", 120).map(Location)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(Email::parse("  Ada@Example.COM ").unwrap().as_str(), "ada@example.com");
    }

    #[test]
    fn malformed_emails_are_refused() {
        for raw in ["", "ada", "ada@", "@example.com", "ada@example", "a da@example.com", "a@b@c.com"] {
            assert!(Email::parse(raw).is_err(), "{raw:?} should be refused");
        }
    }

    #[test]
    fn titles_must_be_present_and_short() {
        assert_eq!(RoleTitle::parse("   "), Err(ParseError::Empty { what: "Title" }));
        assert!(RoleTitle::parse(&"x".repeat(121)).is_err());
        assert_eq!(RoleTitle::parse(" Rust engineer ").unwrap().as_str(), "Rust engineer");
    }
}
