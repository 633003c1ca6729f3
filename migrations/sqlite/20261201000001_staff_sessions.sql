-- One row per signed-in staff session. The session record (tower-sessions) holds only this
-- row's random token; every request must find the row, so deleting it ends the session for
-- good, even if a request that loaded the session before sign-out saves it back afterwards.
create table staff_sessions (
    token        text    primary key,
    user_id      integer not null references users (id) on delete cascade,
    created_at   text    not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    client_ip    text
);

create index staff_sessions_user on staff_sessions (user_id);
create index staff_sessions_created on staff_sessions (created_at);
