//! argon2id password hashing, always on the blocking pool so a login flood never stalls the
//! async executor.

use crate::error::AppError;
use argon2::{
    password_hash::{phc::PasswordHash, PasswordHasher, PasswordVerifier},
    Algorithm, Argon2, Params, Version,
};
use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Mutex, OnceLock},
    time::Duration,
};
use tokio::sync::{Semaphore, SemaphorePermit};

/// At most this many argon2 computations at once (19 MiB each): other requests keep their CPU
/// and the memory stays bounded.
static HASHING: Semaphore = Semaphore::const_new(2);
/// At most this many requests wait for a hashing slot. A flood beyond it is refused at once
/// (503 with `Retry-After`) instead of queueing without bound, so a real sign-in or password
/// change waits behind a handful of others, never behind hundreds.
pub const MAX_WAITING: usize = 16;
/// At most this many of the waiters come from one client address, so that one flooding
/// address cannot fill the queue and lock everybody else out.
pub const MAX_WAITING_PER_ADDRESS: usize = 4;
/// Nobody waits longer than this for a slot.
const MAX_WAIT: Duration = Duration::from_secs(3);
/// Seconds a refused caller is asked to wait.
const RETRY_AFTER: u64 = 2;

/// Who is waiting for a hashing slot: how many in all, and how many per client address.
#[derive(Default)]
struct Queue {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

fn queue() -> std::sync::MutexGuard<'static, Queue> {
    static QUEUE: OnceLock<Mutex<Queue>> = OnceLock::new();
    // The counters stay consistent under a poisoned lock: every change is a single step.
    QUEUE.get_or_init(Mutex::default).lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Counts one waiter for as long as it lives, even when the request is dropped mid-wait.
struct Waiting(Option<IpAddr>);

impl Waiting {
    fn join(address: Option<IpAddr>) -> Option<Waiting> {
        let mut q = queue();
        let from_address = address.map_or(0, |a| q.by_address.get(&a).copied().unwrap_or(0));
        if q.total >= MAX_WAITING || from_address >= MAX_WAITING_PER_ADDRESS {
            return None;
        }
        q.total += 1;
        if let Some(a) = address {
            *q.by_address.entry(a).or_default() += 1;
        }
        Some(Waiting(address))
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        let mut q = queue();
        q.total -= 1;
        if let Some(a) = self.0 {
            if let Some(n) = q.by_address.get_mut(&a) {
                *n -= 1;
                if *n == 0 {
                    q.by_address.remove(&a);
                }
            }
        }
    }
}

/// A hashing slot, or `Busy` when the queue (or this address's share of it) is full or the
/// wait too long.
async fn slot() -> Result<SemaphorePermit<'static>, AppError> {
    if let Ok(permit) = HASHING.try_acquire() {
        return Ok(permit);
    }
    let busy = AppError::Busy { retry_after: RETRY_AFTER };
    let Some(_waiting) = Waiting::join(super::client_ip()) else { return Err(busy) };
    match tokio::time::timeout(MAX_WAIT, HASHING.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        Ok(Err(e)) => Err(AppError::internal("hash permit", e)),
        Err(_) => Err(busy),
    }
}

/// OWASP's argon2id parameters: 19 MiB, 2 passes, 1 lane.
fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT)
}

fn hash_blocking(password: &str) -> Result<String, AppError> {
    hasher()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal("hash password", e))
}

/// Stored in place of a hash while an account has no password (an invitation not yet
/// accepted, a reset by an admin): it is not a PHC string, so no password verifies against it.
pub const UNUSABLE: &str = "!no-password";

/// A hash of a random string, verified against when the username is unknown so that
/// "no such user" costs the same time as "wrong password".
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking(&super::secret::generate()).expect("argon2 hashes a fixed-size input"))
}

/// Compute the dummy hash ahead of the first login attempt.
pub async fn warm_up() {
    let _ = tokio::task::spawn_blocking(dummy_hash).await;
}

pub async fn hash(password: String) -> Result<String, AppError> {
    let _permit = slot().await?;
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| AppError::internal("hash task", e))?
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The password matches; `rehash` says the stored hash uses outdated parameters.
    Valid {
        rehash: bool,
    },
    Invalid,
}

/// Check `password` against `stored`, or against the dummy hash when there is no account.
pub async fn verify(password: String, stored: Option<String>) -> Result<Verdict, AppError> {
    let _permit = slot().await?;
    tokio::task::spawn_blocking(move || {
        // An account without a usable password costs the same time as an unknown one.
        let stored = stored.filter(|h| h != UNUSABLE);
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| dummy_hash().to_owned());
        let Ok(parsed) = PasswordHash::new(&phc) else {
            tracing::error!("stored password hash does not parse");
            return Verdict::Invalid;
        };
        let matches = hasher().verify_password(password.as_bytes(), &parsed).is_ok();
        match (known, matches) {
            (true, true) => Verdict::Valid { rehash: is_outdated(&parsed) },
            _ => Verdict::Invalid,
        }
    })
    .await
    .map_err(|e| AppError::internal("verify task", e))
}

fn is_outdated(hash: &PasswordHash) -> bool {
    let current = Params::DEFAULT;
    let same_params = Params::try_from(hash)
        .map(|p| p.m_cost() >= current.m_cost() && p.t_cost() >= current.t_cost() && p.p_cost() >= current.p_cost())
        .unwrap_or(false);
    hash.algorithm.as_str() != "argon2id" || hash.version != Some(Version::V0x13.into()) || !same_params
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_nothing_else() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_eq!(
            verify("correct horse battery".into(), Some(h.clone())).await.unwrap(),
            Verdict::Valid { rehash: false }
        );
        assert_eq!(verify("wrong".into(), Some(h)).await.unwrap(), Verdict::Invalid);
    }

    #[tokio::test]
    async fn unknown_accounts_never_verify() {
        assert_eq!(verify("anything".into(), None).await.unwrap(), Verdict::Invalid);
    }

    #[tokio::test]
    async fn an_account_without_a_password_never_verifies() {
        for typed in ["", UNUSABLE, "anything"] {
            assert_eq!(verify(typed.into(), Some(UNUSABLE.into())).await.unwrap(), Verdict::Invalid);
        }
    }

    #[tokio::test]
    async fn weaker_parameters_ask_for_a_rehash() {
        let weak = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(4096, 1, 1, None).unwrap())
            .hash_password(b"correct horse battery")
            .unwrap()
            .to_string();
        assert_eq!(verify("correct horse battery".into(), Some(weak)).await.unwrap(), Verdict::Valid { rehash: true });
    }
}
