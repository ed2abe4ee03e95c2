//! `ktpel nik NIK…`: one line per NIK — valid with region, sex and birth date, or invalid and
//! why. Exit status 1 if any is invalid.

use ktpel_domain::{Nik, NikError};
use std::io::BufRead;
use std::process::ExitCode;

/// Why a NIK given to `ktpel nik` is not one; its text is the line printed for it.
#[derive(Debug, thiserror::Error)]
pub enum NikCmdError {
    #[error("{text} invalid {source}")]
    Invalid { text: String, source: NikError },
}

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
            describe(&text, today).unwrap_or_else(|invalid| {
                all_valid = false;
                invalid.to_string()
            })
        );
    }
    if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `Ok(line)` for a valid NIK; for an invalid one, why (its `Display` is the line).
pub fn describe(text: &str, today: chrono::NaiveDate) -> Result<String, NikCmdError> {
    match Nik::parse(text) {
        Ok(nik) => Ok(format!(
            "{nik} valid {} {} {}",
            nik.region_names(),
            nik.sex(),
            nik.birth_date(today).format("%Y-%m-%d")
        )),
        Err(source) => Err(NikCmdError::Invalid {
            text: text.to_owned(),
            source,
        }),
    }
}
