//! One-time links with which a staff member chooses a password: invitations and resets. The
//! token is shown once (in the link); only its SHA-256 is stored.

use super::{
    db::{Conn, Stamp},
    secret,
};
use crate::domain::{LinkInfo, LinkPurpose, Timestamp, UserId, LINK_LIFETIME_HOURS};

/// What a token opens.
#[derive(Debug)]
pub enum LinkState {
    Usable(LinkInfo),
    /// Used, replaced by a newer link, expired, or its account deactivated.
    Spent,
    Unknown,
}

/// Issue a new link for `user`, valid for [`LINK_LIFETIME_HOURS`]; older unused links of the
/// user stop working. Returns the token and when it expires.
pub async fn issue(conn: &mut Conn, user: UserId, purpose: LinkPurpose) -> Result<(String, Timestamp), sqlx::Error> {
    let token = secret::generate();
    let now = Stamp::now();
    let expires = Stamp::from_now(LINK_LIFETIME_HOURS * 3600);
    let expires_text = expires.text();
    crate::on_db!(conn, |c| {
        sqlx::query("update password_links set used_at = $2 where user_id = $1 and used_at is null")
            .bind(user.0)
            .bind(now)
            .execute(&mut *c)
            .await?;
        sqlx::query(
            "insert into password_links (user_id, purpose, token_hash, created_at, expires_at)
             values ($1, $2, $3, $4, $5)",
        )
        .bind(user.0)
        .bind(purpose)
        .bind(secret::digest(&token))
        .bind(now)
        .bind(expires)
        .execute(&mut *c)
        .await?;
    });
    Ok((token, expires_text))
}

/// Whether `token` could be used now, and for whom.
pub async fn state(conn: &mut Conn, token: &str) -> Result<LinkState, sqlx::Error> {
    let row: Option<(String, LinkPurpose, bool)> = crate::on_db!(conn, |c| {
        sqlx::query_as(
            "select u.username, l.purpose, (l.used_at is null and l.expires_at > $2 and u.is_active)
             from password_links l join users u on u.id = l.user_id where l.token_hash = $1",
        )
        .bind(secret::digest(token))
        .bind(Stamp::now())
        .fetch_optional(c)
        .await
    })?;
    Ok(match row {
        None => LinkState::Unknown,
        Some((username, purpose, true)) => LinkState::Usable(LinkInfo { username, purpose }),
        Some(_) => LinkState::Spent,
    })
}

/// Mark `token` used if it is usable now, returning its user and purpose. Run in the
/// transaction that sets the password, so a failed write leaves the link usable.
pub async fn consume(conn: &mut Conn, token: &str) -> Result<Option<(UserId, LinkPurpose)>, sqlx::Error> {
    crate::on_db!(conn, |c| {
        sqlx::query_as(
            "update password_links set used_at = $2
             where token_hash = $1 and used_at is null and expires_at > $2
               and user_id in (select id from users where is_active)
             returning user_id, purpose",
        )
        .bind(secret::digest(token))
        .bind(Stamp::now())
        .fetch_optional(c)
        .await
    })
}

/// The absolute address of the page that redeems `token`.
pub fn url(base: &str, token: &str) -> String {
    format!("{}/admin/welcome?token={token}", base.trim_end_matches('/'))
}
