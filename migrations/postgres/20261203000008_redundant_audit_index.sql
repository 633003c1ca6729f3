-- The audit log's index on its action alone: the filters' index on (action, id) answers every
-- lookup by action (on SQLite the two were the same index, since each entry carries its row id),
-- and every audited change wrote both.
drop index if exists audit_events_action;
