"""PostgreSQL row-level security: the second wall behind the ORM filter.

Every tenant-owned table gets one policy that admits a row only when its ``tenant_id``
matches the transaction's ``app.tenant_id`` setting, or ``app.all_tenants`` is on (jobs and
the command line); and, for reading only, when it is one of the townships listed in
``app.tenant_ids`` (county review: ``tenants.scope.townships_scope``). ``FORCE ROW LEVEL
SECURITY`` applies it to the table owner too.
The app connects as a role that owns nothing and may not UPDATE or DELETE audit rows.
"""
from sqlalchemy import text

POLICY = "tenant_isolation"
# The settings are read in subqueries so that PostgreSQL reads them once per statement (an
# InitPlan), not once per row: counting a township's 5,000 cases took twice as long when each
# row called current_setting() twice. Databases whose policies predate this got it from
# migration d7f6a1b2c3d4 (``alter_statement``).
PREDICATE = (
    "tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::integer) "
    "OR (SELECT current_setting('app.all_tenants', true)) = 'on'"
)
# What may be read: the above, or a township of the review scope. Writes are checked against
# ``PREDICATE`` alone, so a review scope writes nothing.
READ_PREDICATE = (
    f"{PREDICATE} OR tenant_id = ANY (COALESCE((SELECT string_to_array("
    "NULLIF(current_setting('app.tenant_ids', true), ''), ',')::integer[]), '{}'))"
)
APPEND_ONLY_TABLES = ("audit_events", "case_events")
# Updated as they are handled, never deleted.
NEVER_DELETED_TABLES = ("flags",)


def enable_statements(table: str) -> list[str]:
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY {POLICY} ON {table} USING ({READ_PREDICATE}) WITH CHECK ({PREDICATE})",
    ]


def alter_statement(table: str, using: str = READ_PREDICATE, check: str = PREDICATE) -> str:
    return f"ALTER POLICY {POLICY} ON {table} USING ({using}) WITH CHECK ({check})"


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
