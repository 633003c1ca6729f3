//! Stored and reflected HTML injection: hostile text in every user-controlled field, then every
//! page that shows it, read the way a browser tokenizes it. No script may run without the
//! response's CSP nonce, no tag may carry an event handler or a `javascript:` URL, and each
//! hostile string must be on the page, visibly escaped (so the test cannot pass by omission).

use crate::helpers::*;
use app::domain::Role;
use reqwest::Client;

/// Long enough to leave `<title>`, a double-quoted attribute or a `<textarea>`. Each field gets
/// its own marker, so a failure names the field; a marker is always followed by `<`, which a
/// page must never show raw.
fn long(marker: &str) -> String {
    format!("{marker}</title></textarea><script>alert(1)</script>\"><img src=x onerror=alert(1)><svg onload=alert(1)>")
}

/// For fields of at most 60 characters (term names, usernames that must still sign in).
fn short(marker: &str) -> String {
    format!("{marker}<script>alert(1)</script>\"><img src=x onerror=alert(1)>")
}

/// Markdown with raw HTML and script URLs: sanitised on the public page, plain text elsewhere.
fn body(marker: &str) -> String {
    format!(
        "{}\n\n[click](javascript:alert(1))\n\n<a href=\"javascript:alert(1)\">x</a>\n\n\
         <iframe src=\"javascript:alert(1)\"></iframe>\n\n<p onclick=\"alert(1)\">p</p>\n\n\
         <a href=\"jav&#x09;ascript:alert(1)\">y</a>\n\n```\n</textarea><script>alert(1)</script>\n```\n",
        long(marker)
    )
}

/// How a marker must show on a page.
#[derive(Clone, Copy)]
enum Shown {
    /// As text: the marker followed by `&lt;`.
    Escaped,
    /// Rendered as sanitised HTML (the public post body): the marker is there, its tags are not.
    Sanitised,
}

use Shown::{Escaped, Sanitised};

/// One page to check, as a given client, with the markers it must show.
struct Visit<'a> {
    who: &'static str,
    client: &'a Client,
    path: String,
    shows: Vec<(&'static str, Shown)>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_text_in_every_field_renders_inert_on_every_page() {
    let app = TestApp::spawn().await;
    // Usernames are validated by the CLI, not by the table: insert them as legacy data would be.
    let admin = app.create_user(&short("zqadm"), Role::Admin).await;
    let author = app.create_user(&short("zqaut"), Role::Author).await;
    let (admin_c, author_c, anon_c) = (app.signed_in(&admin).await, app.signed_in(&author).await, app.client());

    let category =
        created_id(app.post(&admin_c, "/admin/api/categories/create", &[("name", &short("zqcat"))]).await).await;
    let tag = created_id(app.post(&admin_c, "/admin/api/tags/create", &[("name", &short("zqtag"))]).await).await;
    let (category, tag) = (category.to_string(), tag.to_string());
    let mut form = vec![
        ("title", long("zqttl")),
        ("slug", "hostile".to_owned()),
        ("body", body("zqbdy")),
        ("excerpt", long("zqexc")),
        ("category_id", category),
        ("tags[]", tag),
        ("seo_title", long("zqseo")),
        ("seo_description", long("zqsed")),
    ];
    let post = created_id(app.post(&author_c, "/admin/api/posts/create", &as_refs(&form)).await).await;
    // A second save, so that the revision list has a row written by the author.
    form.insert(0, ("id", post.to_string()));
    let res = app.post(&author_c, "/admin/api/posts/update", &as_refs(&form)).await;
    assert_eq!(res.status(), 200, "update: {}", res.text().await.unwrap());
    let res = app.post(&admin_c, "/admin/api/posts/publish", &[("id", &post.to_string())]).await;
    assert_eq!(res.status(), 200, "publish: {}", res.text().await.unwrap());

    // Slugs are validated too; a legacy row shows what the pages do with one that is not.
    let legacy: i64 = sql!(app, |c| sqlx::query_scalar(
        "insert into posts (title, slug, body, status, author_id, published_at)
         values ($1, $2, 'Legacy', 'published', $3, $4) returning id",
    )
    .bind(long("zqlgt"))
    .bind(short("zqslg"))
    .bind(author.id.0)
    .bind(app::ssr::db::Stamp::now())
    .fetch_one(c)
    .await)
    .unwrap();

    // Reader comments through the public form: one approved, one left in the queue.
    for (name, text) in [("zqcmn", "zqcmb"), ("zqpnn", "zqpnb")] {
        let form = [("name", short(name)), ("email", format!("{}@example.com", short("zqeml"))), ("body", long(text))];
        let res = anon_c.post(app.url("/posts/hostile/comments")).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 303, "comment {name}: {}", res.text().await.unwrap());
    }
    sql!(app, |c| sqlx::query(
        "update comment_states set status = 'approved'
         where comment_id = (select id from comments where author_name like 'zqcmn%')",
    )
    .execute(c)
    .await
    .map(|d| d.rows_affected()))
    .unwrap();

    // A typed username is shown to admins when it gets locked out after five failures.
    for _ in 0..5 {
        let res = app.login_response(&app.client(), &short("zqlck"), "not the password").await;
        assert_eq!(res.status(), 401);
    }

    // An API token's name (admins type it) on the tokens page and in the audit details.
    let res =
        app.post(&admin_c, "/admin/api/tokens/create", &[("name", &short("zqtok")), ("scopes[]", "posts:read")]).await;
    assert_eq!(res.status(), 200, "token: {}", res.text().await.unwrap());

    let hostile_query = urlencode(&long("zqqry"));
    let header_user = |m: &'static str| vec![(m, Escaped)];
    let visits = vec![
        Visit { who: "admin", client: &admin_c, path: "/admin".into(), shows: header_user("zqadm") },
        Visit {
            who: "admin",
            client: &admin_c,
            path: "/admin/posts".into(),
            shows: vec![
                ("zqadm", Escaped),
                ("zqttl", Escaped),
                ("zqaut", Escaped),
                ("zqcat", Escaped),
                ("zqtag", Escaped),
                ("zqlgt", Escaped),
            ],
        },
        Visit {
            who: "admin",
            client: &admin_c,
            path: format!("/admin/posts?q={hostile_query}"),
            shows: vec![("zqqry", Escaped)],
        },
        Visit {
            who: "admin",
            client: &admin_c,
            path: format!("/admin/posts/{post}"),
            shows: vec![
                ("zqttl", Escaped),
                ("zqbdy", Escaped),
                ("zqexc", Escaped),
                ("zqseo", Escaped),
                ("zqsed", Escaped),
                ("zqcat", Escaped),
                ("zqtag", Escaped),
                ("zqaut", Escaped),
                ("zqadm", Escaped),
            ],
        },
        Visit {
            who: "admin",
            client: &admin_c,
            path: format!("/admin/posts/{legacy}"),
            shows: vec![("zqlgt", Escaped), ("zqslg", Escaped)],
        },
        Visit {
            who: "admin",
            client: &admin_c,
            path: "/admin/comments".into(),
            shows: vec![("zqpnn", Escaped), ("zqpnb", Escaped), ("zqeml", Escaped), ("zqttl", Escaped)],
        },
        Visit {
            who: "admin",
            client: &admin_c,
            path: "/admin/comments?status=all".into(),
            shows: vec![("zqcmn", Escaped), ("zqcmb", Escaped)],
        },
        Visit { who: "admin", client: &admin_c, path: "/admin/categories".into(), shows: vec![("zqcat", Escaped)] },
        Visit { who: "admin", client: &admin_c, path: "/admin/tags".into(), shows: vec![("zqtag", Escaped)] },
        Visit {
            who: "admin",
            client: &admin_c,
            path: "/admin/users".into(),
            shows: vec![("zqadm", Escaped), ("zqaut", Escaped), ("zqlck", Escaped)],
        },
        Visit { who: "admin", client: &admin_c, path: "/admin/profile".into(), shows: header_user("zqadm") },
        Visit {
            who: "admin",
            client: &admin_c,
            path: "/admin/audit".into(),
            shows: vec![("zqadm", Escaped), ("zqaut", Escaped), ("zqcat", Escaped), ("zqtok", Escaped)],
        },
        Visit { who: "admin", client: &admin_c, path: "/admin/tokens".into(), shows: vec![("zqtok", Escaped)] },
        Visit { who: "admin", client: &admin_c, path: "/admin/profile".into(), shows: header_user("zqadm") },
        Visit { who: "author", client: &author_c, path: "/admin".into(), shows: header_user("zqaut") },
        Visit {
            who: "author",
            client: &author_c,
            path: "/admin/posts".into(),
            shows: vec![("zqttl", Escaped), ("zqcat", Escaped), ("zqtag", Escaped)],
        },
        // Published: the author sees the source read-only, not the form.
        Visit {
            who: "author",
            client: &author_c,
            path: format!("/admin/posts/{post}"),
            shows: vec![("zqttl", Escaped), ("zqbdy", Escaped), ("zqaut", Escaped), ("zqadm", Escaped)],
        },
        Visit { who: "author", client: &author_c, path: "/admin/profile".into(), shows: header_user("zqaut") },
        Visit {
            who: "anonymous",
            client: &anon_c,
            path: "/".into(),
            shows: vec![
                ("zqttl", Escaped),
                ("zqexc", Escaped),
                ("zqaut", Escaped),
                ("zqlgt", Escaped),
                ("zqslg", Escaped),
            ],
        },
        Visit {
            who: "anonymous",
            client: &anon_c,
            path: "/posts/hostile".into(),
            shows: vec![
                ("zqseo", Escaped),
                ("zqsed", Escaped),
                ("zqttl", Escaped),
                ("zqbdy", Sanitised),
                ("zqaut", Escaped),
                ("zqcat", Escaped),
                ("zqcmn", Escaped),
                ("zqcmb", Escaped),
            ],
        },
        Visit {
            who: "anonymous",
            client: &anon_c,
            path: format!("/posts/{}", urlencode(&short("zqslg"))),
            shows: vec![("zqlgt", Escaped)],
        },
        Visit {
            who: "anonymous",
            client: &anon_c,
            path: format!("/admin/login?next={}", urlencode(&long("zqnxt"))),
            shows: vec![("zqnxt", Escaped)],
        },
    ];

    // The head's title, decoded as a browser does, must be exactly the text: escaped once.
    let legacy_path = format!("/posts/{}", urlencode(&short("zqslg")));
    let titles = [
        (format!("/admin/posts/{post}"), format!("Edit: {} · Inkwarden", long("zqttl"))),
        (format!("/admin/posts/{legacy}"), format!("Edit: {} · Inkwarden", long("zqlgt"))),
        ("/posts/hostile".to_owned(), long("zqseo")),
        (legacy_path, format!("{} · Inkwarden", long("zqlgt"))), // no SEO title: "title · site title"
    ];

    let mut failures = Vec::new();
    for visit in &visits {
        let label = format!("{} as {}", visit.path, visit.who);
        let res = visit.client.get(app.url(&visit.path)).header("accept", "text/html").send().await.unwrap();
        let status = res.status();
        let nonce = res
            .headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .and_then(|csp| Some(csp.split("'nonce-").nth(1)?.split('\'').next()?.to_owned()));
        let html = res.text().await.unwrap();
        if status != 200 {
            failures.push(format!("{label}: status {status}"));
            continue;
        }
        let Some(nonce) = nonce else {
            failures.push(format!("{label}: no CSP nonce"));
            continue;
        };
        for problem in live_markup(&html, &nonce) {
            failures.push(format!("{label}: {problem}"));
        }
        for marker in MARKERS {
            if html.contains(&format!("{marker}<")) {
                failures.push(format!("{label}: {marker} is followed by a raw `<`"));
            }
        }
        if let Some((_, want)) = titles.iter().find(|(path, _)| *path == visit.path) {
            let title = title_of(&html);
            if title.as_deref() != Some(want.as_str()) {
                failures.push(format!("{label}: <title> reads {title:?}, expected {want:?}"));
            }
        }
        for (marker, shown) in &visit.shows {
            let expected = match shown {
                Escaped => format!("{marker}&lt;"),
                Sanitised => marker.to_string(),
            };
            if !html.contains(&expected) {
                failures.push(format!("{label}: {marker} is not shown (looked for `{expected}`)"));
            }
        }
    }
    assert!(failures.is_empty(), "hostile text came through live:\n{}", failures.join("\n"));
}

#[test]
fn the_scanner_sees_what_a_browser_would_run() {
    let page = |head: &str, body: &str| format!("<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>");
    let ok = page(
        "<title>a &lt;/title&gt;</title><script nonce=\"n\">x=\"\\u003c/script>\"</script>",
        "<p title=\"&quot; onerror=x\">on x</p><textarea><img onerror=x></textarea><a href=\"/posts/javascript:x\">",
    );
    assert_eq!(live_markup(&ok, "n"), Vec::<String>::new());
    for bad in [
        page("<title>a </title><script>alert(1)</script></title>", ""),
        page("<script nonce=\"m\"></script>", ""),
        page("<script nonce=\"n\">a=\"</script><script>alert(1)</script>\"</script>", ""),
        page("<script nonce=\"n\">a=\"<!--<script>\"</script>", ""),
        page("", "<img src=x onerror=alert(1)>"),
        page("", "<p title=\"\"><svg/onload=alert(1)>\"></p>"),
        page("", "<a href=\" JaVa&#x09;Script&colon;alert(1)\">x</a>"),
        page("", "<form action='javascript:alert(1)'></form>"),
        page("", "<iframe src=\"/x\"></iframe>"),
        page("", "<textarea></textarea><img src=x onerror=alert(1)></textarea>"),
    ] {
        assert!(!live_markup(&bad, "n").is_empty(), "missed: {bad}");
    }
}

const MARKERS: &[&str] = &[
    "zqadm", "zqaut", "zqcat", "zqtag", "zqttl", "zqbdy", "zqexc", "zqseo", "zqsed", "zqlgt", "zqslg", "zqcmn",
    "zqcmb", "zqpnn", "zqpnb", "zqeml", "zqqry", "zqnxt", "zqtok",
];

fn as_refs<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The id a create endpoint answered with.
async fn created_id(res: reqwest::Response) -> i64 {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    text.trim().parse().unwrap_or_else(|_| panic!("not an id: {text}"))
}

/// The text of the document's `<title>` as a browser reads it (RCDATA: entities decoded).
fn title_of(html: &str) -> Option<String> {
    let start = html.find("<title>")? + "<title>".len();
    let end = start + html[start..].find("</title>")?;
    let raw = &html[start..end];
    let decoded = raw.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'");
    Some(decoded.replace("&amp;", "&"))
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One start tag: its lowercase name and its attributes (names lowercase, values undecoded).
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
}

/// Everything in `html` that a browser would run or could be made to run: scripts without
/// `nonce`, script text that could end or re-open the element early, event-handler attributes,
/// `javascript:` URLs, and frames or plugins. Tokenizes roughly as HTML does: comments are
/// skipped, and the contents of `script`, `style`, `title` and `textarea` are text up to the
/// first matching end tag.
fn live_markup(html: &str, nonce: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(offset) = html[i..].find('<') {
        let at = i + offset;
        let rest = &html[at..];
        if rest.starts_with("<!--") {
            i = rest.find("-->").map_or(html.len(), |end| at + end + 3);
        } else if rest.starts_with("<!") || rest.starts_with("<?") || rest.starts_with("</") {
            i = rest.find('>').map_or(html.len(), |end| at + end + 1);
        } else if bytes.get(at + 1).is_some_and(u8::is_ascii_alphabetic) {
            let (tag, end) = start_tag(html, at + 1);
            i = end;
            check_tag(&tag, nonce, &mut problems);
            if ["script", "style", "title", "textarea"].contains(&tag.name.as_str()) {
                let close = format!("</{}", tag.name);
                let text_end = html[i..].to_ascii_lowercase().find(&close).map_or(html.len(), |e| i + e);
                let text = html[i..text_end].to_ascii_lowercase();
                if tag.name == "script" && (text.contains("<!--") || text.contains("<script")) {
                    problems.push(format!("script text that can change where the script ends: {}", excerpt(&text)));
                }
                i = text_end;
            }
        } else {
            i = at + 1;
        }
    }
    problems
}

/// Parse the start tag whose name begins at `from`; returns it and the index after its `>`.
fn start_tag(html: &str, from: usize) -> (Tag, usize) {
    let b = html.as_bytes();
    let mut i = from;
    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'/' && b[i] != b'>' {
        i += 1;
    }
    let name = html[from..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() || b[i] == b'>' {
            return (Tag { name, attrs }, (i + 1).min(b.len()));
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let key = html[start..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            let (vstart, vend, next) = match b.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let end = html[i + 1..].find(q as char).map_or(b.len(), |e| i + 1 + e);
                    (i + 1, end, (end + 1).min(b.len()))
                }
                _ => {
                    let mut end = i;
                    while end < b.len() && !b[end].is_ascii_whitespace() && b[end] != b'>' {
                        end += 1;
                    }
                    (i, end, end)
                }
            };
            value = html[vstart..vend].to_owned();
            i = next;
        }
        attrs.push((key, value));
    }
}

fn check_tag(tag: &Tag, nonce: &str, problems: &mut Vec<String>) {
    let attr = |k: &str| tag.attrs.iter().find(|(name, _)| name == k).map(|(_, v)| v.as_str());
    if tag.name == "script" && attr("nonce") != Some(nonce) {
        problems.push(format!("<script> without this response's nonce: {:?}", tag.attrs));
    }
    if ["iframe", "frame", "object", "embed", "base"].contains(&tag.name.as_str()) {
        problems.push(format!("<{}> element", tag.name));
    }
    for (key, value) in &tag.attrs {
        if key.len() > 2 && key.starts_with("on") && key[2..].bytes().all(|c| c.is_ascii_alphabetic()) {
            problems.push(format!("event handler {key}={value:?} on <{}>", tag.name));
        }
        let url_attr = ["href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"];
        if url_attr.contains(&key.as_str()) && is_script_url(value) {
            problems.push(format!("script URL {key}={value:?} on <{}>", tag.name));
        }
    }
}

/// Whether an attribute value, once entity-decoded and stripped of the whitespace and control
/// characters browsers ignore in a scheme, is a `javascript:` or `vbscript:` URL.
fn is_script_url(value: &str) -> bool {
    let decoded = value
        .replace("&colon;", ":")
        .replace("&Tab;", "\t")
        .replace("&NewLine;", "\n")
        .replace("&#x3a;", ":")
        .replace("&#x3A;", ":")
        .replace("&#58;", ":")
        .replace("&#x09;", "\t")
        .replace("&#9;", "\t")
        .replace("&#x0a;", "\n")
        .replace("&#10;", "\n");
    let scheme: String =
        decoded.chars().filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control()).collect::<String>();
    let scheme = scheme.to_ascii_lowercase();
    scheme.starts_with("javascript:") || scheme.starts_with("vbscript:")
}

fn excerpt(text: &str) -> String {
    text.chars().take(160).collect()
}
