//! Tokens as a type that cannot leak: no `Serialize`, a `Debug` that hides the value, and the
//! memory wiped when it is dropped (`secrecy`).

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// A secret string (an access or refresh token). Read it with [`Secret::expose`] at the one
/// place it is needed: the `Authorization` header, the token request, the cipher.
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(SecretString::from(value.into()))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_output_never_shows_the_value() {
        let secret = super::Secret::new("wat_abc123");
        assert!(!format!("{secret:?}").contains("abc123"));
    }
}
