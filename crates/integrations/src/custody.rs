//! Token custody: access and refresh tokens are sealed with ChaCha20-Poly1305 before they
//! reach the database. The associated data binds each ciphertext to its company and purpose, so
//! a ciphertext copied to another row does not open.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use domain::CompanyId;
use workable::Secret;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("set ATS_BRIDGE_TOKEN_KEY (32 random bytes, base64) to store Workable tokens in a shared database")]
    Missing,
    #[error("the token key must be 32 bytes, base64-encoded")]
    Malformed,
    #[error("cannot read or create the token key file {path}: {source}")]
    File { path: String, source: std::io::Error },
}

#[derive(Debug, thiserror::Error)]
#[error("a stored token could not be decrypted (wrong key, or the data was altered)")]
pub struct OpenError;

#[derive(Clone)]
pub struct TokenCipher {
    aead: ChaCha20Poly1305,
}

impl std::fmt::Debug for TokenCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCipher([key redacted])")
    }
}

const NONCE_LEN: usize = 12;

impl TokenCipher {
    /// From configuration: 32 bytes, base64.
    pub fn from_base64(key: &str) -> Result<Self, KeyError> {
        let bytes = STANDARD.decode(key.trim()).map_err(|_| KeyError::Malformed)?;
        if bytes.len() != 32 {
            return Err(KeyError::Malformed);
        }
        Ok(TokenCipher { aead: ChaCha20Poly1305::new(Key::from_slice(&bytes)) })
    }

    /// A fresh random key (tests, and the first start of the embedded default).
    pub fn generate() -> (Self, String) {
        let key = ChaCha20Poly1305::generate_key(&mut OsRng);
        (TokenCipher { aead: ChaCha20Poly1305::new(&key) }, STANDARD.encode(key))
    }

    /// The embedded default's key: read from `path`, or generated once into it (mode 0600).
    pub fn load_or_create(path: &Path) -> Result<Self, KeyError> {
        let file_error = |source| KeyError::File { path: path.display().to_string(), source };
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_base64(&text),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let (cipher, encoded) = Self::generate();
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(file_error)?;
                }
                write_private(path, &encoded).map_err(file_error)?;
                Ok(cipher)
            }
            Err(err) => Err(file_error(err)),
        }
    }

    fn aad(company: CompanyId, purpose: &str) -> Vec<u8> {
        format!("ats-bridge:{}:{purpose}", company.0).into_bytes()
    }

    /// nonce ‖ ciphertext
    pub fn seal(&self, company: CompanyId, purpose: &str, secret: &Secret) -> Vec<u8> {
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = Self::aad(company, purpose);
        let sealed = self
            .aead
            .encrypt(&nonce, Payload { msg: secret.expose().as_bytes(), aad: &aad })
            .expect("encryption of a short token cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        out
    }

    pub fn open(&self, company: CompanyId, purpose: &str, bytes: &[u8]) -> Result<Secret, OpenError> {
        if bytes.len() < NONCE_LEN {
            return Err(OpenError);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let aad = Self::aad(company, purpose);
        let plain =
            self.aead.decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad: &aad }).map_err(|_| OpenError)?;
        String::from_utf8(plain).map(Secret::new).map_err(|_| OpenError)
    }
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_token_opens_only_for_its_company_and_purpose() {
        let (cipher, _) = TokenCipher::generate();
        let secret = Secret::new("wat_secret_value");
        let sealed = cipher.seal(CompanyId(1), "access", &secret);
        assert!(!sealed.windows(6).any(|w| w == b"secret"), "no clear text in the ciphertext");
        assert_eq!(cipher.open(CompanyId(1), "access", &sealed).unwrap().expose(), secret.expose());
        assert!(cipher.open(CompanyId(2), "access", &sealed).is_err());
        assert!(cipher.open(CompanyId(1), "refresh", &sealed).is_err());
        let (other, _) = TokenCipher::generate();
        assert!(other.open(CompanyId(1), "access", &sealed).is_err());
    }

    #[test]
    fn the_key_file_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token.key");
        let first = TokenCipher::load_or_create(&path).unwrap();
        let sealed = first.seal(CompanyId(1), "access", &Secret::new("x"));
        let second = TokenCipher::load_or_create(&path).unwrap();
        assert_eq!(second.open(CompanyId(1), "access", &sealed).unwrap().expose(), "x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(TokenCipher::from_base64("short").is_err());
    }
}
