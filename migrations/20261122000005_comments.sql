-- Reader comments on published posts, moderated by editors and admins.
create table comments (
    id           integer primary key,
    post_id      integer not null references posts (id) on delete cascade,
    author_name  text    not null,
    author_email text,
    body         text    not null,
    status       text    not null default 'pending' check (status in ('pending', 'approved', 'rejected', 'spam')),
    client_ip    text,
    created_at   text    not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at   text    not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- The queue filters on status and post, pages by id; the public page lists a post's approved
-- comments; the rate limit counts an address's recent comments.
create index comments_status_id on comments (status, id);
create index comments_post_status on comments (post_id, status, id);
create index comments_client_ip_created on comments (client_ip, created_at);
create index comments_created_at on comments (created_at);

-- Site-wide settings as key/value rows; absent keys take the application's default.
create table site_settings (
    key        text primary key,
    value      text not null,
    updated_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
