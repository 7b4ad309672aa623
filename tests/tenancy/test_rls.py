"""PostgreSQL row-level security: the second wall, checked by connecting as the app role."""
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, ProgrammingError

from tenants.scope import TenantOwned
from tests.conftest import TEST_DATABASE_URL
from webapp.extensions import db as _db

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not TEST_DATABASE_URL, reason="row-level security needs TEST_DATABASE_URL (PostgreSQL)"),
]


@pytest.fixture
def engines(app, services):
    owner = create_engine(services.owner_url)
    app_role = create_engine(services.database_url)
    yield owner, app_role
    owner.dispose()
    app_role.dispose()


@pytest.fixture
def two_townships(engines):
    """Committed rows, as RLS is about what other connections can see."""
    owner, _ = engines
    with owner.begin() as conn:
        county = conn.execute(text("INSERT INTO counties (name) VALUES ('RLS县') RETURNING id")).scalar()
        ids = []
        for slug in ("rls-a", "rls-b"):
            tenant = conn.execute(text(
                "INSERT INTO tenants (county_id, slug, name, created_at) VALUES (:c, :s, :s, now()) RETURNING id"),
                {"c": county, "s": slug}).scalar()
            conn.execute(text("INSERT INTO villages (tenant_id, name, kind) VALUES (:t, :n, 'village')"),
                         {"t": tenant, "n": f"{slug}-村"})
            ids.append(tenant)
    yield ids
    with owner.begin() as conn:
        conn.execute(text("DELETE FROM villages WHERE tenant_id = ANY(:ids)"), {"ids": ids})
        conn.execute(text("DELETE FROM tenants WHERE id = ANY(:ids)"), {"ids": ids})
        conn.execute(text("DELETE FROM counties WHERE id = :c"), {"c": county})


def _villages(conn):
    return sorted(conn.execute(text("SELECT name FROM villages")).scalars())


def test_app_role_with_no_tenant_set_sees_no_rows(engines, two_townships):
    _, app_role = engines
    with app_role.connect() as conn:
        assert _villages(conn) == []


def test_app_role_sees_only_the_tenant_set_for_its_transaction(engines, two_townships):
    _, app_role = engines
    a, b = two_townships
    with app_role.begin() as conn:
        conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(a)})
        assert _villages(conn) == ["rls-a-村"]
    with app_role.connect() as conn:
        # The setting was local to the transaction that ended.
        assert _villages(conn) == []


def test_all_tenants_must_be_asked_for(engines, two_townships):
    _, app_role = engines
    with app_role.begin() as conn:
        conn.execute(text("SELECT set_config('app.all_tenants', 'on', true)"))
        assert _villages(conn) == ["rls-a-村", "rls-b-村"]


def test_app_role_cannot_write_into_another_tenant(engines, two_townships):
    _, app_role = engines
    a, b = two_townships
    with pytest.raises(DBAPIError, match="row-level security"):
        with app_role.begin() as conn:
            conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(a)})
            conn.execute(text("INSERT INTO villages (tenant_id, name, kind) VALUES (:t, 'x', 'village')"), {"t": b})


def test_app_role_cannot_change_or_delete_audit_rows(engines):
    _, app_role = engines
    with app_role.begin() as conn:
        row = conn.execute(text(
            "INSERT INTO audit_events (at, event, success) VALUES (now(), 'rls.check', true) RETURNING id")).scalar()
    for statement in ("UPDATE audit_events SET event = 'x' WHERE id = :id", "DELETE FROM audit_events WHERE id = :id"):
        with pytest.raises(ProgrammingError, match="permission denied"):
            with app_role.begin() as conn:
                conn.execute(text(statement), {"id": row})


def test_every_tenant_owned_table_forces_row_level_security(engines):
    owner, _ = engines
    tenant_tables = {m.local_table.name for m in _db.Model.registry.mappers if issubclass(m.class_, TenantOwned)}
    with owner.connect() as conn:
        rows = conn.execute(text(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
            "EXISTS (SELECT 1 FROM pg_policies p WHERE p.tablename = c.relname) "
            "FROM pg_class c WHERE c.relname = ANY(:t)"), {"t": list(tenant_tables)}).all()
        not_null_tenant_columns = set(conn.execute(text(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND column_name = 'tenant_id' AND is_nullable = 'NO'")).scalars())
    assert {r[0] for r in rows} == tenant_tables
    assert all(r[1] and r[2] and r[3] for r in rows), rows
    # A table whose rows all belong to a township is a TenantOwned model.
    assert not_null_tenant_columns <= tenant_tables


def test_the_app_role_owns_no_table(engines, services):
    owner, _ = engines
    from sqlalchemy import make_url

    role = make_url(services.database_url).username
    with owner.connect() as conn:
        owned = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname='public' AND tableowner = :r"),
                             {"r": role}).scalars().all()
    assert owned == []


def test_a_review_scope_reads_its_townships_and_writes_none_of_them(engines, two_townships):
    """County review (``townships_scope``): the listed townships are readable, nothing is writable."""
    _, app_role = engines
    a, b = two_townships
    with app_role.begin() as conn:
        conn.execute(text("SELECT set_config('app.tenant_ids', :ids, true)"), {"ids": str(a)})
        assert _villages(conn) == ["rls-a-村"]
        conn.execute(text("SELECT set_config('app.tenant_ids', :ids, true)"), {"ids": f"{a},{b}"})
        assert _villages(conn) == ["rls-a-村", "rls-b-村"]
        # An UPDATE reads through USING but must pass WITH CHECK, which the review list does not.
    with pytest.raises(DBAPIError, match="row-level security"):
        with app_role.begin() as conn:
            conn.execute(text("SELECT set_config('app.tenant_ids', :ids, true)"), {"ids": f"{a},{b}"})
            conn.execute(text("INSERT INTO villages (tenant_id, name, kind) VALUES (:t, 'x', 'village')"), {"t": a})
    with pytest.raises(DBAPIError, match="row-level security"):
        with app_role.begin() as conn:
            conn.execute(text("SELECT set_config('app.tenant_ids', :ids, true)"), {"ids": str(a)})
            conn.execute(text("UPDATE villages SET name = 'x' WHERE tenant_id = :t"), {"t": a})


def test_the_orm_review_scope_reaches_the_database(app, db, engines, two_townships):
    """What the ORM's review scope writes into the transaction is what the policy reads."""
    from sqlalchemy import select

    from tenants.scope import townships_scope
    from webapp.villages.models import Village

    a, b = two_townships
    with townships_scope([b]):
        # A raw statement bypasses the ORM filter: only row-level security answers it.
        names = db.session.execute(text("SELECT name FROM villages ORDER BY name")).scalars().all()
        assert names == ["rls-b-村"]
        assert db.session.scalars(select(Village.name)).all() == ["rls-b-村"]
