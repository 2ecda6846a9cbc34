//! Scopes and scope sets. UAA writes scope lists space-separated on the OAuth wire (RFC 6749
//! §3.3) and comma-separated in client JSON and `uaa.yml`; both parse here. Wildcards follow
//! `UaaStringUtils.constructSimpleWildcardPattern`: `*` stands for one or more characters other
//! than `.`, so `zones.*.admin` matches `zones.z1.admin` but not `zones.a.b.admin`.

use std::fmt;

/// An ordered set of scope strings: insertion order kept (UAA uses `LinkedHashSet`), no duplicates.
#[derive(Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct ScopeSet(Vec<String>);

impl ScopeSet {
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// Builds a set from items, splitting each on commas and whitespace and dropping empties,
    /// as UAA does for client `scope`/`authorities` values such as `["a,b", "c"]`.
    pub fn from_items<I, S>(items: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut set = Self::new();
        for item in items {
            for part in item.as_ref().split(|c: char| c == ',' || c.is_whitespace()) {
                set.insert(part);
            }
        }
        set
    }

    /// Parses the OAuth `scope` parameter (space-delimited, RFC 6749 §3.3). UAA also splits
    /// on commas (`OAuth2Utils.parseParameterList`).
    pub fn parse(s: &str) -> Self {
        Self::from_items([s])
    }

    pub fn insert(&mut self, scope: &str) {
        let scope = scope.trim();
        if !scope.is_empty() && !self.contains(scope) {
            self.0.push(scope.to_owned());
        }
    }

    pub fn contains(&self, scope: &str) -> bool {
        self.0.iter().any(|s| s == scope)
    }

    pub fn contains_any(&self, scopes: &[&str]) -> bool {
        scopes.iter().any(|s| self.contains(s))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    pub fn to_vec(&self) -> Vec<String> {
        self.0.clone()
    }

    /// True when `scope` equals an entry or matches one of its wildcard patterns.
    pub fn matches(&self, scope: &str) -> bool {
        self.iter().any(|pattern| wildcard_matches(pattern, scope))
    }

    /// The entries of `self` that are allowed by `allowed` (exactly or by wildcard).
    pub fn retain_matching(&self, allowed: &ScopeSet) -> ScopeSet {
        self.iter().filter(|s| allowed.matches(s)).collect()
    }

    /// Space-joined, for the `scope` field of token responses.
    pub fn to_space_string(&self) -> String {
        self.0.join(" ")
    }

    /// Java's `Set.toString()` form (`[a, b]`), which UAA puts into some error messages.
    pub fn to_java_string(&self) -> String {
        format!("[{}]", self.0.join(", "))
    }
}

impl fmt::Debug for ScopeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.0).finish()
    }
}

impl<'a> FromIterator<&'a str> for ScopeSet {
    fn from_iter<T: IntoIterator<Item = &'a str>>(iter: T) -> Self {
        let mut set = Self::new();
        for s in iter {
            set.insert(s);
        }
        set
    }
}

impl FromIterator<String> for ScopeSet {
    fn from_iter<T: IntoIterator<Item = String>>(iter: T) -> Self {
        let mut set = Self::new();
        for s in iter {
            set.insert(&s);
        }
        set
    }
}

/// UAA wildcard match: `*` matches one or more characters that are not `.`; everything else
/// is literal.
pub fn wildcard_matches(pattern: &str, scope: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == scope;
    }
    fn go(p: &[u8], s: &[u8]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some((b'*', rest)) => {
                // one or more non-dot characters
                let max = s.iter().take_while(|c| **c != b'.').count();
                (1..=max).any(|n| go(rest, &s[n..]))
            }
            Some((c, rest)) => s.first() == Some(c) && go(rest, &s[1..]),
        }
    }
    go(pattern.as_bytes(), scope.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_matches_one_segment_only() {
        assert!(wildcard_matches("zones.*.admin", "zones.z1.admin"));
        assert!(!wildcard_matches("zones.*.admin", "zones.a.b.admin"));
        assert!(!wildcard_matches("zones.*.admin", "zones..admin"));
        assert!(wildcard_matches("uaa.*", "uaa.user"));
        assert!(!wildcard_matches("uaa.*", "uaa.user.x"));
        assert!(wildcard_matches("openid", "openid"));
        assert!(!wildcard_matches("openid", "openid2"));
    }

    #[test]
    fn sets_split_commas_and_spaces_and_keep_order() {
        let s = ScopeSet::from_items(["b,a", "c a"]);
        assert_eq!(s.to_vec(), vec!["b", "a", "c"]);
        assert_eq!(ScopeSet::parse("x y,z").to_space_string(), "x y z");
        assert_eq!(s.to_java_string(), "[b, a, c]");
    }
}
