-- Append-only record of who did what. The triggers make the database itself refuse to change
-- or remove a row, whatever the application code tries.
create table audit_events (
    id            integer primary key,
    occurred_at   text    not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    actor_user_id integer,
    actor_label   text    not null,
    client_ip     text,
    action        text    not null,
    target_type   text,
    target_id     text,
    details       text    not null default '{}'
);

create index audit_events_occurred_at on audit_events (occurred_at);
create index audit_events_action on audit_events (action);
create index audit_events_actor on audit_events (actor_user_id);

create trigger audit_events_no_update before update on audit_events
begin
    select raise(abort, 'audit_events is append-only');
end;

create trigger audit_events_no_delete before delete on audit_events
begin
    select raise(abort, 'audit_events is append-only');
end;
