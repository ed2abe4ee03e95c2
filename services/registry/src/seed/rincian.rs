//! The synthetic population's other elements (agama, status perkawinan, pendidikan,
//! pekerjaan, golongan darah, the family's relations and the parents' names), plausible for
//! each member's age and place in the family.
//!
//! They are drawn from generators of their own, seeded from the KK and the NIK, after the
//! family is made: the names, NIKs and families of a seed stay what they were before the
//! register kept these elements.
//!
//! The shares are round figures of the national ones (BPS, the 2020 census and SUSENAS), as
//! far as a test population needs them: agama Islam 87 %, Kristen 7 %, Katolik 3 %, Hindu
//! 1.7 %, Buddha 0.7 %; blood type unknown to a fifth of residents, else O, B, A, AB; fewer
//! years of school the older the resident.

use chrono::{Datelike, NaiveDate};
use ktpel_contract::registry::{Biodata, Rincian};
use ktpel_domain::{
    JenisKelamin,
    biodata::{Agama, GolonganDarah, Hubungan, Kewarganegaraan, Pendidikan, StatusPerkawinan},
};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};

/// Picks from `(value, weight)` pairs.
fn weighted<T: Copy>(rng: &mut StdRng, table: &[(T, u32)]) -> T {
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut at = rng.random_range(0..total);
    for (v, w) in table {
        if at < *w {
            return *v;
        }
        at -= w;
    }
    table[table.len() - 1].0
}

/// A generator of its own for `key` (a KK number, a NIK).
fn rng_of(key: &str) -> StdRng {
    // FNV-1a: stable across runs and platforms, unlike the standard hasher.
    let seed = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    StdRng::seed_from_u64(seed)
}

fn age(born: NaiveDate, today: NaiveDate) -> i32 {
    let years = today.year() - born.year();
    if (today.month(), today.day()) < (born.month(), born.day()) {
        years - 1
    } else {
        years
    }
}

/// Each member's place in the family: the eldest heads it; the next eldest of the other sex,
/// less than 20 years apart, is the spouse; a member 15 or more years younger than the head
/// is a child; anyone else, family.
fn relations(family: &[Biodata]) -> Vec<Hubungan> {
    let mut order: Vec<usize> = (0..family.len()).collect();
    order.sort_by_key(|i| family[*i].tanggal_lahir);
    let mut relation = vec![Hubungan::FamiliLain; family.len()];
    let head = &family[order[0]];
    relation[order[0]] = Hubungan::KepalaKeluarga;
    let years_younger = |p: &Biodata| (p.tanggal_lahir - head.tanggal_lahir).num_days() / 365;
    let spouse = order[1..].iter().copied().find(|i| {
        family[*i].jenis_kelamin != head.jenis_kelamin && years_younger(&family[*i]) < 20
    });
    if let Some(s) = spouse {
        relation[s] = match family[s].jenis_kelamin {
            JenisKelamin::Perempuan => Hubungan::Istri,
            JenisKelamin::LakiLaki => Hubungan::Suami,
        };
    }
    for &i in &order[1..] {
        if Some(i) != spouse && years_younger(&family[i]) >= 15 {
            relation[i] = Hubungan::Anak;
        }
    }
    relation
}

fn status(
    rng: &mut StdRng,
    relation: Hubungan,
    married_couple: bool,
    age: i32,
) -> StatusPerkawinan {
    use StatusPerkawinan::*;
    match relation {
        Hubungan::Istri | Hubungan::Suami => Kawin,
        Hubungan::KepalaKeluarga if married_couple => Kawin,
        Hubungan::KepalaKeluarga if age >= 55 => {
            weighted(rng, &[(CeraiMati, 5), (CeraiHidup, 2), (Kawin, 3)])
        }
        Hubungan::KepalaKeluarga if age >= 30 => weighted(
            rng,
            &[(BelumKawin, 3), (CeraiHidup, 3), (CeraiMati, 1), (Kawin, 3)],
        ),
        _ if age < 25 => weighted(rng, &[(BelumKawin, 9), (Kawin, 1)]),
        _ => weighted(rng, &[(BelumKawin, 5), (Kawin, 4), (CeraiHidup, 1)]),
    }
}

fn pendidikan(rng: &mut StdRng, age: i32) -> Pendidikan {
    use Pendidikan::*;
    if age >= 60 {
        weighted(
            rng,
            &[
                (TidakSekolah, 15),
                (BelumTamatSd, 20),
                (Sd, 35),
                (Sltp, 12),
                (Slta, 12),
                (Strata1, 6),
            ],
        )
    } else if age >= 40 {
        weighted(
            rng,
            &[
                (BelumTamatSd, 8),
                (Sd, 30),
                (Sltp, 20),
                (Slta, 28),
                (Diploma3, 4),
                (Strata1, 9),
                (Strata2, 1),
            ],
        )
    } else if age >= 23 {
        weighted(
            rng,
            &[
                (Sd, 12),
                (Sltp, 18),
                (Slta, 40),
                (Diploma12, 3),
                (Diploma3, 7),
                (Strata1, 17),
                (Strata2, 2),
                (Strata3, 1),
            ],
        )
    } else {
        weighted(rng, &[(Sltp, 35), (Slta, 60), (Diploma12, 5)])
    }
}

fn pekerjaan(
    rng: &mut StdRng,
    age: i32,
    relation: Hubungan,
    pendidikan: Pendidikan,
) -> &'static str {
    if age >= 60 {
        return weighted(
            rng,
            &[
                ("PENSIUNAN", 3),
                ("PETANI/PEKEBUN", 3),
                ("MENGURUS RUMAH TANGGA", 3),
                ("WIRASWASTA", 1),
            ],
        );
    }
    if age < 23 {
        return weighted(
            rng,
            &[
                ("PELAJAR/MAHASISWA", 7),
                ("BELUM/TIDAK BEKERJA", 2),
                ("KARYAWAN SWASTA", 1),
            ],
        );
    }
    if relation == Hubungan::Istri && rng.random_bool(0.4) {
        return "MENGURUS RUMAH TANGGA";
    }
    match pendidikan {
        Pendidikan::Strata1 | Pendidikan::Strata2 | Pendidikan::Strata3 | Pendidikan::Diploma3 => {
            weighted(
                rng,
                &[
                    ("KARYAWAN SWASTA", 5),
                    ("PEGAWAI NEGERI SIPIL", 3),
                    ("GURU", 2),
                    ("WIRASWASTA", 2),
                    ("DOKTER", 1),
                    ("PERAWAT", 1),
                    ("DOSEN", 1),
                ],
            )
        }
        _ => WORK.choose(rng).copied().expect("not empty"),
    }
}

/// The occupations of residents with fewer years of school, each as likely.
const WORK: &[&str] = &[
    "KARYAWAN SWASTA",
    "WIRASWASTA",
    "PEDAGANG",
    "BURUH HARIAN LEPAS",
    "PETANI/PEKEBUN",
    "SOPIR",
    "TUKANG BATU",
    "PENJAHIT",
    "PERDAGANGAN",
    "BELUM/TIDAK BEKERJA",
];

/// A parent's name for someone whose parents are not in the family: a given name of that sex
/// and the family name.
fn parent(rng: &mut StdRng, sex: JenisKelamin, family_name: &str) -> String {
    let given = match sex {
        JenisKelamin::LakiLaki => super::GIVEN_MALE,
        JenisKelamin::Perempuan => super::GIVEN_FEMALE,
    };
    format!("{} {family_name}", given.choose(rng).expect("not empty"))
}

/// Gives each member of `family` (sharing a KK and an address at RT `rt`, RW `rw`) the other
/// elements, as of `today`.
pub(super) fn fill(family: &mut [Biodata], rt: u16, rw: u16, today: NaiveDate) {
    if family.is_empty() {
        return;
    }
    let mut kk = rng_of(&family[0].no_kk);
    let agama = weighted(
        &mut kk,
        &[
            (Agama::Islam, 8700),
            (Agama::Kristen, 700),
            (Agama::Katolik, 300),
            (Agama::Hindu, 170),
            (Agama::Buddha, 70),
            (Agama::Khonghucu, 5),
            (Agama::Kepercayaan, 5),
        ],
    );
    let relation = relations(family);
    let married_couple = relation
        .iter()
        .any(|r| matches!(r, Hubungan::Istri | Hubungan::Suami));
    let named = |h: &[Hubungan], wanted: &[Hubungan], sex: JenisKelamin| {
        h.iter()
            .zip(family.iter())
            .find(|(r, p)| wanted.contains(r) && p.jenis_kelamin == sex)
            .map(|(_, p)| p.nama.clone())
    };
    let parents_of_children = (
        named(
            &relation,
            &[Hubungan::KepalaKeluarga, Hubungan::Suami],
            JenisKelamin::LakiLaki,
        ),
        named(
            &relation,
            &[Hubungan::KepalaKeluarga, Hubungan::Istri],
            JenisKelamin::Perempuan,
        ),
    );
    for (p, relation) in family.iter_mut().zip(relation) {
        let mut own = rng_of(p.nik.as_str());
        let age = age(p.tanggal_lahir, today);
        let family_name = p.nama.rsplit(' ').next().unwrap_or_default().to_owned();
        let pendidikan = pendidikan(&mut own, age);
        let (ayah, ibu) = match (relation, &parents_of_children) {
            (Hubungan::Anak, (Some(a), Some(i))) => (a.clone(), i.clone()),
            (Hubungan::Anak, (Some(a), None)) => {
                (a.clone(), parent(&mut own, JenisKelamin::Perempuan, ""))
            }
            (Hubungan::Anak, (None, Some(i))) => (
                parent(&mut own, JenisKelamin::LakiLaki, &family_name),
                i.clone(),
            ),
            _ => (
                parent(&mut own, JenisKelamin::LakiLaki, &family_name),
                parent(&mut own, JenisKelamin::Perempuan, ""),
            ),
        };
        p.rincian = Some(Rincian {
            rt: format!("{rt:03}"),
            rw: format!("{rw:03}"),
            agama,
            status_perkawinan: status(&mut own, relation, married_couple, age),
            pekerjaan: pekerjaan(&mut own, age, relation, pendidikan).to_owned(),
            kewarganegaraan: Kewarganegaraan::Wni,
            golongan_darah: weighted(
                &mut own,
                &[
                    (GolonganDarah::TidakTahu, 20),
                    (GolonganDarah::O, 30),
                    (GolonganDarah::B, 23),
                    (GolonganDarah::A, 21),
                    (GolonganDarah::Ab, 6),
                ],
            ),
            pendidikan,
            hubungan: relation,
            nama_ayah: ayah.trim().to_owned(),
            nama_ibu: ibu.trim().to_owned(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn population() -> Vec<Biodata> {
        super::super::generate(&"32.73".parse().unwrap(), 3000, 11).unwrap()
    }

    #[test]
    fn every_family_has_one_head_a_spouse_of_the_other_sex_and_children_younger_by_15_years() {
        let people = population();
        let mut families: HashMap<&str, Vec<&Biodata>> = HashMap::new();
        for p in &people {
            families.entry(&p.no_kk).or_default().push(p);
        }
        let rincian = |p: &Biodata| p.rincian.clone().expect("every element");
        for members in families.values() {
            let heads: Vec<_> = members
                .iter()
                .filter(|p| rincian(p).hubungan == Hubungan::KepalaKeluarga)
                .collect();
            assert_eq!(heads.len(), 1, "{members:?}");
            let head = heads[0];
            for p in members {
                let r = rincian(p);
                assert_eq!((r.rt.len(), r.rw.len()), (3, 3));
                assert_eq!(r.agama, rincian(head).agama, "a family shares its religion");
                match r.hubungan {
                    Hubungan::Istri | Hubungan::Suami => {
                        assert_ne!(p.jenis_kelamin, head.jenis_kelamin);
                        assert_eq!(r.status_perkawinan, StatusPerkawinan::Kawin);
                        assert_eq!(rincian(head).status_perkawinan, StatusPerkawinan::Kawin);
                    }
                    Hubungan::Anak => {
                        assert!((p.tanggal_lahir - head.tanggal_lahir).num_days() >= 15 * 365);
                        if head.jenis_kelamin == JenisKelamin::LakiLaki {
                            assert_eq!(r.nama_ayah, head.nama);
                        }
                    }
                    _ => {}
                }
                assert!(!r.nama_ayah.is_empty() && !r.nama_ibu.is_empty());
            }
        }
    }

    #[test]
    fn the_shares_are_those_of_the_country_and_of_each_age() {
        let people = population();
        let n = people.len() as f64;
        let share = |f: &dyn Fn(&Rincian) -> bool| {
            people
                .iter()
                .filter(|p| f(p.rincian.as_ref().unwrap()))
                .count() as f64
                / n
        };
        let islam = share(&|r| r.agama == Agama::Islam);
        assert!((0.80..0.94).contains(&islam), "Islam {islam}");
        let unknown_blood = share(&|r| r.golongan_darah == GolonganDarah::TidakTahu);
        assert!((0.15..0.25).contains(&unknown_blood), "{unknown_blood}");
        let today = chrono::Utc::now().date_naive();
        for p in &people {
            let r = p.rincian.as_ref().unwrap();
            let age = age(p.tanggal_lahir, today);
            if r.pekerjaan == "PELAJAR/MAHASISWA" {
                assert!(age < 23, "a student of {age}");
            }
            if r.pekerjaan == "PENSIUNAN" {
                assert!(age >= 60, "retired at {age}");
            }
            if age < 23 {
                assert!(
                    !matches!(r.pendidikan, Pendidikan::Strata2 | Pendidikan::Strata3),
                    "a master's at {age}"
                );
            }
            assert_eq!(r.kewarganegaraan, Kewarganegaraan::Wni);
        }
    }

    #[test]
    fn a_seed_gives_the_same_population_every_time() {
        assert_eq!(population(), population());
    }
}
