//! A site's bundle keys: an Ed25519 key that signs the bundles it exports, and an X25519 key
//! (HPKE) that opens the bundles made for it. Both secrets live in one key file (mode 0600),
//! created on first use; only the public halves are ever printed, for the other side to add.

use ed25519_dalek::{SigningKey, VerifyingKey};
use hpke::{Deserializable, Kem as _, Serializable, kem::X25519HkdfSha256};
use rand::RngCore;
use std::{fmt, path::Path, str::FromStr};

pub(crate) type Kem = X25519HkdfSha256;

/// Why a key could not be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read or create the key file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "the key file {path} is not a bundle key file ({reason}); it must hold the lines `sign <64 hex digits>` and `open <64 hex digits>`"
    )]
    Malformed { path: String, reason: String },
    #[error("`{0}` is not a public key: 64 hex digits expected")]
    BadPublic(String),
}

/// A public key (32 bytes), written as 64 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey(pub [u8; 32]);

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({self})")
    }
}

impl FromStr for PublicKey {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(s.trim(), &mut bytes).map_err(|_| KeyError::BadPublic(s.into()))?;
        Ok(Self(bytes))
    }
}

impl serde::Serialize for PublicKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for PublicKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// The two secrets of a site.
pub struct SiteKeys {
    sign: SigningKey,
    open: <Kem as hpke::Kem>::PrivateKey,
}

impl fmt::Debug for SiteKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SiteKeys {{ signing: {}, bundles to: {}, .. }}",
            self.signing_public(),
            self.bundle_public()
        )
    }
}

impl SiteKeys {
    /// Fresh random keys.
    pub fn generate() -> Self {
        let mut seed = [0u8; 32];
        rand::rng().fill_bytes(&mut seed);
        let sign = SigningKey::from_bytes(&seed);
        rand::rng().fill_bytes(&mut seed);
        let (open, _) = Kem::derive_keypair(&seed);
        Self { sign, open }
    }

    /// Reads the key file, creating it with fresh keys (mode 0600) if it does not exist.
    pub fn from_file(path: &Path) -> Result<Self, KeyError> {
        let io = |source| KeyError::File {
            path: path.display().to_string(),
            source,
        };
        if !path.exists() {
            let keys = Self::generate();
            ktpel_settings::write_secret_file(path, &keys.to_file_text()).map_err(io)?;
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        Self::from_file_text(&text).map_err(|reason| KeyError::Malformed {
            path: path.display().to_string(),
            reason,
        })
    }

    fn to_file_text(&self) -> String {
        format!(
            "# KTP-el site bundle keys (S20): keep secret, back up\nsign {}\nopen {}\n",
            hex::encode(self.sign.to_bytes()),
            hex::encode(self.open.to_bytes())
        )
    }

    fn from_file_text(text: &str) -> Result<Self, String> {
        let secret = |name: &str| -> Result<[u8; 32], String> {
            let line = text
                .lines()
                .find_map(|l| l.trim().strip_prefix(name)?.strip_prefix(' '))
                .ok_or_else(|| format!("no `{name}` line"))?;
            let mut bytes = [0u8; 32];
            hex::decode_to_slice(line.trim(), &mut bytes)
                .map_err(|_| format!("the `{name}` line is not 64 hex digits"))?;
            Ok(bytes)
        };
        let sign = SigningKey::from_bytes(&secret("sign")?);
        let open = <Kem as hpke::Kem>::PrivateKey::from_bytes(&secret("open")?)
            .map_err(|_| "the `open` key is not an X25519 key".to_owned())?;
        Ok(Self { sign, open })
    }

    /// What the receiving Server AFIS adds to its trusted sites for this site.
    pub fn signing_public(&self) -> PublicKey {
        PublicKey(self.sign.verifying_key().to_bytes())
    }

    /// What a site exporting to this Server AFIS encrypts for.
    pub fn bundle_public(&self) -> PublicKey {
        let pk = Kem::sk_to_pk(&self.open);
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(&pk.to_bytes());
        PublicKey(bytes)
    }

    pub(crate) fn signing(&self) -> &SigningKey {
        &self.sign
    }

    pub(crate) fn opening(&self) -> &<Kem as hpke::Kem>::PrivateKey {
        &self.open
    }
}

/// An Ed25519 public key as a verifier, if it is one.
pub(crate) fn verifier(key: &PublicKey) -> Option<VerifyingKey> {
    VerifyingKey::from_bytes(&key.0).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_is_created_once_secret_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/site.key");
        let a = SiteKeys::from_file(&path).unwrap();
        let b = SiteKeys::from_file(&path).unwrap();
        assert_eq!(a.signing_public(), b.signing_public());
        assert_eq!(a.bundle_public(), b.bundle_public());
        assert_ne!(a.signing_public(), a.bundle_public());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains(&a.signing_public().to_string()));
    }

    #[test]
    fn a_damaged_key_file_is_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("site.key");
        std::fs::write(&path, "sign abcd\n").unwrap();
        let e = SiteKeys::from_file(&path).unwrap_err().to_string();
        assert!(e.contains("`sign` line is not 64 hex digits"), "{e}");
        std::fs::write(&path, format!("sign {}\n", "ab".repeat(32))).unwrap();
        let e = SiteKeys::from_file(&path).unwrap_err().to_string();
        assert!(e.contains("no `open` line"), "{e}");
    }

    #[test]
    fn public_keys_round_trip_and_bad_ones_are_named() {
        let k = SiteKeys::generate().signing_public();
        assert_eq!(k.to_string().parse::<PublicKey>().unwrap(), k);
        assert!("xyz".parse::<PublicKey>().is_err());
        assert!("ab".repeat(31).parse::<PublicKey>().is_err());
    }
}
