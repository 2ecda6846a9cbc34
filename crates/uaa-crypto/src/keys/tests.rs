//! Key loading, export and JWK rendering, checked against keys and public-key PEMs that
//! OpenSSL generated (see `testdata/README.md`).

use super::*;
use aws_lc_rs::signature::{RsaPublicKeyComponents, UnparsedPublicKey};

const RSA_PKCS1: &str = include_str!("../../testdata/rsa_pkcs1.pem");
const RSA_PKCS8: &str = include_str!("../../testdata/rsa_pkcs8.pem");
const RSA_PUBLIC: &str = include_str!("../../testdata/rsa_public.pem");
const EC_SEC1: &str = include_str!("../../testdata/ec_sec1.pem");
const EC_PKCS8: &str = include_str!("../../testdata/ec_pkcs8.pem");

fn decode(b64: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(b64).unwrap()
}

#[test]
fn openssl_pkcs1_rsa_key_loads_as_rs256_by_default() {
    let key = SigningKey::from_config("k1", RSA_PKCS1, None).unwrap();
    assert_eq!(key.kid(), "k1");
    assert_eq!(key.alg(), SigningAlg::RS256);
    assert!(!key.is_symmetric());
}

#[test]
fn pkcs1_and_pkcs8_forms_of_one_key_give_the_same_jwk() {
    let a = SigningKey::from_config("k", RSA_PKCS1, None).unwrap();
    let b = SigningKey::from_config("k", RSA_PKCS8, Some("RS256")).unwrap();
    assert_eq!(a.jwk(), b.jwk());
}

#[test]
fn rsa_jwk_has_uaas_token_keys_shape() {
    let jwk = SigningKey::from_config("key-1", RSA_PKCS1, None)
        .unwrap()
        .jwk();
    assert_eq!(jwk.kty, "RSA");
    assert_eq!(jwk.e.as_deref(), Some("AQAB"));
    assert_eq!(jwk.use_, "sig");
    assert_eq!(jwk.alg, "RS256");
    assert_eq!(jwk.n.as_deref().map(|n| decode(n).len()), Some(256));
    // UAA's value is OpenSSL's `-pubout` PEM without the trailing newline.
    assert_eq!(jwk.value, RSA_PUBLIC.trim_end());
    let json = serde_json::to_value(&jwk).unwrap();
    let keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["kty", "e", "use", "kid", "alg", "value", "n"]);
}

#[test]
fn rsa_jwk_n_and_e_verify_a_signature_through_an_independent_path() {
    let key = SigningKey::generate_rsa("gen").unwrap();
    let jwk = key.jwk();
    let sig = key.sign_bytes(b"signing input").unwrap();
    let components = RsaPublicKeyComponents {
        n: decode(jwk.n.as_deref().unwrap()),
        e: decode(jwk.e.as_deref().unwrap()),
    };
    components
        .verify(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            b"signing input",
            &sig,
        )
        .unwrap();
    assert!(
        components
            .verify(&signature::RSA_PKCS1_2048_8192_SHA256, b"other input", &sig)
            .is_err()
    );
}

#[test]
fn generated_rsa_key_survives_a_pkcs8_pem_round_trip() {
    let key = SigningKey::generate_rsa("persisted").unwrap();
    let pem = key.to_pkcs8_pem().unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert!(pem.ends_with("-----END PRIVATE KEY-----\n"));
    let reloaded = SigningKey::from_pkcs8_pem("persisted", &pem, Some(key.alg())).unwrap();
    assert_eq!(reloaded.jwk(), key.jwk());
    let sig = reloaded.sign_bytes(b"m").unwrap();
    assert!(key.verify_bytes(b"m", &sig));
}

#[test]
fn exported_signing_key_reloads_through_from_config_for_every_key_type() {
    let keys = [
        SigningKey::generate_rsa("r").unwrap(),
        SigningKey::generate_ec("e").unwrap(),
        SigningKey::from_config("h", "a-mac-secret", Some("HS512")).unwrap(),
    ];
    for key in keys {
        let again = SigningKey::from_config(
            key.kid(),
            &key.export_signing_key(),
            Some(key.alg().as_str()),
        )
        .unwrap();
        assert_eq!(again.jwk(), key.jwk());
        assert_eq!(again.alg(), key.alg());
    }
}

#[test]
fn openssl_ec_keys_load_as_es256_in_sec1_and_pkcs8_form() {
    let sec1 = SigningKey::from_config("ec", EC_SEC1, None).unwrap();
    let pkcs8 = SigningKey::from_config("ec", EC_PKCS8, Some("ES256")).unwrap();
    assert_eq!(sec1.alg(), SigningAlg::ES256);
    assert_eq!(sec1.jwk(), pkcs8.jwk());
    let jwk = sec1.jwk();
    assert_eq!(jwk.kty, "EC");
    assert_eq!(jwk.crv.as_deref(), Some("P-256"));
    assert!(jwk.value.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    assert!(jwk.n.is_none() && jwk.e.is_none());
}

#[test]
fn ec_jwk_x_and_y_verify_a_signature_through_an_independent_path() {
    let key = SigningKey::generate_ec("ec").unwrap();
    let jwk = key.jwk();
    let sig = key.sign_bytes(b"payload").unwrap();
    assert_eq!(sig.len(), 64, "JWS ES256 signatures are fixed-width R || S");
    let mut point = vec![0x04];
    point.extend(decode(jwk.x.as_deref().unwrap()));
    point.extend(decode(jwk.y.as_deref().unwrap()));
    let public = UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point);
    public.verify(b"payload", &sig).unwrap();
    assert!(public.verify(b"tampered", &sig).is_err());
}

#[test]
fn openssl_ecparam_output_with_a_parameters_block_loads() {
    let params = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
    let key = SigningKey::from_config("ec", &format!("{params}{EC_SEC1}"), None).unwrap();
    assert_eq!(key.alg(), SigningAlg::ES256);
}

#[test]
fn non_pem_signing_key_is_an_hmac_secret_rendered_as_a_mac_jwk() {
    let key = SigningKey::from_config("legacy-token-key", "  tokenKey  ", None).unwrap();
    assert!(key.is_symmetric());
    assert_eq!(key.alg(), SigningAlg::HS256);
    let json = serde_json::to_value(key.jwk()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"kty":"MAC","use":"sig","kid":"legacy-token-key","alg":"HS256","value":"tokenKey"})
    );
    assert_eq!(key.to_pkcs8_pem(), None);
}

#[test]
fn signing_alg_must_suit_the_key_type() {
    let err = SigningKey::from_config("k", RSA_PKCS1, Some("HS256")).unwrap_err();
    assert!(matches!(err, CryptoError::AlgMismatch { .. }), "{err}");
    let err = SigningKey::from_config("k", "secret", Some("RS256")).unwrap_err();
    assert!(matches!(err, CryptoError::AlgMismatch { .. }), "{err}");
    let err = SigningKey::from_config("k", EC_SEC1, Some("RS256")).unwrap_err();
    assert!(matches!(err, CryptoError::AlgMismatch { .. }), "{err}");
}

#[test]
fn rs384_and_rs512_are_accepted_for_rsa_keys() {
    for alg in ["RS384", "RS512"] {
        let key = SigningKey::from_config("k", RSA_PKCS1, Some(alg)).unwrap();
        assert_eq!(key.jwk().alg, alg);
        let sig = key.sign_bytes(b"m").unwrap();
        assert!(key.verify_bytes(b"m", &sig));
    }
}

#[test]
fn unknown_signing_alg_is_an_error_naming_it() {
    let err = SigningKey::from_config("k", RSA_PKCS1, Some("PS256")).unwrap_err();
    assert!(err.to_string().contains("\"PS256\""), "{err}");
    assert!(matches!(err, CryptoError::UnsupportedAlg(_)));
}

#[test]
fn empty_kid_or_signing_key_is_rejected_like_uaa() {
    assert!(SigningKey::from_config("", "secret", None).is_err());
    assert!(SigningKey::from_config("k", "   ", None).is_err());
}

#[test]
fn broken_or_public_pem_is_an_error_not_an_hmac_secret() {
    let truncated = &RSA_PKCS1[..200];
    assert!(matches!(
        SigningKey::from_config("k", truncated, None),
        Err(CryptoError::InvalidKey { .. })
    ));
    let err = SigningKey::from_config("k", RSA_PUBLIC, None).unwrap_err();
    assert!(err.to_string().contains("private key"), "{err}");
    let garbage = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----";
    assert!(SigningKey::from_config("k", garbage, None).is_err());
}

#[test]
fn debug_output_never_contains_key_material() {
    let mac = SigningKey::from_config("k", "super-secret-value", None).unwrap();
    let dbg = format!("{mac:?}");
    assert!(!dbg.contains("super-secret-value"), "{dbg}");
    assert!(dbg.contains("\"k\"") && dbg.contains("HS256"));
    let rsa = SigningKey::from_config("k", RSA_PKCS1, None).unwrap();
    let dbg = format!("{rsa:?}");
    assert!(!dbg.contains("MII") && dbg.len() < 100, "{dbg}");
}

#[test]
fn signing_alg_round_trips_through_its_name() {
    for alg in [
        "RS256", "RS384", "RS512", "HS256", "HS384", "HS512", "ES256",
    ] {
        assert_eq!(alg.parse::<SigningAlg>().unwrap().to_string(), alg);
    }
    assert!("rs256".parse::<SigningAlg>().is_err());
}
