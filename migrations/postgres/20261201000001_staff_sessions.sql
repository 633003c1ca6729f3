-- One row per signed-in staff session (see the SQLite migration of the same version), and the
-- session store's own table: created here, under the migration lock, so that several instances
-- starting at once do not race to create it.
create table staff_sessions (
    token        text        primary key,
    user_id      bigint      not null references users (id) on delete cascade,
    created_at   timestamptz not null default now(),
    client_ip    text
);

create index staff_sessions_user on staff_sessions (user_id);
create index staff_sessions_created on staff_sessions (created_at);

create schema if not exists tower_sessions;

create table if not exists tower_sessions.session (
    id          text        primary key not null,
    data        bytea       not null,
    expiry_date timestamptz not null
);

create index if not exists session_expiry on tower_sessions.session (expiry_date);
