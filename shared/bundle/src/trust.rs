//! The sites a Server AFIS takes bundles from: a text file, one line a site, `<site code>
//! <signing key>`, like SSH's `known_hosts`. A bundle from a site that is not here, or signed
//! by another key than the one here, is foreign and imports nothing.

use crate::keys::PublicKey;
use ktpel_domain::KodeWilayah;
use std::{collections::BTreeMap, path::Path};

/// Why the trust file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("cannot read or write the trusted sites file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}, line {line}: {reason} (each line: `<site code> <64 hex digits>`)")]
    Line {
        path: String,
        line: usize,
        reason: String,
    },
}

/// The trusted sites and their signing keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedSites(BTreeMap<KodeWilayah, PublicKey>);

impl TrustedSites {
    /// Reads `path`; a file that does not exist trusts nobody yet.
    pub fn load(path: &Path) -> Result<Self, TrustError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => {
                return Err(TrustError::File {
                    path: path.display().to_string(),
                    source,
                });
            }
        };
        let mut sites = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |reason: String| TrustError::Line {
                path: path.display().to_string(),
                line: i + 1,
                reason,
            };
            let mut words = line.split_whitespace();
            let (Some(site), Some(key), None) = (words.next(), words.next(), words.next()) else {
                return Err(bad("two words expected".into()));
            };
            let site = KodeWilayah::parse(site).map_err(|e| bad(e.to_string()))?;
            let key = key
                .parse()
                .map_err(|e: crate::KeyError| bad(e.to_string()))?;
            sites.insert(site, key);
        }
        Ok(Self(sites))
    }

    /// Trusts `site` with `key` in `path` (replacing a key it had), keeping the other lines.
    pub fn add(path: &Path, site: KodeWilayah, key: PublicKey) -> Result<Self, TrustError> {
        let mut sites = Self::load(path)?;
        sites.0.insert(site, key);
        let mut text = String::from(
            "# Sites whose S20 bundles this Server AFIS imports: <site code> <signing key>\n",
        );
        for (s, k) in &sites.0 {
            text.push_str(&format!("{s} {k}\n"));
        }
        let io = |source| TrustError::File {
            path: path.display().to_string(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        // Written aside and renamed: a crash never leaves half a trust file.
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, text).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)?;
        Ok(sites)
    }

    /// Trusts `site` with `key` (in memory).
    pub fn with(mut self, site: KodeWilayah, key: PublicKey) -> Self {
        self.0.insert(site, key);
        self
    }

    pub fn get(&self, site: &KodeWilayah) -> Option<&PublicKey> {
        self.0.get(site)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&KodeWilayah, &PublicKey)> {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SiteKeys;

    #[test]
    fn sites_are_added_replaced_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trusted-sites");
        assert_eq!(TrustedSites::load(&path).unwrap(), TrustedSites::default());
        let (a, b) = (SiteKeys::generate(), SiteKeys::generate());
        let coblong = KodeWilayah::parse("32.73.01").unwrap();
        TrustedSites::add(&path, coblong, a.signing_public()).unwrap();
        TrustedSites::add(&path, coblong, b.signing_public()).unwrap();
        let sites = TrustedSites::load(&path).unwrap();
        assert_eq!(sites.get(&coblong), Some(&b.signing_public()));
        assert_eq!(sites.iter().count(), 1);
    }

    #[test]
    fn a_bad_line_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trusted-sites");
        std::fs::write(&path, "# ok\n32.73.01 nothex\n").unwrap();
        let e = TrustedSites::load(&path).unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
        std::fs::write(&path, format!("3x.73 {}\n", "ab".repeat(32))).unwrap();
        assert!(TrustedSites::load(&path).is_err());
    }
}
