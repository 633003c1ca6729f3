-- API tokens for automation. The secret is shown once; only its SHA-256 is stored, with an
-- 8-character prefix in clear to name the token. `scopes` is a space-separated list.
create table api_tokens (
    id           integer primary key,
    name         text    not null,
    prefix       text    not null unique,
    secret_hash  blob    not null,
    scopes       text    not null,
    owner_id     integer not null references users (id) on delete cascade,
    created_at   text    not null,
    expires_at   text,
    revoked_at   text,
    last_used_at text,
    last_used_ip text
);

create index api_tokens_owner on api_tokens (owner_id);

-- Requests per token per minute, shared by every instance on the database.
create table api_token_hits (
    token_id     integer not null references api_tokens (id) on delete cascade,
    minute       text    not null,
    hits         integer not null,
    primary key (token_id, minute)
);
