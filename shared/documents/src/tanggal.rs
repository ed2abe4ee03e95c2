//! Dates as official Indonesian letters write them out: a Berita Acara opens with "Pada hari
//! ini Senin tanggal tujuh bulan Desember tahun dua ribu dua puluh enam", so that no digit can
//! be altered after signing.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, Utc, Weekday};

/// A moment on the Dinas's clock, for the dates and times on its papers: WIB (UTC+7), where
/// the kabupaten/kota of this system lie (a Dinas in WITA or WIT would date a paper made
/// late at night a day early).
pub fn wib(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&FixedOffset::east_opt(7 * 3600).expect("UTC+7 is an offset"))
        .naive_local()
}

const SATUAN: [&str; 12] = [
    "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
    "sepuluh", "sebelas",
];

/// `n` in Indonesian words (*terbilang*): 11 "sebelas", 15 "lima belas", 100 "seratus",
/// 1000 "seribu", 2026 "dua ribu dua puluh enam".
pub fn terbilang(n: u64) -> String {
    match n {
        0..=11 => SATUAN[n as usize].to_owned(),
        12..=19 => format!("{} belas", SATUAN[(n - 10) as usize]),
        20..=99 => joined(format!("{} puluh", SATUAN[(n / 10) as usize]), n % 10),
        100..=199 => joined("seratus".to_owned(), n - 100),
        200..=999 => joined(format!("{} ratus", terbilang(n / 100)), n % 100),
        1_000..=1_999 => joined("seribu".to_owned(), n - 1_000),
        2_000..=999_999 => joined(format!("{} ribu", terbilang(n / 1_000)), n % 1_000),
        1_000_000..=999_999_999 => {
            joined(format!("{} juta", terbilang(n / 1_000_000)), n % 1_000_000)
        }
        _ => joined(
            format!("{} miliar", terbilang(n / 1_000_000_000)),
            n % 1_000_000_000,
        ),
    }
}

/// `head`, then the words of `rest` unless it is zero.
fn joined(head: String, rest: u64) -> String {
    if rest == 0 {
        head
    } else {
        format!("{head} {}", terbilang(rest))
    }
}

/// The day of the week in Indonesian.
pub fn hari(date: NaiveDate) -> &'static str {
    match date.weekday() {
        Weekday::Mon => "Senin",
        Weekday::Tue => "Selasa",
        Weekday::Wed => "Rabu",
        Weekday::Thu => "Kamis",
        Weekday::Fri => "Jumat",
        Weekday::Sat => "Sabtu",
        Weekday::Sun => "Minggu",
    }
}

/// The month's name in Indonesian.
pub fn bulan(date: NaiveDate) -> &'static str {
    const BULAN: [&str; 12] = [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ];
    BULAN[date.month0() as usize]
}

/// "Senin tanggal tujuh bulan Desember tahun dua ribu dua puluh enam".
pub fn dalam_kata(date: NaiveDate) -> String {
    format!(
        "{} tanggal {} bulan {} tahun {}",
        hari(date),
        terbilang(u64::from(date.day())),
        bulan(date),
        terbilang(date.year().max(0) as u64)
    )
}

/// "7 Desember 2026", as a letter dates its place-and-date line.
pub fn singkat(date: NaiveDate) -> String {
    format!("{} {} {}", date.day(), bulan(date), date.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_the_words_a_letter_writes() {
        for (n, words) in [
            (0, "nol"),
            (1, "satu"),
            (10, "sepuluh"),
            (11, "sebelas"),
            (12, "dua belas"),
            (19, "sembilan belas"),
            (20, "dua puluh"),
            (31, "tiga puluh satu"),
            (100, "seratus"),
            (101, "seratus satu"),
            (111, "seratus sebelas"),
            (250, "dua ratus lima puluh"),
            (1000, "seribu"),
            (1945, "seribu sembilan ratus empat puluh lima"),
            (2026, "dua ribu dua puluh enam"),
            (11_000, "sebelas ribu"),
            (100_000, "seratus ribu"),
            (1_000_000, "satu juta"),
            (2_500_300, "dua juta lima ratus ribu tiga ratus"),
        ] {
            assert_eq!(terbilang(n), words, "{n}");
        }
    }

    #[test]
    fn papers_are_dated_on_the_dinas_s_clock() {
        let late = "2026-12-06T18:30:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(wib(late).to_string(), "2026-12-07 01:30:00");
    }

    #[test]
    fn a_date_is_written_out_with_its_day() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert_eq!(
            dalam_kata(d),
            "Senin tanggal tujuh bulan Desember tahun dua ribu dua puluh enam"
        );
        assert_eq!(singkat(d), "7 Desember 2026");
        let d = NaiveDate::from_ymd_opt(2027, 1, 31).unwrap();
        assert_eq!(
            dalam_kata(d),
            "Minggu tanggal tiga puluh satu bulan Januari tahun dua ribu dua puluh tujuh"
        );
    }

    /// Every day of 2027 against tables written out by hand: the days of the month in words,
    /// the months, and the weekdays counted on from Friday, 1 January 2027.
    #[test]
    fn every_day_of_a_year_is_written_out_right() {
        const TANGGAL: [&str; 31] = [
            "satu",
            "dua",
            "tiga",
            "empat",
            "lima",
            "enam",
            "tujuh",
            "delapan",
            "sembilan",
            "sepuluh",
            "sebelas",
            "dua belas",
            "tiga belas",
            "empat belas",
            "lima belas",
            "enam belas",
            "tujuh belas",
            "delapan belas",
            "sembilan belas",
            "dua puluh",
            "dua puluh satu",
            "dua puluh dua",
            "dua puluh tiga",
            "dua puluh empat",
            "dua puluh lima",
            "dua puluh enam",
            "dua puluh tujuh",
            "dua puluh delapan",
            "dua puluh sembilan",
            "tiga puluh",
            "tiga puluh satu",
        ];
        const BULAN: [(&str, u32); 12] = [
            ("Januari", 31),
            ("Februari", 28),
            ("Maret", 31),
            ("April", 30),
            ("Mei", 31),
            ("Juni", 30),
            ("Juli", 31),
            ("Agustus", 31),
            ("September", 30),
            ("Oktober", 31),
            ("November", 30),
            ("Desember", 31),
        ];
        const HARI: [&str; 7] = [
            "Jumat", "Sabtu", "Minggu", "Senin", "Selasa", "Rabu", "Kamis",
        ];
        let mut nth = 0;
        for (m, (bulan, days)) in BULAN.iter().enumerate() {
            for day in 1..=*days {
                let date = NaiveDate::from_ymd_opt(2027, m as u32 + 1, day).unwrap();
                let wanted = format!(
                    "{} tanggal {} bulan {bulan} tahun dua ribu dua puluh tujuh",
                    HARI[nth % 7],
                    TANGGAL[day as usize - 1]
                );
                assert_eq!(dalam_kata(date), wanted);
                assert_eq!(singkat(date), format!("{day} {bulan} 2027"));
                nth += 1;
            }
        }
        assert_eq!(nth, 365);
    }
}
