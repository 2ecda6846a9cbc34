//! Password and client-secret hashing exactly as UAA stores them (reference §6.3): Spring's
//! `BCryptPasswordEncoder` (strength 10, `$2a$`) behind UAA's
//! `BackwardsCompatibleDelegatingPasswordEncoder` (an optional `{bcrypt}` prefix), so hashes
//! move freely between UAA's database and ours.
//!
//! bcrypt is deliberately slow, so it never runs on an async worker: [`Hasher`] sends it to
//! tokio's blocking pool behind a semaphore, which bounds how many threads a flood of wrong
//! secrets can occupy. [`ClientSecretVerifier`] adds a cache of *successful* client-secret
//! checks (UAA's `CachingPasswordEncoder`, improved: keyed so a changed secret can never hit,
//! LRU-bounded instead of wiped at 1000 entries) so a warm client pays no bcrypt at all.

use std::hash::Hash;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use aws_lc_rs::hmac;
use lru::LruCache;
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;
use uaa_core::secret::Secret;

use crate::CryptoError;
use crate::random::random_bytes;

/// Spring `BCryptPasswordEncoder()`'s default strength, which UAA uses.
pub const DEFAULT_BCRYPT_COST: u32 = 10;
/// Entries kept by [`SecretCache`] before the least recently used is evicted.
pub const DEFAULT_CACHE_CAPACITY: usize = 10_000;
/// UAA's `CachingPasswordEncoder`: Guava `expireAfterWrite(5, MINUTES)`.
pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(5 * 60);

/// bcrypt reads at most 72 bytes of the password; Spring truncates, and so do we.
const BCRYPT_MAX_PASSWORD_BYTES: usize = 72;
/// The one `DelegatingPasswordEncoder` id UAA accepts.
const BCRYPT_ID_PREFIX: &str = "{bcrypt}";

/// Hashes `raw` with bcrypt at `cost` in Spring's `$2a$` format. Blocking: call it from
/// [`Hasher::hash`] (or a blocking context).
pub fn hash_password(raw: &str, cost: u32) -> Result<String, CryptoError> {
    let parts = bcrypt::hash_with_result(bcrypt_input(raw), cost)?;
    Ok(parts.format_for_version(bcrypt::Version::TwoA))
}

/// Checks `raw` against a stored hash, which may carry a `{bcrypt}` prefix. Any other `{id}`
/// is an error, as UAA's encoder throws `IllegalArgumentException`; a malformed hash is an
/// error too. Blocking: call it from [`Hasher::verify`].
pub fn verify_password(raw: &str, stored_hash: &str) -> Result<bool, CryptoError> {
    let hash = strip_encoding_id(stored_hash)?;
    Ok(bcrypt::verify(bcrypt_input(raw), hash)?)
}

/// The first 72 bytes of the password: all bcrypt ever uses (and all Spring passes it).
fn bcrypt_input(raw: &str) -> &[u8] {
    let bytes = raw.as_bytes();
    &bytes[..bytes.len().min(BCRYPT_MAX_PASSWORD_BYTES)]
}

/// Spring `DelegatingPasswordEncoder.extractId`: `{id}` at the start names the encoder.
fn strip_encoding_id(stored: &str) -> Result<&str, CryptoError> {
    if let Some(rest) = stored.strip_prefix(BCRYPT_ID_PREFIX) {
        return Ok(rest);
    }
    if let Some(id) = stored
        .strip_prefix('{')
        .and_then(|s| s.split_once('}'))
        .map(|(id, _)| id)
    {
        return Err(CryptoError::UnsupportedPasswordEncoding(id.to_owned()));
    }
    Ok(stored)
}

/// Runs bcrypt off the async runtime, at most `max_concurrent` at a time. Cheap to clone:
/// clones share one semaphore.
#[derive(Debug, Clone)]
pub struct Hasher {
    cost: u32,
    permits: Arc<Semaphore>,
}

impl Default for Hasher {
    /// Cost 10, one concurrent bcrypt per CPU.
    fn default() -> Self {
        let cpus = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
        Self::new(DEFAULT_BCRYPT_COST, cpus)
    }
}

impl Hasher {
    /// A hasher producing cost-`cost` hashes (production: [`DEFAULT_BCRYPT_COST`]; tests may
    /// use 4) that runs at most `max_concurrent` bcrypt computations at once (at least one).
    pub fn new(cost: u32, max_concurrent: usize) -> Self {
        let permits = max_concurrent.clamp(1, Semaphore::MAX_PERMITS);
        Self {
            cost,
            permits: Arc::new(Semaphore::new(permits)),
        }
    }

    /// The bcrypt cost of new hashes.
    pub fn cost(&self) -> u32 {
        self.cost
    }

    /// Hashes a new password or client secret (`$2a$`, no `{bcrypt}` prefix, as UAA stores).
    pub async fn hash(&self, raw: Secret) -> Result<String, CryptoError> {
        let cost = self.cost;
        self.run(move || hash_password(raw.expose(), cost)).await?
    }

    /// True when `raw` matches `stored_hash`; false on mismatch and on any error
    /// (unsupported `{id}`, malformed hash, pool unavailable).
    pub async fn verify(&self, raw: &str, stored_hash: &str) -> bool {
        matches!(self.try_verify(raw, stored_hash).await, Ok(true))
    }

    /// Like [`Hasher::verify`], but reports why a check could not be made.
    pub async fn try_verify(&self, raw: &str, stored_hash: &str) -> Result<bool, CryptoError> {
        let (raw, stored) = (Secret::new(raw), stored_hash.to_owned());
        self.run(move || verify_password(raw.expose(), &stored))
            .await?
    }

    /// Runs `job` on the blocking pool once a permit is free. The permit moves into the job,
    /// so it is released when bcrypt finishes, not when the caller stops waiting: cancelled
    /// requests cannot pile up more than `max_concurrent` running computations.
    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, CryptoError> {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| CryptoError::HashPoolUnavailable)?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            job()
        })
        .await
        .map_err(|_| CryptoError::HashPoolUnavailable)
    }
}

/// A cache key: HMAC-SHA256 over (stored hash, presented secret). Equality is constant-time
/// since the bytes derive from a secret.
#[derive(Clone, Copy, Eq)]
struct CacheKey([u8; 32]);

impl PartialEq for CacheKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Hash for CacheKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write(&self.0);
    }
}

/// Remembers which (stored hash, presented secret) pairs recently verified, so the next
/// check of the same pair needs no bcrypt.
///
/// The key is HMAC-SHA256 under a random per-process key over the stored hash and the
/// presented secret. Changing a client's secret changes its stored hash, hence every key, so a
/// stale secret is never accepted, even when another server instance sharing the database
/// made the change. Entries live [`DEFAULT_CACHE_TTL`] from insertion (checked on read, expired
/// entries removed) and the map is LRU-bounded. Only successes are ever inserted.
pub struct SecretCache {
    mac_key: hmac::Key,
    ttl: Duration,
    entries: Mutex<LruCache<CacheKey, Instant>>,
}

impl std::fmt::Debug for SecretCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretCache")
            .field("ttl", &self.ttl)
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

impl SecretCache {
    /// A cache of at most `capacity` (at least 1) entries, each valid for `ttl`.
    pub fn new(capacity: usize, ttl: Duration) -> Result<Self, CryptoError> {
        let key = random_bytes::<32>()?;
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Ok(Self {
            mac_key: hmac::Key::new(hmac::HMAC_SHA256, &key),
            ttl,
            entries: Mutex::new(LruCache::new(capacity)),
        })
    }

    /// [`DEFAULT_CACHE_CAPACITY`] entries, [`DEFAULT_CACHE_TTL`].
    pub fn with_defaults() -> Result<Self, CryptoError> {
        Self::new(DEFAULT_CACHE_CAPACITY, DEFAULT_CACHE_TTL)
    }

    /// True when this pair verified less than `ttl` before `now`. An expired entry is
    /// removed. A hit also marks the entry most recently used.
    pub fn contains_at(&self, stored_hash: &str, presented: &str, now: Instant) -> bool {
        let key = self.key(stored_hash, presented);
        let mut entries = self.lock();
        let Some(&inserted) = entries.get(&key) else {
            return false;
        };
        if now.saturating_duration_since(inserted) < self.ttl {
            return true;
        }
        entries.pop(&key);
        false
    }

    /// Records that `presented` matched `stored_hash` at `now`. Call only after a success.
    pub fn insert_at(&self, stored_hash: &str, presented: &str, now: Instant) {
        let key = self.key(stored_hash, presented);
        self.lock().put(key, now);
    }

    /// Entries currently held (expired ones included until read or evicted).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every entry.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// HMAC-SHA256(process key, len(stored) ‖ stored ‖ 0x00 ‖ presented). The length prefix
    /// and separator make the encoding injective, so no two pairs share an input.
    fn key(&self, stored_hash: &str, presented: &str) -> CacheKey {
        let mut ctx = hmac::Context::with_key(&self.mac_key);
        ctx.update(&(stored_hash.len() as u64).to_be_bytes());
        ctx.update(stored_hash.as_bytes());
        ctx.update(&[0x00]);
        ctx.update(presented.as_bytes());
        let tag = ctx.sign();
        let mut out = [0u8; 32];
        out.iter_mut().zip(tag.as_ref()).for_each(|(o, t)| *o = *t);
        CacheKey(out)
    }

    /// The map lock, held only for one map operation and never across an `.await`. A
    /// poisoned lock is recovered: the map holds no invariant a panic could break.
    fn lock(&self) -> MutexGuard<'_, LruCache<CacheKey, Instant>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Client authentication's secret check (UAA `ClientDetailsAuthenticationProvider` with the
/// caching encoder): the presented secret against each stored hash (UAA keeps up to two
/// during rotation), first in the cache, then with bcrypt; successes are cached. Share it
/// behind an `Arc`.
#[derive(Debug)]
pub struct ClientSecretVerifier {
    hasher: Hasher,
    cache: SecretCache,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl ClientSecretVerifier {
    /// A verifier with zeroed hit/miss counters.
    pub fn new(hasher: Hasher, cache: SecretCache) -> Self {
        Self {
            hasher,
            cache,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// True when `presented` matches any of `stored_hashes`.
    pub async fn verify(&self, presented: &str, stored_hashes: &[String]) -> bool {
        self.verify_at(presented, stored_hashes, Instant::now())
            .await
    }

    /// [`ClientSecretVerifier::verify`] with the clock passed in, for tests.
    pub async fn verify_at(&self, presented: &str, stored_hashes: &[String], now: Instant) -> bool {
        if stored_hashes
            .iter()
            .any(|h| self.cache.contains_at(h, presented, now))
        {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return true;
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        for stored in stored_hashes {
            if self.hasher.verify(presented, stored).await {
                self.cache.insert_at(stored, presented, now);
                return true;
            }
        }
        false
    }

    /// Checks answered from the cache.
    pub fn cache_hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// Checks that had to run bcrypt (successful or not).
    pub fn cache_misses(&self) -> u64 {
        self.misses.load(Ordering::Relaxed)
    }

    /// The underlying hasher, e.g. to hash a new secret.
    pub fn hasher(&self) -> &Hasher {
        &self.hasher
    }

    /// The underlying cache.
    pub fn cache(&self) -> &SecretCache {
        &self.cache
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
