//! `inkwarden seed-demo`: fills an empty database with staff of each role, categories, tags
//! and a realistic spread of posts, for demos and benchmarks.

use anyhow::{bail, Context};
use app::ssr::db::{Backend, Conn, Pool, Stamp};
use app::{
    domain::{slugify, Role},
    ssr::{password, secret, users},
};

const CATEGORIES: [&str; 6] = ["Engineering", "Security", "Product", "Culture", "Tutorials", "Announcements"];
const TAGS: [&str; 12] = [
    "rust",
    "web",
    "sqlite",
    "leptos",
    "axum",
    "privacy",
    "release",
    "howto",
    "design",
    "ops",
    "testing",
    "performance",
];
const WORDS: [&str; 24] = [
    "quiet", "careful", "deploy", "review", "policy", "session", "bulk", "owner", "edge", "guard", "signal", "trace",
    "column", "index", "budget", "moderate", "publish", "draft", "proxy", "token", "schedule", "audit", "scope",
    "cache",
];

/// Staff created by the seed, with their one-time passwords.
pub struct Seeded {
    pub accounts: Vec<(String, Role, String)>,
    pub posts: usize,
    pub comments: usize,
}

pub async fn seed_demo(pool: &Pool, posts: usize, comments: usize) -> anyhow::Result<Seeded> {
    let existing: i64 = app::on_db!(&mut pool.acquire().await?, |c| sqlx::query_scalar("select count(*) from users")
        .fetch_one(c)
        .await?);
    if existing > 0 {
        bail!("seed-demo only fills an empty database; this one already has {existing} user(s)");
    }
    let mut accounts = Vec::new();
    let mut author_ids = Vec::new();
    for (name, role) in
        [("admin", Role::Admin), ("editor", Role::Editor), ("author", Role::Author), ("writer", Role::Author)]
    {
        let pass: String = secret::generate().chars().take(20).collect();
        let hash = password::hash(pass.clone()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let id =
            users::insert(&mut pool.acquire().await?, name, &hash, role).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        author_ids.push((id.0, name));
        accounts.push((name.to_owned(), role, pass));
    }
    let mut tx = pool.begin().await?;
    for (table, names) in [("categories", &CATEGORIES[..]), ("tags", &TAGS[..])] {
        for name in names {
            app::on_db!(&mut tx, |c| {
                sqlx::query(&format!("insert into {table} (name, slug) values ($1, $2)"))
                    .bind(name)
                    .bind(slugify(name))
                    .execute(c)
                    .await?;
            });
        }
    }
    let mut rng = fastrand::Rng::new();
    for n in 1..=posts {
        insert_post(&mut tx, &mut rng, n, &author_ids).await.with_context(|| format!("post {n}"))?;
    }
    let comments = if comments > 0 { insert_comments(&mut tx, comments).await? } else { 0 };
    tx.commit().await?;
    Ok(Seeded { accounts, posts, comments })
}

/// Reader comments over the published posts: 80 % pending, the rest approved, rejected or spam.
async fn insert_comments(tx: &mut Conn, n: usize) -> anyhow::Result<usize> {
    let created_at = match tx.backend() {
        Backend::Sqlite => "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || (k.i % 100000) || ' minutes')",
        Backend::Postgres => "now() - make_interval(mins => (k.i % 100000)::int)",
    };
    app::on_db!(tx, |tx| {
        let published: i64 =
            sqlx::query_scalar("select count(*) from posts where status = 'published'").fetch_one(&mut *tx).await?;
        if published == 0 {
            bail!("--comments needs published posts; raise --posts");
        }
        // One set-based insert: fast enough for hundreds of thousands of rows.
        let done = sqlx::query(&format!(
            "with recursive k(i) as (select 0 union all select i + 1 from k where i + 1 < $1),
                  pub(rn, id) as (select row_number() over (order by id) - 1, id from posts where status = 'published')
             insert into comments (post_id, author_name, author_email, body, client_ip, created_at)
             select (select id from pub where rn = k.i % $2),
                    'Reader ' || (k.i % 997),
                    case when k.i % 3 = 0 then 'reader' || (k.i % 997) || '@example.com' end,
                    'Comment ' || k.i || ' batch-' || (k.i % 5) || ': thoughtful words about the post.',
                    '198.51.100.' || (k.i % 250),
                    {created_at}
             from k"
        ))
        .bind(n as i64)
        .bind(published)
        .execute(&mut *tx)
        .await?;
        // Ids follow k.i + 1 on a fresh table: 80 % pending, then approved, then rejected.
        sqlx::query(
            "insert into comment_states (comment_id, status)
             select id, case when (id - 1) % 10 < 8 then 'pending' when (id - 1) % 10 = 8 then 'approved' else 'rejected' end
             from comments",
        )
        .execute(&mut *tx)
        .await?;
        Ok(done.rows_affected() as usize)
    })
}

async fn insert_post(tx: &mut Conn, rng: &mut fastrand::Rng, n: usize, authors: &[(i64, &str)]) -> anyhow::Result<()> {
    app::on_db!(tx, |tx| {
        let title = {
            let k = rng.usize(3..7);
            let t = words(rng, k);
            format!("{}{}", t[..1].to_uppercase(), &t[1..])
        };
        let body = format!(
            "## {}\n\n{}.\n\n- {}\n- {}\n\n{}.\n",
            words(rng, 3),
            words(rng, 40),
            words(rng, 6),
            words(rng, 6),
            words(rng, 30)
        );
        let excerpt = words(rng, 18);
        let (author, author_name) = authors[rng.usize(1..authors.len())];
        let status = match rng.u8(..10) {
            0..=5 => "published",
            6..=7 => "draft",
            _ => "review",
        };
        let age_minutes = rng.i64(60..(182 * 24 * 60));
        let category = if rng.u8(..10) < 8 { Some(rng.i64(1..=CATEGORIES.len() as i64)) } else { None };
        let stamp = Stamp::from_now(-60 * age_minutes);
        let published = (status == "published").then_some(stamp);
        let id: i64 = sqlx::query_scalar(
            "insert into posts (title, slug, body, excerpt, status, category_id, author_id, created_at, updated_at,
                                published_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) returning id",
        )
        .bind(&title)
        .bind(format!("{}-{n}", slugify(&title)))
        .bind(&body)
        .bind(&excerpt)
        .bind(status)
        .bind(category)
        .bind(author)
        .bind(stamp)
        .bind(published)
        .fetch_one(&mut *tx)
        .await?;
        let tag_count = rng.usize(0..4);
        for tag in rng.choose_multiple(1..=TAGS.len() as i64, tag_count) {
            sqlx::query("insert into post_tags (post_id, tag_id) values ($1, $2)")
                .bind(id)
                .bind(tag)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "insert into post_revisions (post_id, editor_id, editor, title, body, excerpt, created_at)
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(author)
        .bind(author_name)
        .bind(&title)
        .bind(&body)
        .bind(&excerpt)
        .bind(stamp)
        .execute(&mut *tx)
        .await?;
        if status == "published" {
            sqlx::query("insert into publish_events (post_id, actor, action, occurred_at) values ($1, 'editor', 'published', $2)")
                .bind(id)
                .bind(stamp)
                .execute(&mut *tx)
                .await?;
        }
        Ok(())
    })
}

fn words(rng: &mut fastrand::Rng, k: usize) -> String {
    (0..k).map(|_| WORDS[rng.usize(..WORDS.len())]).collect::<Vec<_>>().join(" ")
}
