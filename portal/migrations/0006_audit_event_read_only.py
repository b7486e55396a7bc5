"""On PostgreSQL, refuse UPDATE and DELETE on the audit trail from any client.

The one update allowed is Django's ``on_delete=SET_NULL`` when an account is
deleted outright: ``actor`` or ``subject`` becomes NULL and nothing else
changes.  TRUNCATE (the test runner's flush, a restore with --force) is not a
row operation and is not affected.  SQLite has no equivalent worth having
here (its test flush uses DELETE), so there the model's ``save``/``delete``
and query set are the guard.
"""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION portal_auditevent_read_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (NEW.actor_id IS NULL OR NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id)
       AND (NEW.subject_id IS NULL OR NEW.subject_id IS NOT DISTINCT FROM OLD.subject_id)
       AND (NEW.id, NEW.occurred_at, NEW.actor_account, NEW.actor_roles, NEW.action, NEW.description,
            NEW.target_type, NEW.target_id, NEW.target_label, NEW.subject_account, NEW.detail)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.occurred_at, OLD.actor_account, OLD.actor_roles, OLD.action, OLD.description,
            OLD.target_type, OLD.target_id, OLD.target_label, OLD.subject_account, OLD.detail)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The audit trail is read-only: % on portal_auditevent refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER portal_auditevent_read_only
    BEFORE UPDATE OR DELETE ON portal_auditevent
    FOR EACH ROW EXECUTE FUNCTION portal_auditevent_read_only();
"""

DROP = """
DROP TRIGGER IF EXISTS portal_auditevent_read_only ON portal_auditevent;
DROP FUNCTION IF EXISTS portal_auditevent_read_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("portal", "0005_audit_event")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
