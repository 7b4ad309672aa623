"""PostgreSQL row-level security: the second wall behind the ORM filter.

Every tenant-owned table gets one policy that admits a row only when its ``tenant_id``
matches the transaction's ``app.tenant_id`` setting (or ``app.all_tenants`` is on, for
county review and jobs). ``FORCE ROW LEVEL SECURITY`` applies it to the table owner too.
The app connects as a role that owns nothing and may not UPDATE or DELETE audit rows.
"""
from sqlalchemy import text

POLICY = "tenant_isolation"
# The settings are read in subqueries so that PostgreSQL reads them once per statement (an
# InitPlan), not once per row: counting a township's 5,000 cases took twice as long when each
# row called current_setting() twice. Databases whose policies predate this got it from
# migration d7f6a1b2c3d4 (``alter_statement``).
_PREDICATE = (
    "tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::integer) "
    "OR (SELECT current_setting('app.all_tenants', true)) = 'on'"
)
APPEND_ONLY_TABLES = ("audit_events", "case_events")
# Updated as they are handled, never deleted.
NEVER_DELETED_TABLES = ("flags",)


def enable_statements(table: str) -> list[str]:
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY {POLICY} ON {table} USING ({_PREDICATE}) WITH CHECK ({_PREDICATE})",
    ]


def alter_statement(table: str, predicate: str = _PREDICATE) -> str:
    return f"ALTER POLICY {POLICY} ON {table} USING ({predicate}) WITH CHECK ({predicate})"


def enable(op, table: str) -> None:
    """Called by migrations for each new tenant-owned table (a no-op on SQLite)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in enable_statements(table):
        op.execute(statement)


def disable(op, table: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP POLICY IF EXISTS {POLICY} ON {table}")
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


def grant_app_role(connection, role: str) -> bool:
    """Give the app role what it needs and no more; returns False if the role does not exist."""
    exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar()
    if not exists:
        return False
    quoted = connection.dialect.identifier_preparer.quote(role)
    connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {quoted}"))
    connection.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}"))
    connection.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}"))
    for table in APPEND_ONLY_TABLES:
        connection.execute(text(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {quoted}"))
    for table in NEVER_DELETED_TABLES:
        connection.execute(text(f"REVOKE DELETE, TRUNCATE ON {table} FROM {quoted}"))
    connection.execute(text(f"REVOKE ALL ON alembic_version FROM {quoted}"))
    connection.execute(text(f"GRANT SELECT ON alembic_version TO {quoted}"))
    return True
