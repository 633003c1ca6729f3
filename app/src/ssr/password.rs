//! argon2id password hashing on its own threads, so a login flood never stalls the async
//! executor and its memory stays bounded.
//!
//! At most [`SLOTS`] hashing threads run, each keeping one argon2 working memory (19 MiB at
//! OWASP's parameters) from one hash to the next while sign-ins keep coming. A thread left idle
//! for [`IDLE`] ends, and its memory goes back to the system with it (freeing the memory while
//! the thread lives would not: the allocator keeps a thread's freed pages until that thread
//! allocates again). Allocating per hash on the blocking pool cost far more: the allocator kept
//! a 19 MiB arena for every pool thread that ever hashed, and pool threads come and go, so a
//! login flood left hundreds of MiB behind.

use crate::error::AppError;
use argon2::{
    password_hash::phc::{Output, ParamsString, PasswordHash, Salt},
    Algorithm, Argon2, Block, Params, Version,
};
use std::{
    collections::BTreeMap,
    net::IpAddr,
    sync::{
        atomic::{AtomicU64, Ordering},
        mpsc, Mutex, OnceLock,
    },
    time::Duration,
};
use tokio::sync::{Semaphore, SemaphorePermit};

/// Hashing threads, and so argon2 computations at once (19 MiB each): other requests keep
/// their CPU and the memory stays bounded.
const SLOTS: usize = 2;
static HASHING: Semaphore = Semaphore::const_new(SLOTS);
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

/// At most this many sign-in attempts from one client address are in progress at once: its
/// hashing slots and its places in the queue, and as many again on their way there. The rest
/// are refused at once, before any database read. Each attempt in progress holds its request's
/// memory while it waits (measured: 300 bogus sign-ins at once from one address kept about
/// 14 MiB waiting for database connections), so a flood from one address now costs next to
/// nothing beyond these.
pub const MAX_ATTEMPTS_PER_ADDRESS: usize = 2 * (SLOTS + MAX_WAITING_PER_ADDRESS);

/// How many of something each client address has under way.
#[derive(Default)]
struct PerAddress(BTreeMap<IpAddr, usize>);

impl PerAddress {
    /// Count one more for `address` unless it already has `limit`; a request without a known
    /// address is not counted here.
    fn enter(&mut self, address: Option<IpAddr>, limit: usize) -> bool {
        let Some(a) = address else { return true };
        let n = self.0.entry(a).or_default();
        if *n >= limit {
            return false;
        }
        *n += 1;
        true
    }

    fn leave(&mut self, address: Option<IpAddr>) {
        if let Some(a) = address {
            if let Some(n) = self.0.get_mut(&a) {
                *n -= 1;
                if *n == 0 {
                    self.0.remove(&a);
                }
            }
        }
    }
}

/// Take a lock whose counters stay consistent even when poisoned: every change is one step.
fn lock<T>(counter: &'static Mutex<T>) -> std::sync::MutexGuard<'static, T> {
    counter.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Who is waiting for a hashing slot: how many in all, and how many per client address.
static QUEUE: Mutex<(usize, PerAddress)> = Mutex::new((0, PerAddress(BTreeMap::new())));

/// Counts one waiter for as long as it lives, even when the request is dropped mid-wait.
struct Waiting(Option<IpAddr>);

impl Waiting {
    fn join(address: Option<IpAddr>) -> Option<Waiting> {
        let mut q = lock(&QUEUE);
        if q.0 >= MAX_WAITING || !q.1.enter(address, MAX_WAITING_PER_ADDRESS) {
            return None;
        }
        q.0 += 1;
        Some(Waiting(address))
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        let mut q = lock(&QUEUE);
        q.0 -= 1;
        q.1.leave(self.0);
    }
}

/// Sign-in attempts in progress, per client address.
static ATTEMPTS: Mutex<PerAddress> = Mutex::new(PerAddress(BTreeMap::new()));

/// One sign-in attempt in progress from its client address, counted until it is dropped.
#[must_use]
pub struct Attempt(Option<IpAddr>);

/// Start a sign-in attempt from `address`, or `Busy` when that address already has
/// [`MAX_ATTEMPTS_PER_ADDRESS`] in progress.
pub fn attempt(address: Option<IpAddr>) -> Result<Attempt, AppError> {
    if lock(&ATTEMPTS).enter(address, MAX_ATTEMPTS_PER_ADDRESS) {
        Ok(Attempt(address))
    } else {
        Err(AppError::Busy { retry_after: RETRY_AFTER })
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        lock(&ATTEMPTS).leave(self.0);
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

/// argon2's working memory, kept by a hashing thread from one job to the next.
#[derive(Default)]
struct Memory(Vec<Block>);

type Job = Box<dyn FnOnce(&mut Memory) + Send>;

impl Memory {
    /// Hash `password` with `salt` under these settings (a new hash, or the recomputation of a
    /// stored one), in this memory; `None` when the settings cannot be used.
    fn hash(
        &mut self,
        algorithm: Algorithm,
        version: Version,
        params: Params,
        password: &[u8],
        salt: Salt,
    ) -> Option<PasswordHash> {
        let blocks = params.block_count();
        if self.0.len() < blocks {
            self.0.resize(blocks, Block::default());
        }
        let mut out = [0u8; Output::MAX_LENGTH];
        let out = &mut out[..params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)];
        let argon2 = Argon2::new(algorithm, version, params.clone());
        argon2.hash_password_into_with_memory(password, salt.as_ref(), out, &mut self.0[..blocks]).ok()?;
        Some(PasswordHash {
            algorithm: algorithm.ident(),
            version: Some(version.into()),
            params: ParamsString::try_from(&params).ok()?,
            salt: Some(salt),
            hash: Some(Output::new(out).ok()?),
        })
    }

    /// A new hash at OWASP's argon2id parameters (19 MiB, 2 passes, 1 lane), random salt.
    fn hash_new(&mut self, password: &[u8]) -> Result<String, AppError> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| AppError::internal("salt", e))?;
        let salt = Salt::new(&salt).map_err(|e| AppError::internal("salt", e))?;
        self.hash(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT, password, salt)
            .map(|h| h.to_string())
            .ok_or_else(|| AppError::internal("hash password", "argon2 refused its default parameters"))
    }

    /// Whether `password` is the one `stored` was made from (under the stored settings; the
    /// outputs compared in constant time).
    fn matches(&mut self, password: &[u8], stored: &PasswordHash) -> bool {
        let (Some(salt), Some(expected)) = (stored.salt, stored.hash.as_ref()) else { return false };
        let settings = (
            Algorithm::try_from(stored.algorithm.as_str()),
            stored.version.map_or(Ok(Version::default()), Version::try_from),
            Params::try_from(stored),
        );
        let (Ok(algorithm), Ok(version), Ok(params)) = settings else { return false };
        self.hash(algorithm, version, params, password, salt)
            .is_some_and(|computed| computed.hash.as_ref().is_some_and(|c| c == expected))
    }
}

/// A hashing thread with nothing to do for this long ends, and the memory it kept goes back to
/// the system; the next hash starts a new one.
const IDLE: Duration = Duration::from_secs(1);
/// A hash takes tens of milliseconds; an answer this late means something is stuck, and the
/// caller is told to come back rather than left waiting.
const ANSWER_WITHIN: Duration = Duration::from_secs(15);

/// A running hashing thread, each with its own queue, so no thread ever waits on another's.
struct Worker {
    id: u64,
    jobs: mpsc::Sender<Job>,
}

/// The hashing threads that have no job. A caller takes one out, gives it a job and puts it
/// back; a thread ends only while it is in here, under this lock, so no job is ever sent to a
/// thread that has gone.
fn idle() -> std::sync::MutexGuard<'static, Vec<Worker>> {
    static IDLE_WORKERS: Mutex<Vec<Worker>> = Mutex::new(Vec::new());
    // A poisoned lock still holds a consistent list: every change is a single push or remove.
    IDLE_WORKERS.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Worker {
    /// An idle hashing thread, or a new one.
    fn take() -> Result<Worker, AppError> {
        if let Some(worker) = idle().pop() {
            return Ok(worker);
        }
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name(format!("argon2-{id}"))
            .spawn(move || Worker::run(id, queue))
            .map_err(|e| AppError::internal("start a hashing thread", e))?;
        Ok(Worker { id, jobs })
    }

    fn run(id: u64, queue: mpsc::Receiver<Job>) {
        let mut memory = Memory::default();
        loop {
            match queue.recv_timeout(IDLE) {
                // A panicking job drops its answer (the caller sees an internal error), and
                // the thread goes on.
                Ok(job) => {
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut memory)));
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    let mut idle = idle();
                    // Out of the list means a caller holds this thread and a job is coming.
                    if let Some(at) = idle.iter().position(|w| w.id == id) {
                        idle.swap_remove(at);
                        return;
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        }
    }
}

/// Puts a worker back among the idle ones when the caller is done with it, even when the
/// request is dropped mid-wait (a job still running just delays the worker's next one).
struct Lent(Option<Worker>);

impl Lent {
    /// Never hand this worker out again (it did not answer in time).
    fn abandon(mut self) {
        self.0 = None;
    }
}

impl Drop for Lent {
    fn drop(&mut self) {
        if let Some(worker) = self.0.take() {
            idle().push(worker);
        }
    }
}

/// Run `work` on a hashing thread, with that thread's memory. The [`HASHING`] semaphore keeps
/// at most [`SLOTS`] jobs running, so at most that many threads (and memories) are busy.
async fn on_hashing_thread<T: Send + 'static>(
    work: impl FnOnce(&mut Memory) -> T + Send + 'static,
) -> Result<T, AppError> {
    let worker = Worker::take()?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move |memory| {
        let _ = tx.send(work(memory));
    });
    // A worker that cannot take the job has ended: it is dropped here, not put back.
    worker.jobs.send(job).map_err(|e| AppError::internal("hashing queue", e))?;
    let worker = Lent(Some(worker));
    match tokio::time::timeout(ANSWER_WITHIN, rx).await {
        Ok(answer) => answer.map_err(|e| AppError::internal("hashing thread", e)),
        Err(_) => {
            worker.abandon();
            tracing::error!("a hashing thread did not answer within {ANSWER_WITHIN:?}");
            Err(AppError::Busy { retry_after: RETRY_AFTER })
        }
    }
}

/// Stored in place of a hash while an account has no password (an invitation not yet
/// accepted, a reset by an admin): it is not a PHC string, so no password verifies against it.
pub const UNUSABLE: &str = "!no-password";

/// A hash of a random string, verified against when the username is unknown so that
/// "no such user" costs the same time as "wrong password". Made by [`warm_up`] at start-up.
static DUMMY: OnceLock<String> = OnceLock::new();

/// Compute the dummy hash ahead of the first login attempt (and start the hashing threads).
pub async fn warm_up() -> Result<(), AppError> {
    if DUMMY.get().is_none() {
        let dummy = on_hashing_thread(|memory| memory.hash_new(super::secret::generate().as_bytes())).await??;
        let _ = DUMMY.set(dummy);
    }
    Ok(())
}

pub async fn hash(password: String) -> Result<String, AppError> {
    let _permit = slot().await?;
    on_hashing_thread(move |memory| memory.hash_new(password.as_bytes())).await?
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
    warm_up().await?;
    let _permit = slot().await?;
    on_hashing_thread(move |memory| {
        // An account without a usable password costs the same time as an unknown one.
        let stored = stored.filter(|h| h != UNUSABLE);
        let known = stored.is_some();
        let phc = stored.as_deref().or(DUMMY.get().map(String::as_str)).unwrap_or_default();
        let Ok(parsed) = PasswordHash::new(phc) else {
            tracing::error!("stored password hash does not parse");
            return Verdict::Invalid;
        };
        match (known, memory.matches(password.as_bytes(), &parsed)) {
            (true, true) => Verdict::Valid { rehash: is_outdated(&parsed) },
            _ => Verdict::Invalid,
        }
    })
    .await
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
    use argon2::password_hash::PasswordHasher;

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

    /// The hashing threads' own argon2 code agrees with the crate's hasher and verifier.
    #[tokio::test]
    async fn hashes_interoperate_with_the_argon2_crates_own_hasher_and_verifier() {
        use argon2::password_hash::PasswordVerifier;
        let ours = hash("correct horse battery".into()).await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(b"correct horse battery", &parsed).is_ok());
        assert!(Argon2::default().verify_password(b"correct horse", &parsed).is_err());
        let theirs = Argon2::default().hash_password(b"correct horse battery").unwrap().to_string();
        let verdict = verify("correct horse battery".into(), Some(theirs.clone())).await.unwrap();
        assert_eq!(verdict, Verdict::Valid { rehash: false });
        assert_eq!(verify("Correct horse battery".into(), Some(theirs)).await.unwrap(), Verdict::Invalid);
    }

    /// An idle hashing thread ends (taking its 19 MiB with it), and hashing goes on afterwards.
    #[tokio::test]
    async fn idle_hashing_threads_end_and_hashing_goes_on() {
        let worker = Worker::take().unwrap();
        let (id, jobs) = (worker.id, worker.jobs.clone());
        drop(Lent(Some(worker)));
        // Another test may borrow this thread meanwhile, which keeps it alive a while longer.
        let mut ended = false;
        for _ in 0..10 {
            std::thread::sleep(IDLE * 2);
            if jobs.send(Box::new(|_| {})).is_err() {
                ended = true;
                break;
            }
        }
        assert!(ended, "hashing thread {id} still runs after idling");
        assert!(!idle().iter().any(|w| w.id == id), "an ended thread is still offered");
        let h = hash("correct horse battery".into()).await.unwrap();
        assert_eq!(verify("correct horse battery".into(), Some(h)).await.unwrap(), Verdict::Valid { rehash: false });
    }

    #[test]
    fn one_address_has_a_bounded_number_of_sign_in_attempts_in_progress() {
        let flooder: IpAddr = "198.51.100.200".parse().unwrap();
        let other: IpAddr = "203.0.113.200".parse().unwrap();
        let mut held: Vec<Attempt> =
            (0..MAX_ATTEMPTS_PER_ADDRESS).map(|_| attempt(Some(flooder)).expect("within the limit")).collect();
        assert!(matches!(attempt(Some(flooder)), Err(AppError::Busy { retry_after: RETRY_AFTER })));
        assert!(attempt(Some(other)).is_ok(), "another address is not held back");
        assert!(attempt(None).is_ok(), "an unknown address is left to the other limits");
        held.pop();
        held.push(attempt(Some(flooder)).expect("an attempt that ends frees its place"));
        assert!(attempt(Some(flooder)).is_err(), "and only its place");
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
