//! Who may act over the HTTP face: the NID Scheduler's controls (`POST /scheduler/{action}`)
//! are the operator's, a berkas with a resident's name and NIK (`GET /berkas/{nomor}`) the
//! ppp's. Each role has a bearer token in one file (`http.tokens_file`, a line `role token`
//! each; mode 0600), made with fresh random tokens on the first start when missing — so the
//! desk commands run beside `ktpel up` find them, and nobody else on the network gets in. In
//! a cluster the file is a mounted secret. Tokens are compared in constant time. `/health`,
//! `/ready`, `/status`, `/scheduler` and `/` stay open and carry no personal data.

use std::{fmt, path::Path};
use subtle::ConstantTimeEq;

/// A role that may act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Runs the Server AFIS: pauses, resumes and runs the NID Scheduler (S19).
    Operator,
    /// At the counter: looks up a berkas, its resident's name and NIK.
    Ppp,
}

impl Role {
    const ALL: [Role; 2] = [Role::Operator, Role::Ppp];

    fn name(self) -> &'static str {
        match self {
            Self::Operator => "operator",
            Self::Ppp => "ppp",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a request was not let through.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("this needs a bearer token (Authorization: Bearer …) of the {0} role")]
    Missing(Role),
    #[error("the token is not one of this site's")]
    Unknown,
    #[error("this needs the {needed} role; the token is the {has} role's")]
    WrongRole { has: Role, needed: Role },
}

impl Denied {
    /// 401 for no or an unknown token, 403 for a token of another role.
    pub fn status(&self) -> u16 {
        match self {
            Self::Missing(_) | Self::Unknown => 401,
            Self::WrongRole { .. } => 403,
        }
    }
}

/// The roles' tokens.
#[derive(Clone)]
pub struct Tokens {
    tokens: Vec<(Role, String)>,
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the tokens themselves.
        f.debug_struct("Tokens")
            .field(
                "roles",
                &self.tokens.iter().map(|(r, _)| *r).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Why a tokens file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum TokensError {
    #[error("{}: {source}", path.display())]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{} line {line}: {why}", path.display())]
    Line {
        path: std::path::PathBuf,
        line: usize,
        why: String,
    },
}

impl Tokens {
    /// No token at all: every request that needs one is refused.
    pub fn none() -> Self {
        Self { tokens: Vec::new() }
    }

    /// A fresh token per role, written to `path` (a new file, 0600; never over one).
    pub fn create(path: &Path) -> Result<Self, TokensError> {
        let tokens = Self {
            tokens: Role::ALL.into_iter().map(|r| (r, fresh_token())).collect(),
        };
        tokens.write(path)?;
        Ok(tokens)
    }

    /// The tokens in `path`, which must exist.
    pub fn load(path: &Path) -> Result<Self, TokensError> {
        let text = std::fs::read_to_string(path).map_err(|source| TokensError::Io {
            path: path.to_owned(),
            source,
        })?;
        let mut tokens = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |why: String| TokensError::Line {
                path: path.to_owned(),
                line: i + 1,
                why,
            };
            let (role, token) = line
                .split_once(char::is_whitespace)
                .ok_or_else(|| bad("expected `role token`".into()))?;
            let role = Role::ALL
                .into_iter()
                .find(|r| r.name() == role)
                .ok_or_else(|| bad(format!("`{role}` is not a role (operator, ppp)")))?;
            let token = token.trim();
            if token.len() < 32 {
                return Err(bad("a token needs 32 characters or more".into()));
            }
            tokens.push((role, token.to_owned()));
        }
        Ok(Self { tokens })
    }

    fn write(&self, path: &Path) -> Result<(), TokensError> {
        let mut text =
            String::from("# ktpel: the HTTP face's bearer tokens, a line `role token` each\n");
        for (role, token) in &self.tokens {
            text.push_str(&format!("{role} {token}\n"));
        }
        ktpel_settings::write_secret_file(path, &text).map_err(|source| TokensError::Io {
            path: path.to_owned(),
            source,
        })
    }

    /// The first token of `role`, for the desk commands.
    pub fn token_of(&self, role: Role) -> Option<&str> {
        self.tokens
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, t)| t.as_str())
    }

    /// Lets through a request whose `Authorization` header carries a token of `needed`.
    pub fn check(&self, authorization: Option<&str>, needed: Role) -> Result<(), Denied> {
        let given = authorization
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(Denied::Missing(needed))?;
        // Every token is compared, each in constant time: neither which one matched nor how
        // much of one did shows in the time taken.
        let mut matched = None;
        for (role, token) in &self.tokens {
            if bool::from(token.as_bytes().ct_eq(given.as_bytes())) {
                matched = Some(*role);
            }
        }
        match matched {
            None => Err(Denied::Unknown),
            Some(has) if has != needed => Err(Denied::WrongRole { has, needed }),
            Some(_) => Ok(()),
        }
    }
}

/// 32 random bytes from the operating system's generator, as 64 hex digits.
fn fresh_token() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_lets_its_role_through_and_no_other() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/http-tokens");
        let tokens = Tokens::create(&path).unwrap();
        let op = format!("Bearer {}", tokens.token_of(Role::Operator).unwrap());
        let ppp = format!("Bearer {}", tokens.token_of(Role::Ppp).unwrap());
        assert_eq!(tokens.check(Some(&op), Role::Operator), Ok(()));
        assert_eq!(tokens.check(Some(&ppp), Role::Ppp), Ok(()));
        assert_eq!(
            tokens.check(Some(&ppp), Role::Operator),
            Err(Denied::WrongRole {
                has: Role::Ppp,
                needed: Role::Operator
            })
        );
        assert_eq!(
            tokens.check(None, Role::Ppp),
            Err(Denied::Missing(Role::Ppp))
        );
        assert_eq!(
            tokens.check(Some("Bearer "), Role::Ppp),
            Err(Denied::Missing(Role::Ppp))
        );
        assert_eq!(
            tokens.check(Some("Bearer nope"), Role::Ppp),
            Err(Denied::Unknown)
        );
        assert_eq!(
            tokens.check(Some(&op[7..]), Role::Operator),
            Err(Denied::Missing(Role::Operator)),
            "no scheme"
        );
        // Made once, 0600, and read back the same.
        let again = Tokens::load(&path).unwrap();
        assert!(
            Tokens::create(&path).is_err(),
            "never over an existing file"
        );
        assert_eq!(again.token_of(Role::Ppp), tokens.token_of(Role::Ppp));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(
            !format!("{tokens:?}").contains(&op[7..]),
            "Debug never shows a token"
        );
    }

    #[test]
    fn a_bad_tokens_file_is_named_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens");
        std::fs::write(&path, "# roles\noperator short\n").unwrap();
        let err = Tokens::load(&path).unwrap_err();
        assert!(
            matches!(&err, TokensError::Line { line: 2, why, .. } if why.contains("32 characters")),
            "{err}"
        );
        assert!(err.to_string().contains("line 2"), "{err}");
        std::fs::write(&path, format!("admin {}\n", "x".repeat(40))).unwrap();
        let err = Tokens::load(&path).unwrap_err().to_string();
        assert!(err.contains("`admin` is not a role"), "{err}");
    }
}
