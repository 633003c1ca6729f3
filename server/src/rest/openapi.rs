//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of the REST API, generated from the
//! handlers' annotations and the types they read and write. The conventions every endpoint
//! shares (bearer tokens, problem documents, the answers any request may get) are added here
//! once instead of on each handler.

use super::ProblemBody;
use axum::{
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use std::sync::LazyLock;
use utoipa::{
    openapi::{
        content::ContentBuilder,
        header::HeaderBuilder,
        path::Operation,
        response::ResponseBuilder,
        schema::{ObjectBuilder, Type},
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
        Ref,
    },
    Modify, OpenApi,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Inkwarden REST API",
        description = "Automation for a blog's staff side. Every request carries a scoped API token \
            (`Authorization: Bearer iwk_…`, created by an admin under API tokens); a token does \
            nothing its scopes or its owner's current role do not allow. Errors are RFC 9457 \
            problem documents."
    ),
    paths(
        super::list_posts,
        super::get_post,
        super::create_post,
        super::patch_post,
        super::publish,
        super::unpublish,
        super::list_comments,
        super::moderate
    ),
    components(schemas(ProblemBody)),
    modifiers(&Conventions),
    tags(
        (name = "posts", description = "Posts, within what the token's owner may see and change."),
        (name = "comments", description = "The comment moderation queue.")
    )
)]
pub struct ApiDoc;

/// The bearer scheme, and the answers that any operation may give.
struct Conventions;

impl Modify for Conventions {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("iwk_<prefix>_<secret>")
            .description(Some("An API token; the scopes each operation needs are listed in its security requirement."))
            .build();
        doc.components.get_or_insert_with(Default::default).add_security_scheme("token", SecurityScheme::Http(scheme));
        for item in doc.paths.paths.values_mut() {
            for op in [&mut item.get, &mut item.post, &mut item.patch].into_iter().flatten() {
                common_answers(op);
            }
        }
    }
}

fn common_answers(op: &mut Operation) {
    let with_body = op.request_body.is_some();
    let answers = [
        (StatusCode::BAD_REQUEST, "The request could not be read: malformed JSON or query, or a wrong type.", None),
        (
            StatusCode::UNAUTHORIZED,
            "No usable token: missing, malformed, unknown, revoked or expired.",
            Some(("WWW-Authenticate", "`Bearer realm=\"inkwarden\", error=\"invalid_token\"`")),
        ),
        (
            StatusCode::FORBIDDEN,
            "The token lacks the scope, or its owner's role no longer allows this.",
            Some(("WWW-Authenticate", "`Bearer …, error=\"insufficient_scope\", scope=\"…\"`")),
        ),
        (StatusCode::TOO_MANY_REQUESTS, "The token's rate limit is spent.", Some(("Retry-After", "Seconds to wait."))),
    ];
    let body_answers = [
        (StatusCode::PAYLOAD_TOO_LARGE, "The body is too large.", None),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "The body is not `application/json`.", None),
    ];
    let extra = if with_body { &body_answers[..] } else { &[] };
    for (status, description, header) in answers.iter().chain(extra) {
        let mut response = ResponseBuilder::new().description(*description).content(
            "application/problem+json",
            ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
        );
        if let Some((name, about)) = header {
            let schema = ObjectBuilder::new().schema_type(Type::String).build();
            response = response.header(*name, HeaderBuilder::new().schema(schema).description(Some(*about)).build());
        }
        op.responses.responses.entry(status.as_u16().to_string()).or_insert_with(|| response.build().into());
    }
}

/// The document, serialised once.
pub async fn document() -> Response {
    static DOCUMENT: LazyLock<Option<String>> = LazyLock::new(|| ApiDoc::openapi().to_pretty_json().ok());
    match DOCUMENT.as_deref() {
        Some(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        None => super::Problem::from(app::error::AppError::Internal).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::{
        has_control_chars, MAX_BODY, MAX_EXCERPT, MAX_SEO_DESCRIPTION, MAX_SEO_TITLE, MAX_SLUG, MAX_TITLE,
    };
    use serde_json::Value;

    fn doc() -> Value {
        serde_json::to_value(ApiDoc::openapi()).unwrap()
    }

    #[test]
    fn it_is_openapi_3_1_with_every_route_and_its_scope() {
        let doc = doc();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        let expected = [
            ("/api/v1/posts", "get", "posts:read"),
            ("/api/v1/posts", "post", "posts:write"),
            ("/api/v1/posts/{id}", "get", "posts:read"),
            ("/api/v1/posts/{id}", "patch", "posts:write"),
            ("/api/v1/posts/{id}/publish", "post", "posts:publish"),
            ("/api/v1/posts/{id}/unpublish", "post", "posts:publish"),
            ("/api/v1/comments", "get", "comments:moderate"),
            ("/api/v1/comments/moderate", "post", "comments:moderate"),
        ];
        for (path, method, scope) in expected {
            let op = &doc["paths"][path][method];
            assert_eq!(op["security"][0]["token"][0], scope, "{method} {path}");
            for status in ["401", "403", "429"] {
                assert!(op["responses"][status].is_object(), "{method} {path} documents {status}");
            }
        }
        let operations: usize = doc["paths"].as_object().unwrap().values().map(|p| p.as_object().unwrap().len()).sum();
        assert_eq!(operations, expected.len());
        assert_eq!(doc["components"]["securitySchemes"]["token"]["scheme"], "bearer");
    }

    /// utoipa takes only literals, so the document's limits are checked against the domain's.
    #[test]
    fn its_limits_are_the_domains() {
        let doc = doc();
        let props = |schema: &str| doc["components"]["schemas"][schema]["properties"].clone();
        let limits = [
            ("title", MAX_TITLE),
            ("body", MAX_BODY),
            ("slug", MAX_SLUG),
            ("excerpt", MAX_EXCERPT),
            ("seo_title", MAX_SEO_TITLE),
            ("seo_description", MAX_SEO_DESCRIPTION),
        ];
        for (field, max) in limits {
            assert_eq!(props("PostPatch")[field]["maxLength"], max, "PostPatch.{field}");
            if let Some(new) = props("NewPost").get(field) {
                assert_eq!(new["maxLength"], max, "NewPost.{field}");
            }
        }
        assert_eq!(props("ModerationRequest")["ids"]["maxItems"], app::api::comments::MAX_IDS);
    }

    /// Each text field's pattern (utoipa takes only literals), read back as a character class
    /// and compared with the validation's rule for that field, character by character.
    #[test]
    fn its_patterns_are_the_domains() {
        let doc = doc();
        let mut fields = vec![(doc["paths"]["/api/v1/posts"]["get"]["parameters"][1]["schema"].clone(), "q")];
        for schema in ["NewPost", "PostPatch"] {
            for (name, prop) in doc["components"]["schemas"][schema]["properties"].as_object().unwrap() {
                if prop.get("pattern").is_some() {
                    fields.push((prop.clone(), name.as_str()));
                }
            }
        }
        assert_eq!(fields.len(), 1 + 4 + 6);
        for (schema, field) in fields {
            let pattern = schema["pattern"].as_str().unwrap_or_else(|| panic!("{field} has a pattern"));
            let multiline = matches!(field, "body" | "excerpt" | "seo_description");
            let class = pattern.strip_prefix("^[^").and_then(|p| p.strip_suffix("]*$")).unwrap();
            // `\x00-\x1F\x7F` → [(0x00, 0x1F), (0x7F, 0x7F)]
            let mut ranges: Vec<(u32, u32)> = Vec::new();
            let mut open = false;
            for part in class.split("\\x").filter(|s| !s.is_empty()) {
                let n = u32::from_str_radix(part.trim_end_matches('-'), 16).unwrap();
                match ranges.last_mut() {
                    Some(range) if open => range.1 = n,
                    _ => ranges.push((n, n)),
                }
                open = part.ends_with('-');
            }
            for c in (0..=0x2000u32).filter_map(char::from_u32) {
                let in_class = ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&(c as u32)));
                assert_eq!(in_class, has_control_chars(&c.to_string(), multiline), "{c:?} in {field}: {pattern}");
            }
        }
    }
}
