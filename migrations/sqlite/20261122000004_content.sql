-- Posts, their taxonomy, revisions and publish history.
create table categories (
    id         integer primary key,
    name       text not null,
    slug       text not null unique,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

create table tags (
    id         integer primary key,
    name       text not null,
    slug       text not null unique,
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

create table posts (
    id              integer primary key,
    title           text    not null,
    slug            text    not null unique,
    body            text    not null default '',
    excerpt         text    not null default '',
    status          text    not null default 'draft' check (status in ('draft', 'review', 'published')),
    scheduled_at    text,
    category_id     integer references categories (id) on delete set null,
    author_id       integer not null references users (id),
    seo_title       text    not null default '',
    seo_description text    not null default '',
    created_at      text    not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at      text    not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    published_at    text
);

-- Every column a list filters or sorts on, and the ownership check.
create index posts_author_id on posts (author_id);
create index posts_status_updated on posts (status, updated_at);
create index posts_updated_at on posts (updated_at);
create index posts_category_id on posts (category_id);
create index posts_published_at on posts (published_at);
create index posts_scheduled_at on posts (scheduled_at) where scheduled_at is not null;

create table post_tags (
    post_id integer not null references posts (id) on delete cascade,
    tag_id  integer not null references tags (id) on delete cascade,
    primary key (post_id, tag_id)
) without rowid;

create index post_tags_tag_id on post_tags (tag_id);

-- One row per save: what the text was after that save.
create table post_revisions (
    id         integer primary key,
    post_id    integer not null references posts (id) on delete cascade,
    editor_id  integer references users (id),
    editor     text    not null,
    title      text    not null,
    body       text    not null,
    excerpt    text    not null,
    created_at text    not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

create index post_revisions_post_id on post_revisions (post_id, id);

-- Every publish, unpublish and schedule, kept with the post (the audit log keeps them too).
create table publish_events (
    id          integer primary key,
    post_id     integer not null references posts (id) on delete cascade,
    actor       text    not null,
    action      text    not null check (action in ('published', 'unpublished', 'scheduled', 'unscheduled')),
    occurred_at text    not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

create index publish_events_post_id on publish_events (post_id);
create index publish_events_occurred_at on publish_events (occurred_at);
