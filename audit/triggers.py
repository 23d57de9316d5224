"""The database's own refusal of UPDATE and DELETE on audit events (PostgreSQL and SQLite).

The model's save()/delete() guards and the append-only queryset stop the application's
mistakes; these triggers stop everything else that goes through the database short of
a superuser dropping them — and what a superuser rewrites, the chains and the signed
statements reveal (audit.verification).
"""

TABLE = "audit_auditevent"
MESSAGE = "audit events are append-only"

POSTGRESQL_CREATE = [
    f"""CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
END
$$""",
    f"""CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
]
POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS audit_event_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_event_append_only()",
]

SQLITE_CREATE = [
    f"CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON {TABLE} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON {TABLE} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
]


def create_sql(vendor: str) -> list[str]:
    return {"postgresql": POSTGRESQL_CREATE, "sqlite": SQLITE_CREATE}.get(vendor, [])


def drop_sql(vendor: str) -> list[str]:
    return {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP}.get(vendor, [])
