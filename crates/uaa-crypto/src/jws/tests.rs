//! Round trips for every algorithm, the attacks RFC 8725 lists, and tokens signed by OpenSSL
//! (an implementation independent of ours, see `testdata/README.md`).

use super::*;
use serde_json::json;

const RSA_PKCS1: &str = include_str!("../../testdata/rsa_pkcs1.pem");
const RS256_OPENSSL: &str = include_str!("../../testdata/rs256_openssl.jwt");
const HS256_OPENSSL: &str = include_str!("../../testdata/hs256_openssl.jwt");

fn claims() -> Value {
    json!({"jti": "abc", "sub": "admin", "scope": ["uaa.admin"], "exp": 1_700_000_000})
}

fn ring_of(key: SigningKey) -> KeyRing {
    let kid = key.kid().to_owned();
    KeyRing::new(vec![key], &kid).unwrap()
}

fn jku() -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("jku".into(), "https://uaa.example.com/token_keys".into());
    m
}

fn part(token: &str, i: usize) -> Value {
    let seg = token.split('.').nth(i).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(seg).unwrap()).unwrap()
}

fn forge(header: &Value, payload: &Value, sig: &str) -> String {
    let enc = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
    format!("{}.{}.{sig}", enc(header), enc(payload))
}

#[test]
fn rs256_token_verifies_with_its_own_key_ring() {
    let ring = ring_of(SigningKey::generate_rsa("rsa-1").unwrap());
    let token = ring.sign(jku(), &claims()).unwrap();
    let (header, got) = ring.verify(&token).unwrap();
    assert_eq!(got, claims());
    assert_eq!(header["alg"], "RS256");
}

#[test]
fn hs256_token_verifies_with_its_own_key_ring() {
    let ring = ring_of(SigningKey::from_config("mac", "tokenKey", None).unwrap());
    let token = ring.sign(Map::new(), &claims()).unwrap();
    assert_eq!(ring.verify(&token).unwrap().1, claims());
}

#[test]
fn es256_token_verifies_with_its_own_key_ring() {
    let ring = ring_of(SigningKey::generate_ec("ec").unwrap());
    let token = ring.sign(Map::new(), &claims()).unwrap();
    let sig = URL_SAFE_NO_PAD
        .decode(token.rsplit('.').next().unwrap())
        .unwrap();
    assert_eq!(sig.len(), 64);
    assert_eq!(ring.verify(&token).unwrap().1, claims());
}

#[test]
fn header_is_alg_jku_kid_typ_in_uaas_order() {
    let key = SigningKey::from_config("key-1", "s", None).unwrap();
    let token = sign(&key, jku(), &claims()).unwrap();
    let header = URL_SAFE_NO_PAD
        .decode(token.split('.').next().unwrap())
        .unwrap();
    assert_eq!(
        String::from_utf8(header).unwrap(),
        r#"{"alg":"HS256","jku":"https://uaa.example.com/token_keys","kid":"key-1","typ":"JWT"}"#
    );
    let without_jku = sign(&key, Map::new(), &claims()).unwrap();
    assert_eq!(
        part(&without_jku, 0),
        json!({"alg":"HS256","kid":"key-1","typ":"JWT"})
    );
}

#[test]
fn header_extra_cannot_override_alg_kid_or_typ() {
    let key = SigningKey::from_config("real", "s", None).unwrap();
    let mut extra = Map::new();
    extra.insert("alg".into(), "none".into());
    extra.insert("kid".into(), "other".into());
    extra.insert("typ".into(), "at+jwt".into());
    let token = sign(&key, extra, &claims()).unwrap();
    assert_eq!(
        part(&token, 0),
        json!({"alg":"HS256","kid":"real","typ":"JWT"})
    );
}

#[test]
fn tampered_payload_fails_for_every_algorithm() {
    let keys = [
        SigningKey::from_config("r", RSA_PKCS1, None).unwrap(),
        SigningKey::generate_ec("e").unwrap(),
        SigningKey::from_config("h", "secret", None).unwrap(),
    ];
    for key in keys {
        let ring = ring_of(key);
        let token = ring.sign(Map::new(), &claims()).unwrap();
        let mut parts: Vec<&str> = token.split('.').collect();
        let evil = URL_SAFE_NO_PAD.encode(br#"{"sub":"attacker"}"#);
        parts[1] = &evil;
        assert_eq!(
            ring.verify(&parts.join(".")),
            Err(JwsError::SignatureMismatch)
        );
    }
}

#[test]
fn tampered_signature_fails() {
    let ring = ring_of(SigningKey::from_config("h", "secret", None).unwrap());
    let token = ring.sign(Map::new(), &claims()).unwrap();
    let flipped = format!("{}A", &token[..token.len() - 1]);
    let other = if flipped == token {
        format!("{}B", &token[..token.len() - 1])
    } else {
        flipped
    };
    assert!(ring.verify(&other).is_err());
}

#[test]
fn alg_none_is_rejected_even_without_a_signature() {
    let ring = ring_of(SigningKey::from_config("h", "secret", None).unwrap());
    for alg in ["none", "None", "NONE"] {
        let token = forge(&json!({"alg": alg, "kid": "h"}), &claims(), "");
        assert_eq!(ring.verify(&token), Err(JwsError::AlgNone));
    }
}

#[test]
fn alg_mismatch_is_rejected_before_checking_the_signature() {
    // The classic confusion: HS256 "signed" with the RSA public key as the HMAC secret.
    let rsa = SigningKey::from_config("r", RSA_PKCS1, None).unwrap();
    let public_pem = rsa.jwk().value;
    let ring = ring_of(rsa);
    let header = json!({"alg":"HS256","kid":"r","typ":"JWT"});
    let unsigned = forge(&header, &claims(), "");
    let input = unsigned.trim_end_matches('.');
    let mac = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, public_pem.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(aws_lc_rs::hmac::sign(&mac, input.as_bytes()));
    let err = ring.verify(&format!("{input}.{sig}")).unwrap_err();
    assert_eq!(
        err,
        JwsError::AlgMismatch {
            token: "HS256".into(),
            key: "RS256"
        }
    );
}

#[test]
fn missing_alg_is_rejected() {
    let ring = ring_of(SigningKey::from_config("h", "secret", None).unwrap());
    let token = forge(&json!({"kid":"h"}), &claims(), "AAAA");
    assert_eq!(ring.verify(&token), Err(JwsError::MissingAlg));
}

#[test]
fn unknown_kid_is_rejected_and_missing_kid_uses_the_active_key() {
    let a = SigningKey::from_config("a", "secret-a", None).unwrap();
    let b = SigningKey::from_config("b", "secret-b", None).unwrap();
    let ring = KeyRing::new(vec![a.clone(), b.clone()], "b").unwrap();
    let stray = ring_of(SigningKey::from_config("zzz", "x", None).unwrap());
    let token = stray.sign(Map::new(), &claims()).unwrap();
    assert_eq!(ring.verify(&token), Err(JwsError::UnknownKid("zzz".into())));

    let header = json!({"alg":"HS256","typ":"JWT"});
    let input = forge(&header, &claims(), "");
    let input = input.trim_end_matches('.');
    let with = |k: &SigningKey| {
        format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(k.sign_bytes(input.as_bytes()).unwrap())
        )
    };
    assert!(
        ring.verify(&with(&b)).is_ok(),
        "no kid: the active key verifies"
    );
    assert_eq!(ring.verify(&with(&a)), Err(JwsError::SignatureMismatch));
}

#[test]
fn tokens_signed_by_a_rotated_out_key_still_verify() {
    let old = SigningKey::from_config("old", "old-secret", None).unwrap();
    let token = sign(&old, Map::new(), &claims()).unwrap();
    let new = SigningKey::generate_rsa("new").unwrap();
    let ring = KeyRing::new(vec![new, old], "new").unwrap();
    assert_eq!(ring.active().kid(), "new");
    assert_eq!(ring.verify(&token).unwrap().1, claims());
    assert_eq!(
        part(&ring.sign(Map::new(), &claims()).unwrap(), 0)["kid"],
        "new"
    );
}

#[test]
fn non_jwt_strings_are_rejected_as_not_a_jwt() {
    let ring = ring_of(SigningKey::from_config("h", "secret", None).unwrap());
    for t in [
        "",
        "opaque-token-1234",
        "a.b",
        "a.b.c.d",
        "a.b.c.d.e",
        ".b.c",
        "a..c",
    ] {
        assert_eq!(ring.verify(t), Err(JwsError::NotAJwt), "{t}");
    }
    assert_eq!(ring.verify("!!.e30.AAAA"), Err(JwsError::MalformedHeader));
    let array_header = URL_SAFE_NO_PAD.encode("[1]");
    assert_eq!(
        ring.verify(&format!("{array_header}.e30.AA")),
        Err(JwsError::MalformedHeader)
    );
}

#[test]
fn critical_header_extensions_are_rejected() {
    let key = SigningKey::from_config("h", "secret", None).unwrap();
    let mut extra = Map::new();
    extra.insert("crit".into(), json!(["exp"]));
    let token = sign(&key, extra, &claims()).unwrap();
    assert_eq!(
        ring_of(key).verify(&token),
        Err(JwsError::UnsupportedCritical)
    );
}

#[test]
fn claims_must_be_a_json_object() {
    let key = SigningKey::from_config("h", "secret", None).unwrap();
    let token = sign(&key, Map::new(), &json!(["not", "an", "object"])).unwrap();
    assert_eq!(ring_of(key).verify(&token), Err(JwsError::MalformedClaims));
}

#[test]
fn rs256_token_signed_by_openssl_verifies() {
    let ring = ring_of(SigningKey::from_config("openssl-key", RSA_PKCS1, None).unwrap());
    let (header, claims) = ring.verify(RS256_OPENSSL.trim()).unwrap();
    assert_eq!(header["kid"], "openssl-key");
    assert_eq!(claims["sub"], "openssl");
}

#[test]
fn hs256_token_signed_by_openssl_verifies() {
    let ring = ring_of(SigningKey::from_config("mac-key", "tokenKey-not-a-pem", None).unwrap());
    let (_, claims) = ring.verify(HS256_OPENSSL.trim()).unwrap();
    assert_eq!(claims["iss"], "http://localhost:8080/uaa/oauth/token");
}

#[test]
fn our_rs256_signature_equals_openssls_for_the_same_input() {
    // RSASSA-PKCS1-v1_5 is deterministic, so same key + same input = same signature.
    let key = SigningKey::from_config("openssl-key", RSA_PKCS1, None).unwrap();
    let token = RS256_OPENSSL.trim();
    let (input, sig) = token.rsplit_once('.').unwrap();
    assert_eq!(
        URL_SAFE_NO_PAD.encode(key.sign_bytes(input.as_bytes()).unwrap()),
        sig
    );
}

#[test]
fn key_ring_rejects_duplicate_kids_and_an_absent_active_kid() {
    let a = SigningKey::from_config("a", "s1", None).unwrap();
    let a2 = SigningKey::from_config("a", "s2", None).unwrap();
    assert!(matches!(
        KeyRing::new(vec![a.clone(), a2], "a"),
        Err(CryptoError::InvalidKeyRing(_))
    ));
    assert!(matches!(
        KeyRing::new(vec![a], "b"),
        Err(CryptoError::InvalidKeyRing(_))
    ));
    assert!(matches!(
        KeyRing::new(vec![], "a"),
        Err(CryptoError::InvalidKeyRing(_))
    ));
}

#[test]
fn jwks_lists_symmetric_keys_only_when_asked() {
    let rsa = SigningKey::from_config("rsa", RSA_PKCS1, None).unwrap();
    let mac = SigningKey::from_config("mac", "secret", None).unwrap();
    let ring = KeyRing::new(vec![rsa, mac], "rsa").unwrap();
    let public: Vec<_> = ring.jwks(false).keys.into_iter().map(|k| k.kid).collect();
    assert_eq!(public, ["rsa"]);
    let all: Vec<_> = ring.jwks(true).keys.into_iter().map(|k| k.kty).collect();
    assert_eq!(all, ["RSA", "MAC"]);
}
