-- Failed sign-ins, counted per submitted username (lower-cased, whether or not the account
-- exists) and per client address; and the lockouts they cause. A lockout's length doubles with
-- each further lockout of the same subject within a day, so its rows are kept for that long.
create table sign_in_failures (
    id        integer primary key,
    kind      text not null check (kind in ('username', 'address')),
    subject   text not null,
    failed_at text not null
);

create index sign_in_failures_subject on sign_in_failures (kind, subject, failed_at);

create table lockouts (
    id         integer primary key,
    kind       text    not null check (kind in ('username', 'address')),
    subject    text    not null,
    seconds    integer not null,
    started_at text    not null,
    until      text    not null,
    lifted_at  text,
    lifted_by  text
);

create index lockouts_subject on lockouts (kind, subject, until);
create index lockouts_until on lockouts (until);
