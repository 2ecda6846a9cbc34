//! SCIM users and groups (reference §4): resource rules, the storage ports they need, and
//! version (ETag / If-Match) handling shared by both.

pub mod groups;
pub mod users;

use crate::error::Error;

/// `If-Match` as UAA reads it: a quoted or bare integer, or `*` (any version). Its errors are
/// plain `ScimException`s, whose `ExceptionReport` code is `scim` (`UaaStringUtils.getErrorName`
/// drops the `_exception` suffix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfMatch {
    Any,
    Version(i64),
}

impl IfMatch {
    /// Parses an `If-Match` header value; `what` names the operation for UAA's message
    /// ("Missing If-Match for PUT").
    pub fn parse(header: Option<&str>, what: &str) -> Result<Self, Error> {
        let Some(raw) = header.map(str::trim).filter(|h| !h.is_empty()) else {
            return Err(Error::report(
                400,
                "scim",
                format!("Missing If-Match for {what}"),
            ));
        };
        if raw == "*" {
            return Ok(Self::Any);
        }
        let bare = raw.trim_start_matches("W/").trim_matches('"');
        bare.parse::<i64>().map(Self::Version).map_err(|_| {
            Error::report(
                400,
                "scim",
                format!("Invalid version match header (should be a version number): {raw}"),
            )
        })
    }

    pub fn matches(self, version: i64) -> bool {
        match self {
            Self::Any => true,
            Self::Version(v) => v == version,
        }
    }
}
