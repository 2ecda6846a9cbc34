//! bcrypt compatibility with Spring/UAA hashes, the bounded blocking pool, and the secret
//! cache's safety properties (no stale secret, no cached failure, TTL, LRU bound). Tests hash
//! at cost 4 unless they check the production format.

use std::sync::atomic::AtomicUsize;

use super::*;

/// From Spring Security's reference ("Password Storage Format"): bcrypt of `password`.
const SPRING_DOC_HASH: &str = "$2a$10$dXJ3SW6G7P50lGmMkkmwe.20cQQubK3.HZWzG3YB1tlRy.fqvM/BG";

fn fast_hasher() -> Hasher {
    Hasher::new(4, 2)
}

fn verifier(capacity: usize, ttl: Duration) -> ClientSecretVerifier {
    ClientSecretVerifier::new(fast_hasher(), SecretCache::new(capacity, ttl).unwrap())
}

fn hashed(raw: &str) -> String {
    hash_password(raw, 4).unwrap()
}

#[test]
fn new_hashes_are_spring_2a_format_at_the_requested_cost() {
    let h = hash_password("adminsecret", DEFAULT_BCRYPT_COST).unwrap();
    assert!(h.starts_with("$2a$10$"), "{h}");
    assert_eq!(h.len(), 60);
    assert!(verify_password("adminsecret", &h).unwrap());
    assert!(!verify_password("adminsecreT", &h).unwrap());
}

#[test]
fn a_spring_generated_2a_hash_verifies_with_and_without_the_bcrypt_prefix() {
    assert!(verify_password("password", SPRING_DOC_HASH).unwrap());
    assert!(verify_password("password", &format!("{{bcrypt}}{SPRING_DOC_HASH}")).unwrap());
    assert!(!verify_password("Password", SPRING_DOC_HASH).unwrap());
}

#[test]
fn any_other_encoding_id_is_an_error_and_never_a_match() {
    let err = verify_password("password", &format!("{{noop}}{SPRING_DOC_HASH}")).unwrap_err();
    assert!(matches!(err, CryptoError::UnsupportedPasswordEncoding(ref id) if id == "noop"));
    assert!(verify_password("password", "{noop}password").is_err());
}

#[test]
fn malformed_stored_hashes_are_errors_not_panics() {
    for stored in [
        "",
        "not-a-hash",
        "$2a$10$short",
        "{bcrypt}",
        "{",
        "$2a$99$Ω",
    ] {
        assert!(verify_password("x", stored).is_err(), "{stored}");
    }
}

#[test]
fn passwords_longer_than_72_bytes_hash_and_verify_on_their_first_72_bytes() {
    // 121 bytes; byte 72 is the first byte of the 36th "é" (C3 A9), inside a character.
    let long = format!("a{}", "é".repeat(60));
    let h = hashed(&long);
    assert!(verify_password(&long, &h).unwrap());
    // "ë" is C3 AB: the first 72 bytes are unchanged, so bcrypt cannot tell them apart.
    assert!(verify_password(&format!("{}ëtail", &long[..71]), &h).unwrap());
    assert!(!verify_password(&format!("{}xé", &long[..69]), &h).unwrap());
}

#[test]
fn an_invalid_cost_is_an_error() {
    assert!(matches!(hash_password("x", 3), Err(CryptoError::Bcrypt(_))));
}

#[tokio::test]
async fn hasher_hashes_and_verifies_off_the_runtime() {
    let hasher = fast_hasher();
    let h = hasher.hash(Secret::new("s3cret")).await.unwrap();
    assert!(h.starts_with("$2a$04$"));
    assert!(hasher.verify("s3cret", &h).await);
    assert!(!hasher.verify("wrong", &h).await);
    assert!(!hasher.verify("s3cret", "{sha256}abc").await);
    assert!(hasher.try_verify("s3cret", "{sha256}abc").await.is_err());
}

#[test]
fn default_hasher_uses_cost_10() {
    assert_eq!(Hasher::default().cost(), DEFAULT_BCRYPT_COST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hasher_never_runs_more_jobs_than_its_permits() {
    let hasher = Hasher::new(4, 2);
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let jobs = (0..8).map(|_| {
        let (hasher, running, peak) = (hasher.clone(), running.clone(), peak.clone());
        tokio::spawn(async move {
            hasher
                .run(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(15));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
        })
    });
    for job in jobs.collect::<Vec<_>>() {
        job.await.unwrap().unwrap();
    }
    assert_eq!(peak.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_cancelled_check_keeps_its_permit_until_bcrypt_finishes() {
    let hasher = Hasher::new(4, 1);
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let job = hasher.run(move || release_rx.recv().ok());
    // Give up on the job almost at once, as a disconnected client would.
    let gave_up = tokio::time::timeout(Duration::from_millis(20), job).await;
    assert!(gave_up.is_err());
    assert_eq!(
        hasher.permits.available_permits(),
        0,
        "the job still runs, holding its permit"
    );
    release_tx.send(()).unwrap();
    let _permit = tokio::time::timeout(Duration::from_secs(5), hasher.permits.acquire())
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn the_async_runtime_keeps_running_during_bcrypt() {
    // A single-threaded runtime: if bcrypt ran on it, the ticker could not tick.
    let hasher = Hasher::new(DEFAULT_BCRYPT_COST, 1);
    let ticks = Arc::new(AtomicUsize::new(0));
    let ticker = {
        let ticks = ticks.clone();
        tokio::spawn(async move {
            loop {
                tokio::task::yield_now().await;
                ticks.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    hasher.hash(Secret::new("x")).await.unwrap();
    ticker.abort();
    assert!(ticks.load(Ordering::Relaxed) > 0);
}

#[tokio::test]
async fn cache_hit_on_the_second_verify_of_the_same_secret() {
    let v = verifier(10, DEFAULT_CACHE_TTL);
    let stored = vec![hashed("appclientsecret")];
    assert!(v.verify("appclientsecret", &stored).await);
    assert_eq!((v.cache_hits(), v.cache_misses()), (0, 1));
    assert!(v.verify("appclientsecret", &stored).await);
    assert_eq!((v.cache_hits(), v.cache_misses()), (1, 1));
}

#[tokio::test]
async fn no_cache_entry_after_a_failure() {
    let v = verifier(10, DEFAULT_CACHE_TTL);
    let stored = vec![hashed("right")];
    assert!(!v.verify("wrong", &stored).await);
    assert!(v.cache().is_empty());
    assert!(!v.verify("wrong", &stored).await);
    assert_eq!((v.cache_hits(), v.cache_misses()), (0, 2));
}

#[tokio::test]
async fn cached_secret_is_not_served_after_the_stored_hash_changes() {
    let v = verifier(10, DEFAULT_CACHE_TTL);
    let before = vec![hashed("old-secret")];
    assert!(v.verify("old-secret", &before).await);
    // Another instance changed the secret: the database now holds a new hash.
    let after = vec![hashed("new-secret")];
    assert!(!v.verify("old-secret", &after).await);
    assert_eq!(v.cache_hits(), 0);
    assert!(v.verify("new-secret", &after).await);
    assert!(v.verify("new-secret", &after).await);
    assert_eq!((v.cache_hits(), v.cache_misses()), (1, 3));
}

#[tokio::test]
async fn cache_misses_when_the_stored_hash_differs_even_for_the_same_secret() {
    let v = verifier(10, DEFAULT_CACHE_TTL);
    assert!(v.verify("same", &[hashed("same")]).await);
    // A re-hash of the same secret (new salt) is a different stored value: bcrypt again.
    assert!(v.verify("same", &[hashed("same")]).await);
    assert_eq!((v.cache_hits(), v.cache_misses()), (0, 2));
}

#[tokio::test]
async fn either_of_two_rotating_secrets_verifies_and_is_cached() {
    let v = verifier(10, DEFAULT_CACHE_TTL);
    let stored = vec![hashed("first"), hashed("second")];
    assert!(v.verify("second", &stored).await);
    assert!(v.verify("first", &stored).await);
    assert!(v.verify("second", &stored).await);
    assert!(!v.verify("third", &stored).await);
    assert!(!v.verify("first", &[]).await);
    assert_eq!(v.cache_hits(), 1);
}

#[tokio::test]
async fn an_expired_entry_is_not_served_and_bcrypt_runs_again() {
    let ttl = Duration::from_secs(300);
    let v = verifier(10, ttl);
    let stored = vec![hashed("s")];
    let t0 = Instant::now();
    assert!(v.verify_at("s", &stored, t0).await);
    assert!(
        v.verify_at("s", &stored, t0 + ttl - Duration::from_millis(1))
            .await
    );
    assert_eq!(v.cache_hits(), 1);
    assert!(v.verify_at("s", &stored, t0 + ttl).await);
    assert_eq!((v.cache_hits(), v.cache_misses()), (1, 2));
}

#[test]
fn reading_an_expired_entry_removes_it() {
    let cache = SecretCache::new(10, Duration::from_secs(60)).unwrap();
    let t0 = Instant::now();
    cache.insert_at("$2a$hash", "secret", t0);
    assert!(cache.contains_at("$2a$hash", "secret", t0 + Duration::from_secs(59)));
    assert!(!cache.contains_at("$2a$hash", "secret", t0 + Duration::from_secs(60)));
    assert!(cache.is_empty());
}

#[test]
fn lru_bound_is_respected_and_the_least_recently_used_entry_goes_first() {
    let cache = SecretCache::new(3, DEFAULT_CACHE_TTL).unwrap();
    let now = Instant::now();
    for s in ["a", "b", "c"] {
        cache.insert_at("h", s, now);
    }
    assert!(cache.contains_at("h", "a", now)); // "a" is now most recently used
    cache.insert_at("h", "d", now);
    assert_eq!(cache.len(), 3);
    assert!(
        !cache.contains_at("h", "b", now),
        "b was least recently used"
    );
    for s in ["a", "c", "d"] {
        assert!(cache.contains_at("h", s, now), "{s}");
    }
    for i in 0..100 {
        cache.insert_at("h", &i.to_string(), now);
    }
    assert_eq!(cache.len(), 3);
}

#[test]
fn cache_keys_do_not_collide_when_hash_and_secret_split_differently() {
    let cache = SecretCache::new(10, DEFAULT_CACHE_TTL).unwrap();
    let now = Instant::now();
    cache.insert_at("ab", "c", now);
    assert!(!cache.contains_at("a", "bc", now));
    assert!(!cache.contains_at("abc", "", now));
    assert!(cache.contains_at("ab", "c", now));
}

#[test]
fn two_caches_use_different_keys() {
    let (one, two) = (
        SecretCache::with_defaults().unwrap(),
        SecretCache::with_defaults().unwrap(),
    );
    assert_ne!(one.key("h", "s").0, two.key("h", "s").0);
    assert!(one.key("h", "s") == one.key("h", "s"));
}

#[test]
fn debug_output_never_contains_secrets() {
    let cache = SecretCache::new(4, DEFAULT_CACHE_TTL).unwrap();
    cache.insert_at("$2a$stored", "presented-secret", Instant::now());
    let v = ClientSecretVerifier::new(fast_hasher(), cache);
    let dbg = format!("{v:?}");
    assert!(
        !dbg.contains("presented-secret") && !dbg.contains("$2a$stored"),
        "{dbg}"
    );
}
