//! API tokens: issue, list, revoke, rotate, and authenticate a bearer secret. A secret is
//! `iwk_<prefix>_<secret>`: the prefix (8 characters) is stored in clear to find the row, the
//! whole secret only as SHA-256, compared in constant time.

use super::{
    accounts::By,
    audit,
    db::{Conn, Pool, Stamp},
    secret,
};
use crate::{
    domain::{
        token_name_problem, Actor, AuditAction, IssuedToken, Role, TokenScope, TokenSummary, UserId, MAX_TOKEN_DAYS,
    },
    error::{AppError, FieldError},
};
use subtle::ConstantTimeEq;

const PREFIX_CHARS: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";

/// A fresh `(prefix, full secret)`.
fn generate() -> (String, String) {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the operating system has no randomness source");
    let prefix: String = bytes.iter().map(|b| PREFIX_CHARS[usize::from(*b) % PREFIX_CHARS.len()] as char).collect();
    let full = format!("iwk_{prefix}_{}", secret::generate());
    (prefix, full)
}

/// The prefix of a well-formed secret.
fn prefix_of(secret: &str) -> Option<&str> {
    let rest = secret.strip_prefix("iwk_")?;
    let (prefix, tail) = (rest.get(..8)?, rest.get(8..)?);
    let ok = prefix.bytes().all(|b| PREFIX_CHARS.contains(&b)) && tail.starts_with('_') && tail.len() == 44;
    ok.then_some(prefix)
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    prefix: String,
    scopes: String,
    owner: String,
    created_at: crate::domain::Timestamp,
    expires_at: Option<crate::domain::Timestamp>,
    last_used_at: Option<crate::domain::Timestamp>,
    last_used_ip: Option<String>,
    revoked_at: Option<crate::domain::Timestamp>,
}

impl From<Row> for TokenSummary {
    fn from(r: Row) -> Self {
        TokenSummary {
            id: r.id,
            name: r.name,
            prefix: r.prefix,
            scopes: TokenScope::parse_list(&r.scopes),
            owner: r.owner,
            created_at: r.created_at,
            expires_at: r.expires_at,
            last_used_at: r.last_used_at,
            last_used_ip: r.last_used_ip,
            revoked_at: r.revoked_at,
        }
    }
}

const SUMMARY: &str = "select t.id, t.name, t.prefix, t.scopes, u.username as owner, t.created_at, t.expires_at,
            t.last_used_at, t.last_used_ip, t.revoked_at
     from api_tokens t join users u on u.id = t.owner_id";

/// Every token, newest first.
pub async fn list(pool: &Pool) -> Result<Vec<TokenSummary>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let rows: Vec<Row> = crate::on_db!(&mut conn, |c| {
        sqlx::query_as(&format!("{SUMMARY} order by t.id desc limit 1000")).fetch_all(c).await
    })?;
    Ok(rows.into_iter().map(TokenSummary::from).collect())
}

/// One token, by id.
pub async fn find(conn: &mut Conn, id: i64) -> Result<Option<TokenSummary>, sqlx::Error> {
    let row: Option<Row> = crate::on_db!(conn, |c| {
        sqlx::query_as(&format!("{SUMMARY} where t.id = $1")).bind(id).fetch_optional(c).await
    })?;
    Ok(row.map(TokenSummary::from))
}

/// The token whose prefix is `prefix` (the CLI names tokens by prefix).
pub async fn find_by_prefix(conn: &mut Conn, prefix: &str) -> Result<Option<TokenSummary>, sqlx::Error> {
    let row: Option<Row> = crate::on_db!(conn, |c| {
        sqlx::query_as(&format!("{SUMMARY} where t.prefix = $1")).bind(prefix).fetch_optional(c).await
    })?;
    Ok(row.map(TokenSummary::from))
}

/// Check and create a token of `owner`, audited as `token.created` by `by`: a name, one or more
/// known scopes, and an expiry of 1 to 3650 days or none. Errors name their fields.
pub async fn create(
    pool: &Pool,
    by: By<'_>,
    owner: UserId,
    name: &str,
    scopes: &[String],
    expires_in: Option<&str>,
) -> Result<IssuedToken, AppError> {
    let mut errors = Vec::new();
    let mut fail = |field: &str, message: String| errors.push(FieldError { field: field.into(), message });
    if let Some(problem) = token_name_problem(name) {
        fail("name", problem.into());
    }
    let mut chosen = Vec::new();
    for s in scopes.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        match s.parse::<TokenScope>() {
            Ok(scope) => chosen.push(scope),
            Err(e) => fail("scopes", e.to_string()),
        }
    }
    chosen.sort();
    chosen.dedup();
    if chosen.is_empty() {
        fail("scopes", "Choose at least one scope.".into());
    }
    let days = match expires_in.map(str::trim).filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => match d.parse::<u32>() {
            Ok(n) if (1..=MAX_TOKEN_DAYS).contains(&n) => Some(n),
            _ => {
                fail("expires_in", format!("A whole number of days from 1 to {MAX_TOKEN_DAYS}, or empty for never."));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut tx = pool.begin_write().await?;
    let issued = issue(&mut tx, owner, name.trim(), &chosen, days).await?;
    let t = &issued.token;
    let details = serde_json::json!({
        "after": {
            "name": t.name, "prefix": t.prefix, "scopes": TokenScope::join(&t.scopes),
            "owner": t.owner, "expires_at": t.expires_at,
        },
    });
    audit::record(&mut tx, by.event_on(AuditAction::TokenCreated, "token", t.id).details(details)).await?;
    tx.commit().await?;
    Ok(issued)
}

/// Revoke token `id`, audited as `token.revoked` (once). Returns it as it is now; 404 when
/// there is no such token.
pub async fn revoke_audited(pool: &Pool, by: By<'_>, id: i64) -> Result<TokenSummary, AppError> {
    let mut tx = pool.begin_write().await?;
    let before = revoke(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if before.revoked_at.is_none() {
        let details = serde_json::json!({ "name": before.name, "prefix": before.prefix });
        audit::record(&mut tx, by.event_on(AuditAction::TokenRevoked, "token", id).details(details)).await?;
    }
    let after = find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(after)
}

/// Rotate token `id`, audited as `token.rotated`; 404 when it is unknown or revoked.
pub async fn rotate_audited(pool: &Pool, by: By<'_>, id: i64) -> Result<IssuedToken, AppError> {
    let mut tx = pool.begin_write().await?;
    let old = find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let issued = rotate(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let details = serde_json::json!({
        "name": old.name,
        "before": { "prefix": old.prefix },
        "after": { "prefix": issued.token.prefix },
    });
    audit::record(&mut tx, by.event_on(AuditAction::TokenRotated, "token", id).details(details)).await?;
    tx.commit().await?;
    Ok(issued)
}

/// Store a new token of `owner`, returning it with its secret (shown once).
async fn issue(
    conn: &mut Conn,
    owner: UserId,
    name: &str,
    scopes: &[TokenScope],
    expires_in_days: Option<u32>,
) -> Result<IssuedToken, sqlx::Error> {
    let (prefix, full) = generate();
    let expires = expires_in_days.map(|d| Stamp::from_now(i64::from(d) * 86_400));
    let id: i64 = crate::on_db!(conn, |c| {
        sqlx::query_scalar(
            "insert into api_tokens (name, prefix, secret_hash, scopes, owner_id, created_at, expires_at)
             values ($1, $2, $3, $4, $5, $6, $7) returning id",
        )
        .bind(name)
        .bind(&prefix)
        .bind(secret::digest(&full))
        .bind(TokenScope::join(scopes))
        .bind(owner.0)
        .bind(Stamp::now())
        .bind(expires)
        .fetch_one(c)
        .await
    })?;
    let token = find(conn, id).await?.ok_or(sqlx::Error::RowNotFound)?;
    Ok(IssuedToken { token, secret: full })
}

/// Revoke token `id` now. Returns it as it was; `None` when there is no such token.
async fn revoke(conn: &mut Conn, id: i64) -> Result<Option<TokenSummary>, sqlx::Error> {
    let Some(before) = find(conn, id).await? else { return Ok(None) };
    crate::on_db!(conn, |c| {
        sqlx::query("update api_tokens set revoked_at = $2 where id = $1 and revoked_at is null")
            .bind(id)
            .bind(Stamp::now())
            .execute(c)
            .await?;
    });
    Ok(Some(before))
}

/// A new secret for token `id` (same name, scopes, owner and expiry); the old one stops working
/// at once. `None` when there is no such token, or it is revoked.
async fn rotate(conn: &mut Conn, id: i64) -> Result<Option<IssuedToken>, sqlx::Error> {
    let (prefix, full) = generate();
    let done = crate::on_db!(conn, |c| {
        sqlx::query("update api_tokens set prefix = $2, secret_hash = $3 where id = $1 and revoked_at is null")
            .bind(id)
            .bind(&prefix)
            .bind(secret::digest(&full))
            .execute(c)
            .await?
            .rows_affected()
    });
    if done == 0 {
        return Ok(None);
    }
    let token = find(conn, id).await?.ok_or(sqlx::Error::RowNotFound)?;
    Ok(Some(IssuedToken { token, secret: full }))
}

/// A request's token, authenticated: its owner as they are now, and its scopes.
#[derive(Clone, Debug)]
pub struct TokenCaller {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<TokenScope>,
    pub owner: Actor,
}

#[derive(sqlx::FromRow)]
struct AuthRow {
    id: i64,
    name: String,
    secret_hash: Vec<u8>,
    scopes: String,
    owner_id: UserId,
    username: String,
    role: Role,
    usable: bool,
}

/// The token a bearer secret names, if it is well formed, known, unrevoked, unexpired, and its
/// owner is active. Unknown prefixes cost a digest like known ones.
pub async fn authenticate(pool: &Pool, bearer: &str) -> Result<Option<TokenCaller>, sqlx::Error> {
    let digest = secret::digest(bearer);
    let Some(prefix) = prefix_of(bearer) else { return Ok(None) };
    let mut conn = pool.acquire().await?;
    let row: Option<AuthRow> = crate::on_db!(&mut conn, |c| {
        sqlx::query_as(
            "select t.id, t.name, t.secret_hash, t.scopes, t.owner_id, u.username, u.role,
                    (t.revoked_at is null and (t.expires_at is null or t.expires_at > $2) and u.is_active) as usable
             from api_tokens t join users u on u.id = t.owner_id where t.prefix = $1",
        )
        .bind(prefix)
        .bind(Stamp::now())
        .fetch_optional(c)
        .await
    })?;
    Ok(row.filter(|r| bool::from(r.secret_hash.ct_eq(&digest)) && r.usable).map(|r| TokenCaller {
        id: r.id,
        name: r.name,
        scopes: TokenScope::parse_list(&r.scopes),
        owner: Actor { id: r.owner_id, username: r.username, role: r.role },
    }))
}

/// Note a use of token `id` from `ip`, at most once a minute per token.
pub async fn touch(pool: &Pool, id: i64, ip: Option<std::net::IpAddr>) -> Result<(), sqlx::Error> {
    let mut conn = pool.acquire().await?;
    crate::on_db!(&mut conn, |c| {
        sqlx::query(
            "update api_tokens set last_used_at = $2, last_used_ip = $3
             where id = $1 and (last_used_at is null or last_used_at < $4)",
        )
        .bind(id)
        .bind(Stamp::now())
        .bind(ip.map(|ip| ip.to_string()))
        .bind(Stamp::from_now(-60))
        .execute(c)
        .await
        .map(drop)
    })
}

/// Count a request of token `id` in the current minute, shared by every instance on the
/// database. Returns the seconds until the minute ends when the token is over `limit`.
pub async fn over_limit(pool: &Pool, id: i64, limit: u32) -> Result<Option<u64>, sqlx::Error> {
    let now = time::OffsetDateTime::now_utc();
    let minute = now.replace_second(0).unwrap_or(now).replace_nanosecond(0).unwrap_or(now);
    let mut conn = pool.acquire().await?;
    let hits: i64 = crate::on_db!(&mut conn, |c| {
        sqlx::query_scalar(
            "insert into api_token_hits (token_id, minute, hits) values ($1, $2, 1)
             on conflict (token_id, minute) do update set hits = api_token_hits.hits + 1
             returning cast(hits as bigint)",
        )
        .bind(id)
        .bind(Stamp(minute))
        .fetch_one(c)
        .await
    })?;
    let left = 60 - u64::from(now.second());
    Ok((hits > i64::from(limit)).then_some(left.max(1)))
}

/// Forget per-minute counts older than an hour.
pub async fn purge_hits(pool: &Pool) -> Result<u64, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    crate::on_db!(&mut conn, |c| {
        sqlx::query("delete from api_token_hits where minute < $1")
            .bind(Stamp::from_now(-3600))
            .execute(c)
            .await
            .map(|d| d.rows_affected())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_have_the_documented_form_and_a_findable_prefix() {
        let (prefix, full) = generate();
        assert_eq!(prefix.len(), 8);
        assert!(full.starts_with(&format!("iwk_{prefix}_")));
        assert_eq!(full.len(), 4 + 8 + 1 + 43);
        assert_eq!(prefix_of(&full), Some(prefix.as_str()));
        for bad in
            ["", "iwk_", "iwk_ABCDEFGH_x", "Bearer x", &full[..full.len() - 1], "iwk_abcdefgh-", &format!("{full}x")]
        {
            assert_eq!(prefix_of(bad), None, "{bad}");
        }
    }
}
