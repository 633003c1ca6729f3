-- Reader comments on published posts, moderated by editors and admins.
--
-- A comment's text never changes; its moderation state does, often ten thousand rows at a time.
-- The state lives in a narrow table of its own so a bulk action rewrites few pages and holds
-- SQLite's write lock briefly. "Delete" marks rows `deleted` at once (hidden everywhere); a
-- background task removes them in small batches.
create table comments (
    id           integer primary key,
    post_id      integer not null references posts (id) on delete cascade,
    author_name  text    not null,
    author_email text,
    body         text    not null,
    client_ip    text,
    created_at   text    not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

create table comment_states (
    comment_id integer primary key references comments (id) on delete cascade,
    status     text    not null default 'pending'
               check (status in ('pending', 'approved', 'rejected', 'spam', 'deleted')),
    updated_at text    not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- The queue is mostly the pending comments, paged by id: a partial index holds just those, so
-- approving 10,000 rows only removes index entries instead of moving them between statuses.
-- Other statuses are read in id order from the narrow table itself. The public page lists a
-- post's comments; the rate limit counts an address's recent comments; the overview counts by
-- week.
create index comment_states_pending on comment_states (comment_id) where status = 'pending';
create index comments_post_id on comments (post_id, id);
create index comments_client_ip_created on comments (client_ip, created_at);
create index comments_created_at on comments (created_at);

-- Site-wide settings as key/value rows; absent keys take the application's default.
create table site_settings (
    key        text primary key,
    value      text not null,
    updated_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
