//! OS randomness (aws-lc-rs's `SystemRandom`) for everything UAA generates: token salts,
//! authorization codes, generated client secrets, the secret-cache MAC key. A failing RNG is an
//! error the caller sees, never a panic and never a silent fallback to weaker randomness.

use crate::CryptoError;

/// The alphabet of UAA's `RandomValueStringGenerator` (`[0-9A-Za-z]`).
const ALPHANUMERIC: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Largest multiple of 62 that fits in a byte: bytes at or above it are rejected so every
/// character is equally likely (no modulo bias).
const UNBIASED_LIMIT: u8 = 248;

/// `N` bytes from the OS RNG.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], CryptoError> {
    let mut out = [0u8; N];
    fill(&mut out)?;
    Ok(out)
}

/// `bytes` random bytes rendered as `2 * bytes` lowercase hex characters.
pub fn random_hex(bytes: usize) -> Result<String, CryptoError> {
    let mut buf = vec![0u8; bytes];
    fill(&mut buf)?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// `len` characters drawn uniformly from `[0-9A-Za-z]`, as UAA's `RandomValueStringGenerator`
/// produces for token salts and generated secrets.
pub fn random_alphanumeric(len: usize) -> Result<String, CryptoError> {
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        fill(&mut buf)?;
        let accepted = buf.iter().filter(|&&b| b < UNBIASED_LIMIT);
        for &b in accepted.take(len - out.len()) {
            out.push(char::from(ALPHANUMERIC[usize::from(b % 62)]));
        }
    }
    Ok(out)
}

/// `aws_lc_rs::rand::fill`, with its opaque error mapped to ours.
pub(crate) fn fill(dest: &mut [u8]) -> Result<(), CryptoError> {
    aws_lc_rs::rand::fill(dest).map_err(|_| CryptoError::Random)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn random_hex_has_two_lowercase_hex_characters_per_byte() {
        let s = random_hex(16).unwrap();
        assert_eq!(s.len(), 32);
        assert!(
            s.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_eq!(random_hex(0).unwrap(), "");
    }

    #[test]
    fn random_alphanumeric_has_the_requested_length_and_alphabet() {
        for len in [0, 1, 6, 63, 64, 65, 500] {
            let s = random_alphanumeric(len).unwrap();
            assert_eq!(s.len(), len);
            assert!(s.chars().all(|c| c.is_ascii_alphanumeric()));
        }
    }

    #[test]
    fn random_alphanumeric_uses_the_whole_alphabet() {
        let s = random_alphanumeric(20_000).unwrap();
        for c in ALPHANUMERIC {
            assert!(s.as_bytes().contains(c), "missing {}", char::from(*c));
        }
    }

    #[test]
    fn two_random_values_differ() {
        assert_ne!(random_bytes::<32>().unwrap(), random_bytes::<32>().unwrap());
        assert_ne!(random_hex(16).unwrap(), random_hex(16).unwrap());
    }
}
