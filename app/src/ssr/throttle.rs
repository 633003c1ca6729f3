//! Sign-in throttling: failed attempts counted per submitted username and per client address,
//! and the lockouts they cause. Everything is in the database, so it holds across restarts and
//! on every instance. A locked attempt is refused before any password hashing.

use super::{
    audit::{self, AuditActor, AuditEvent},
    db::{Backend, Batch, Conn, Pool, Stamp},
    LockoutPolicy,
};
use crate::{
    domain::{AuditAction, Lockout},
    on_db,
};
use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// At most this many refusals wait out their delay at once (each holds a connection and a
/// little memory); beyond it the rest are answered at once.
const MAX_LATE: usize = 1024;

/// `refusal` (a lockout, or a sign-in refused as busy), answered after `delay`: a client
/// that waits for its answers cannot turn refusals into a flood of requests, which would leave
/// little processor for real sign-ins (measured: 300 connections of bogus sign-ins from one
/// address made 27,000 refusals a second). Answered at once when the request already waited
/// out the delay at the server's door ([`HeldAtDoor`]), or when [`MAX_LATE`] are waiting.
pub async fn answer_late(delay: Duration, refusal: crate::error::AppError) -> crate::error::AppError {
    let held = leptos::prelude::use_context::<http::request::Parts>()
        .is_some_and(|parts| parts.extensions.get::<HeldAtDoor>().is_some());
    if !held {
        wait_late(delay).await;
    }
    refusal
}

/// Marks a sign-in that the server's door held for the refusal delay, because its address
/// already had as many attempts under way as it may ([`super::password::room_for_attempt`]).
/// Such a request has had its wait: refused again, it is answered at once.
#[derive(Clone, Copy, Debug)]
pub struct HeldAtDoor;

/// Sleep for `delay`, unless [`MAX_LATE`] requests are already doing so.
pub async fn wait_late(delay: Duration) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static LATE: AtomicUsize = AtomicUsize::new(0);
    struct Waiting;
    impl Drop for Waiting {
        fn drop(&mut self) {
            LATE.fetch_sub(1, Ordering::Relaxed);
        }
    }
    if LATE.fetch_add(1, Ordering::Relaxed) < MAX_LATE {
        let _waiting = Waiting;
        tokio::time::sleep(delay).await;
    } else {
        LATE.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The longest lockout, however many came before.
const LONGEST: i64 = 24 * 60 * 60;
/// How far back earlier lockouts make the next one longer.
const MEMORY: i64 = 24 * 60 * 60;

/// What a failed sign-in is counted against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    Username(String),
    Address(IpAddr),
}

impl Subject {
    fn kind(&self) -> &'static str {
        match self {
            Subject::Username(_) => "username",
            Subject::Address(_) => "address",
        }
    }

    fn text(&self) -> String {
        match self {
            Subject::Username(name) => name.clone(),
            Subject::Address(ip) => ip.to_string(),
        }
    }

    fn threshold(&self, policy: &LockoutPolicy) -> i64 {
        i64::from(match self {
            Subject::Username(_) => policy.username_failures,
            Subject::Address(_) => policy.address_failures,
        })
    }
}

/// The subjects an attempt is counted against: the typed username, and the address if known.
pub fn subjects(username: &str, ip: Option<IpAddr>) -> Vec<Subject> {
    let mut all = vec![Subject::Username(username.to_owned())];
    all.extend(ip.map(Subject::Address));
    all
}

/// Lockouts this application has read from the database, so that a flood of attempts against a
/// locked subject is refused without a database round trip each. An entry is believed for at
/// most [`KnownLockouts::TRUST`] after it was read and never past its end: a lockout lifted by
/// an admin on this instance is forgotten at once, one lifted on another instance within that
/// second. Only lockouts are remembered, never their absence, so a new lockout anywhere is seen
/// at the next attempt.
#[derive(Clone, Debug, Default)]
pub struct KnownLockouts(Arc<Mutex<HashMap<(&'static str, String), Known>>>);

#[derive(Clone, Copy, Debug)]
struct Known {
    until: Instant,
    read: Instant,
}

impl KnownLockouts {
    const TRUST: Duration = Duration::from_secs(1);
    /// More entries than this are dropped wholesale (a flood from many addresses).
    const MOST: usize = 10_000;

    /// Seconds left of a remembered lockout on any of `subjects`, still to be trusted.
    fn seconds_left(&self, subjects: &[Subject]) -> Option<u64> {
        let now = Instant::now();
        let known = self.0.lock().unwrap_or_else(|e| e.into_inner());
        subjects
            .iter()
            .filter_map(|s| known.get(&(s.kind(), s.text())))
            .filter(|k| now.duration_since(k.read) < Self::TRUST && k.until > now)
            .map(|k| whole_seconds(k.until - now))
            .max()
    }

    fn remember(&self, subject: &Subject, left: Duration) {
        let now = Instant::now();
        let mut known = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if known.len() >= Self::MOST {
            known.clear();
        }
        known.insert((subject.kind(), subject.text()), Known { until: now + left, read: now });
    }

    /// Forget every remembered lockout (one was lifted).
    pub fn forget(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// Seconds until the longest lockout in force on any of `subjects` ends, if one is: from the
/// lockouts this application read within the last second, else from the database (on the
/// caller's connection, which a sign-in goes on to read the account with).
pub async fn locked_for(
    conn: &mut Conn,
    known: &KnownLockouts,
    subjects: &[Subject],
) -> Result<Option<u64>, sqlx::Error> {
    if let Some(left) = known.seconds_left(subjects) {
        return Ok(Some(left));
    }
    // One statement for the username and the address (one round trip to the database).
    let Some(first) = subjects.first() else { return Ok(None) };
    let second = subjects.get(1).unwrap_or(first);
    let now = Stamp::now();
    let rows: Vec<(String, String, crate::domain::Timestamp)> = on_db!(conn, |c| {
        sqlx::query_as(
            "select kind, subject, max(until) from lockouts
             where until > $1 and ((kind = $2 and subject = $3) or (kind = $4 and subject = $5))
             group by kind, subject",
        )
        .bind(now)
        .bind(first.kind())
        .bind(first.text())
        .bind(second.kind())
        .bind(second.text())
        .fetch_all(c)
        .await?
    });
    let mut longest: Option<u64> = None;
    for (kind, text, until) in rows {
        let Some(subject) = subjects.iter().find(|s| s.kind() == kind && s.text() == text) else { continue };
        if let Some(left) = time_between(now, &until) {
            known.remember(subject, left);
            let left = whole_seconds(left);
            longest = Some(longest.map_or(left, |l| l.max(left)));
        }
    }
    Ok(longest)
}

/// Whole seconds of `time`, rounded up (what `Retry-After` says).
fn whole_seconds(time: Duration) -> u64 {
    time.as_secs_f64().ceil() as u64
}

/// The time from `now` to the stored moment `until`; `None` when past.
fn time_between(now: Stamp, until: &str) -> Option<Duration> {
    let left = (parse_stamp(until)?.0 - now.0).as_seconds_f64();
    (left > 0.0).then(|| Duration::from_secs_f64(left))
}

/// Count one failed sign-in against each subject, on the caller's transaction (which also
/// writes the failure's audit event). A subject that reaches its threshold within the window is
/// locked, with a `login.locked` event; a subject already locked is not locked again.
/// SQLite callers hold the write lock (`begin_write`); on PostgreSQL a transaction-scoped
/// advisory lock per subject keeps two instances from both counting to the threshold.
pub async fn record_failure(
    conn: &mut Conn,
    policy: &LockoutPolicy,
    subjects: &[Subject],
    typed: &str,
) -> Result<(), sqlx::Error> {
    let now = Stamp::now();
    let window = policy.first.as_secs().min(LONGEST as u64) as i64;
    for subject in subjects {
        let (kind, text) = (subject.kind(), subject.text());
        let postgres = conn.backend() == Backend::Postgres;
        let started: Option<i64> = on_db!(conn, |c| {
            if postgres {
                sqlx::query("select pg_advisory_xact_lock(2, hashtext($1))")
                    .bind(format!("{kind}:{text}"))
                    .execute(&mut *c)
                    .await?;
            }
            // Old failures no longer count for anything.
            sqlx::query("delete from sign_in_failures where kind = $1 and subject = $2 and failed_at <= $3")
                .bind(kind)
                .bind(&text)
                .bind(Stamp::from_now(-window))
                .execute(&mut *c)
                .await?;
            sqlx::query("insert into sign_in_failures (kind, subject, failed_at) values ($1, $2, $3)")
                .bind(kind)
                .bind(&text)
                .bind(now)
                .execute(&mut *c)
                .await?;
            // Failures count from the end of the last lockout, so one that just ended does
            // not start again on the next mistake.
            let (locked_now, last_end, recent): (i64, Option<crate::domain::Timestamp>, i64) = sqlx::query_as(
                "select count(*) filter (where until > $3), max(until), count(*) filter (where started_at > $4)
                 from lockouts where kind = $1 and subject = $2",
            )
            .bind(kind)
            .bind(&text)
            .bind(now)
            .bind(Stamp::from_now(-MEMORY))
            .fetch_one(&mut *c)
            .await?;
            if locked_now > 0 {
                None
            } else {
                let floor = Stamp::from_now(-window);
                let since = last_end.and_then(|end| parse_stamp(&end)).map_or(floor, |end| end.max(floor));
                let failures: i64 = sqlx::query_scalar(
                    "select count(*) from sign_in_failures where kind = $1 and subject = $2 and failed_at > $3",
                )
                .bind(kind)
                .bind(&text)
                .bind(since)
                .fetch_one(&mut *c)
                .await?;
                if failures < subject.threshold(policy) {
                    None
                } else {
                    let seconds = (window << recent.min(20)).min(LONGEST);
                    sqlx::query(
                        "insert into lockouts (kind, subject, seconds, started_at, until) values ($1, $2, $3, $4, $5)",
                    )
                    .bind(kind)
                    .bind(&text)
                    .bind(seconds)
                    .bind(now)
                    .bind(Stamp::from_now(seconds))
                    .execute(&mut *c)
                    .await?;
                    Some(seconds)
                }
            }
        });
        if let Some(seconds) = started {
            let details = serde_json::json!({ "kind": kind, "subject": text, "seconds": seconds });
            let event = AuditEvent::new(AuditActor::Anonymous(typed), AuditAction::LoginLocked)
                .target(kind, &text)
                .details(details);
            audit::record(conn, event).await?;
        }
    }
    Ok(())
}

fn parse_stamp(text: &str) -> Option<Stamp> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok().map(Stamp)
}

/// Forget the failures of `username` (a successful sign-in); the address's stay.
pub fn clear_username(batch: &mut Batch, username: &str) {
    batch.push("delete from sign_in_failures where kind = 'username' and subject = $1").bind(username.to_owned());
}

/// Lockouts in force now, longest remaining first.
pub async fn active(pool: &Pool) -> Result<Vec<Lockout>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    on_db!(&mut conn, |c| {
        sqlx::query_as(
            "select id, kind, subject, seconds, started_at, until from lockouts where until > $1
             order by until desc, id desc limit 500",
        )
        .bind(Stamp::now())
        .fetch_all(c)
        .await
    })
}

/// End lockout `id` now (an admin lifted it), returning it as it was, or `None` when it is not
/// in force. It still counts towards the length of the next lockout of the same subject.
pub async fn lift(conn: &mut Conn, id: i64, by: &str) -> Result<Option<Lockout>, sqlx::Error> {
    let now = Stamp::now();
    on_db!(conn, |c| {
        let lockout: Option<Lockout> = sqlx::query_as(
            "select id, kind, subject, seconds, started_at, until from lockouts where id = $1 and until > $2",
        )
        .bind(id)
        .bind(now)
        .fetch_optional(&mut *c)
        .await?;
        if lockout.is_some() {
            sqlx::query("update lockouts set until = $2, lifted_at = $2, lifted_by = $3 where id = $1")
                .bind(id)
                .bind(now)
                .bind(by)
                .execute(&mut *c)
                .await?;
        }
        Ok(lockout)
    })
}

/// Forget failures older than a day and lockouts that ended more than a day ago (they no
/// longer lengthen anything). Returns how many rows went.
pub async fn purge_old(pool: &Pool) -> Result<u64, sqlx::Error> {
    let day_ago = Stamp::from_now(-MEMORY);
    let mut conn = pool.acquire().await?;
    on_db!(&mut conn, |c| {
        let failures =
            sqlx::query("delete from sign_in_failures where failed_at < $1").bind(day_ago).execute(&mut *c).await?;
        let lockouts = sqlx::query("delete from lockouts where until < $1").bind(day_ago).execute(&mut *c).await?;
        Ok(failures.rows_affected() + lockouts.rows_affected())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(last: u8) -> Subject {
        Subject::Address(IpAddr::from([198, 51, 100, last]))
    }

    #[test]
    fn a_remembered_lockout_holds_only_for_its_subject_until_forgotten() {
        let known = KnownLockouts::default();
        assert_eq!(known.seconds_left(&subjects("ann", Some(IpAddr::from([198, 51, 100, 1])))), None);
        known.remember(&address(1), Duration::from_millis(2_500));
        assert_eq!(known.seconds_left(&subjects("ann", Some(IpAddr::from([198, 51, 100, 1])))), Some(3));
        assert_eq!(known.seconds_left(&[address(2), Subject::Username("ann".into())]), None);
        known.forget();
        assert_eq!(known.seconds_left(&[address(1)]), None);
    }

    #[test]
    fn a_remembered_lockout_is_not_believed_past_its_end_or_after_a_second() {
        let known = KnownLockouts::default();
        known.remember(&address(1), Duration::ZERO);
        assert_eq!(known.seconds_left(&[address(1)]), None, "ended");
        known.remember(&address(2), Duration::from_secs(60));
        let key = (address(2).kind(), address(2).text());
        known.0.lock().unwrap().get_mut(&key).unwrap().read -= KnownLockouts::TRUST;
        assert_eq!(known.seconds_left(&[address(2)]), None, "read too long ago: ask the database");
    }
}
