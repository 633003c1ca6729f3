//! The audit writer. Every call runs on the connection of the transaction that makes the
//! change, so the event and the change commit or roll back together.

use crate::{
    domain::{Actor, AuditAction, AuditEntry, AuditFilter, Page},
    error::{AppError, FieldError},
    ssr::db::{Batch, Conn, Pool, Stamp},
};
use sqlx::{Database, QueryBuilder};
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
    /// An API token acting for its owner: recorded under the owner's id, labelled with the
    /// token's id and name.
    Token {
        owner: &'a Actor,
        id: i64,
        name: &'a str,
    },
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

/// Who acts in a request: a signed-in staff member, or an API token for its owner. Shared code
/// takes this, so the dashboard and the REST API run the same rules and audit alike.
#[derive(Clone, Debug)]
pub struct Caller {
    pub actor: Actor,
    /// The token's id and name when the request came through the REST API.
    pub token: Option<(i64, String)>,
    pub ip: Option<IpAddr>,
}

impl Caller {
    /// The signed-in user of the current server-function request.
    pub fn session(actor: Actor) -> Self {
        Caller { actor, token: None, ip: super::client_ip() }
    }

    /// An event by this caller.
    pub fn event(&self, action: AuditAction) -> AuditEvent<'_> {
        let actor = match &self.token {
            Some((id, name)) => AuditActor::Token { owner: &self.actor, id: *id, name },
            None => AuditActor::User(&self.actor),
        };
        AuditEvent { actor, client_ip: self.ip, action, target: None, details: serde_json::Value::Null }
    }
}

/// Write `event` to the audit log on `conn`, inside the transaction of the change it records.
pub async fn record(conn: &mut Conn, event: AuditEvent<'_>) -> Result<(), sqlx::Error> {
    let mut batch = Batch::new(conn.backend());
    push(&mut batch, event);
    batch.run(conn).await
}

/// [`record`] `event` as one of `batch`'s writes.
pub fn push(batch: &mut Batch, event: AuditEvent<'_>) {
    let (user_id, label) = match event.actor {
        AuditActor::User(a) => (Some(a.id.0), a.username.clone()),
        // What a stranger typed is kept short: it may be a mistyped password.
        AuditActor::Anonymous(typed) => (None, format!("anonymous ({})", typed.chars().take(64).collect::<String>())),
        AuditActor::Cli => (None, "cli".to_owned()),
        AuditActor::System => (None, "system".to_owned()),
        AuditActor::Token { owner, id, name } => (Some(owner.id.0), format!("token #{id} ({name})")),
    };
    let details = if event.details.is_null() { "{}".to_owned() } else { event.details.to_string() };
    batch
        .push(
            "insert into audit_events (actor_user_id, actor_label, client_ip, action, target_type, target_id, details)
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(user_id)
        .bind(label)
        .bind(event.client_ip.map(|ip| ip.to_string()))
        .bind(event.action.as_str())
        .bind(event.target.as_ref().map(|t| t.0))
        .bind(event.target.map(|t| t.1))
        .bind(details);
}

/// A checked [`AuditFilter`]: known actions, real dates and a real address.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    actor: Option<String>,
    actions: Vec<&'static str>,
    target_type: Option<String>,
    target_id: Option<String>,
    from: Option<Stamp>,
    /// Exclusive: the start of the day after `to`.
    until: Option<Stamp>,
    ip: Option<String>,
}

impl AuditQuery {
    /// Check every filter; the errors name their fields.
    pub fn parse(f: &AuditFilter) -> Result<Self, AppError> {
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        let mut errors = Vec::new();
        let mut fail = |field: &str, message: &str| {
            errors.push(FieldError { field: field.to_owned(), message: message.to_owned() })
        };
        let mut actions = Vec::new();
        for a in f.actions.iter().filter(|a| !a.is_empty()).take(AuditAction::ALL.len()) {
            match AuditAction::parse(a) {
                Some(action) => actions.push(action.as_str()),
                None => fail("action", "Choose actions from the list."),
            }
        }
        let mut day = |field: &str, value: Option<String>, next: bool| match value.as_deref().map(parse_day) {
            None => None,
            Some(Some(date)) => {
                let date = if next { date.next_day().unwrap_or(date) } else { date };
                Some(Stamp(date.midnight().assume_utc()))
            }
            Some(None) => {
                fail(field, "Use a date like 2026-12-01.");
                None
            }
        };
        let from = day("from", given(&f.from), false);
        let until = day("to", given(&f.to), true);
        let ip = match given(&f.ip).as_deref() {
            None => None,
            Some(ip) => match ip.parse::<IpAddr>() {
                Ok(ip) => Some(ip.to_string()),
                Err(_) => {
                    fail("ip", "Use an address like 203.0.113.7 or 2001:db8::1.");
                    None
                }
            },
        };
        let short = |v: &Option<String>| given(v).map(|v| v.chars().take(200).collect::<String>());
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        Ok(AuditQuery {
            actor: short(&f.actor),
            actions,
            target_type: short(&f.target_type),
            target_id: short(&f.target_id),
            from,
            until,
            ip,
        })
    }

    fn push_filters<'a, DB: Database>(&'a self, b: &mut QueryBuilder<'a, DB>)
    where
        String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
        &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
        Stamp: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    {
        b.push(" where 1 = 1");
        if let Some(actor) = &self.actor {
            b.push(" and actor_label = ").push_bind(actor.clone());
        }
        if !self.actions.is_empty() {
            b.push(" and action in (");
            let mut list = b.separated(", ");
            for a in &self.actions {
                list.push_bind(*a);
            }
            b.push(")");
        }
        let exact = [("target_type", &self.target_type), ("target_id", &self.target_id), ("client_ip", &self.ip)];
        for (column, value) in exact {
            if let Some(v) = value {
                b.push(format_args!(" and {column} = ")).push_bind(v.clone());
            }
        }
        if let Some(from) = self.from {
            b.push(" and occurred_at >= ").push_bind(from);
        }
        if let Some(until) = self.until {
            b.push(" and occurred_at < ").push_bind(until);
        }
    }
}

/// `YYYY-MM-DD` as a date.
fn parse_day(text: &str) -> Option<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text.trim(), &format).ok()
}

const ENTRY_COLUMNS: &str =
    "select id, occurred_at, actor_label, client_ip, action, target_type, target_id, details from audit_events";

/// One page of the log, newest first.
pub async fn list(pool: &Pool, q: &AuditQuery, page: i64, per_page: i64) -> Result<Page<AuditEntry>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    crate::on_db!(&mut conn, |conn| {
        let mut count = QueryBuilder::new("select count(*) from audit_events");
        q.push_filters(&mut count);
        let total: i64 = count.build_query_scalar().fetch_one(&mut *conn).await?;
        let mut b = QueryBuilder::new(ENTRY_COLUMNS);
        q.push_filters(&mut b);
        b.push(" order by id desc limit ").push_bind(per_page).push(" offset ").push_bind((page - 1) * per_page);
        let rows = b.build_query_as().fetch_all(&mut *conn).await?;
        Ok(Page { rows, total, page, per_page })
    })
}

/// Up to `limit` matching events older than event `before` (all when `None`), newest first:
/// the export reads the log in such chunks so it never holds much of it in memory.
pub async fn chunk(
    pool: &Pool,
    q: &AuditQuery,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    crate::on_db!(&mut conn, |conn| {
        let mut b = QueryBuilder::new(ENTRY_COLUMNS);
        q.push_filters(&mut b);
        if let Some(before) = before {
            b.push(" and id < ").push_bind(before);
        }
        b.push(" order by id desc limit ").push_bind(limit);
        b.build_query_as().fetch_all(&mut *conn).await
    })
}
