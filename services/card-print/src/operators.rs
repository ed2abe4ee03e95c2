//! Who acts at BCardMgmt (S21.1: "log in with the operator's username and password"). People
//! sign in with the site's one account store (`ktpel user add`, the desks' `/login`); here is
//! what each desk role may do at the print desk: the print operator (`cetak`) encodes, prints
//! and verifies, the `kepala_seksi` approves, the `admin` may take either part.

use ktpel_web::{Role as DeskRole, accounts::Account};

/// The two parts at BCardMgmt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Encodes, prints and verifies cards.
    Operator,
    /// Checks printed cards against the berkas and approves them.
    KepalaSeksi,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Operator => "operator",
            Self::KepalaSeksi => "kepala_seksi",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A signed-in person taking part at the print desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub username: String,
    pub role: Role,
}

/// Why an account may not take a part at the print desk.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("account {username} has the {role} role: the print desk is for cetak and kepala_seksi")]
pub struct NotAtPrintDesk {
    pub username: String,
    pub role: DeskRole,
}

impl Session {
    /// `account` at BCardMgmt, taking a step that is `step`'s part: the part its role plays
    /// (the admin plays the step's). A role of another desk plays none.
    pub fn of(account: &Account, step: Role) -> Result<Self, NotAtPrintDesk> {
        let role = match account.role {
            DeskRole::Cetak => Role::Operator,
            DeskRole::KepalaSeksi => Role::KepalaSeksi,
            DeskRole::Admin => step,
            role => {
                return Err(NotAtPrintDesk {
                    username: account.username.clone(),
                    role,
                });
            }
        };
        Ok(Self {
            username: account.username.clone(),
            role,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(role: DeskRole) -> Account {
        Account {
            username: "ani".into(),
            role,
            kecamatan: None,
            disabled: false,
        }
    }

    #[test]
    fn each_desk_role_plays_its_part_at_the_print_desk() {
        let part = |r, step| Session::of(&account(r), step).map(|s| s.role);
        assert_eq!(part(DeskRole::Cetak, Role::KepalaSeksi), Ok(Role::Operator));
        assert_eq!(
            part(DeskRole::KepalaSeksi, Role::Operator),
            Ok(Role::KepalaSeksi)
        );
        assert_eq!(
            part(DeskRole::Admin, Role::KepalaSeksi),
            Ok(Role::KepalaSeksi)
        );
        assert_eq!(part(DeskRole::Admin, Role::Operator), Ok(Role::Operator));
        for other in [
            DeskRole::Ppp,
            DeskRole::Operator,
            DeskRole::Siak,
            DeskRole::Ops,
        ] {
            let err = Session::of(&account(other), Role::Operator).unwrap_err();
            assert_eq!(err.role, other);
            assert!(err.to_string().contains("print desk"), "{err}");
        }
    }
}
