//! NIK (Nomor Induk Kependudukan), the 16-digit population number.
//!
//! ```text
//!  32 73 01  41 07 90  0001
//!  │  │  │   │  │  │   └ serial, never 0000
//!  │  │  │   │  │  └ year of birth (two digits)
//!  │  │  │   │  └ month of birth
//!  │  │  │   └ day of birth, plus 40 for women
//!  │  │  └ kecamatan ┐
//!  │  └ kab/kota     ├ kode wilayah where the NIK was first issued
//!  └ provinsi        ┘
//! ```
//!
//! [`Nik::parse`] accepts only numbers whose region exists (in today's list or an earlier
//! edition, see [`crate::wilayah`]), whose birth date is a real date, and whose serial is not
//! zero; a value of type [`Nik`] is valid by construction, and deserializing one validates it.

use crate::wilayah::{Edition, KodeWilayah, Level, Wilayah};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A valid NIK.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nik([u8; 16]);

/// Sex as the NIK encodes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum JenisKelamin {
    #[serde(rename = "LAKI-LAKI")]
    LakiLaki,
    #[serde(rename = "PEREMPUAN")]
    Perempuan,
}

impl fmt::Display for JenisKelamin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::LakiLaki => "laki-laki",
            Self::Perempuan => "perempuan",
        })
    }
}

/// Why a text is not a valid NIK. Each reason is its own variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NikError {
    #[error("a NIK has 16 digits, this one has {0} characters")]
    WrongLength(usize),
    #[error("a NIK is digits only: `{character}` at position {position}")]
    NonDigit { position: usize, character: char },
    #[error(
        "NIK region {0} (provinsi, kabupaten/kota, kecamatan) is not in any edition of the Kepmendagri list"
    )]
    UnknownRegion(String),
    #[error("NIK birth date is impossible: {0}")]
    ImpossibleDate(String),
    #[error("NIK serial is 0000, which is never issued")]
    ZeroSerial,
}

impl NikError {
    /// The reason in Bahasa Indonesia, for the desks and the resident.
    pub fn pesan(&self) -> String {
        match self {
            Self::WrongLength(n) => format!("NIK terdiri dari 16 angka, yang diisi {n} karakter"),
            Self::NonDigit {
                position,
                character,
            } => format!("NIK hanya berisi angka: `{character}` pada posisi {position}"),
            Self::UnknownRegion(r) => format!(
                "wilayah NIK {r} (provinsi, kabupaten/kota, kecamatan) tidak ada dalam daftar Kepmendagri"
            ),
            Self::ImpossibleDate(d) => format!("tanggal lahir dalam NIK tidak mungkin: {d}"),
            Self::ZeroSerial => "nomor urut NIK 0000 tidak pernah diterbitkan".to_owned(),
        }
    }
}

impl Nik {
    /// Parses and validates a NIK (see the module docs for every rule).
    pub fn parse(text: &str) -> Result<Self, NikError> {
        let count = text.chars().count();
        if count == 16
            && let Some((position, character)) =
                text.chars().enumerate().find(|(_, c)| !c.is_ascii_digit())
        {
            return Err(NikError::NonDigit {
                position: position + 1,
                character,
            });
        }
        if count != 16 {
            return Err(NikError::WrongLength(count));
        }
        let mut digits = [0u8; 16];
        digits.copy_from_slice(text.as_bytes());
        let nik = Self(digits);
        let region = nik.kecamatan();
        Wilayah::global()
            .resolve(&region)
            .map_err(|_| NikError::UnknownRegion(region.to_string()))?;
        nik.check_date()?;
        if nik.serial() == 0 {
            return Err(NikError::ZeroSerial);
        }
        Ok(nik)
    }

    /// Builds a NIK from its parts (test data and seeding). `kecamatan` must be a kecamatan
    /// code; the result is checked like any parsed NIK.
    pub fn compose(
        kecamatan: &KodeWilayah,
        birth: NaiveDate,
        sex: JenisKelamin,
        serial: u16,
    ) -> Result<Self, NikError> {
        if kecamatan.level() != Level::Kecamatan || serial > 9999 {
            return Err(NikError::UnknownRegion(kecamatan.to_string()));
        }
        let day = birth.day()
            + if sex == JenisKelamin::Perempuan {
                40
            } else {
                0
            };
        let text = format!(
            "{}{:02}{:02}{:02}{:04}",
            kecamatan.digits(),
            day,
            birth.month(),
            birth.year().rem_euclid(100),
            serial
        );
        Self::parse(&text)
    }

    fn number(&self, from: usize, to: usize) -> u32 {
        self.0[from..to]
            .iter()
            .fold(0, |n, d| n * 10 + u32::from(d - b'0'))
    }

    /// The kecamatan where the NIK was first issued.
    pub fn kecamatan(&self) -> KodeWilayah {
        KodeWilayah::parse(self.as_str().get(0..6).unwrap_or_default())
            .expect("six digits are a kecamatan code")
    }

    /// Names of the provinsi, kabupaten/kota and kecamatan, "Jawa Barat / Kota Bandung /
    /// Sukasari", with "(historical: …)" when the code is from an earlier edition.
    pub fn region_names(&self) -> String {
        match Wilayah::global().path(&self.kecamatan()) {
            Ok(path) => {
                let names: Vec<&str> = path.iter().map(|r| r.name.as_str()).collect();
                let mut text = names.join(" / ");
                if let Some(last) = path.last()
                    && let Edition::Historical(decree) = last.edition
                {
                    text.push_str(&format!(" (historical, {decree}"));
                    if let Some(today) = last.today {
                        text.push_str(&format!("; today {today}"));
                    }
                    text.push(')');
                }
                text
            }
            Err(_) => self.kecamatan().to_string(),
        }
    }

    pub fn sex(&self) -> JenisKelamin {
        if self.number(6, 8) > 40 {
            JenisKelamin::Perempuan
        } else {
            JenisKelamin::LakiLaki
        }
    }

    pub fn serial(&self) -> u16 {
        self.number(12, 16) as u16
    }

    /// Day, month and two-digit year as encoded (day without the 40 for women).
    fn birth_parts(&self) -> (u32, u32, i32) {
        let dd = self.number(6, 8);
        let day = if dd > 40 { dd - 40 } else { dd };
        (day, self.number(8, 10), self.number(10, 12) as i32)
    }

    /// The birth date, choosing the century that puts it latest but not after `today`
    /// (the NIK has only two digits of the year).
    pub fn birth_date(&self, today: NaiveDate) -> NaiveDate {
        let (d, m, yy) = self.birth_parts();
        let recent = NaiveDate::from_ymd_opt(2000 + yy, m, d);
        let older = NaiveDate::from_ymd_opt(1900 + yy, m, d);
        match (recent, older) {
            (Some(r), _) if r <= today => r,
            (_, Some(o)) => o,
            (Some(r), None) => r,
            (None, None) => unreachable!("checked at parse: the date is real in one century"),
        }
    }

    fn check_date(&self) -> Result<(), NikError> {
        let (dd_raw, m, yy) = (self.number(6, 8), self.number(8, 10), self.number(10, 12));
        if dd_raw == 0 || dd_raw == 40 || (32..=40).contains(&dd_raw) || dd_raw > 71 {
            return Err(NikError::ImpossibleDate(format!(
                "day field {dd_raw:02} is neither 01–31 (men) nor 41–71 (women)"
            )));
        }
        if !(1..=12).contains(&m) {
            return Err(NikError::ImpossibleDate(format!(
                "month {m:02} does not exist"
            )));
        }
        let (d, m, yy) = (self.birth_parts().0, m, yy as i32);
        let real = NaiveDate::from_ymd_opt(1900 + yy, m, d).is_some()
            || NaiveDate::from_ymd_opt(2000 + yy, m, d).is_some();
        if real {
            Ok(())
        } else {
            Err(NikError::ImpossibleDate(format!(
                "{d:02}-{m:02}-{yy:02} is not a day of the calendar"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("digits are ASCII")
    }
}

impl fmt::Display for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Nik {
    type Err = NikError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Nik {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Nik {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Nik::parse(&s).map_err(|e| serde::de::Error::custom(format!("invalid NIK {s}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_reason_is_said_in_bahasa_indonesia_too() {
        use super::{Nik, NikError};
        assert_eq!(
            Nik::parse("12345").unwrap_err().pesan(),
            "NIK terdiri dari 16 angka, yang diisi 5 karakter"
        );
        assert!(
            Nik::parse("32730101019x0001")
                .unwrap_err()
                .pesan()
                .contains("hanya berisi angka")
        );
        assert!(NikError::ZeroSerial.pesan().contains("0000"));
    }

    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    const TODAY: (i32, u32, u32) = (2026, 11, 25);

    fn today() -> NaiveDate {
        day(TODAY.0, TODAY.1, TODAY.2)
    }

    #[test]
    fn a_womans_nik_gives_her_sex_and_birth_date() {
        let nik = Nik::parse("3273014107900001").unwrap();
        assert_eq!(nik.sex(), JenisKelamin::Perempuan);
        assert_eq!(nik.birth_date(today()), day(1990, 7, 1));
        assert_eq!(nik.serial(), 1);
        assert_eq!(nik.kecamatan().to_string(), "32.73.01");
        assert_eq!(nik.region_names(), "Jawa Barat / Kota Bandung / Sukasari");
    }

    #[test]
    fn a_mans_nik_has_the_plain_day() {
        let nik = Nik::parse("3273010107051234").unwrap();
        assert_eq!(nik.sex(), JenisKelamin::LakiLaki);
        assert_eq!(nik.birth_date(today()), day(2005, 7, 1));
    }

    #[test]
    fn the_century_is_the_latest_not_in_the_future() {
        // Born 1 Dec 26: 2026-12-01 is after today (2026-11-25), so 1926.
        let nik = Nik::parse("3273010112260001").unwrap();
        assert_eq!(nik.birth_date(today()), day(1926, 12, 1));
        let nik = Nik::parse("3273010111260001").unwrap();
        assert_eq!(nik.birth_date(today()), day(2026, 11, 1));
    }

    #[test]
    fn wrong_length_is_refused_with_the_length() {
        assert_eq!(Nik::parse("327301410790"), Err(NikError::WrongLength(12)));
        assert_eq!(Nik::parse(""), Err(NikError::WrongLength(0)));
        assert_eq!(
            Nik::parse("32730141079000011"),
            Err(NikError::WrongLength(17))
        );
        assert!(NikError::WrongLength(12).to_string().contains("12"));
    }

    #[test]
    fn a_non_digit_is_refused_with_its_position() {
        assert_eq!(
            Nik::parse("3273014107900O01"),
            Err(NikError::NonDigit {
                position: 14,
                character: 'O'
            })
        );
        let msg = Nik::parse("32730141079 0001").unwrap_err().to_string();
        assert!(msg.contains("position 12"), "{msg}");
    }

    #[test]
    fn an_unknown_region_is_refused_with_the_code() {
        let err = Nik::parse("9999014107900001").unwrap_err();
        assert_eq!(err, NikError::UnknownRegion("99.99.01".into()));
        assert!(err.to_string().contains("99.99.01"));
    }

    #[test]
    fn impossible_dates_are_refused() {
        for (nik, why) in [
            ("3273013207900001", "day field 32"),
            ("3273010007900001", "day field 00"),
            ("3273014007900001", "day field 40"),
            ("3273017207900001", "day field 72"),
            ("3273010113900001", "month 13"),
            ("3273013102900001", "31-02-90"),
            ("3273016902010001", "29-02-01"), // a woman born 29 Feb 2001 or 1901: neither leap
        ] {
            match Nik::parse(nik) {
                Err(NikError::ImpossibleDate(msg)) => assert!(msg.contains(why), "{nik}: {msg}"),
                other => panic!("{nik}: {other:?}"),
            }
        }
        // 29 Feb 00 is real in 2000 (not in 1900): accepted.
        assert!(Nik::parse("3273012902000001").is_ok());
    }

    #[test]
    fn a_zero_serial_is_refused() {
        assert_eq!(Nik::parse("3273014107900000"), Err(NikError::ZeroSerial));
    }

    #[test]
    fn a_historical_region_is_accepted_and_says_so() {
        // Merauke under the pre-2022 Papua code.
        let nik = Nik::parse("9101014107900001").unwrap();
        let names = nik.region_names();
        assert!(names.contains("historical"), "{names}");
        assert!(
            names.contains("today 93.01.01") || names.contains("today 93.01"),
            "{names}"
        );
    }

    #[test]
    fn serde_validates() {
        let nik: Nik = serde_json::from_str("\"3273014107900001\"").unwrap();
        assert_eq!(serde_json::to_string(&nik).unwrap(), "\"3273014107900001\"");
        let err = serde_json::from_str::<Nik>("\"3273014107900000\"").unwrap_err();
        assert!(err.to_string().contains("serial"), "{err}");
    }

    fn kecamatan() -> impl Strategy<Value = KodeWilayah> {
        prop::sample::select(vec![
            "32.73.01", "11.01.01", "93.01.01", "31.71.01", "51.71.01",
        ])
        .prop_map(|k| KodeWilayah::parse(k).unwrap())
    }

    proptest! {
        #[test]
        fn compose_then_parse_gives_the_same_fields(
            k in kecamatan(),
            days in 0i64..(100 * 365),
            woman in any::<bool>(),
            serial in 1u16..=9999,
        ) {
            let birth = today() - chrono::Duration::days(days);
            let sex = if woman { JenisKelamin::Perempuan } else { JenisKelamin::LakiLaki };
            let nik = Nik::compose(&k, birth, sex, serial).unwrap();
            let again = Nik::parse(&nik.to_string()).unwrap();
            prop_assert_eq!(&again, &nik);
            prop_assert_eq!(again.kecamatan(), k);
            prop_assert_eq!(again.sex(), sex);
            prop_assert_eq!(again.serial(), serial);
            prop_assert_eq!(again.birth_date(today()), birth);
        }

        #[test]
        fn any_text_parses_or_fails_without_panicking(s in "\\PC{0,20}") {
            let _ = Nik::parse(&s);
        }

        #[test]
        fn sixteen_digit_strings_never_panic(s in "[0-9]{16}") {
            if let Ok(nik) = Nik::parse(&s) {
                prop_assert_eq!(nik.to_string(), s);
            }
        }
    }
}
