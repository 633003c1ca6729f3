-- Two-factor sign-in. The TOTP secret is stored encrypted (XChaCha20-Poly1305, the key in a
-- file outside the database); `confirmed_at` is null while enrolment waits for a first code;
-- `last_step` is the 30-second step of the last code accepted, so a code is accepted once.
create table totp_secrets (
    user_id      integer primary key references users (id) on delete cascade,
    sealed       blob    not null,
    created_at   text    not null,
    confirmed_at text,
    last_step    integer
);

-- One-time recovery codes, stored as SHA-256 digests (each is 50 random bits, used once).
create table recovery_codes (
    id        integer primary key,
    user_id   integer not null references users (id) on delete cascade,
    code_hash blob    not null,
    used_at   text
);

create index recovery_codes_user on recovery_codes (user_id, code_hash);

-- A sign-in whose password was right and whose second factor is awaited. The browser holds the
-- token (in its server-side session); five wrong codes, or five minutes, end it.
create table pending_sign_ins (
    token_hash blob    primary key,
    user_id    integer not null references users (id) on delete cascade,
    next       text    not null,
    failures   integer not null default 0,
    expires_at text    not null
);
