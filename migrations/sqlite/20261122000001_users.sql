-- Staff accounts. `session_epoch` is bumped whenever every other session of the user must end
-- (password change, deactivation): a session remembers the epoch it was opened under.
create table users (
    id                 integer primary key,
    username           text    not null unique,
    password_hash      text    not null,
    role               text    not null check (role in ('author', 'editor', 'admin')),
    is_active          integer not null default 1 check (is_active in (0, 1)),
    session_epoch      integer not null default 0,
    failed_login_count integer not null default 0,
    created_at         text    not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at         text    not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    last_login_at      text
);

create index users_role on users (role);
create index users_is_active on users (is_active);
