-- What the session list shows: the browser that signed in, and when the session was last used
-- (written at most once a minute per session).
alter table staff_sessions add column user_agent text not null default '';
alter table staff_sessions add column last_seen_at text;
