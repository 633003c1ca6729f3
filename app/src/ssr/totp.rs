//! Two-factor sign-in: TOTP secrets (RFC 6238, via `totp-rs`) sealed with XChaCha20-Poly1305
//! (`chacha20poly1305`) under the server's key file, one-time recovery codes stored as digests,
//! and pending sign-ins waiting for a code. Nothing here ever returns a secret after enrolment.

use super::{
    db::{Conn, Pool, Stamp},
    secret, SecretKey,
};
use crate::{domain::UserId, error::AppError, on_db};
use chacha20poly1305::{
    aead::{Aead, KeyInit, Payload},
    XChaCha20Poly1305, XNonce,
};
use totp_rs::{Algorithm, TOTP};

const STEP: u64 = 30;
const ISSUER: &str = "Inkwarden";
pub const RECOVERY_CODES: usize = 10;
/// How long a pending sign-in waits for its code, and how many wrong codes it survives.
pub const PENDING_SECONDS: i64 = 5 * 60;
pub const PENDING_FAILURES: i64 = 5;

fn totp(secret: Vec<u8>, account: &str) -> Result<TOTP, AppError> {
    TOTP::new(Algorithm::SHA1, 6, 0, STEP, secret, Some(ISSUER.to_owned()), account.to_owned())
        .map_err(|e| AppError::internal("totp", e))
}

/// Seal `secret` for `user`: a fresh 24-byte nonce, then the ciphertext, bound to the user id
/// (a sealed secret copied onto another account does not open).
fn seal(key: &SecretKey, user: UserId, secret: &[u8]) -> Result<Vec<u8>, AppError> {
    seal_for(key, &user.0.to_be_bytes(), secret)
}

fn open(key: &SecretKey, user: UserId, sealed: &[u8]) -> Result<Vec<u8>, AppError> {
    open_for(key, &user.0.to_be_bytes(), sealed)
}

/// Seal `secret` under the server's key, bound to `context` (it opens only with the same one).
pub(crate) fn seal_for(key: &SecretKey, context: &[u8], secret: &[u8]) -> Result<Vec<u8>, AppError> {
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut nonce).map_err(|e| AppError::internal("nonce", e))?;
    let cipher = XChaCha20Poly1305::new((&key.0).into());
    let sealed = cipher
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: secret, aad: context })
        .map_err(|e| AppError::internal("seal", e))?;
    Ok([nonce.as_slice(), &sealed].concat())
}

pub(crate) fn open_for(key: &SecretKey, context: &[u8], sealed: &[u8]) -> Result<Vec<u8>, AppError> {
    if sealed.len() < 24 {
        return Err(AppError::internal("open", "sealed secret too short"));
    }
    let (nonce, body) = sealed.split_at(24);
    let cipher = XChaCha20Poly1305::new((&key.0).into());
    cipher
        .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad: context })
        .map_err(|_| AppError::internal("open", "the secret key file does not open this sealed secret"))
}

fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// What enrolment shows once: the secret in base32, its `otpauth://` URI and a QR code of it.
pub struct Enrolment {
    pub secret: String,
    pub uri: String,
    pub qr_svg: String,
}

/// Start (or restart) enrolment of `user` with a fresh secret, not yet in force.
/// `Conflict` when two-factor is already on.
pub async fn begin(conn: &mut Conn, key: &SecretKey, user: UserId, account: &str) -> Result<Enrolment, AppError> {
    if is_on(conn, user).await? {
        return Err(AppError::Conflict("Two-factor sign-in is already on. Turn it off first to re-enrol.".into()));
    }
    let mut raw = vec![0u8; 20];
    getrandom::fill(&mut raw).map_err(|e| AppError::internal("totp secret", e))?;
    let sealed = seal(key, user, &raw)?;
    let t = totp(raw, account)?;
    on_db!(conn, |c| {
        sqlx::query("delete from totp_secrets where user_id = $1").bind(user.0).execute(&mut *c).await?;
        sqlx::query("insert into totp_secrets (user_id, sealed, created_at) values ($1, $2, $3)")
            .bind(user.0)
            .bind(&sealed)
            .bind(Stamp::now())
            .execute(&mut *c)
            .await?;
    });
    let uri = t.get_url();
    let qr_svg = qrcode::QrCode::new(uri.as_bytes())
        .map_err(|e| AppError::internal("qr", e))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(Enrolment { secret: t.get_secret_base32(), uri, qr_svg })
}

/// Whether `user` signs in with a second factor.
pub async fn is_on(conn: &mut Conn, user: UserId) -> Result<bool, sqlx::Error> {
    on_db!(conn, |c| {
        let n: i64 =
            sqlx::query_scalar("select count(*) from totp_secrets where user_id = $1 and confirmed_at is not null")
                .bind(user.0)
                .fetch_one(c)
                .await?;
        Ok(n > 0)
    })
}

/// Accept `code` for `user` when it matches the current 30-second step or one either side and
/// its step is later than the last accepted one (so each code works once). `confirmed`: only
/// a secret in force (sign-in, disable) or only one awaiting confirmation (enrolment).
pub async fn accept_code(
    conn: &mut Conn,
    key: &SecretKey,
    user: UserId,
    code: &str,
    confirmed: bool,
) -> Result<bool, AppError> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(false);
    }
    let row: Option<(Vec<u8>, Option<i64>)> = on_db!(conn, |c| {
        sqlx::query_as(&format!(
            "select sealed, last_step from totp_secrets where user_id = $1 and confirmed_at is {} null",
            if confirmed { "not" } else { "" }
        ))
        .bind(user.0)
        .fetch_optional(c)
        .await?
    });
    let Some((sealed, last_step)) = row else { return Ok(false) };
    let t = totp(open(key, user, &sealed)?, "x")?;
    let now = now_secs() / STEP;
    let matched = [now.saturating_sub(1), now, now + 1].into_iter().find(|step| t.check(code, step * STEP));
    let Some(step) = matched.map(|s| s as i64) else { return Ok(false) };
    if last_step.is_some_and(|last| step <= last) {
        return Ok(false); // replayed
    }
    // Conditional, so two requests racing with the same code cannot both pass.
    let taken = on_db!(conn, |c| {
        sqlx::query(
            "update totp_secrets set last_step = $2 where user_id = $1 and (last_step is null or last_step < $2)",
        )
        .bind(user.0)
        .bind(step)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(taken == 1)
}

/// Put the enrolment awaiting confirmation in force.
pub async fn confirm(conn: &mut Conn, user: UserId) -> Result<(), sqlx::Error> {
    on_db!(conn, |c| {
        sqlx::query("update totp_secrets set confirmed_at = $2 where user_id = $1")
            .bind(user.0)
            .bind(Stamp::now())
            .execute(c)
            .await
            .map(drop)
    })
}

/// Turn two-factor off: the secret and the recovery codes go.
pub async fn remove(conn: &mut Conn, user: UserId) -> Result<(), sqlx::Error> {
    on_db!(conn, |c| {
        sqlx::query("delete from recovery_codes where user_id = $1").bind(user.0).execute(&mut *c).await?;
        sqlx::query("delete from totp_secrets where user_id = $1").bind(user.0).execute(&mut *c).await.map(drop)
    })
}

/// Replace every recovery code of `user` with ten fresh ones, returned once (`xxxxx-xxxxx`).
pub async fn new_recovery_codes(conn: &mut Conn, user: UserId) -> Result<Vec<String>, sqlx::Error> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let codes: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            getrandom::fill(&mut bytes).expect("the operating system has no randomness source");
            let chars: String = bytes.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect();
    on_db!(conn, |c| {
        sqlx::query("delete from recovery_codes where user_id = $1").bind(user.0).execute(&mut *c).await?;
        for code in &codes {
            sqlx::query("insert into recovery_codes (user_id, code_hash) values ($1, $2)")
                .bind(user.0)
                .bind(secret::digest(&normalise(code)))
                .execute(&mut *c)
                .await?;
        }
    });
    Ok(codes)
}

fn normalise(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// Use one of `user`'s recovery codes: true once per code, ever.
pub async fn use_recovery_code(conn: &mut Conn, user: UserId, code: &str) -> Result<bool, sqlx::Error> {
    let digest = secret::digest(&normalise(code));
    on_db!(conn, |c| {
        let used = sqlx::query(
            "update recovery_codes set used_at = $3 where user_id = $1 and code_hash = $2 and used_at is null",
        )
        .bind(user.0)
        .bind(digest)
        .bind(Stamp::now())
        .execute(c)
        .await?;
        Ok(used.rows_affected() > 0)
    })
}

/// Recovery codes of `user` not used yet.
pub async fn recovery_codes_left(pool: &Pool, user: UserId) -> Result<i64, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    on_db!(&mut conn, |c| {
        sqlx::query_scalar("select count(*) from recovery_codes where user_id = $1 and used_at is null")
            .bind(user.0)
            .fetch_one(c)
            .await
    })
}

/// A pending sign-in: who, and where to go after the code.
#[derive(Clone, Debug)]
pub struct Pending {
    pub user: UserId,
    pub next: String,
}

/// Record a sign-in waiting for `user`'s second factor; the returned token goes into the
/// browser's server-side session.
pub async fn start_pending(conn: &mut Conn, user: UserId, next: &str) -> Result<String, sqlx::Error> {
    let token = secret::generate();
    on_db!(conn, |c| {
        sqlx::query("delete from pending_sign_ins where expires_at <= $1").bind(Stamp::now()).execute(&mut *c).await?;
        sqlx::query("insert into pending_sign_ins (token_hash, user_id, next, expires_at) values ($1, $2, $3, $4)")
            .bind(secret::digest(&token))
            .bind(user.0)
            .bind(next)
            .bind(Stamp::from_now(PENDING_SECONDS))
            .execute(&mut *c)
            .await?;
    });
    Ok(token)
}

/// The pending sign-in of `token`, if it has not expired or been dropped.
pub async fn pending(conn: &mut Conn, token: &str) -> Result<Option<Pending>, sqlx::Error> {
    let row: Option<(i64, String)> = on_db!(conn, |c| {
        sqlx::query_as("select user_id, next from pending_sign_ins where token_hash = $1 and expires_at > $2")
            .bind(secret::digest(token))
            .bind(Stamp::now())
            .fetch_optional(c)
            .await?
    });
    Ok(row.map(|(user, next)| Pending { user: UserId(user), next }))
}

/// Count a wrong code against the pending sign-in; true when that was the last one allowed
/// and the pending sign-in is gone.
pub async fn fail_pending(conn: &mut Conn, token: &str) -> Result<bool, sqlx::Error> {
    let hash = secret::digest(token);
    on_db!(conn, |c| {
        let failures: Option<i64> = sqlx::query_scalar(
            "update pending_sign_ins set failures = failures + 1 where token_hash = $1 returning failures",
        )
        .bind(&hash)
        .fetch_optional(&mut *c)
        .await?;
        let dropped = failures.is_none_or(|n| n >= PENDING_FAILURES);
        if dropped {
            sqlx::query("delete from pending_sign_ins where token_hash = $1").bind(&hash).execute(&mut *c).await?;
        }
        Ok(dropped)
    })
}

/// The pending sign-in is complete (or abandoned).
pub async fn end_pending(conn: &mut Conn, token: &str) -> Result<(), sqlx::Error> {
    on_db!(conn, |c| {
        sqlx::query("delete from pending_sign_ins where token_hash = $1")
            .bind(secret::digest(token))
            .execute(c)
            .await
            .map(drop)
    })
}

/// Remove pending sign-ins whose time ran out.
pub async fn purge_expired_pending(pool: &Pool) -> Result<u64, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    on_db!(&mut conn, |c| {
        sqlx::query("delete from pending_sign_ins where expires_at <= $1")
            .bind(Stamp::now())
            .execute(c)
            .await
            .map(|d| d.rows_affected())
    })
}
