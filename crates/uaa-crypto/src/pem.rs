//! Just enough PEM (RFC 7468) for UAA's key configuration: find the one private-key block in a
//! `signingKey` value, and write public keys the way UAA's `KeyInfo.pemEncodePublicKey` does
//! (a MIME base64 encoder with 64-character lines joined by `\n` and no trailing newline).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// One decoded PEM block: its label (`RSA PRIVATE KEY`, `PRIVATE KEY`, …) and DER contents.
pub(crate) struct PemBlock {
    pub label: String,
    pub der: Vec<u8>,
}

/// Why a PEM text could not be decoded; rendered into `CryptoError::InvalidKey`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PemError {
    NoBlock,
    Unterminated(String),
    BadBase64(String),
}

impl std::fmt::Display for PemError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoBlock => f.write_str("no PEM block found"),
            Self::Unterminated(l) => write!(f, "PEM block {l:?} has no matching END line"),
            Self::BadBase64(l) => write!(f, "PEM block {l:?} is not valid base64"),
        }
    }
}

/// Decodes every `-----BEGIN X-----`…`-----END X-----` block in `text`, in order. OpenSSL's
/// `ecparam -genkey` writes an `EC PARAMETERS` block before the key, so callers pick a block
/// by label rather than assuming there is exactly one.
pub(crate) fn decode_all(text: &str) -> Result<Vec<PemBlock>, PemError> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + "-----BEGIN ".len()..];
        let Some(label_end) = after.find("-----") else {
            return Err(PemError::NoBlock);
        };
        let label = after[..label_end].to_owned();
        let body_and_rest = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let Some(body_end) = body_and_rest.find(&end_marker) else {
            return Err(PemError::Unterminated(label));
        };
        let der =
            decode_body(&body_and_rest[..body_end]).ok_or(PemError::BadBase64(label.clone()))?;
        blocks.push(PemBlock { label, der });
        rest = &body_and_rest[body_end + end_marker.len()..];
    }
    if blocks.is_empty() {
        return Err(PemError::NoBlock);
    }
    Ok(blocks)
}

/// The base64 body with all whitespace (including `\r\n` line ends) removed.
fn decode_body(body: &str) -> Option<Vec<u8>> {
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD.decode(compact).ok()
}

/// `-----BEGIN {label}-----\n` + 64-character lines + `\n-----END {label}-----`, no trailing
/// newline: byte-for-byte what UAA puts in the JWK `value` field (`KeyInfo.pemEncodePublicKey`).
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        // Base64 output is ASCII, so every 64-byte chunk is valid UTF-8.
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----",
        lines.join("\n")
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn encode_then_decode_round_trips_with_64_character_lines() {
        let der: Vec<u8> = (0..=255u8).collect();
        let pem = encode("PUBLIC KEY", &der);
        assert!(pem.lines().skip(1).all(|l| l.len() <= 64));
        assert!(!pem.ends_with('\n'));
        let blocks = decode_all(&pem).unwrap();
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].label, "PUBLIC KEY");
        assert_eq!(blocks[0].der, der);
    }

    #[test]
    fn decode_finds_the_key_after_an_ec_parameters_block() {
        let text = format!(
            "{}\n{}\n",
            encode("EC PARAMETERS", b"p"),
            encode("EC PRIVATE KEY", b"k")
        );
        let labels: Vec<_> = decode_all(&text)
            .unwrap()
            .into_iter()
            .map(|b| b.label)
            .collect();
        assert_eq!(labels, ["EC PARAMETERS", "EC PRIVATE KEY"]);
    }

    #[test]
    fn decode_accepts_crlf_line_ends() {
        let pem = encode("PRIVATE KEY", &[1, 2, 3, 4, 5]).replace('\n', "\r\n");
        assert_eq!(decode_all(&pem).unwrap()[0].der, [1, 2, 3, 4, 5]);
    }

    #[test]
    fn decode_rejects_text_without_a_block_or_with_a_missing_end() {
        assert_eq!(decode_all("just a secret").err(), Some(PemError::NoBlock));
        assert_eq!(
            decode_all("-----BEGIN PRIVATE KEY-----\nAAAA\n").err(),
            Some(PemError::Unterminated("PRIVATE KEY".into()))
        );
        assert_eq!(
            decode_all("-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----").err(),
            Some(PemError::BadBase64("PRIVATE KEY".into()))
        );
    }
}
