//! The bundle file (S20.1–S20.3): one file for removable media.
//!
//! ```text
//! "KTPEL-S20 v1\n"                      magic and format version (13 bytes)
//! u32 big-endian, header (JSON)         who made it, for whom, when, until when, how many
//! u64 big-endian, sealed records        HPKE base mode (RFC 9180: X25519, HKDF-SHA256,
//!                                       AES-256-GCM) for the receiver's bundle key; the
//!                                       header is the associated data
//! 64 bytes                              Ed25519 signature of every byte before it, by the site
//! ```
//!
//! Encrypted, then signed: the receiver checks who made the bundle, and that not one byte
//! changed, before it decrypts anything; the header stays readable (`ktpel backup show`)
//! without any key. A bundle is opened whole or not at all, so an import either has every
//! record or refuses the file with the reason.

use crate::keys::{Kem, PublicKey, SiteKeys, verifier};
use crate::trust::TrustedSites;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer, Verifier};
use hpke::{Deserializable, OpModeR, OpModeS, Serializable, aead::AesGcm256, kdf::HkdfSha256};
use ktpel_domain::KodeWilayah;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use uuid::Uuid;

const MAGIC: &[u8] = b"KTPEL-S20 v1\n";
/// The HPKE `info`: binds the keys to this use.
const INFO: &[u8] = b"ktpel S20 offline backup bundle v1";
const ENCAPPED_LEN: usize = 32;
const SIGNATURE_LEN: usize = 64;

/// What a bundle says of itself, readable without a key (and signed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub bundle_id: Uuid,
    /// The site that exported it (its kecamatan code).
    pub site: String,
    pub created_at: DateTime<Utc>,
    /// After this, no Server AFIS takes it: export again.
    pub expires_at: DateTime<Utc>,
    pub records: u64,
    /// The site's signing key (checked against the receiver's trusted sites, never trusted
    /// from here).
    pub signer: PublicKey,
    /// The bundle key of the Server AFIS it was made for.
    pub recipient: PublicKey,
}

/// Why a bundle was refused. Nothing of a refused bundle is imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("not an S20 bundle (it does not begin with `KTPEL-S20`)")]
    NotABundle,
    #[error("bundle format `{0}` is not one this Server AFIS reads (v1)")]
    Version(String),
    #[error(
        "truncated: the file ends after {have} bytes, its own lengths need {need}; copy it again from the exporting site"
    )]
    Truncated { have: usize, need: usize },
    #[error("altered after export: {0}")]
    Tampered(String),
    #[error(
        "from a site this Server AFIS does not know: {0}; add it with `ktpel backup trust` if it is one of yours"
    )]
    Foreign(String),
    #[error(
        "made for another Server AFIS (bundle key {recipient}, this one's is {ours}); export again for this one"
    )]
    NotForUs {
        recipient: PublicKey,
        ours: PublicKey,
    },
    #[error("expired at {expires_at} (made {created_at}); export again at the site")]
    Expired {
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    },
}

/// Writes `records` as a bundle of `site`, signed with its keys, for the Server AFIS whose
/// bundle key is `recipient`, valid until `expires_at`.
pub fn seal<R: Serialize>(
    keys: &SiteKeys,
    site: &KodeWilayah,
    recipient: &PublicKey,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    records: &[R],
) -> Result<(Header, Vec<u8>), SealError> {
    let header = Header {
        bundle_id: Uuid::now_v7(),
        site: site.to_string(),
        created_at,
        expires_at,
        records: records.len() as u64,
        signer: keys.signing_public(),
        recipient: *recipient,
    };
    let header_json = serde_json::to_vec(&header).map_err(|e| SealError(e.to_string()))?;
    let plain = serde_json::to_vec(records).map_err(|e| SealError(e.to_string()))?;
    let pk = <Kem as hpke::Kem>::PublicKey::from_bytes(&recipient.0)
        .map_err(|_| SealError(format!("{recipient} is not an X25519 bundle key")))?;
    let (encapped, sealed) = hpke::single_shot_seal::<AesGcm256, HkdfSha256, Kem, _>(
        &OpModeS::Base,
        &pk,
        INFO,
        &plain,
        &header_json,
        &mut rand::rng(),
    )
    .map_err(|e| SealError(e.to_string()))?;
    let mut out = Vec::with_capacity(MAGIC.len() + 12 + header_json.len() + sealed.len() + 96);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(header_json.len() as u32).to_be_bytes());
    out.extend_from_slice(&header_json);
    out.extend_from_slice(&((ENCAPPED_LEN + sealed.len()) as u64).to_be_bytes());
    out.extend_from_slice(&encapped.to_bytes());
    out.extend_from_slice(&sealed);
    let signature = keys.signing().sign(&out);
    out.extend_from_slice(&signature.to_bytes());
    Ok((header, out))
}

/// The records could not be sealed (a key that is not one, a record that is not JSON).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot make the bundle: {0}")]
pub struct SealError(pub String);

/// The parts of a bundle file, lengths checked, nothing verified yet.
struct Parts<'a> {
    header_json: &'a [u8],
    encapped: &'a [u8],
    sealed: &'a [u8],
    signed: &'a [u8],
    signature: &'a [u8],
}

fn split(file: &[u8]) -> Result<Parts<'_>, BundleError> {
    let prefix = b"KTPEL-S20 ";
    if file.len() < prefix.len() || &file[..prefix.len()] != prefix {
        return Err(BundleError::NotABundle);
    }
    if file.len() < MAGIC.len() || &file[..MAGIC.len()] != MAGIC {
        let version = file[prefix.len()..]
            .split(|b| *b == b'\n')
            .next()
            .map(|v| String::from_utf8_lossy(&v[..v.len().min(16)]).into_owned())
            .unwrap_or_default();
        return Err(BundleError::Version(version));
    }
    let need = |need: usize| {
        if file.len() < need {
            Err(BundleError::Truncated {
                have: file.len(),
                need,
            })
        } else {
            Ok(())
        }
    };
    let mut at = MAGIC.len();
    need(at + 4)?;
    let header_len = u32::from_be_bytes(file[at..at + 4].try_into().expect("4 bytes")) as usize;
    at += 4;
    need(at + header_len + 8)?;
    let header_json = &file[at..at + header_len];
    at += header_len;
    let sealed_len = u64::from_be_bytes(file[at..at + 8].try_into().expect("8 bytes"));
    at += 8;
    let sealed_len = usize::try_from(sealed_len).unwrap_or(usize::MAX);
    let end = at
        .checked_add(sealed_len)
        .and_then(|e| e.checked_add(SIGNATURE_LEN))
        .unwrap_or(usize::MAX);
    need(end)?;
    if sealed_len < ENCAPPED_LEN {
        return Err(BundleError::Tampered("the sealed part is too short".into()));
    }
    if file.len() > end {
        return Err(BundleError::Tampered(format!(
            "{} bytes follow the signature",
            file.len() - end
        )));
    }
    Ok(Parts {
        header_json,
        encapped: &file[at..at + ENCAPPED_LEN],
        sealed: &file[at + ENCAPPED_LEN..at + sealed_len],
        signed: &file[..at + sealed_len],
        signature: &file[at + sealed_len..end],
    })
}

/// Reads the header of a bundle without checking anything but its shape (to show it).
pub fn peek(file: &[u8]) -> Result<Header, BundleError> {
    let parts = split(file)?;
    serde_json::from_slice(parts.header_json)
        .map_err(|e| BundleError::Tampered(format!("the header is unreadable ({e})")))
}

/// A bundle that passed every check, and its records.
#[derive(Debug)]
pub struct Opened<R> {
    pub header: Header,
    pub site: KodeWilayah,
    pub records: Vec<R>,
}

/// Opens a bundle at the Server AFIS whose keys are `keys`, taking bundles from `trusted`,
/// at time `now`. Every check comes before anything is decrypted or returned.
pub fn open<R: DeserializeOwned>(
    file: &[u8],
    keys: &SiteKeys,
    trusted: &TrustedSites,
    now: DateTime<Utc>,
) -> Result<Opened<R>, BundleError> {
    let parts = split(file)?;
    let signature = Signature::from_slice(parts.signature)
        .map_err(|_| BundleError::Tampered("the signature is not an Ed25519 signature".into()))?;
    let header: Option<Header> = serde_json::from_slice(parts.header_json).ok();
    // Signed by the key the header names? If not, bytes changed after export (whatever the
    // header now says about the site).
    let self_consistent = header
        .as_ref()
        .and_then(|h| verifier(&h.signer))
        .is_some_and(|v| v.verify(parts.signed, &signature).is_ok());
    let Some(header) = header.filter(|_| self_consistent) else {
        return Err(BundleError::Tampered(
            "the signature does not match the contents".into(),
        ));
    };
    let site = KodeWilayah::parse(&header.site)
        .map_err(|e| BundleError::Foreign(format!("site `{}`: {e}", header.site)))?;
    match trusted.get(&site) {
        None => {
            return Err(BundleError::Foreign(format!(
                "site {site} is not among its trusted sites"
            )));
        }
        Some(k) if *k != header.signer => {
            return Err(BundleError::Foreign(format!(
                "signed by {}, which is not the key of site {site} ({k})",
                header.signer
            )));
        }
        Some(_) => {}
    }
    let ours = keys.bundle_public();
    if header.recipient != ours {
        return Err(BundleError::NotForUs {
            recipient: header.recipient,
            ours,
        });
    }
    if now > header.expires_at {
        return Err(BundleError::Expired {
            created_at: header.created_at,
            expires_at: header.expires_at,
        });
    }
    let encapped = <Kem as hpke::Kem>::EncappedKey::from_bytes(parts.encapped)
        .map_err(|_| BundleError::Tampered("the encapsulated key is not one".into()))?;
    let plain = hpke::single_shot_open::<AesGcm256, HkdfSha256, Kem>(
        &OpModeR::Base,
        keys.opening(),
        &encapped,
        INFO,
        parts.sealed,
        parts.header_json,
    )
    .map_err(|_| {
        BundleError::Tampered("the records do not decrypt with this Server AFIS's key".into())
    })?;
    let records: Vec<R> = serde_json::from_slice(&plain)
        .map_err(|e| BundleError::Tampered(format!("the records are unreadable ({e})")))?;
    if records.len() as u64 != header.records {
        return Err(BundleError::Tampered(format!(
            "the header counts {} records, the bundle holds {}",
            header.records,
            records.len()
        )));
    }
    Ok(Opened {
        header,
        site,
        records,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Rec {
        id: u32,
        nik: String,
    }

    fn coblong() -> KodeWilayah {
        KodeWilayah::parse("32.73.01").unwrap()
    }

    struct World {
        site: SiteKeys,
        afis: SiteKeys,
        trusted: TrustedSites,
        records: Vec<Rec>,
    }

    fn world() -> World {
        let site = SiteKeys::generate();
        let afis = SiteKeys::generate();
        let trusted = TrustedSites::default().with(coblong(), site.signing_public());
        let records = (0..50)
            .map(|id| Rec {
                id,
                nik: format!("3273010101900{id:03}"),
            })
            .collect();
        World {
            site,
            afis,
            trusted,
            records,
        }
    }

    fn bundle(w: &World) -> Vec<u8> {
        let now = Utc::now();
        seal(
            &w.site,
            &coblong(),
            &w.afis.bundle_public(),
            now,
            now + Duration::days(30),
            &w.records,
        )
        .unwrap()
        .1
    }

    fn opened(w: &World, file: &[u8]) -> Result<Opened<Rec>, BundleError> {
        open(file, &w.afis, &w.trusted, Utc::now())
    }

    #[test]
    fn a_bundle_opens_at_its_server_afis_with_every_record() {
        let w = world();
        let file = bundle(&w);
        let o = opened(&w, &file).unwrap();
        assert_eq!(o.records, w.records);
        assert_eq!(o.site, coblong());
        assert_eq!(o.header.records, 50);
        assert_eq!(peek(&file).unwrap(), o.header);
        // Encrypted: no NIK is readable in the file.
        assert!(!file.windows(13).any(|x| x == b"3273010101900"));
    }

    #[test]
    fn every_single_byte_changed_is_refused() {
        let w = world();
        let file = bundle(&w);
        // Every byte past the magic (those are "not a bundle"/version), one at a time.
        for i in (MAGIC.len()..file.len()).step_by(7).chain([file.len() - 1]) {
            let mut bad = file.clone();
            bad[i] ^= 0x01;
            let e = opened(&w, &bad).expect_err(&format!("byte {i} changed"));
            assert!(
                matches!(e, BundleError::Tampered(_) | BundleError::Truncated { .. }),
                "byte {i}: {e}"
            );
        }
    }

    #[test]
    fn a_truncated_bundle_says_so() {
        let w = world();
        let file = bundle(&w);
        for len in [0, 5, MAGIC.len() + 2, 40, file.len() / 2, file.len() - 1] {
            let e = opened(&w, &file[..len]).unwrap_err();
            assert!(
                matches!(e, BundleError::Truncated { .. } | BundleError::NotABundle),
                "{len}: {e}"
            );
        }
        let e = opened(&w, &file[..file.len() - 1]).unwrap_err();
        assert!(e.to_string().starts_with("truncated"), "{e}");
        let mut longer = file.clone();
        longer.push(0);
        assert!(matches!(opened(&w, &longer), Err(BundleError::Tampered(_))));
    }

    #[test]
    fn a_bundle_from_an_unknown_site_or_key_is_foreign() {
        let w = world();
        let file = bundle(&w);
        let nobody = TrustedSites::default();
        let e = open::<Rec>(&file, &w.afis, &nobody, Utc::now()).unwrap_err();
        assert!(matches!(e, BundleError::Foreign(_)), "{e}");
        assert!(e.to_string().contains("32.73.01"), "{e}");
        // The right site code, but another key than the one trusted for it.
        let other = TrustedSites::default().with(coblong(), SiteKeys::generate().signing_public());
        let e = open::<Rec>(&file, &w.afis, &other, Utc::now()).unwrap_err();
        assert!(
            e.to_string().contains("not the key of site 32.73.01"),
            "{e}"
        );
    }

    #[test]
    fn a_bundle_for_another_server_afis_is_refused() {
        let w = world();
        let file = bundle(&w);
        let elsewhere = SiteKeys::generate();
        let e = open::<Rec>(&file, &elsewhere, &w.trusted, Utc::now()).unwrap_err();
        assert!(matches!(e, BundleError::NotForUs { .. }), "{e}");
    }

    #[test]
    fn an_expired_bundle_is_refused() {
        let w = world();
        let file = bundle(&w);
        let later = Utc::now() + Duration::days(31);
        let e = open::<Rec>(&file, &w.afis, &w.trusted, later).unwrap_err();
        assert!(matches!(e, BundleError::Expired { .. }), "{e}");
    }

    #[test]
    fn another_file_or_version_is_named() {
        let w = world();
        assert_eq!(
            opened(&w, b"PK\x03\x04 a zip file").unwrap_err(),
            BundleError::NotABundle
        );
        let mut v2 = bundle(&w);
        v2[MAGIC.len() - 2] = b'2';
        assert_eq!(
            opened(&w, &v2).unwrap_err(),
            BundleError::Version("v2".into())
        );
    }

    #[test]
    fn a_re_signed_bundle_from_another_key_is_foreign_not_accepted() {
        // Someone who takes a real bundle and signs it with a key of their own, header and
        // all rewritten to name that key: still not the site's key.
        let w = world();
        let mallory = SiteKeys::generate();
        let now = Utc::now();
        let (_, file) = seal(
            &mallory,
            &coblong(),
            &w.afis.bundle_public(),
            now,
            now + Duration::days(1),
            &w.records,
        )
        .unwrap();
        assert!(matches!(opened(&w, &file), Err(BundleError::Foreign(_))));
    }
}
