//! A minutia and a finger's template.

/// Which finger, numbered as ISO/IEC 19794-2 and ANSI/NIST number them (1 right thumb … 10
/// left little); 0 is not used here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Finger {
    RightThumb = 1,
    RightIndex = 2,
    RightMiddle = 3,
    RightRing = 4,
    RightLittle = 5,
    LeftThumb = 6,
    LeftIndex = 7,
    LeftMiddle = 8,
    LeftRing = 9,
    LeftLittle = 10,
}

impl Finger {
    pub const ALL: [Finger; 10] = [
        Finger::RightThumb,
        Finger::RightIndex,
        Finger::RightMiddle,
        Finger::RightRing,
        Finger::RightLittle,
        Finger::LeftThumb,
        Finger::LeftIndex,
        Finger::LeftMiddle,
        Finger::LeftRing,
        Finger::LeftLittle,
    ];

    /// The ISO/IEC 19794-2 finger position code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The finger of position `code`, if it is one of the ten.
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.get(usize::from(code).checked_sub(1)?).copied()
    }
}

/// What a minutia is: where a ridge ends, or where it forks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Ending,
    Bifurcation,
    /// Recorded as "other" in a record from elsewhere.
    Other,
}

/// One minutia: its place in pixels (origin top left, `y` down), the ridge's direction in
/// degrees (`0..360`, counter-clockwise from the right), its kind and quality (0–100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Minutia {
    pub x: u16,
    pub y: u16,
    pub angle: u16,
    pub kind: Kind,
    pub quality: u8,
}

/// A finger's template: the minutiae found in one impression, with the impression's size and
/// resolution, and the finger's quality (0–100).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub finger: Finger,
    pub width: u16,
    pub height: u16,
    /// Pixels per inch (500 for the station's scanners).
    pub ppi: u16,
    pub quality: u8,
    pub minutiae: Vec<Minutia>,
}
