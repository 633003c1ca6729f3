//! The audit writer. Every call runs on the connection of the transaction that makes the
//! change, so the event and the change commit or roll back together.

use crate::domain::{Actor, AuditAction, AuditEntry, Page};
use crate::ssr::db::{Conn, Pool};
use std::net::IpAddr;

/// Who caused an event.
#[derive(Clone, Debug)]
pub enum AuditActor<'a> {
    User(&'a Actor),
    /// Someone who is not signed in, e.g. a failed login, labelled with what they typed.
    Anonymous(&'a str),
    /// The operator, through the command line.
    Cli,
    /// Inkwarden itself, e.g. the scheduler publishing a post at its time.
    System,
}

#[derive(Clone, Debug)]
pub struct AuditEvent<'a> {
    pub actor: AuditActor<'a>,
    pub client_ip: Option<IpAddr>,
    pub action: AuditAction,
    pub target: Option<(&'static str, String)>,
    pub details: serde_json::Value,
}

impl<'a> AuditEvent<'a> {
    pub fn new(actor: AuditActor<'a>, action: AuditAction) -> Self {
        Self { actor, client_ip: super::client_ip(), action, target: None, details: serde_json::Value::Null }
    }

    pub fn target(mut self, kind: &'static str, id: impl ToString) -> Self {
        self.target = Some((kind, id.to_string()));
        self
    }

    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

pub async fn record(conn: &mut Conn, event: AuditEvent<'_>) -> Result<(), sqlx::Error> {
    crate::on_db!(conn, |conn| {
        let (user_id, label) = match event.actor {
            AuditActor::User(a) => (Some(a.id.0), a.username.clone()),
            // What a stranger typed is kept short: it may be a mistyped password.
            AuditActor::Anonymous(typed) => {
                (None, format!("anonymous ({})", typed.chars().take(64).collect::<String>()))
            }
            AuditActor::Cli => (None, "cli".to_owned()),
            AuditActor::System => (None, "system".to_owned()),
        };
        let details = if event.details.is_null() { "{}".to_owned() } else { event.details.to_string() };
        sqlx::query(
            "insert into audit_events (actor_user_id, actor_label, client_ip, action, target_type, target_id, details)
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(user_id)
        .bind(label)
        .bind(event.client_ip.map(|ip| ip.to_string()))
        .bind(event.action.as_str())
        .bind(event.target.as_ref().map(|t| t.0))
        .bind(event.target.map(|t| t.1))
        .bind(details)
        .execute(conn)
        .await
        .map(drop)
    })
}

/// Newest first, optionally only one action.
pub async fn list(
    pool: &Pool,
    action: Option<AuditAction>,
    page: i64,
    per_page: i64,
) -> Result<Page<AuditEntry>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    crate::on_db!(&mut conn, |conn| {
        let action = action.map(AuditAction::as_str);
        let total: i64 = sqlx::query_scalar("select count(*) from audit_events where ($1 is null or action = $1)")
            .bind(action)
            .fetch_one(&mut *conn)
            .await?;
        let rows = sqlx::query_as(
            "select id, occurred_at, actor_label, client_ip, action, target_type, target_id, details
             from audit_events where ($1 is null or action = $1)
             order by id desc limit $2 offset $3",
        )
        .bind(action)
        .bind(per_page)
        .bind((page - 1) * per_page)
        .fetch_all(&mut *conn)
        .await?;
        Ok(Page { rows, total, page, per_page })
    })
}
