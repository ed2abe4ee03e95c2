//! `ktpel nik NIK…`: one line per NIK — valid with region, sex and birth date, or invalid and
//! why. Exit status 1 if any is invalid.

use ktpel_domain::Nik;
use std::io::BufRead;
use std::process::ExitCode;

pub fn run(args: Vec<String>) -> ExitCode {
    let niks: Vec<String> = if args.is_empty() {
        std::io::stdin()
            .lock()
            .lines()
            .map_while(Result::ok)
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect()
    } else {
        args
    };
    let today = chrono::Local::now().date_naive();
    let mut all_valid = true;
    for text in niks {
        println!(
            "{}",
            describe(&text, today).unwrap_or_else(|line| {
                all_valid = false;
                line
            })
        );
    }
    if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `Ok(line)` for a valid NIK, `Err(line)` for an invalid one.
pub fn describe(text: &str, today: chrono::NaiveDate) -> Result<String, String> {
    match Nik::parse(text) {
        Ok(nik) => Ok(format!(
            "{nik} valid {} {} {}",
            nik.region_names(),
            nik.sex(),
            nik.birth_date(today).format("%Y-%m-%d")
        )),
        Err(e) => Err(format!("{text} invalid {e}")),
    }
}
