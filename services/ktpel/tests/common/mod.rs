//! What the tests that run `ktpel` as a person would share: a child process that is stopped
//! with the test, Ctrl-C, a free port.

#[allow(dead_code)]
pub mod browser;
#[allow(dead_code)]
pub mod site;

use std::{
    process::{Child, Command},
    time::{Duration, Instant},
};

/// A running `ktpel` (`up`, `demo --http`), killed if the test ends before stopping it.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Running {
    /// Ctrl-C: the process must stop by itself, successfully, within 30 s.
    pub fn ctrl_c(mut self) {
        let pid = self.0.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-INT", &pid])
                .status()
                .expect("kill runs")
                .success()
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(s) = self.0.try_wait().expect("the process's status") {
                break s;
            }
            assert!(Instant::now() < deadline, "ktpel did not stop on Ctrl-C");
            std::thread::sleep(Duration::from_millis(100));
        };
        assert!(status.success(), "ktpel exited with {status}");
    }
}

/// The text of a PDF, as poppler's `pdftotext -layout` reads it (`scripts/services.sh tools`
/// installs poppler-utils): what a person would read on the paper.
#[allow(dead_code)]
pub fn pdf_text(pdf: &[u8]) -> String {
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF: {} bytes", pdf.len());
    let file = tempfile::NamedTempFile::new().expect("a temporary file");
    std::fs::write(file.path(), pdf).expect("the PDF written");
    let read = Command::new("pdftotext")
        .args(["-layout", &file.path().display().to_string(), "-"])
        .output()
        .expect("pdftotext (poppler-utils: scripts/services.sh tools)");
    assert!(
        read.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&read.stderr)
    );
    String::from_utf8_lossy(&read.stdout).into_owned()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}
