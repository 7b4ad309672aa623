"""The tenant scope fails closed, filters every ORM query, and refuses cross-tenant writes."""
import pytest
from sqlalchemy import func, select, update

from tenants.scope import TenantScopeError, all_tenants, tenant_scope, townships_scope
from tests import factories
from webapp.villages.models import Village, VillagerGroup


def test_a_query_on_tenant_rows_with_no_scope_raises(db, tenant):
    with pytest.raises(TenantScopeError):
        db.session.scalars(select(Village)).all()


def test_bulk_update_with_no_scope_raises(db, tenant):
    with pytest.raises(TenantScopeError):
        db.session.execute(update(Village).values(name="x"))


def test_scope_shows_one_townships_rows_only(db, tenant, other_tenant):
    with tenant_scope(tenant.id):
        names = db.session.scalars(select(Village.name)).all()
        assert names == ["甲镇一村"]
        # Joins and relationship loads are filtered too.
        groups = db.session.scalars(select(VillagerGroup).join(Village)).all()
        assert {g.tenant_id for g in groups} == {tenant.id}
    with tenant_scope(other_tenant.id):
        assert db.session.scalars(select(Village.name)).all() == ["乙镇一村"]


def test_another_townships_row_is_invisible_even_by_id(db, tenant, other_tenant):
    theirs = factories.village_of(other_tenant).id
    db.session.expunge_all()
    with tenant_scope(tenant.id):
        assert db.session.scalar(select(Village).where(Village.id == theirs)) is None


def test_all_tenants_is_an_explicit_opt_in(db, tenant, other_tenant):
    with all_tenants():
        assert db.session.scalar(select(func.count(Village.id))) == 2


def test_new_rows_take_the_scopes_tenant(db, tenant):
    with tenant_scope(tenant.id):
        village = Village(name="新村")
        db.session.add(village)
        db.session.flush()
        assert village.tenant_id == tenant.id


def test_new_row_with_no_scope_is_refused(db, tenant):
    db.session.add(Village(name="无主村"))
    with pytest.raises(TenantScopeError):
        db.session.flush()
    db.session.rollback()


def test_writing_into_another_township_is_refused(db, tenant, other_tenant):
    with tenant_scope(tenant.id):
        db.session.add(Village(name="越界村", tenant_id=other_tenant.id))
        with pytest.raises(TenantScopeError):
            db.session.flush()
    db.session.rollback()


def test_changing_another_townships_row_is_refused(db, tenant, other_tenant):
    with tenant_scope(other_tenant.id):
        theirs = db.session.scalar(select(Village))
    with tenant_scope(tenant.id):
        theirs.name = "改名"
        with pytest.raises(TenantScopeError):
            db.session.flush()
    db.session.rollback()


# -- county review: a scope over a set of townships, read-only ------------------------------


def test_a_review_scope_shows_the_listed_townships_only(db, tenant, other_tenant):
    third = factories.township(tenant.county, "gamma", "丙镇")
    with townships_scope([tenant.id, other_tenant.id]):
        assert sorted(db.session.scalars(select(Village.name)).all()) == ["乙镇一村", "甲镇一村"]
        groups = db.session.scalars(select(VillagerGroup).join(Village)).all()
        assert {g.tenant_id for g in groups} <= {tenant.id, other_tenant.id}
    with townships_scope([]):
        assert db.session.scalars(select(Village.name)).all() == []


def test_a_review_scope_writes_nothing(db, tenant, other_tenant):
    with townships_scope([tenant.id, other_tenant.id]):
        ours = db.session.scalar(select(Village).where(Village.tenant_id == tenant.id))
        ours.name = "改名"
        with pytest.raises(TenantScopeError, match="read-only"):
            db.session.flush()
    db.session.rollback()
    with townships_scope([tenant.id]):
        db.session.add(Village(name="新村", tenant_id=tenant.id))
        with pytest.raises(TenantScopeError, match="read-only"):
            db.session.flush()
    db.session.rollback()
    with townships_scope([tenant.id]):
        with pytest.raises(TenantScopeError, match="read-only"):
            db.session.execute(update(Village).values(name="x"))


def test_a_townships_own_scope_inside_a_review_writes_that_township_only(db, tenant, other_tenant):
    """The county's one kind of write (acknowledging an escalation sent to it) opens the
    township's own scope inside the review."""
    with townships_scope([tenant.id, other_tenant.id]):
        ours = db.session.scalar(select(Village).where(Village.tenant_id == tenant.id))
        with tenant_scope(tenant.id):
            ours.name = "改名"
            db.session.flush()
        assert db.session.scalar(select(Village.name).where(Village.id == ours.id)) == "改名"
