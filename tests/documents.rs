//! Every paper as a print shop would receive it: each document made for residents with the
//! hardest data there is (apostrophes in names, addresses long enough to wrap, the longest
//! kecamatan and desa names of the region list), then read back with Debian's tools.
//! `pdftotext` finds every element; `pdftotext -bbox` finds no word outside the page's text
//! area (and on the card, no value running into the photo's column); the card's pages are
//! exactly ID-1; `qpdf --check` finds no error; the photo on the card is the enrollment's,
//! pixel for pixel.

use chrono::NaiveDate;
use ktpel_biometric::station::{Person, portrait, signature_trace};
use ktpel_card_print::face::{self, Beside};
use ktpel_contract::registry::{Biodata, Rincian};
use ktpel_documents::{
    BeritaAcara, BuktiPerekaman, KartuKeluarga, SalinanPermohonan, SuratPindah, TandaTerima,
    berita_acara::{Desa, Kartu},
    kartu_keluarga::{Anggota, RincianAnggota},
    surat_pindah::Pindah,
    tanggal,
};
use ktpel_domain::{
    JenisKelamin, KodeWilayah, Nik, Wilayah,
    biodata::{
        Agama, GolonganDarah, Hubungan, Kewarganegaraan, PEKERJAAN, Pendidikan, StatusPerkawinan,
    },
    wilayah::Level,
};
use ktpel_tests::pdf::{Pdf, pixels, squeezed};
use sha2::{Digest, Sha256};

/// A4's margins left and right (2.5 cm), and the card's (8 pt).
const A4_MARGIN: f32 = 70.9;
const CARD_MARGIN: f32 = 8.0;
/// ID-1 in points (85.60 × 53.98 mm).
const ID_1: (f32, f32) = (242.65, 153.01);
/// Where the card's right column (photo, issue, signature) starts: the margin and 172 pt.
const PHOTO_COLUMN: f32 = CARD_MARGIN + 172.0;

/// Where the card's heading ends, from its top: the margin, two lines of 6.5 pt, the rule.
const HEADING: f32 = 6.0 + 2.0 * 6.5 * 1.35 + 4.0;

/// Names with apostrophes, as SIAK holds them.
const NAMA: &str = "MUHAMMAD NUR'AINI ABDUL MU'IN KUSUMAWARDHANI PUTRA";
const NAMA_AYAH: &str = "H. ABDUL MU'IN BIN SYAMSUDDIN";
const NAMA_IBU: &str = "NUR'AINI BINTI MA'RUF";
/// An address long enough to wrap wherever it is printed.
const ALAMAT: &str =
    "JL. KH. ABDUL MU'IN GG. H. SYAMSUDDIN NO. 123 BLOK C-17 KOMPLEKS GRIYA ASRI PERMAI";

/// The region of the list at `level` with the longest name, and that name.
fn longest(level: Level, within: Option<KodeWilayah>) -> (KodeWilayah, String) {
    let w = Wilayah::global();
    w.names(level)
        .filter(|(k, _)| within.is_none_or(|p| k.lineage().contains(&p)))
        .map(|(k, name)| (k, name.to_owned()))
        .max_by_key(|(k, name)| (name.chars().count(), k.digits()))
        .expect("regions at every level")
}

/// The longest pekerjaan of SIAK's list.
fn longest_pekerjaan() -> String {
    PEKERJAAN
        .iter()
        .max_by_key(|p| p.len())
        .expect("a list")
        .to_string()
}

/// A resident of `desa` with the hardest data.
fn resident(desa: KodeWilayah) -> Biodata {
    let digits = desa.digits();
    let nik = Nik::parse(&format!("{}4107900001", &digits[..6])).expect("a NIK");
    let (kabupaten_lahir, _) = longest(Level::KabupatenKota, None);
    Biodata {
        nik,
        nama: NAMA.into(),
        no_kk: format!("{}0101100001", &digits[..6]),
        jenis_kelamin: JenisKelamin::Perempuan,
        tempat_lahir: Wilayah::global().name_of(&kabupaten_lahir.to_string()),
        tanggal_lahir: NaiveDate::from_ymd_opt(1990, 7, 1).expect("a date"),
        alamat: ALAMAT.into(),
        desa: desa.to_string(),
        rincian: Some(Rincian {
            rt: "012".into(),
            rw: "034".into(),
            agama: Agama::Kepercayaan,
            status_perkawinan: StatusPerkawinan::CeraiHidup,
            pekerjaan: longest_pekerjaan(),
            kewarganegaraan: Kewarganegaraan::Wni,
            golongan_darah: GolonganDarah::Ab,
            pendidikan: Pendidikan::Diploma3,
            hubungan: Hubungan::KepalaKeluarga,
            nama_ayah: NAMA_AYAH.into(),
            nama_ibu: NAMA_IBU.into(),
        }),
    }
}

/// The residents the documents are made for: one in the kecamatan with the longest name (in
/// its longest-named desa), one in the desa with the longest name of all.
fn residents() -> Vec<Biodata> {
    let (kecamatan, _) = longest(Level::Kecamatan, None);
    let (in_kecamatan, _) = longest(Level::DesaKelurahan, Some(kecamatan));
    let (desa, _) = longest(Level::DesaKelurahan, None);
    vec![resident(in_kecamatan), resident(desa)]
}

/// The names of the resident's desa, kecamatan, kabupaten and provinsi.
fn places(b: &Biodata) -> [String; 4] {
    let desa = KodeWilayah::parse(&b.desa).expect("a desa");
    let lineage = desa.lineage();
    let name = |i: usize| Wilayah::global().name_of(&lineage[i].to_string());
    [name(3), name(2), name(1), name(0)]
}

/// Reads `pdf` back: qpdf finds no error, every value is in the text, every word is inside
/// the page and its side margins. Returns the file for more checks.
///
/// With `KTPEL_DOCUMENTS_KEEP=DIR`, each document is also written to DIR, to look at.
fn read_back(document: &str, pdf: &[u8], margin: f32, values: &[String]) -> Pdf {
    if let Ok(dir) = std::env::var("KTPEL_DOCUMENTS_KEEP") {
        let name = format!("{}-{:08x}.pdf", document.replace(' ', "-"), pdf.len());
        std::fs::write(std::path::Path::new(&dir).join(name), pdf).expect("kept");
    }
    let file = Pdf::new(pdf);
    if let Err(report) = file.qpdf_check() {
        panic!("{document}: qpdf --check: {report}");
    }
    let text = squeezed(&file.text()).to_uppercase();
    for value in values {
        assert!(
            text.contains(&squeezed(value).to_uppercase()),
            "{document}: `{value}` is not read back from\n{}",
            file.text()
        );
    }
    let sizes = file.page_sizes();
    let words = file.words();
    assert!(!words.is_empty(), "{document}: no text");
    for w in &words {
        let (width, height) = sizes[w.page - 1];
        // Half a point for the rounding of poppler's boxes.
        let inside = w.x_min >= margin - 0.5
            && w.x_max <= width - margin + 0.5
            && w.y_min >= 0.0
            && w.y_max <= height;
        assert!(inside, "{document}: a word outside the text area: {w:?}");
    }
    file
}

#[test]
fn the_card_shows_every_element_inside_id_1_with_the_enrollments_photo() {
    for b in residents() {
        let person = Person::of(&b.nik);
        let photo = portrait(&person, "photo");
        let beside = Beside {
            nomor_kartu: Some("3273-20261207-00001".into()),
            photo_sha256: Sha256::digest(&photo)
                .iter()
                .map(|x| format!("{x:02x}"))
                .collect(),
            pas_foto: Some(photo.clone()),
            tanda_tangan: Some(signature_trace(&person, "signature")),
        };
        let pdf = face::pdf(&b, &beside).expect("the card fits");
        let mut values: Vec<String> = face::fields(&b).into_iter().map(|(_, v)| v).collect();
        values.extend(["KOTA BANDUNG".into(), "07-12-2026".into()]);
        values.push("3273-20261207-00001".into());
        values.push(beside.photo_sha256.clone());
        let file = read_back("the card", &pdf, CARD_MARGIN, &values);
        assert_eq!(file.page_sizes(), vec![ID_1, ID_1], "front and back, ID-1");
        // Under the heading (PROVINSI and KABUPATEN/KOTA, across the card), no value runs
        // into the photo's column.
        for w in file
            .words()
            .iter()
            .filter(|w| w.page == 1 && w.y_min > HEADING)
        {
            assert!(
                w.x_min >= PHOTO_COLUMN || w.x_max <= PHOTO_COLUMN,
                "runs into the photo: {w:?}"
            );
        }
        // The photo printed is the station's, pixel for pixel.
        let images = file.images();
        assert_eq!(images.len(), 1, "one photo");
        let (printed, taken) = (pixels(&images[0]), pixels(&photo));
        assert_eq!((printed.0, printed.1), (96, 128));
        assert_eq!(
            Sha256::digest(&printed.2),
            Sha256::digest(&taken.2),
            "the enrollment's photo"
        );
    }
}

/// A photo whose digest is not the one the chip carries (a mix-up of two residents' files)
/// is not printed: its place shows the digest the chip carries instead.
#[test]
fn a_photo_that_is_not_the_enrollments_is_not_printed() {
    let b = residents().remove(0);
    let other = portrait(&Person("someone else".into()), "photo");
    let beside = Beside {
        nomor_kartu: None,
        photo_sha256: "ab".repeat(32),
        pas_foto: Some(other),
        tanda_tangan: None,
    };
    let file = Pdf::new(&face::pdf(&b, &beside).expect("the card"));
    assert!(file.images().is_empty(), "no photo printed");
    assert!(squeezed(&file.text()).contains(&"ab".repeat(8)));
}

/// The check itself fails where it should: a word outside the margin is found.
#[test]
#[should_panic(expected = "a word outside the text area")]
fn a_word_past_the_margin_is_caught() {
    let b = residents().remove(0);
    let pdf = face::pdf(&b, &Beside::default()).expect("the card");
    // The card read as if its margins were A4's: its text is outside them.
    read_back("the card", &pdf, A4_MARGIN, &[]);
}

#[test]
fn the_counters_and_the_stations_papers() {
    for b in residents() {
        let [desa, kecamatan, kabupaten, _] = places(&b);
        let kode = KodeWilayah::parse(&b.desa).expect("a desa").lineage()[2].to_string();
        let tanggal = NaiveDate::from_ymd_opt(2026, 12, 7).expect("a date");
        let salinan = SalinanPermohonan {
            nomor_berkas: format!("{}-20261207-0001", &b.nik.as_str()[..6]),
            prosedur: "S01 Penerbitan KTP-el baru (penduduk pemula)".into(),
            nik: b.nik.to_string(),
            nama: b.nama.clone(),
            kecamatan: kecamatan.clone(),
            kecamatan_kode: kode.clone(),
            dokumen: vec![
                "Fotokopi Kartu Keluarga".into(),
                format!("Surat pengantar dari {desa}, Kecamatan {kecamatan}"),
            ],
            petugas: "petugas-loket-1".into(),
            tanggal,
        };
        read_back(
            "the salinan permohonan",
            &salinan.pdf().expect("a PDF"),
            A4_MARGIN,
            &[
                salinan.nomor_berkas.clone(),
                salinan.prosedur.clone(),
                b.nik.to_string(),
                NAMA.into(),
                kecamatan.clone(),
                kode.clone(),
                salinan.dokumen[1].clone(),
                "petugas-loket-1".into(),
                tanggal::singkat(tanggal),
            ],
        );
        let bukti = BuktiPerekaman {
            nomor_bukti: "BP-0193a5c4e5e37d2a8f1b2c3d4e5f6a7b".into(),
            nomor_berkas: salinan.nomor_berkas.clone(),
            nik: b.nik.to_string(),
            kecamatan: kecamatan.clone(),
            kecamatan_kode: kode.clone(),
            operator: "operator-perekaman-1".into(),
            direkam: tanggal.and_hms_opt(9, 41, 0).expect("a time"),
        };
        read_back(
            "the bukti perekaman",
            &bukti.pdf().expect("a PDF"),
            A4_MARGIN,
            &[
                bukti.nomor_bukti.clone(),
                bukti.nomor_berkas.clone(),
                b.nik.to_string(),
                kecamatan.clone(),
                "operator-perekaman-1".into(),
                "09:41".into(),
            ],
        );
        let terima = TandaTerima {
            nomor_berkas: salinan.nomor_berkas.clone(),
            nomor_kartu: "3273-20261207-00001".into(),
            nik: b.nik.to_string(),
            nama: b.nama.clone(),
            tempat: format!("Kantor Kecamatan {kecamatan}, {kabupaten}"),
            penerima: NAMA_IBU.into(),
            petugas: "petugas-distribusi-1".into(),
            diserahkan: tanggal.and_hms_opt(14, 5, 0).expect("a time"),
        };
        read_back(
            "the tanda terima",
            &terima.pdf().expect("a PDF"),
            A4_MARGIN,
            &[
                terima.nomor_berkas.clone(),
                terima.nomor_kartu.clone(),
                b.nik.to_string(),
                NAMA.into(),
                terima.tempat.clone(),
                NAMA_IBU.into(),
                "petugas-distribusi-1".into(),
                tanggal::dalam_kata(tanggal),
            ],
        );
    }
}

#[test]
fn the_dinas_papers() {
    for b in residents() {
        let [desa, kecamatan, kabupaten, provinsi] = places(&b);
        let kode = KodeWilayah::parse(&b.desa).expect("a desa").lineage()[2].to_string();
        let tanggal = NaiveDate::from_ymd_opt(2026, 12, 7).expect("a date");
        let berita = BeritaAcara {
            nomor: "474.11/0001/DISDUKCAPIL/XII/2026".into(),
            tanggal,
            kabupaten: kabupaten.clone(),
            provinsi: provinsi.clone(),
            kecamatan_kode: kode.clone(),
            kecamatan: kecamatan.clone(),
            petugas: "petugas-distribusi-1".into(),
            desa: vec![Desa {
                kode: b.desa.clone(),
                nama: desa.clone(),
                kartu: (1..=3)
                    .map(|i| Kartu {
                        nik: b.nik.to_string(),
                        nama: format!("{NAMA} {i}"),
                        nomor_berkas: format!("{}-20261207-000{i}", &b.nik.as_str()[..6]),
                    })
                    .collect(),
            }],
        };
        read_back(
            "the berita acara",
            &berita.pdf().expect("a PDF"),
            A4_MARGIN,
            &[
                berita.nomor.clone(),
                tanggal::dalam_kata(tanggal),
                kecamatan.clone(),
                desa.clone(),
                b.desa.clone(),
                format!("{NAMA} 3"),
                berita.desa[0].kartu[2].nomor_berkas.clone(),
                "tiga".into(),
                "petugas-distribusi-1".into(),
            ],
        );
        let rincian = b.rincian.clone().expect("rincian");
        let anggota = Anggota {
            nik: b.nik.to_string(),
            nama: b.nama.clone(),
            jenis_kelamin: b.jenis_kelamin.to_string(),
            tempat_lahir: b.tempat_lahir.clone(),
            tanggal_lahir: b.tanggal_lahir,
            rincian: Some(RincianAnggota {
                agama: rincian.agama.printed().into(),
                pendidikan: rincian.pendidikan.printed().into(),
                pekerjaan: rincian.pekerjaan.clone(),
                golongan_darah: rincian.golongan_darah.printed().into(),
                status_perkawinan: rincian.status_perkawinan.printed().into(),
                hubungan: rincian.hubungan.printed().into(),
                kewarganegaraan: rincian.kewarganegaraan.printed().into(),
                nama_ayah: NAMA_AYAH.into(),
                nama_ibu: NAMA_IBU.into(),
            }),
        };
        let kk = KartuKeluarga {
            no_kk: b.no_kk.clone(),
            alamat: format!("{ALAMAT} RT 012/RW 034"),
            desa: desa.clone(),
            desa_kode: b.desa.clone(),
            kecamatan: kecamatan.clone(),
            kabupaten: kabupaten.clone(),
            provinsi: provinsi.clone(),
            anggota: vec![anggota.clone()],
        };
        let r = anggota.rincian.clone().expect("rincian");
        read_back(
            "the kartu keluarga",
            &kk.pdf().expect("a PDF"),
            A4_MARGIN,
            &[
                b.no_kk.clone(),
                kk.alamat.clone(),
                desa.clone(),
                kecamatan.clone(),
                kabupaten.clone(),
                provinsi.clone(),
                NAMA.into(),
                b.nik.to_string(),
                b.tempat_lahir.clone(),
                tanggal::singkat(b.tanggal_lahir),
                r.agama,
                r.pendidikan,
                r.pekerjaan,
                r.golongan_darah,
                r.status_perkawinan,
                r.hubungan,
                NAMA_AYAH.into(),
                NAMA_IBU.into(),
            ],
        );
        let (ke_kecamatan, ke) = longest(Level::Kecamatan, None);
        let surat = SuratPindah {
            nomor: "SKPWNI/3273/07122026/0001".into(),
            tanggal,
            provinsi: provinsi.clone(),
            dari: kecamatan.clone(),
            dari_kode: kode.clone(),
            ke: ke.clone(),
            ke_kode: ke_kecamatan.to_string(),
            anggota: vec![Pindah {
                nik: b.nik.to_string(),
                nama: b.nama.clone(),
                tempat_lahir: b.tempat_lahir.clone(),
                tanggal_lahir: b.tanggal_lahir,
            }],
        };
        read_back(
            "the surat keterangan pindah",
            &surat.pdf().expect("a PDF"),
            A4_MARGIN,
            &[
                surat.nomor.clone(),
                tanggal::dalam_kata(tanggal),
                kecamatan.clone(),
                ke.clone(),
                ke_kecamatan.to_string(),
                b.nik.to_string(),
                NAMA.into(),
                b.tempat_lahir.clone(),
                tanggal::singkat(b.tanggal_lahir),
            ],
        );
    }
}
