//! What a site is: a place of the procedures with a broker of its own, named by its region.

use ktpel_domain::{KodeWilayah, wilayah::Level};
use std::{fmt, str::FromStr};

/// The three kinds of place (DESIGN.md, "Sites"), plus the laptop default that is all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SiteKind {
    /// Every place on one broker: `ktpel up` on a laptop.
    All,
    /// A kecamatan office: its ppp desk and its enrollment stations.
    Kecamatan,
    /// A Dinas data centre: SIAK, the Dinas desks, card-print, distribution, a Server AFIS.
    Dinas,
    /// The national data centre: deduplication.
    PusatData,
}

impl SiteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Kecamatan => "kecamatan",
            Self::Dinas => "dinas",
            Self::PusatData => "pusat-data",
        }
    }
}

/// A site: its kind and, for a kecamatan or a Dinas, its region code. Only valid pairs can be
/// built (a kecamatan is named by a kecamatan code, a Dinas by a kabupaten/kota code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Site {
    kind: SiteKind,
    code: Option<KodeWilayah>,
}

/// Why a site could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiteError {
    #[error("`{0}` is not a site: write all, pusat-data, kecamatan:<code> or dinas:<code>")]
    Kind(String),
    #[error("site `{site}`: {reason}")]
    Code { site: String, reason: String },
}

impl Site {
    pub const ALL: Site = Site {
        kind: SiteKind::All,
        code: None,
    };
    pub const PUSAT_DATA: Site = Site {
        kind: SiteKind::PusatData,
        code: None,
    };

    /// A kecamatan node; `code` must be a kecamatan (`32.73.01`).
    pub fn kecamatan(code: KodeWilayah) -> Result<Self, SiteError> {
        Self::regional(SiteKind::Kecamatan, code, Level::Kecamatan)
    }

    /// A Dinas data centre; `code` must be a kabupaten/kota (`32.73`).
    pub fn dinas(code: KodeWilayah) -> Result<Self, SiteError> {
        Self::regional(SiteKind::Dinas, code, Level::KabupatenKota)
    }

    fn regional(kind: SiteKind, code: KodeWilayah, level: Level) -> Result<Self, SiteError> {
        if code.level() != level {
            return Err(SiteError::Code {
                site: format!("{}:{code}", kind.as_str()),
                reason: format!("a {} is named by a {level} code", kind.as_str()),
            });
        }
        Ok(Self {
            kind,
            code: Some(code),
        })
    }

    pub fn kind(&self) -> SiteKind {
        self.kind
    }

    /// The region code of a kecamatan or a Dinas; `None` for the Pusat Data and `all`.
    pub fn code(&self) -> Option<KodeWilayah> {
        self.code
    }

    /// The site one level up, whose broker this site links to: a kecamatan's Dinas, a
    /// Dinas's Pusat Data.
    pub fn parent(&self) -> Option<Site> {
        match (self.kind, self.code) {
            (SiteKind::Kecamatan, Some(code)) => code.parent().and_then(|c| Site::dinas(c).ok()),
            (SiteKind::Dinas, _) => Some(Site::PUSAT_DATA),
            _ => None,
        }
    }

    /// A name for broker users, vhosts, shovels and files: `kecamatan-32.73.01`.
    pub fn slug(&self) -> String {
        match self.code {
            Some(code) => format!("{}-{code}", self.kind.as_str()),
            None => self.kind.as_str().to_owned(),
        }
    }
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code {
            Some(code) => write!(f, "{}:{code}", self.kind.as_str()),
            None => f.write_str(self.kind.as_str()),
        }
    }
}

impl FromStr for Site {
    type Err = SiteError;

    fn from_str(text: &str) -> Result<Self, SiteError> {
        let (kind, code) = match text.split_once(':') {
            Some((kind, code)) => (kind, Some(code)),
            None => (text, None),
        };
        let parse = |code: Option<&str>| {
            let code = code.ok_or_else(|| SiteError::Code {
                site: text.to_owned(),
                reason: "give its region code, e.g. kecamatan:32.73.01 or dinas:32.73".into(),
            })?;
            KodeWilayah::parse(code).map_err(|e| SiteError::Code {
                site: text.to_owned(),
                reason: e.to_string(),
            })
        };
        match (kind, code) {
            ("all", None) => Ok(Site::ALL),
            ("pusat-data", None) => Ok(Site::PUSAT_DATA),
            ("kecamatan", code) => Site::kecamatan(parse(code)?),
            ("dinas", code) => Site::dinas(parse(code)?),
            ("all" | "pusat-data", Some(_)) => Err(SiteError::Code {
                site: text.to_owned(),
                reason: format!("{kind} takes no region code"),
            }),
            _ => Err(SiteError::Kind(text.to_owned())),
        }
    }
}

impl serde::Serialize for Site {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Site {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_read_as_written() {
        for text in ["all", "pusat-data", "kecamatan:32.73.01", "dinas:32.73"] {
            assert_eq!(text.parse::<Site>().unwrap().to_string(), text);
        }
        assert_eq!(
            "kecamatan:327301".parse::<Site>().unwrap().to_string(),
            "kecamatan:32.73.01"
        );
    }

    #[test]
    fn a_site_is_named_by_a_code_of_its_level() {
        for bad in [
            "kecamatan:32.73",
            "dinas:32.73.01",
            "kecamatan",
            "dinas:xx",
            "all:32",
            "pusat-data:32.73",
            "kabupaten:32.73",
            "",
        ] {
            assert!(bad.parse::<Site>().is_err(), "{bad}");
        }
        let e = "kecamatan:32.73".parse::<Site>().unwrap_err().to_string();
        assert!(e.contains("named by a kecamatan code"), "{e}");
    }

    #[test]
    fn each_site_links_one_level_up() {
        let kec: Site = "kecamatan:32.73.01".parse().unwrap();
        assert_eq!(kec.parent().unwrap().to_string(), "dinas:32.73");
        assert_eq!(kec.parent().unwrap().parent(), Some(Site::PUSAT_DATA));
        assert_eq!(Site::PUSAT_DATA.parent(), None);
        assert_eq!(Site::ALL.parent(), None);
        assert_eq!(kec.slug(), "kecamatan-32.73.01");
    }
}
