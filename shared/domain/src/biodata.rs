//! The elements of a resident's biodata beyond those the NIK carries (the region, the date of
//! birth, the sex): agama, status perkawinan, pendidikan, golongan darah, kewarganegaraan and
//! the status hubungan dalam keluarga, each a closed list as SIAK keeps it, with the words the
//! card and the Kartu Keluarga print (`ISLAM`, `BELUM KAWIN`, `-` for a blood type not known).
//! The occupation (pekerjaan) is a line of SIAK's own list, kept as text: the list is long and
//! changes with the regulations; [`PEKERJAAN`] holds the lines the desks offer first.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// A value that is none of the list's, with the list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{element} `{given}` is none of: {allowed}")]
pub struct NotInList {
    pub element: &'static str,
    pub given: String,
    pub allowed: String,
}

/// One closed list: its codes (on the wire and in the database), and the words printed.
macro_rules! closed_list {
    ($(#[$doc:meta])* $name:ident, $element:literal, { $($(#[$vdoc:meta])* $variant:ident = $code:literal, $printed:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $code)] $variant,)+
        }

        impl $name {
            /// Every value, in the list's order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The code on the wire and in the database.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            /// As the card and the Kartu Keluarga print it.
            pub fn printed(self) -> &'static str {
                match self { $($name::$variant => $printed,)+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.printed())
            }
        }

        /// From its code, or from the words printed (any case): what a desk or a file gives.
        impl FromStr for $name {
            type Err = NotInList;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let s = s.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.code() == s || v.printed().eq_ignore_ascii_case(s))
                    .ok_or_else(|| NotInList {
                        element: $element,
                        given: s.to_owned(),
                        allowed: Self::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", "),
                    })
            }
        }
    };
}

closed_list!(
    /// The religion or belief recorded (agama / kepercayaan).
    Agama, "agama", {
        Islam = "islam", "ISLAM";
        Kristen = "kristen", "KRISTEN";
        Katolik = "katolik", "KATOLIK";
        Hindu = "hindu", "HINDU";
        Buddha = "buddha", "BUDDHA";
        Khonghucu = "khonghucu", "KHONGHUCU";
        /// Kepercayaan terhadap Tuhan Yang Maha Esa.
        Kepercayaan = "kepercayaan", "KEPERCAYAAN TERHADAP TUHAN YME";
    }
);

closed_list!(
    /// Marital status (status perkawinan).
    StatusPerkawinan, "status_perkawinan", {
        BelumKawin = "belum_kawin", "BELUM KAWIN";
        Kawin = "kawin", "KAWIN";
        CeraiHidup = "cerai_hidup", "CERAI HIDUP";
        CeraiMati = "cerai_mati", "CERAI MATI";
    }
);

closed_list!(
    /// Blood type (golongan darah); `-` on the card when it is not known.
    GolonganDarah, "golongan_darah", {
        A = "a", "A";
        B = "b", "B";
        Ab = "ab", "AB";
        O = "o", "O";
        TidakTahu = "tidak_tahu", "-";
    }
);

closed_list!(
    /// Citizenship (kewarganegaraan).
    Kewarganegaraan, "kewarganegaraan", {
        Wni = "wni", "WNI";
        Wna = "wna", "WNA";
    }
);

closed_list!(
    /// The last education completed (pendidikan terakhir), as the Kartu Keluarga lists it.
    Pendidikan, "pendidikan", {
        TidakSekolah = "tidak_sekolah", "TIDAK/BELUM SEKOLAH";
        BelumTamatSd = "belum_tamat_sd", "BELUM TAMAT SD/SEDERAJAT";
        Sd = "sd", "TAMAT SD/SEDERAJAT";
        Sltp = "sltp", "SLTP/SEDERAJAT";
        Slta = "slta", "SLTA/SEDERAJAT";
        Diploma12 = "diploma_1_2", "DIPLOMA I/II";
        Diploma3 = "diploma_3", "AKADEMI/DIPLOMA III/S. MUDA";
        Strata1 = "strata_1", "DIPLOMA IV/STRATA I";
        Strata2 = "strata_2", "STRATA II";
        Strata3 = "strata_3", "STRATA III";
    }
);

closed_list!(
    /// The resident's place in the family of their Kartu Keluarga (status hubungan dalam
    /// keluarga).
    Hubungan, "hubungan", {
        KepalaKeluarga = "kepala_keluarga", "KEPALA KELUARGA";
        Suami = "suami", "SUAMI";
        Istri = "istri", "ISTRI";
        Anak = "anak", "ANAK";
        Menantu = "menantu", "MENANTU";
        Cucu = "cucu", "CUCU";
        OrangTua = "orang_tua", "ORANG TUA";
        Mertua = "mertua", "MERTUA";
        FamiliLain = "famili_lain", "FAMILI LAIN";
        Lainnya = "lainnya", "LAINNYA";
    }
);

/// The lines of SIAK's occupation list the desks offer first, and the synthetic population
/// draws from.
pub const PEKERJAAN: &[&str] = &[
    "BELUM/TIDAK BEKERJA",
    "MENGURUS RUMAH TANGGA",
    "PELAJAR/MAHASISWA",
    "PENSIUNAN",
    "PEGAWAI NEGERI SIPIL",
    "TENTARA NASIONAL INDONESIA",
    "KEPOLISIAN RI",
    "PERDAGANGAN",
    "PETANI/PEKEBUN",
    "PETERNAK",
    "NELAYAN/PERIKANAN",
    "INDUSTRI",
    "KONSTRUKSI",
    "TRANSPORTASI",
    "KARYAWAN SWASTA",
    "KARYAWAN BUMN",
    "BURUH HARIAN LEPAS",
    "BURUH TANI/PERKEBUNAN",
    "PEMBANTU RUMAH TANGGA",
    "TUKANG BATU",
    "TUKANG KAYU",
    "PENJAHIT",
    "SOPIR",
    "GURU",
    "DOSEN",
    "DOKTER",
    "BIDAN",
    "PERAWAT",
    "APOTEKER",
    "PEDAGANG",
    "WIRASWASTA",
    "WARTAWAN",
    "USTADZ/MUBALIGH",
    "PENDETA",
    "PERANGKAT DESA",
    "SENIMAN",
];

/// The longest occupation SIAK's list has (in letters): longer is a mistake at the desk.
pub const PEKERJAAN_MAX: usize = 60;

/// Checks an occupation as a desk entered it: not empty, not longer than any line of SIAK's
/// list; printed in capitals.
pub fn pekerjaan(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("pekerjaan kosong".into());
    }
    if s.chars().count() > PEKERJAAN_MAX {
        return Err(format!("pekerjaan `{s}` lebih dari {PEKERJAAN_MAX} huruf"));
    }
    Ok(s.to_uppercase())
}

/// Checks an RT or RW number: one to three digits, printed with three (`007`).
pub fn rt_rw(element: &str, s: &str) -> Result<String, String> {
    let s = s.trim();
    match s.parse::<u16>() {
        Ok(n) if (1..=999).contains(&n) && s.len() <= 3 => Ok(format!("{n:03}")),
        _ => Err(format!("{element} `{s}` bukan nomor 1 sampai 999")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_reads_from_its_code_or_its_printed_words_and_nothing_else() {
        assert_eq!(
            "kawin".parse::<StatusPerkawinan>(),
            Ok(StatusPerkawinan::Kawin)
        );
        assert_eq!(
            "Cerai Hidup".parse::<StatusPerkawinan>(),
            Ok(StatusPerkawinan::CeraiHidup)
        );
        assert_eq!("-".parse::<GolonganDarah>(), Ok(GolonganDarah::TidakTahu));
        let err = "menikah".parse::<StatusPerkawinan>().unwrap_err();
        assert_eq!(err.element, "status_perkawinan");
        assert!(
            err.to_string()
                .contains("belum_kawin, kawin, cerai_hidup, cerai_mati")
        );
    }

    #[test]
    fn every_value_has_a_code_of_its_own_on_the_wire() {
        fn distinct<T: Copy + Serialize>(all: &[T], code: fn(T) -> &'static str) {
            let codes: std::collections::HashSet<_> = all.iter().map(|v| code(*v)).collect();
            assert_eq!(codes.len(), all.len());
            for v in all {
                assert_eq!(
                    serde_json::to_string(v).unwrap(),
                    format!("\"{}\"", code(*v))
                );
            }
        }
        distinct(Agama::ALL, Agama::code);
        distinct(StatusPerkawinan::ALL, StatusPerkawinan::code);
        distinct(GolonganDarah::ALL, GolonganDarah::code);
        distinct(Kewarganegaraan::ALL, Kewarganegaraan::code);
        distinct(Pendidikan::ALL, Pendidikan::code);
        distinct(Hubungan::ALL, Hubungan::code);
    }

    #[test]
    fn an_occupation_and_an_rt_are_checked_as_the_desk_enters_them() {
        assert_eq!(pekerjaan(" guru ").unwrap(), "GURU");
        assert!(pekerjaan("  ").is_err());
        assert!(pekerjaan(&"X".repeat(61)).is_err());
        assert_eq!(rt_rw("RT", "7").unwrap(), "007");
        assert!(rt_rw("RT", "0").is_err());
        assert!(rt_rw("RW", "1000").is_err());
        assert!(rt_rw("RW", "1a").is_err());
    }
}
