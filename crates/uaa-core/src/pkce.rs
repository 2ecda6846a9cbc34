//! PKCE (RFC 7636) as UAA checks it (`PkceValidationService`, `S256PkceVerifier`,
//! `PlainPkceVerifier`): the challenge and verifier syntax, the supported methods, and the
//! verification at the token endpoint. SHA-256 comes from RustCrypto's `sha2` (a pure hash
//! function, not a key or signing backend).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::secret::ct_eq;

/// `code_challenge_methods_supported`, in the order UAA prints them.
pub const METHODS: &[&str] = &["S256", "plain"];

/// RFC 7636 §4.1/§4.2: 43 to 128 characters of `[A-Za-z0-9._~-]` (UAA's
/// `^[\w\.\-\~]{43,128}$`).
pub fn is_valid_parameter(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'~'))
}

pub const CHALLENGE_SYNTAX: &str = "Code challenge length must between 43 and 128 and use only [A-Z],[a-z],[0-9],_,.,-,~ characters.";
pub const VERIFIER_SYNTAX: &str = "Code verifier length must between 43 and 128 and use only [A-Z],[a-z],[0-9],_,.,-,~ characters.";

/// `validateAuthorizationRequestPkceParameters`: the error description for a bad
/// `code_challenge`/`code_challenge_method` pair, if any. No challenge means no PKCE.
pub fn check_challenge(challenge: Option<&str>, method: Option<&str>) -> Result<(), String> {
    let Some(challenge) = challenge else {
        return Ok(());
    };
    if !is_valid_parameter(challenge) {
        return Err(CHALLENGE_SYNTAX.into());
    }
    let method = method.unwrap_or("plain");
    if !METHODS.contains(&method) {
        return Err(format!(
            "Unsupported code challenge method. Supported: [{}]",
            METHODS.join(", ")
        ));
    }
    Ok(())
}

/// The S256 transformation: `BASE64URL(SHA256(ASCII(verifier)))`.
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Whether `verifier` answers `challenge` under `method` (compared in constant time).
pub fn verify(method: &str, challenge: &str, verifier: &str) -> bool {
    match method {
        "S256" => ct_eq(s256(verifier).as_bytes(), challenge.as_bytes()),
        "plain" => ct_eq(verifier.as_bytes(), challenge.as_bytes()),
        _ => false,
    }
}

/// Lowercase hex SHA-256, used to key stored codes and sessions by a digest of the secret the
/// browser or client holds, so the database never holds a usable code or session id.
pub fn sha256_hex(value: &str) -> String {
    Sha256::digest(value.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_example() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            s256(verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(verify(
            "S256",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            verifier
        ));
        assert!(!verify(
            "S256",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "x"
        ));
        assert!(verify("plain", verifier, verifier));
        assert!(!verify("plain2", verifier, verifier));
    }

    #[test]
    fn parameters_are_43_to_128_unreserved_characters() {
        assert!(is_valid_parameter(&"a".repeat(43)));
        assert!(is_valid_parameter(&"a".repeat(128)));
        assert!(!is_valid_parameter(&"a".repeat(42)));
        assert!(!is_valid_parameter(&"a".repeat(129)));
        assert!(is_valid_parameter(&format!("{}-._~", "Z9".repeat(20))));
        assert!(!is_valid_parameter(&format!("{}+", "a".repeat(43))));
        assert!(!is_valid_parameter(&format!("{}=", "a".repeat(43))));
        assert!(!is_valid_parameter(&format!("{}é", "a".repeat(43))));
    }

    #[test]
    fn challenges_default_to_plain_and_name_the_supported_methods() {
        let c = "a".repeat(43);
        assert_eq!(check_challenge(None, Some("bogus")), Ok(()));
        assert_eq!(check_challenge(Some(&c), None), Ok(()));
        assert_eq!(check_challenge(Some(&c), Some("S256")), Ok(()));
        assert_eq!(
            check_challenge(Some(&c), Some("S512")),
            Err("Unsupported code challenge method. Supported: [S256, plain]".into())
        );
        assert_eq!(
            check_challenge(Some("short"), Some("S256")),
            Err(CHALLENGE_SYNTAX.into())
        );
    }

    #[test]
    fn digests_are_lowercase_hex() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
