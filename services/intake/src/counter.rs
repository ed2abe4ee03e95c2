//! What the counter enters, made into the berkas it hands to intake: shared by the web
//! counter ([`crate::loket`]) and `ktpel intake submit`.

use ktpel_contract::registry::{FormulirBiodata, Kedatangan};
use ktpel_domain::{KodeWilayah, Nik};

/// The kecamatan a berkas is entered under when the desk has none of its own: the desa of
/// arrival's (S15–S17: the family applies where it arrives), else the NIK's, else, for a
/// resident not yet registered (S04/S05), the desa of the Formulir Biodata's.
pub fn kecamatan_of(
    nik: Option<&Nik>,
    biodata: Option<&FormulirBiodata>,
    kedatangan: Option<&Kedatangan>,
) -> Option<KodeWilayah> {
    let of_desa = |desa: &str| KodeWilayah::parse(desa).ok()?.parent();
    kedatangan
        .and_then(|k| of_desa(&k.desa))
        .or_else(|| nik.map(Nik::kecamatan))
        .or_else(|| biodata.and_then(|b| of_desa(&b.desa)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrival_then_nik_then_the_new_residents_desa() {
        let nik: Nik = "3273010107051234".parse().unwrap();
        let arrival = Kedatangan {
            desa: "32.73.02.1001".into(),
            alamat: "Jl. Baru 1".into(),
        };
        assert_eq!(
            kecamatan_of(Some(&nik), None, Some(&arrival)).map(|k| k.to_string()),
            Some("32.73.02".to_owned())
        );
        assert_eq!(
            kecamatan_of(Some(&nik), None, None).map(|k| k.to_string()),
            Some("32.73.01".to_owned())
        );
        assert_eq!(kecamatan_of(None, None, None), None);
    }
}
