//! argon2id password hashing on its own threads, so a login flood never stalls the async
//! executor and its memory stays bounded.
//!
//! Passwords are hashed at OWASP's memory and passes (19 MiB, 2 passes) in four lanes
//! ([`PARAMS`]), which argon2 computes on every core at once ([`lanes`]): one hash at a time, on one
//! hashing thread, keeps two cores busy with a single 19 MiB working memory, where one lane per
//! hash needed two hashes, and two memories, at once for the same rate. The thread is handed
//! the next hash while it computes one ([`SLOTS`]), so it starts that one the moment it ends
//! instead of idling while the answer travels to its request and the next request's hash
//! travels back. It keeps its memory from one hash to the next while sign-ins keep coming; left
//! idle for [`IDLE`] it lets the memory go, has the allocator give it back to the system at
//! once ([`on_memory_freed`]), and ends. Allocating per hash on the blocking pool cost far
//! more: the allocator kept a 19 MiB arena for every pool thread that ever hashed, and pool
//! threads come and go, so a login flood left hundreds of MiB behind.
//!
//! Waiting sign-ins are served one client address at a time ([`Gate`]): a real user from one
//! address waits for the hashes already handed to the thread, not behind every attempt a
//! flooding address queued.

use crate::error::AppError;
use argon2::{
    password_hash::phc::{Output, ParamsString, PasswordHash, Salt},
    Algorithm, Argon2, Block, Params, Version,
};
use std::{
    collections::{BTreeMap, VecDeque},
    net::IpAddr,
    sync::{
        atomic::{AtomicU64, Ordering},
        mpsc, Mutex, OnceLock,
    },
    time::Duration,
};

/// New hashes: argon2id at OWASP's parameters (m=19456 KiB, t=2) with four lanes instead of
/// one. Each guess still costs an attacker the same 19 MiB and the same work; the lanes let
/// the server spread one hash over its cores (four lanes rather than two: when a core is
/// taken by other work for a moment, the other core computes more of the lanes instead of
/// waiting for it at each of argon2's meeting points). Hashes made with one lane still verify,
/// and are made again with these at the next sign-in.
pub const PARAMS: Params = match Params::new(19456, 2, 4, None) {
    Ok(params) => params,
    Err(_) => panic!("argon2 refuses the parameters"),
};

/// Hashes handed to the hashing thread at once: the one it computes (each hash already uses
/// every core) and the next, which waits at the thread, not in memory of its own.
const SLOTS: usize = 2;
/// At most this many requests wait for a hashing slot. A flood beyond it is refused at once
/// (503 with `Retry-After`) instead of queueing without bound.
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
/// wait out the refusal delay at the server's door, before their body is read, and are refused
/// (503) if the address is still full, before any database read. Each attempt in progress
/// holds its request's memory while it waits (measured: 300 bogus sign-ins at once from one
/// address kept about 14 MiB waiting for database connections), so a flood from one address
/// now costs next to nothing beyond these.
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

    /// Whether `address` has fewer than `limit` under way (a request without a known address
    /// always has room here).
    fn has_room(&self, address: Option<IpAddr>, limit: usize) -> bool {
        address.is_none_or(|a| self.0.get(&a).copied().unwrap_or(0) < limit)
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

/// Whether [`attempt`] would let a sign-in from `address` in now. The server's door asks this
/// before the request reaches the application, to hold a flooding address's surplus there,
/// where a waiting request is a fraction of the size it is inside the sign-in.
pub fn room_for_attempt(address: Option<IpAddr>) -> bool {
    lock(&ATTEMPTS).has_room(address, MAX_ATTEMPTS_PER_ADDRESS)
}

impl Drop for Attempt {
    fn drop(&mut self) {
        lock(&ATTEMPTS).leave(self.0);
    }
}

/// The hashing slots and the sign-ins waiting for one. A freed slot goes to the next client
/// address in turn, and to that address's oldest waiter; an address with no hash in progress
/// is queued ahead of those that have one. Deny-by-default limits: [`MAX_WAITING`] in all,
/// [`MAX_WAITING_PER_ADDRESS`] from one address (a request without a known address is held to
/// the total only).
struct Gate {
    /// The client address of each hash in progress.
    running: Vec<Option<IpAddr>>,
    /// Each address's waiters, oldest first: a ticket and the way to hand it the slot.
    waiting: BTreeMap<Option<IpAddr>, VecDeque<(u64, tokio::sync::oneshot::Sender<()>)>>,
    /// Addresses with waiters, in the order they are served.
    turns: VecDeque<Option<IpAddr>>,
    /// Waiters in all.
    queued: usize,
    next_ticket: u64,
}

static GATE: Mutex<Gate> = Mutex::new(Gate::new());

/// What asking the gate for a slot gives.
enum Entry {
    Granted,
    Queued(u64, tokio::sync::oneshot::Receiver<()>),
    Full,
}

impl Gate {
    const fn new() -> Gate {
        Gate { running: Vec::new(), waiting: BTreeMap::new(), turns: VecDeque::new(), queued: 0, next_ticket: 0 }
    }

    fn enter(&mut self, address: Option<IpAddr>) -> Entry {
        if self.running.len() < SLOTS && self.queued == 0 {
            self.running.push(address);
            return Entry::Granted;
        }
        let mine = self.waiting.get(&address).map_or(0, VecDeque::len);
        if self.queued >= MAX_WAITING || (address.is_some() && mine >= MAX_WAITING_PER_ADDRESS) {
            return Entry::Full;
        }
        let (tx, rx) = tokio::sync::oneshot::channel();
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        self.waiting.entry(address).or_default().push_back((ticket, tx));
        self.queued += 1;
        if mine == 0 {
            // Behind the other addresses without a hash in progress, ahead of those with one.
            let at = if self.running.contains(&address) {
                self.turns.len()
            } else {
                self.turns.iter().position(|a| self.running.contains(a)).unwrap_or(self.turns.len())
            };
            self.turns.insert(at, address);
        }
        Entry::Queued(ticket, rx)
    }

    /// Take waiter `ticket` of `address` out of the queue; false when it is no longer there
    /// (it was handed a slot).
    fn withdraw(&mut self, address: Option<IpAddr>, ticket: u64) -> bool {
        let Some(queue) = self.waiting.get_mut(&address) else { return false };
        let Some(at) = queue.iter().position(|(t, _)| *t == ticket) else { return false };
        queue.remove(at);
        self.queued -= 1;
        if queue.is_empty() {
            self.waiting.remove(&address);
            self.turns.retain(|a| *a != address);
        }
        true
    }

    /// The slot held for `address` is free: hand it to the next waiter in turn, or leave it free.
    fn release(&mut self, address: Option<IpAddr>) {
        if let Some(at) = self.running.iter().position(|a| *a == address) {
            self.running.swap_remove(at);
        }
        while let Some(next) = self.turns.pop_front() {
            let Some(queue) = self.waiting.get_mut(&next) else { continue };
            let Some((_, tx)) = queue.pop_front() else { continue };
            self.queued -= 1;
            if queue.is_empty() {
                self.waiting.remove(&next);
            } else {
                self.turns.push_back(next);
            }
            // A waiter leaves the queue before it goes, so the receiver is there; should it not
            // be, the slot goes to the next one.
            if tx.send(()).is_ok() {
                self.running.push(next);
                return;
            }
        }
    }
}

/// A hashing slot, held until dropped.
struct Slot(Option<IpAddr>);

impl Drop for Slot {
    fn drop(&mut self) {
        lock(&GATE).release(self.0);
    }
}

/// A place in the queue; leaving it (a timeout, a dropped request) gives up the place, or the
/// slot when one was handed over meanwhile.
struct Waiter {
    address: Option<IpAddr>,
    ticket: u64,
    handed: tokio::sync::oneshot::Receiver<()>,
    /// The slot was handed over and is now held as a [`Slot`].
    holding: bool,
}

impl Drop for Waiter {
    fn drop(&mut self) {
        let mut gate = lock(&GATE);
        // Handed the slot just as it left: pass it on.
        if !gate.withdraw(self.address, self.ticket) && !self.holding && self.handed.try_recv().is_ok() {
            gate.release(self.address);
        }
    }
}

/// A hashing slot, or `Busy` when the queue (or this address's share of it) is full or the
/// wait too long.
async fn slot() -> Result<Slot, AppError> {
    let address = super::client_ip();
    let entry = lock(&GATE).enter(address);
    let busy = AppError::Busy { retry_after: RETRY_AFTER };
    let mut waiter = match entry {
        Entry::Granted => return Ok(Slot(address)),
        Entry::Full => return Err(busy),
        Entry::Queued(ticket, handed) => Waiter { address, ticket, handed, holding: false },
    };
    if let Ok(Ok(())) = tokio::time::timeout(MAX_WAIT, &mut waiter.handed).await {
        waiter.holding = true;
        return Ok(Slot(address));
    }
    Err(busy)
}

/// The threads argon2 computes a hash's lanes on, one per core. The whole hash runs inside
/// them, so the lanes meet at argon2's eight meeting points (two passes of four slices) within
/// the pool. Called from the hashing thread, argon2 handed each slice from that thread to the
/// pool and back, waking the thread eight times a hash (measured under a sign-in flood: the
/// hashing thread used 54 to 89 ms of CPU every 2 s that way, and 12 to 23 ms now). They never
/// allocate argon2's memory (the hashing thread does, before it hands the hash over), so they
/// keep none. `None` when the system refuses threads: the hash then runs as argon2 starts it.
fn lanes() -> Option<&'static rayon::ThreadPool> {
    static LANES: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    LANES
        .get_or_init(|| rayon::ThreadPoolBuilder::new().thread_name(|i| format!("argon2-lane-{i}")).build().ok())
        .as_ref()
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
        let memory = &mut self.0[..blocks];
        let compute = || argon2.hash_password_into_with_memory(password, salt.as_ref(), out, memory);
        match lanes() {
            Some(pool) => pool.install(compute),
            None => compute(),
        }
        .ok()?;
        Some(PasswordHash {
            algorithm: algorithm.ident(),
            version: Some(version.into()),
            params: ParamsString::try_from(&params).ok()?,
            salt: Some(salt),
            hash: Some(Output::new(out).ok()?),
        })
    }

    /// A new hash at [`PARAMS`], random salt.
    fn hash_new(&mut self, password: &[u8]) -> Result<String, AppError> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| AppError::internal("salt", e))?;
        let salt = Salt::new(&salt).map_err(|e| AppError::internal("salt", e))?;
        self.hash(Algorithm::Argon2id, Version::V0x13, PARAMS, password, salt)
            .map(|h| h.to_string())
            .ok_or_else(|| AppError::internal("hash password", "argon2 refused the parameters"))
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

/// How the process's allocator gives freed memory back to the system at once.
static GIVE_BACK: OnceLock<fn()> = OnceLock::new();

/// Have `give_back` called each time a hashing thread has let its working memory go, before
/// the thread can be replaced. The binary that chose the allocator sets it: an allocator that
/// keeps freed pages for a while (mimalloc, until a second has passed and something else is
/// freed) can place the next thread's 19 MiB elsewhere meanwhile, and both are resident for
/// that moment (seen once: a short bench run peaked 16 MiB above every one of its 0.2 s
/// samples). The first call wins; without one, the memory goes back when the allocator
/// decides. A thread abandoned as stuck (`Worker::abandon`) keeps its memory until it ends,
/// beside its successor's.
pub fn on_memory_freed(give_back: fn()) {
    let _ = GIVE_BACK.set(give_back);
}

/// A hash takes tens of milliseconds; an answer this late means something is stuck, and the
/// caller is told to come back rather than left waiting.
const ANSWER_WITHIN: Duration = Duration::from_secs(15);

/// The running hashing thread and the way to hand it jobs.
struct Worker {
    id: u64,
    jobs: mpsc::Sender<Job>,
}

/// The hashing thread, when one runs. Jobs are sent to it under this lock, and it ends only
/// under this lock, with no job left, so no job is ever sent to a thread that has gone.
fn hashing_thread() -> std::sync::MutexGuard<'static, Option<Worker>> {
    static THREAD: Mutex<Option<Worker>> = Mutex::new(None);
    // A poisoned lock still holds a consistent value: every change is a single assignment.
    THREAD.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Worker {
    fn start() -> Result<Worker, AppError> {
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
            let job = match queue.recv_timeout(IDLE) {
                Ok(job) => job,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    // The memory goes first, while this thread still takes every new job (a
                    // job that comes now allocates it again here), so that no second thread
                    // allocates its own while this one still holds it.
                    memory = Memory::default();
                    if let Some(give_back) = GIVE_BACK.get() {
                        give_back();
                    }
                    let mut thread = hashing_thread();
                    // A job sent after the wait ended and before the lock was taken still runs.
                    let Ok(job) = queue.try_recv() else {
                        if thread.as_ref().is_some_and(|w| w.id == id) {
                            *thread = None;
                        }
                        return;
                    };
                    job
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            };
            // A panicking job drops its answer (the caller sees an internal error), and the
            // thread goes on.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut memory)));
        }
    }

    /// Hand `job` to the hashing thread, starting one when none runs; the thread's id.
    fn hand(job: Job) -> Result<u64, AppError> {
        let mut thread = hashing_thread();
        let job = match thread.as_ref() {
            Some(worker) => match worker.jobs.send(job) {
                Ok(()) => return Ok(worker.id),
                // A thread that cannot take the job has ended (it panicked): a new one takes it.
                Err(mpsc::SendError(job)) => job,
            },
            None => job,
        };
        let worker = thread.insert(Worker::start()?);
        worker.jobs.send(job).map_err(|e| AppError::internal("hashing queue", e))?;
        Ok(worker.id)
    }

    /// Never hand thread `id` another job (it did not answer in time): the next job starts a
    /// new thread, and this one ends once it has done what it was given.
    fn abandon(id: u64) {
        let mut thread = hashing_thread();
        if thread.as_ref().is_some_and(|w| w.id == id) {
            *thread = None;
        }
    }
}

/// Run `work` on the hashing thread, with its memory. Callers hold a [`Slot`], so at most
/// [`SLOTS`] jobs are handed to it at once.
async fn on_hashing_thread<T: Send + 'static>(
    work: impl FnOnce(&mut Memory) -> T + Send + 'static,
) -> Result<T, AppError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let id = Worker::hand(Box::new(move |memory| {
        let _ = tx.send(work(memory));
    }))?;
    match tokio::time::timeout(ANSWER_WITHIN, rx).await {
        Ok(answer) => answer.map_err(|e| AppError::internal("hashing thread", e)),
        Err(_) => {
            Worker::abandon(id);
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
        let _slot = slot().await?;
        let dummy = on_hashing_thread(|memory| memory.hash_new(super::secret::generate().as_bytes())).await??;
        let _ = DUMMY.set(dummy);
    }
    Ok(())
}

pub async fn hash(password: String) -> Result<String, AppError> {
    let _slot = slot().await?;
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
    let _slot = slot().await?;
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
    let current = PARAMS;
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
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=4$"));
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
        let crates = Argon2::new(Algorithm::Argon2id, Version::V0x13, PARAMS);
        let theirs = crates.hash_password(b"correct horse battery").unwrap().to_string();
        let verdict = verify("correct horse battery".into(), Some(theirs.clone())).await.unwrap();
        assert_eq!(verdict, Verdict::Valid { rehash: false });
        assert_eq!(verify("Correct horse battery".into(), Some(theirs)).await.unwrap(), Verdict::Invalid);
    }

    /// A hash made with OWASP's single lane (every hash before four lanes) still signs in, and
    /// asks to be made again.
    #[tokio::test]
    async fn a_single_lane_hash_verifies_and_asks_for_a_rehash() {
        let owasp = Argon2::default().hash_password(b"correct horse battery").unwrap().to_string();
        assert!(owasp.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        let verdict = verify("correct horse battery".into(), Some(owasp.clone())).await.unwrap();
        assert_eq!(verdict, Verdict::Valid { rehash: true });
        assert_eq!(verify("correct horse".into(), Some(owasp)).await.unwrap(), Verdict::Invalid);
    }

    fn handed(entry: Entry) -> (u64, tokio::sync::oneshot::Receiver<()>) {
        match entry {
            Entry::Queued(ticket, rx) => (ticket, rx),
            Entry::Granted => panic!("granted, not queued"),
            Entry::Full => panic!("refused, not queued"),
        }
    }

    /// A flooding address queues its share; a sign-in from another address is next in line,
    /// not behind the flood's queue; the rest is refused.
    #[test]
    fn the_next_slot_goes_to_an_address_without_a_hash_in_progress() {
        let flooder: Option<IpAddr> = Some("198.51.100.66".parse().unwrap());
        let user: Option<IpAddr> = Some("203.0.113.7".parse().unwrap());
        let mut gate = Gate::new();
        for _ in 0..SLOTS {
            assert!(matches!(gate.enter(flooder), Entry::Granted));
        }
        let mut flood: Vec<_> = (0..MAX_WAITING_PER_ADDRESS).map(|_| handed(gate.enter(flooder)).1).collect();
        assert!(matches!(gate.enter(flooder), Entry::Full), "one address holds at most its share of the queue");
        let (_, mut mine) = handed(gate.enter(user));
        gate.release(flooder);
        assert!(mine.try_recv().is_ok(), "the user's sign-in runs next");
        assert!(flood.iter_mut().all(|rx| rx.try_recv().is_err()), "the flood waits");
        gate.release(user);
        assert!(flood[0].try_recv().is_ok(), "then the flood's oldest");
        assert!(flood[1..].iter_mut().all(|rx| rx.try_recv().is_err()));
        for next in &mut flood[1..] {
            gate.release(flooder);
            assert!(next.try_recv().is_ok(), "then the next, in order");
        }
        for _ in 0..SLOTS {
            gate.release(flooder);
        }
        assert!(gate.running.is_empty() && gate.queued == 0 && gate.turns.is_empty() && gate.waiting.is_empty());
        assert!(matches!(gate.enter(user), Entry::Granted), "a free slot is taken at once");
    }

    /// The queue holds at most `MAX_WAITING` in all; a waiter that leaves frees its place, and a
    /// slot freed meanwhile skips it.
    #[test]
    fn the_queue_is_bounded_and_a_waiter_that_leaves_is_skipped() {
        let mut gate = Gate::new();
        for _ in 0..SLOTS {
            assert!(matches!(gate.enter(None), Entry::Granted));
        }
        let mut waiters: Vec<_> = (0..MAX_WAITING)
            .map(|i| {
                let address = Some(IpAddr::from([192, 0, 2, u8::try_from(i).unwrap()]));
                let (ticket, rx) = handed(gate.enter(address));
                (address, ticket, rx)
            })
            .collect();
        assert!(matches!(gate.enter(Some(IpAddr::from([192, 0, 2, 200]))), Entry::Full));
        assert!(matches!(gate.enter(None), Entry::Full), "an unknown address is held to the total");
        let (address, ticket, _) = waiters.remove(0);
        assert!(gate.withdraw(address, ticket));
        assert!(!gate.withdraw(address, ticket), "once");
        gate.release(None);
        assert!(waiters[0].2.try_recv().is_ok(), "the slot skips the waiter that left");
        assert_eq!(gate.queued, MAX_WAITING - 2);
        assert!(matches!(gate.enter(None), Entry::Queued(..)), "and its place is free again");
    }

    /// The threads on which the allocator was asked to give freed memory back.
    static GAVE_BACK: Mutex<Vec<String>> = Mutex::new(Vec::new());

    fn record_give_back() {
        lock(&GAVE_BACK).push(std::thread::current().name().unwrap_or_default().to_owned());
    }

    /// An idle hashing thread lets its 19 MiB go, has the allocator give them back, and ends;
    /// hashing goes on afterwards.
    #[tokio::test]
    async fn idle_hashing_threads_end_and_hashing_goes_on() {
        on_memory_freed(record_give_back);
        on_hashing_thread(|_| ()).await.unwrap();
        let (id, jobs) = hashing_thread().as_ref().map(|w| (w.id, w.jobs.clone())).expect("a thread runs after a job");
        // Another test may hand this thread jobs meanwhile, which keeps it alive a while longer.
        let mut ended = false;
        for _ in 0..10 {
            std::thread::sleep(IDLE * 2);
            if jobs.send(Box::new(|_| {})).is_err() {
                ended = true;
                break;
            }
        }
        assert!(ended, "hashing thread {id} still runs after idling");
        assert!(lock(&GAVE_BACK).contains(&format!("argon2-{id}")), "thread {id} ended without giving its memory back");
        assert!(hashing_thread().as_ref().is_none_or(|w| w.id != id), "an ended thread is still offered");
        let h = hash("correct horse battery".into()).await.unwrap();
        assert_eq!(verify("correct horse battery".into(), Some(h)).await.unwrap(), Verdict::Valid { rehash: false });
    }

    /// Hashes handed over together run one after the other on one thread, in one memory.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn hashes_handed_over_together_share_one_thread() {
        let ran_on = || {
            on_hashing_thread(|_| {
                std::thread::sleep(Duration::from_millis(50));
                std::thread::current().id()
            })
        };
        let (a, b) = tokio::join!(ran_on(), ran_on());
        assert_eq!(a.unwrap(), b.unwrap());
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
