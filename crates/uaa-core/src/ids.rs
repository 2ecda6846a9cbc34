//! Identifiers as newtypes, so a client id can never be passed where a user id or a zone id is
//! expected. Constructors validate; the inner string is reachable only through `as_str`.

use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an identifier that was already validated (read back from the store, or
            /// taken from a signed token).
            pub fn new(s: impl Into<String>) -> Self {
                Self(s.into())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

id_type!(
    /// `client_id` of an OAuth client, unique per identity zone.
    ClientId
);
id_type!(
    /// A user's `id` (a UUID in UAA).
    UserId
);
id_type!(
    /// An identity zone's id; the default zone is `uaa`.
    ZoneId
);
id_type!(
    /// A signing key's `kid`.
    Kid
);

impl ZoneId {
    /// The default zone, `uaa` (UAA `IdentityZone.getUaa()`).
    pub fn uaa() -> Self {
        Self::new(DEFAULT_ZONE)
    }
    pub fn is_default(&self) -> bool {
        self.0 == DEFAULT_ZONE
    }
}

/// Id of UAA's default identity zone.
pub const DEFAULT_ZONE: &str = "uaa";

/// Origin key of UAA's internal identity provider.
pub const ORIGIN_UAA: &str = "uaa";
