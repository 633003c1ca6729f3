-- One-time links that create the first admin. Only the SHA-256 of the token is stored.
create table setup_tokens (
    id          integer primary key,
    token_hash  blob    not null unique,
    created_at  text    not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    expires_at  text    not null,
    used_at     text
);
