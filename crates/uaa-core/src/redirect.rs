//! Redirect-URI matching, in one place, as UAA does it by default
//! (`uaa.oauth.redirect_uri.allow_unsafe_matching: true` → `LegacyRedirectResolver`):
//!
//! * a registered URI with a `*` is an Ant path pattern (`AntPathMatcher`, `/` as separator,
//!   `**` for any number of segments, `*` and `?` inside one segment) over the whole URL, and the
//!   requested host must end with the pattern's literal host labels (`isSafeRedirect`);
//! * any other registered URI matches by Spring OAuth 2.3's `DefaultRedirectResolver`: same
//!   scheme, same port (default ports filled in), the host or a subdomain of it, and a path that
//!   starts with the registered path; URIs that `java.net.URL` cannot parse (custom schemes)
//!   must be equal;
//! * both sides are normalised first (scheme and host lower-cased), and the requested URI is
//!   percent-decoded up to five times and finally dot-segment-cleaned, each form having to
//!   match (`matchesAfterNormalization`), so `%2e%2e/` cannot climb out of a registered path.
//!
//! The resolver picks the requested URI when one registered URI matches it, or the only
//! registered URI when none was requested. Registered URIs must look like URLs
//! (`UaaUrlUtils.isValidRegisteredRedirectUrl`).

/// Why a redirect URI could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedirectError {
    /// No registered URI matches (also: none registered, or one is malformed). The
    /// authorization endpoint reports it as "Invalid redirect X did not match one of the
    /// registered values".
    Mismatch,
    /// The client may not use redirects at all (`invalid_grant`, message included).
    InvalidGrant(String),
}

/// `DefaultRedirectResolver.resolveRedirect` behind `LegacyRedirectResolver.resolveRedirect`.
///
/// One difference from UAA: when nothing is requested and the single registered URI is a
/// pattern, UAA would redirect to the pattern text itself (`http://host/**`); that is refused
/// as a mismatch here.
pub fn resolve_redirect(
    requested: Option<&str>,
    registered: &[String],
    grant_types: &[String],
) -> Result<String, RedirectError> {
    if registered.is_empty()
        || !registered
            .iter()
            .all(|r| is_valid_registered_redirect_url(r))
    {
        return Err(RedirectError::Mismatch);
    }
    if grant_types.is_empty() {
        return Err(RedirectError::InvalidGrant(
            "A client must have at least one authorized grant type.".into(),
        ));
    }
    if !grant_types
        .iter()
        .any(|g| g == "implicit" || g == "authorization_code")
    {
        return Err(RedirectError::InvalidGrant(
            "A redirect_uri can only be used by implicit or authorization_code grant types.".into(),
        ));
    }
    match requested {
        None if registered.len() == 1 && !registered[0].contains('*') => Ok(registered[0].clone()),
        None => Err(RedirectError::Mismatch),
        Some(req) => registered
            .iter()
            .any(|reg| redirect_matches(req, reg))
            .then(|| req.to_owned())
            .ok_or(RedirectError::Mismatch),
    }
}

/// `LegacyRedirectResolver.redirectMatches(requested, registered)`.
pub fn redirect_matches(requested: &str, registered: &str) -> bool {
    let (Some(req), Some(reg)) = (normalize_uri(requested), normalize_uri(registered)) else {
        return false;
    };
    if reg.contains('*') {
        let host = pattern_host(&reg);
        matches_after_normalization(&req, |r| is_safe_redirect(&host, r) && ant_match(&reg, r))
    } else {
        matches_after_normalization(&req, |r| default_matches(r, &reg))
    }
}

/// `UaaUrlUtils.isValidRegisteredRedirectUrl`: the pattern
/// `^([a-zA-Z][a-zA-Z0-9+*\-.]*)://(.*:.*@)?(([a-zA-Z0-9\-*_]+\.)*[a-zA-Z0-9\-_]+\.)?[a-zA-Z0-9\-]+(:[0-9]+)?(/.*|$)`,
/// matched by hand (the only backtracking is over the optional user-info part).
pub fn is_valid_registered_redirect_url(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    let mut sc = scheme.chars();
    let scheme_ok = sc.next().is_some_and(|c| c.is_ascii_alphabetic())
        && sc.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '*' | '-' | '.'));
    if !scheme_ok {
        return false;
    }
    if host_port_path_valid(rest) {
        return true;
    }
    // `(.*:.*@)?`: any prefix ending in `@` that contains a `:` (and no line break).
    rest.char_indices()
        .filter(|(_, c)| *c == '@')
        .any(|(i, _)| {
            let userinfo = &rest[..i];
            userinfo.contains(':')
                && !userinfo.chars().any(is_line_terminator)
                && host_port_path_valid(&rest[i + 1..])
        })
}

fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// `(([a-zA-Z0-9\-*_]+\.)*[a-zA-Z0-9\-_]+\.)?[a-zA-Z0-9\-]+(:[0-9]+)?(/.*|$)`.
fn host_port_path_valid(s: &str) -> bool {
    let host_len = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '*' | '_' | '.')))
        .unwrap_or(s.len());
    let (host, mut rest) = s.split_at(host_len);
    let labels: Vec<&str> = host.split('.').collect();
    let n = labels.len();
    let label_ok =
        |l: &str, allowed: &dyn Fn(char) -> bool| !l.is_empty() && l.chars().all(allowed);
    let tld = |c: char| c.is_ascii_alphanumeric() || c == '-';
    let second = |c: char| tld(c) || c == '_';
    let other = |c: char| second(c) || c == '*';
    let host_ok = label_ok(labels[n - 1], &tld)
        && (n < 2 || label_ok(labels[n - 2], &second))
        && labels[..n.saturating_sub(2)]
            .iter()
            .all(|l| label_ok(l, &other));
    if !host_ok {
        return false;
    }
    if let Some(after) = rest.strip_prefix(':') {
        let digits = after
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after.len());
        if digits == 0 {
            return false;
        }
        rest = &after[digits..];
    }
    rest.is_empty() || (rest.starts_with('/') && !rest.chars().any(is_line_terminator))
}

/// `UaaUrlUtils.normalizeUri`: scheme and host lower-cased, the rest untouched. `None` when the
/// URI has no scheme or no authority (Spring's `UriComponentsBuilder` yields a null host).
pub fn normalize_uri(uri: &str) -> Option<String> {
    let colon = uri.find(':')?;
    let scheme = &uri[..colon];
    if scheme.is_empty() || scheme.contains(['/', '?', '#']) {
        return None;
    }
    let rest = uri[colon + 1..].strip_prefix("//")?;
    // user-info: `[^@\[/?#]*@`
    let ui_end = rest
        .find(['@', '[', '/', '?', '#'])
        .filter(|&i| rest.as_bytes()[i] == b'@')
        .map_or(0, |i| i + 1);
    let (userinfo, after_ui) = rest.split_at(ui_end);
    let host_len = if after_ui.starts_with('[') {
        after_ui.find(']').map_or(after_ui.len(), |i| i + 1)
    } else {
        after_ui
            .find(['[', '/', '?', '#', ':'])
            .unwrap_or(after_ui.len())
    };
    let (host, tail) = after_ui.split_at(host_len);
    Some(format!(
        "{}://{userinfo}{}{tail}",
        scheme.to_ascii_lowercase(),
        host.to_lowercase()
    ))
}

/// The host of a registered pattern as `ClientRedirectUriPattern.getHost` extracts it: the
/// RFC 3986 authority without user-info (the part after the first `@`) and port.
fn pattern_host(pattern: &str) -> String {
    let after_scheme = pattern.find("//").map_or("", |i| &pattern[i + 2..]);
    let authority = &after_scheme[..after_scheme
        .find(['/', '?', '#'])
        .unwrap_or(after_scheme.len())];
    let host = authority.split('@').nth(1).unwrap_or(authority);
    host.split(':').next().unwrap_or("").to_owned()
}

/// `ClientRedirectUriPattern.isSafeRedirect`: comparing hosts from the top-level domain down,
/// every label of the pattern's host up to its first wildcard label must equal the requested
/// host's. A requested URI `java.net.URI` would not parse, or without a host, is not safe.
fn is_safe_redirect(pattern_host: &str, requested: &str) -> bool {
    let Some(req_host) = java_uri_host(requested) else {
        return false;
    };
    let configured: Vec<&str> = pattern_host.split('.').rev().collect();
    let asked: Vec<&str> = req_host.split('.').rev().collect();
    if asked.len() < configured.len() {
        return false;
    }
    configured
        .iter()
        .zip(&asked)
        .take_while(|(c, _)| !c.contains('*'))
        .all(|(c, a)| c == a)
}

/// The host `java.net.URI.create(uri).getHost()` would return: `None` for strings that are not
/// RFC 2396 URIs (spaces, braces, bad escapes…) or whose authority is not a server name.
fn java_uri_host(uri: &str) -> Option<String> {
    let bad_char = |c: char| {
        c.is_control()
            || c.is_whitespace()
            || matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}')
    };
    if uri.chars().any(bad_char) || !percent_escapes_well_formed(uri) {
        return None;
    }
    let (_, rest) = uri.split_once("://")?;
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host_port.starts_with('[') {
        &host_port[..host_port.find(']')? + 1]
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    let hostname_ok = !host.is_empty()
        && (host.starts_with('[')
            || host.split('.').enumerate().all(|(i, label)| {
                // A trailing dot is allowed; every other label is alphanumeric with inner dashes.
                (label.is_empty() && i > 0 && host.ends_with('.'))
                    || (!label.is_empty()
                        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                        && !label.starts_with('-')
                        && !label.ends_with('-'))
            }));
    hostname_ok.then(|| host.to_owned())
}

fn percent_escapes_well_formed(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if !(b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
            {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

/// `matchesAfterNormalization`: the requested URI must match as given and after each round of
/// percent-decoding (at most five rounds), and its dot-segment-cleaned form must match too.
fn matches_after_normalization(requested: &str, matcher: impl Fn(&str) -> bool) -> bool {
    let mut current = requested.to_owned();
    for _ in 0..5 {
        if !matcher(&current) {
            return false;
        }
        let Some(decoded) = url_decode(&current) else {
            return false;
        };
        if decoded == current {
            return matcher(&clean_path(&decoded));
        }
        current = decoded;
    }
    false
}

/// `java.net.URLDecoder.decode(s, UTF-8)`: `+` is a space, `%XX` runs are UTF-8 bytes
/// (malformed sequences become U+FFFD); a `%` without two hex digits is an error.
pub fn url_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// Spring's `StringUtils.cleanPath`: resolves `.` and `..` segments (of a whole URL, as UAA
/// applies it), keeping a `scheme:` prefix and empty segments.
pub fn clean_path(path: &str) -> String {
    let normalized = path.replace('\\', "/");
    if !normalized.contains('.') {
        return normalized;
    }
    let mut prefix = String::new();
    let mut rest: &str = &normalized;
    if let Some(i) = normalized.find(':') {
        let p = &normalized[..=i];
        if !p.contains('/') {
            prefix = p.to_owned();
            rest = &normalized[i + 1..];
        }
    }
    if let Some(r) = rest.strip_prefix('/') {
        prefix.push('/');
        rest = r;
    }
    let parts: Vec<&str> = rest.split('/').collect();
    let mut kept: Vec<&str> = Vec::new();
    let mut tops = 0usize;
    for part in parts.iter().rev() {
        match *part {
            "." => {}
            ".." => tops += 1,
            _ if tops > 0 => tops -= 1,
            p => kept.push(p),
        }
    }
    if kept.len() == parts.len() {
        return normalized;
    }
    kept.extend(std::iter::repeat_n("..", tops));
    kept.reverse();
    if kept.len() == 1 && kept[0].is_empty() && !prefix.ends_with('/') {
        kept.insert(0, ".");
    }
    format!("{prefix}{}", kept.join("/"))
}

/// Spring OAuth 2.3 `DefaultRedirectResolver.redirectMatches` with sub-domain and port
/// matching on.
fn default_matches(requested: &str, registered: &str) -> bool {
    if let (Some(req), Some(reg)) = (JavaUrl::parse(requested), JavaUrl::parse(registered))
        && reg.protocol == req.protocol
        && (reg.host == req.host || req.host.ends_with(&format!(".{}", reg.host)))
        && reg.port == req.port
    {
        return clean_path(&req.path).starts_with(&clean_path(&reg.path));
    }
    requested == registered
}

/// The parts of a `java.net.URL` the default matcher compares.
struct JavaUrl {
    protocol: String,
    host: String,
    /// The explicit port, else the protocol's default (`-1` when it has none).
    port: i64,
    path: String,
}

impl JavaUrl {
    /// `new URL(s)`: fails for protocols the JDK has no handler for and for a non-numeric port.
    fn parse(s: &str) -> Option<Self> {
        let colon = s.find(':')?;
        let protocol = s[..colon].to_ascii_lowercase();
        let default_port = match protocol.as_str() {
            "http" => 80,
            "https" => 443,
            "ftp" => 21,
            "file" | "jar" | "mailto" => -1,
            _ => return None,
        };
        let rest = &s[colon + 1..];
        let end = rest.find(['?', '#']).unwrap_or(rest.len());
        let before_query = &rest[..end];
        let (authority, path) = match before_query.strip_prefix("//") {
            Some(a) => {
                let slash = a.find('/').unwrap_or(a.len());
                (&a[..slash], &a[slash..])
            }
            None => ("", before_query),
        };
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let (host, port) = if host_port.starts_with('[') {
            let close = host_port.find(']')?;
            (
                &host_port[..=close],
                host_port[close + 1..].strip_prefix(':'),
            )
        } else {
            match host_port.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (host_port, None),
            }
        };
        let port = match port {
            None | Some("") => default_port,
            Some(p) => p.parse::<u16>().ok().map(i64::from)?,
        };
        Some(Self {
            protocol,
            host: host.to_owned(),
            port,
            path: path.to_owned(),
        })
    }
}

/// Spring's `AntPathMatcher.match(pattern, path)` with `/` as the separator (tokens are not
/// trimmed; empty tokens are skipped).
pub fn ant_match(pattern: &str, path: &str) -> bool {
    if path.starts_with('/') != pattern.starts_with('/') {
        return false;
    }
    let patt: Vec<&str> = pattern.split('/').filter(|t| !t.is_empty()).collect();
    let dirs: Vec<&str> = path.split('/').filter(|t| !t.is_empty()).collect();
    let (mut ps, mut pe) = (0isize, patt.len() as isize - 1);
    let (mut ds, mut de) = (0isize, dirs.len() as isize - 1);
    let p = |i: isize| patt[i as usize];
    let d = |i: isize| dirs[i as usize];

    // Up to the first `**`.
    while ps <= pe && ds <= de {
        if p(ps) == "**" {
            break;
        }
        if !segment_match(p(ps), d(ds)) {
            return false;
        }
        ps += 1;
        ds += 1;
    }
    if ds > de {
        if ps > pe {
            return pattern.ends_with('/') == path.ends_with('/');
        }
        if ps == pe && p(ps) == "*" && path.ends_with('/') {
            return true;
        }
        return (ps..=pe).all(|i| p(i) == "**");
    } else if ps > pe {
        return false;
    }
    // Up to the last `**`.
    while ps <= pe && ds <= de {
        if p(pe) == "**" {
            break;
        }
        if !segment_match(p(pe), d(de)) {
            return false;
        }
        pe -= 1;
        de -= 1;
    }
    if ds > de {
        return (ps..=pe).all(|i| p(i) == "**");
    }
    // Segments between `**`s, each block matched at its first possible place.
    while ps != pe && ds <= de {
        let Some(next) = ((ps + 1)..=pe).find(|&i| p(i) == "**") else {
            break;
        };
        if next == ps + 1 {
            ps += 1;
            continue;
        }
        let pat_len = next - ps - 1;
        let str_len = de - ds + 1;
        let found = (0..=(str_len - pat_len))
            .find(|&i| (0..pat_len).all(|j| segment_match(p(ps + j + 1), d(ds + i + j))));
        let Some(i) = found else {
            return false;
        };
        ps = next;
        ds = ds + i + pat_len;
    }
    (ps..=pe).all(|i| p(i) == "**")
}

/// One path segment against one pattern segment (`AntPathStringMatcher`): `*` is any run of
/// characters, `?` exactly one, `{name}` (a URI template variable) any run; the rest is literal.
fn segment_match(pattern: &str, s: &str) -> bool {
    #[derive(Clone, Copy)]
    enum Tok {
        Any,
        One,
        Lit(char),
    }
    let mut toks = Vec::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' => toks.push(Tok::Any),
            '?' => toks.push(Tok::One),
            '{' if pattern.contains('}') => {
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                }
                toks.push(Tok::Any);
            }
            c => toks.push(Tok::Lit(c)),
        }
    }
    let s: Vec<char> = s.chars().collect();
    // Classic wildcard DP over (token index, char index).
    let mut reach = vec![false; s.len() + 1];
    reach[0] = true;
    for t in toks {
        let mut next = vec![false; s.len() + 1];
        match t {
            Tok::Any => {
                let mut any = false;
                for i in 0..=s.len() {
                    any |= reach[i];
                    next[i] = any;
                }
            }
            Tok::One => {
                next[1..].copy_from_slice(&reach[..s.len()]);
            }
            Tok::Lit(c) => {
                for i in 0..s.len() {
                    next[i + 1] = reach[i] && s[i] == c;
                }
            }
        }
        reach = next;
    }
    reach[s.len()]
}

#[cfg(test)]
mod tests;
