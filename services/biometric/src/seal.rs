//! Biometric data at rest: sealed with AES-256-GCM (authenticated encryption), so a copied
//! database file or backup yields neither the templates nor, undetected, altered ones.
//!
//! A sealed value is `nonce (12 bytes) ‖ ciphertext+tag`. The key is 32 bytes, given as 64
//! hex digits in the settings or kept in a key file that is created (mode 0600) on first
//! start.

use aes_gcm::{
    Aes256Gcm, Key, Nonce,
    aead::{Aead, KeyInit},
};
use rand::RngCore;
use std::path::Path;

/// Why a key could not be had or a value not opened.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the biometric encryption key must be 64 hex digits (32 bytes)")]
    BadKey,
    #[error("cannot read or create the key file {path}: {source}")]
    KeyFile {
        path: String,
        source: std::io::Error,
    },
    #[error("a sealed record is too short to be one")]
    Truncated,
    #[error("a sealed record does not open with this key: altered, or sealed with another key")]
    Tampered,
}

/// The key that seals and opens biometric records.
#[derive(Clone)]
pub struct SealKey(Key<Aes256Gcm>);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(..)")
    }
}

impl SealKey {
    /// From 64 hex digits.
    pub fn from_hex(hex: &str) -> Result<Self, SealError> {
        let hex = hex.trim();
        if hex.len() != 64 {
            return Err(SealError::BadKey);
        }
        let mut bytes = [0u8; 32];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| SealError::BadKey)?;
        }
        Ok(Self(bytes.into()))
    }

    /// Reads the key file, creating it with a fresh random key if it does not exist.
    pub fn from_file(path: &Path) -> Result<Self, SealError> {
        let io = |source| SealError::KeyFile {
            path: path.display().to_string(),
            source,
        };
        if !path.exists() {
            let mut key = [0u8; 32];
            rand::rng().fill_bytes(&mut key);
            let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
            ktpel_settings::write_secret_file(path, &hex).map_err(io)?;
            tracing::warn!(path = %path.display(), "created a new biometric encryption key; back it up: records sealed with it cannot be opened without it");
        }
        Self::from_hex(&std::fs::read_to_string(path).map_err(io)?)
    }

    /// Seals `plain` under a fresh random nonce.
    pub fn seal(&self, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let cipher = Aes256Gcm::new(&self.0);
        let sealed = cipher
            .encrypt(&Nonce::from(nonce), plain)
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        [nonce.as_slice(), &sealed].concat()
    }

    /// Opens a value made by [`SealKey::seal`], refusing any altered byte.
    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        if sealed.len() < 12 + 16 {
            return Err(SealError::Truncated);
        }
        let (nonce, body) = sealed.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| SealError::Truncated)?;
        Aes256Gcm::new(&self.0)
            .decrypt(&Nonce::from(nonce), body)
            .map_err(|_| SealError::Tampered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SealKey {
        SealKey::from_hex(&"ab".repeat(32)).unwrap()
    }

    #[test]
    fn sealed_data_opens_and_is_not_plain() {
        let sealed = key().seal(b"ten fingerprints");
        assert!(!sealed.windows(6).any(|w| w == b"finger"));
        assert_eq!(key().open(&sealed).unwrap(), b"ten fingerprints");
    }

    #[test]
    fn an_altered_byte_or_another_key_is_detected() {
        let mut sealed = key().seal(b"template");
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(matches!(key().open(&sealed), Err(SealError::Tampered)));
        let other = SealKey::from_hex(&"cd".repeat(32)).unwrap();
        assert!(matches!(
            other.open(&key().seal(b"x")),
            Err(SealError::Tampered)
        ));
        assert!(matches!(key().open(&[1, 2, 3]), Err(SealError::Truncated)));
    }

    #[test]
    fn bad_keys_are_refused() {
        assert!(SealKey::from_hex("abc").is_err());
        assert!(SealKey::from_hex(&"zz".repeat(32)).is_err());
    }

    #[test]
    fn a_key_file_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/biometric.key");
        let a = SealKey::from_file(&path).unwrap();
        let b = SealKey::from_file(&path).unwrap();
        assert_eq!(b.open(&a.seal(b"same key")).unwrap(), b"same key");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
