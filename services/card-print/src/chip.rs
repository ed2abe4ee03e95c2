//! The chip of a KTP-el: the resident's data, the photo's digest and the two index-finger
//! templates, signed with the Dinas's Ed25519 key so that a reader can tell a genuine chip
//! from an altered one (S21.2 "Encode", S21.4 "verify").

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use ktpel_contract::registry::Biodata;
use serde::{Deserialize, Serialize};

/// What is written on the chip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChipData {
    pub biodata: Biodata,
    pub photo_sha256: String,
    /// Base64 templates of the right and left index fingers.
    pub right_index: String,
    pub left_index: String,
    pub issued_by: String,
    /// The card's number in the Dinas's card register: a reader asks the register whether
    /// this card is still the valid one (a replaced or lost card is revoked).
    #[serde(default)]
    pub nomor_kartu: String,
}

/// The bytes on the chip: the data and its signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chip {
    pub data: ChipData,
    /// Base64 Ed25519 signature over the JSON of `data`.
    pub signature: String,
}

/// Why a chip was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChipError {
    #[error("the chip cannot be read: {0}")]
    Unreadable(String),
    #[error(
        "the chip's signature does not verify with the Dinas key: the chip was altered or not issued here"
    )]
    BadSignature,
    #[error("the chip does not match the register: {0}")]
    Mismatch(String),
    #[error("the Dinas signing key must be 64 hex digits (32 bytes)")]
    BadKey,
}

use base64::{Engine, engine::general_purpose::STANDARD};

/// Reads a 32-byte key from 64 hex digits.
pub fn signing_key(hex: &str) -> Result<SigningKey, ChipError> {
    let hex = hex.trim();
    if hex.len() != 64 {
        return Err(ChipError::BadKey);
    }
    let mut bytes = [0u8; 32];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| ChipError::BadKey)?;
    }
    Ok(SigningKey::from_bytes(&bytes))
}

impl Chip {
    /// Signs `data` with the Dinas key.
    pub fn encode(data: ChipData, key: &SigningKey) -> Self {
        let bytes = serde_json::to_vec(&data).expect("chip data serializes");
        let signature = STANDARD.encode(key.sign(&bytes).to_bytes());
        Self { data, signature }
    }

    /// The bytes written to the card.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a chip serializes")
    }

    /// Reads bytes back from a card and checks the signature.
    pub fn read(bytes: &[u8], key: &VerifyingKey) -> Result<Self, ChipError> {
        let chip: Chip =
            serde_json::from_slice(bytes).map_err(|e| ChipError::Unreadable(e.to_string()))?;
        let sig = STANDARD
            .decode(&chip.signature)
            .ok()
            .and_then(|s| Signature::from_slice(&s).ok())
            .ok_or(ChipError::BadSignature)?;
        let data = serde_json::to_vec(&chip.data).expect("chip data serializes");
        key.verify(&data, &sig)
            .map_err(|_| ChipError::BadSignature)?;
        Ok(chip)
    }

    /// S21.4: "compare it with the data" — the chip against the register.
    pub fn matches(&self, register: &Biodata) -> Result<(), ChipError> {
        if self.data.biodata != *register {
            return Err(ChipError::Mismatch(format!(
                "chip has {} / {}, the register {} / {}",
                self.data.biodata.nik, self.data.biodata.nama, register.nik, register.nama
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> ChipData {
        ChipData {
            biodata: crate::siti(),
            photo_sha256: "ab".into(),
            right_index: "cmk=".into(),
            left_index: "bGk=".into(),
            issued_by: "op".into(),
            nomor_kartu: "3273-20261125-00001".into(),
        }
    }

    fn key() -> SigningKey {
        signing_key(&"11".repeat(32)).unwrap()
    }

    #[test]
    fn a_chip_reads_back_and_matches_the_register() {
        let bytes = Chip::encode(data(), &key()).to_bytes();
        let chip = Chip::read(&bytes, &key().verifying_key()).unwrap();
        assert_eq!(chip.data, data());
        assert!(chip.matches(&data().biodata).is_ok());
    }

    #[test]
    fn an_altered_chip_or_another_key_fails_the_signature() {
        let mut chip = Chip::encode(data(), &key());
        chip.data.biodata.nama = "Someone Else".into();
        assert_eq!(
            Chip::read(&chip.to_bytes(), &key().verifying_key()),
            Err(ChipError::BadSignature)
        );
        let other = signing_key(&"22".repeat(32)).unwrap();
        let bytes = Chip::encode(data(), &other).to_bytes();
        assert_eq!(
            Chip::read(&bytes, &key().verifying_key()),
            Err(ChipError::BadSignature)
        );
        assert!(matches!(
            Chip::read(b"garbage", &key().verifying_key()),
            Err(ChipError::Unreadable(_))
        ));
    }

    #[test]
    fn a_chip_for_other_data_does_not_match_the_register() {
        let chip = Chip::encode(data(), &key());
        let mut register = data().biodata;
        register.alamat = "Jl. Baru".into();
        assert!(matches!(
            chip.matches(&register),
            Err(ChipError::Mismatch(_))
        ));
    }
}
