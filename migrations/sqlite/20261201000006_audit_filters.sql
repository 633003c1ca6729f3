-- The audit log's filters: by action (newest first) and by target.
create index audit_events_action_id on audit_events (action, id);
create index audit_events_target on audit_events (target_type, target_id);
