-- One-time links with which a staff member chooses a password: an invitation (a new account
-- has no usable password until then) or a reset by an admin. Only the SHA-256 of the token is
-- stored; issuing a new link for a user marks their older unused links as used.
create table password_links (
    id         integer primary key,
    user_id    integer not null references users (id) on delete cascade,
    purpose    text    not null check (purpose in ('invite', 'reset')),
    token_hash blob    not null unique,
    created_at text    not null,
    expires_at text    not null,
    used_at    text
);

create index password_links_user on password_links (user_id);
