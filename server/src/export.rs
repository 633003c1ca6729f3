//! CSV exports: the posts list (the same filters and scope as the list view) and the audit log
//! (the same filters as its page, streamed in chunks so a log of any size exports in constant
//! memory). Cells a spreadsheet would run as formulas are defused.

use app::{
    domain::{Actor, AuditEntry, AuditFilter, PostFilter},
    error::AppError,
    policy::{post_scope, require, Capability, PostAction},
    ssr::{
        audit::{self, AuditQuery},
        auth, posts, AppContext,
    },
};
use axum::{
    body::{Body, Bytes},
    extract::Query,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use std::collections::HashMap;
use tower_sessions::Session;

/// Most rows one export returns.
const MAX_ROWS: i64 = 100_000;

/// Rows the audit export reads per query.
const AUDIT_CHUNK: i64 = 1_000;

/// A CSV download named `name`.
fn csv_response(name: &str, body: Body) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)], body)
        .into_response()
}

fn error_response(e: AppError) -> Response {
    (StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), e.to_string()).into_response()
}

/// The signed-in staff member, held to the site's two-factor requirement like every request.
async fn staff(ctx: &AppContext, session: &Session) -> Result<Actor, AppError> {
    let user = auth::load_user(session, ctx).await?;
    auth::second_factor_gate(&user)?;
    Ok(user.actor())
}

pub async fn posts_csv(ctx: AppContext, session: Session, Query(query): Query<HashMap<String, String>>) -> Response {
    match render(&ctx, &session, &query).await {
        Ok(csv) => csv_response("posts.csv", Body::from(csv)),
        Err(e) => error_response(e),
    }
}

async fn render(ctx: &AppContext, session: &Session, query: &HashMap<String, String>) -> Result<Vec<u8>, AppError> {
    let actor = staff(ctx, session).await?;
    let scope = post_scope(&actor, PostAction::View)?;
    let text = |k: &str| query.get(k).filter(|v| !v.is_empty()).cloned();
    let number = |k: &str| text(k).and_then(|v| v.parse().ok());
    let filter = PostFilter {
        q: text("q"),
        status: text("status"),
        author: number("author"),
        category: number("category"),
        tag: number("tag"),
        sort: text("sort"),
        dir: text("dir"),
    };
    let rows = posts::list_all(&ctx.pool, scope, &filter, MAX_ROWS).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| AppError::internal("csv", e);
    out.write_record([
        "id",
        "title",
        "slug",
        "status",
        "author",
        "category",
        "updated_at",
        "published_at",
        "scheduled_at",
    ])
    .map_err(fail)?;
    for r in rows {
        let fields = [
            r.id.0.to_string(),
            r.title,
            r.slug,
            r.status.as_str().to_owned(),
            r.author,
            r.category.unwrap_or_default(),
            r.updated_at.0,
            r.published_at.map(String::from).unwrap_or_default(),
            r.scheduled_at.map(String::from).unwrap_or_default(),
        ];
        out.write_record(fields.map(|f| defuse(&f))).map_err(fail)?;
    }
    out.into_inner().map_err(|e| AppError::internal("csv", e))
}

/// `/admin/audit/export.csv`: every event the filters match, newest first. Admins only. The
/// filters are checked before the first byte (422 with the field's message); the rows then
/// stream in chunks of [`AUDIT_CHUNK`], each read by id below the last one sent.
pub async fn audit_csv(ctx: AppContext, session: Session, Query(pairs): Query<Vec<(String, String)>>) -> Response {
    let checked = async {
        require(&staff(&ctx, &session).await?, Capability::ReadAuditLog)?;
        AuditQuery::parse(&AuditFilter::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))))
    };
    let query = match checked.await {
        Ok(query) => query,
        Err(e) => return error_response(e),
    };
    let header = audit_lines(&[], true).unwrap_or_default();
    let chunks = futures_util::stream::unfold(Some(None), move |cursor: Option<Option<i64>>| {
        let (ctx, query) = (ctx.clone(), query.clone());
        async move {
            let before = cursor?;
            let rows = match audit::chunk(&ctx.pool, &query, before, AUDIT_CHUNK).await {
                Ok(rows) => rows,
                Err(e) => {
                    // Cut the transfer short rather than end a partial file as if it were whole.
                    tracing::error!(error = %e, "audit export");
                    return Some((Err(std::io::Error::other("audit export failed")), None));
                }
            };
            let next = (rows.len() as i64 == AUDIT_CHUNK).then(|| rows.last().map(|r| r.id));
            match audit_lines(&rows, false) {
                Ok(bytes) if !rows.is_empty() => Some((Ok(Bytes::from(bytes)), next)),
                Ok(_) => None,
                Err(e) => Some((Err(std::io::Error::other(e.to_string())), None)),
            }
        }
    });
    let body = futures_util::StreamExt::chain(
        futures_util::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(header)) }),
        chunks,
    );
    csv_response("audit.csv", Body::from_stream(body))
}

/// CSV lines for `rows` (with the header line first when `header`).
fn audit_lines(rows: &[AuditEntry], header: bool) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 160));
    if header {
        out.write_record(["id", "occurred_at", "actor", "client_ip", "action", "target_type", "target_id", "details"])?;
    }
    for r in rows {
        let fields = [
            r.id.to_string(),
            r.occurred_at.0.clone(),
            r.actor.clone(),
            r.client_ip.clone().unwrap_or_default(),
            r.action.clone(),
            r.target_type.clone().unwrap_or_default(),
            r.target_id.clone().unwrap_or_default(),
            r.details.clone(),
        ];
        out.write_record(fields.map(|f| defuse(&f)))?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// Spreadsheets run cells that start with `=`, `+`, `-` or `@` as formulas: prefix them.
fn defuse(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn formula_cells_are_defused() {
        assert_eq!(super::defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(super::defuse("plain"), "plain");
    }
}
