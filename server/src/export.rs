//! CSV export of the posts list: the same filters and the same scope as the list view.

use app::{
    domain::PostFilter,
    error::AppError,
    policy::{post_scope, PostAction},
    ssr::{auth, posts, AppContext},
};
use axum::{
    extract::Query,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use std::collections::HashMap;
use tower_sessions::Session;

/// Most rows one export returns.
const MAX_ROWS: i64 = 100_000;

pub async fn posts_csv(ctx: AppContext, session: Session, Query(query): Query<HashMap<String, String>>) -> Response {
    match render(&ctx, &session, &query).await {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"posts.csv\""),
            ],
            csv,
        )
            .into_response(),
        Err(e) => (StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), e.to_string())
            .into_response(),
    }
}

async fn render(ctx: &AppContext, session: &Session, query: &HashMap<String, String>) -> Result<Vec<u8>, AppError> {
    let actor = auth::load_user(session, ctx).await?.actor();
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
