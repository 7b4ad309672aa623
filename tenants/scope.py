"""The tenant scope: which township the current code may see.

A request under ``/t/<slug>/`` opens the scope once (see ``tenants.web``). Every ORM query
that touches a tenant-owned model is then filtered to that township; with no scope open
the query raises ``TenantScopeError`` instead of returning everything (fail closed).
Code that must cross townships says so: county review reads through ``townships_scope(ids)``
(the county's townships, read-only: a write of a tenant-owned row raises), and jobs and the
CLI through ``all_tenants()`` or ``tenant_scope(id)``.

On PostgreSQL the same scope is written into the transaction (``app.tenant_id``,
``app.tenant_ids``, ``app.all_tenants``) where the row-level security policies of
``tenants.rls`` read it.
"""
import weakref
from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_app_context
from flask_sqlalchemy.session import Session
from sqlalchemy import ForeignKey, event, func, text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, with_loader_criteria

_tenant_id: ContextVar[int | None] = ContextVar("tenant_id", default=None)
_all_tenants: ContextVar[bool] = ContextVar("all_tenants", default=False)
# The townships of a read-only review scope (county review), or None.
_tenant_ids: ContextVar[tuple[int, ...] | None] = ContextVar("tenant_ids", default=None)


class TenantScopeError(RuntimeError):
    """A tenant-owned row was read or written with no (or the wrong) township in scope."""


class TenantOwned:
    """Mixin for every model that belongs to one township."""

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("tenants.id"), index=True, nullable=False)


def current_tenant_id() -> int | None:
    return _tenant_id.get()


def in_all_tenants() -> bool:
    return _all_tenants.get()


def reviewed_tenant_ids() -> tuple[int, ...] | None:
    """The townships of the open review scope, or None when none is open."""
    return _tenant_ids.get()


@contextmanager
def _scope(tenant_id: int | None, everywhere: bool, among: tuple[int, ...] | None = None):
    tokens = _tenant_id.set(tenant_id), _all_tenants.set(everywhere), _tenant_ids.set(among)
    _sync_database()
    try:
        yield
    finally:
        _tenant_id.reset(tokens[0])
        _all_tenants.reset(tokens[1])
        _tenant_ids.reset(tokens[2])
        _sync_database()


def _township_ids(tenant_ids) -> tuple[int, ...]:
    return tuple(sorted({int(i) for i in tenant_ids}))


def tenant_scope(tenant_id: int):
    """See and write one township's rows only."""
    if tenant_id is None:
        raise TenantScopeError("tenant_scope() needs a tenant id")
    return _scope(tenant_id, False)


def townships_scope(tenant_ids):
    """See the rows of these townships and write none: county review, which reads every
    township of its county and changes nothing in them (a write of a tenant-owned row raises;
    on PostgreSQL the row-level policy admits these townships for reading only). An empty set
    sees nothing. A write the county may make (acknowledging an escalation sent to it) opens
    ``tenant_scope()`` of that one township inside this scope."""
    return _scope(None, False, _township_ids(tenant_ids))


def all_tenants():
    """See and write every township's rows: for jobs that sweep all, and the command line."""
    return _scope(None, True)


def open_request_scope(tenant_id: int | None, *, written: bool = False) -> None:
    """Set the scope for the rest of a request; ``close_request_scope`` ends it. ``written``:
    the statement that found the township already wrote it into the open transaction
    (``written_by``), so there is nothing to send."""
    _tenant_id.set(tenant_id)
    _all_tenants.set(False)
    _tenant_ids.set(None)
    if not written:
        _sync_database()


def open_review_scope(tenant_ids) -> None:
    """``townships_scope()`` for the rest of a request (the county's pages)."""
    _tenant_id.set(None)
    _all_tenants.set(False)
    _tenant_ids.set(_township_ids(tenant_ids))
    _sync_database()


def close_request_scope() -> None:
    _tenant_id.set(None)
    _all_tenants.set(False)
    _tenant_ids.set(None)


# -- the ORM filter ---------------------------------------------------------------------


# Whether a statement touches tenant-owned rows, for statements built once and run on every
# request (a page's first statement, a case by id): finding its mappers costs as much as
# planning it. Kept while the statement lives.
_TOUCHES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _touches_tenant_rows(state) -> bool:
    statement = state.statement
    known = _TOUCHES.get(statement)
    if known is None:
        known = _TOUCHES[statement] = any(issubclass(m.class_, TenantOwned) for m in state.all_mappers)
    return known


@event.listens_for(Session, "do_orm_execute")
def _filter_by_tenant(state):
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if _all_tenants.get() or not _touches_tenant_rows(state):
        return
    tenant_id = _tenant_id.get()
    if tenant_id is None:
        among = _tenant_ids.get()
        if among is not None and state.is_select:
            state.statement = state.statement.options(
                with_loader_criteria(TenantOwned, lambda cls: cls.tenant_id.in_(among), include_aliases=True)
            )
            return
        names = ", ".join(sorted(m.class_.__name__ for m in state.all_mappers))
        if among is not None:
            raise TenantScopeError(f"bulk change to tenant-owned {names} in a read-only review scope")
        raise TenantScopeError(f"query on tenant-owned {names} with no tenant in scope")
    state.statement = state.statement.options(
        with_loader_criteria(TenantOwned, lambda cls: cls.tenant_id == tenant_id, include_aliases=True)
    )


@event.listens_for(Session, "before_flush")
def _stamp_and_check_tenant(session, flush_context, instances):
    tenant_id = _tenant_id.get()
    everywhere = _all_tenants.get()
    if tenant_id is None and _tenant_ids.get() is not None:
        for obj in list(session.new) + list(session.dirty) + list(session.deleted):
            if isinstance(obj, TenantOwned):
                raise TenantScopeError(f"change to {type(obj).__name__} in a read-only review scope")
        return
    for obj in session.new:
        if not isinstance(obj, TenantOwned):
            continue
        if obj.tenant_id is None:
            if tenant_id is None:
                raise TenantScopeError(f"new {type(obj).__name__} with no tenant in scope")
            obj.tenant_id = tenant_id
        elif not everywhere and obj.tenant_id != tenant_id:
            raise TenantScopeError(f"new {type(obj).__name__} for another tenant")
    if everywhere:
        return
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, TenantOwned) and obj.tenant_id != tenant_id:
            raise TenantScopeError(f"change to {type(obj).__name__} of another tenant")


# -- the PostgreSQL setting read by row-level security -----------------------------------

_SET_SCOPE = text(
    "SELECT set_config('app.tenant_id', :tenant_id, true), set_config('app.tenant_ids', :tenant_ids, true), "
    "set_config('app.all_tenants', :all, true)"
)


def written_by(tenant_id_text):
    """A column that writes the township ``tenant_id_text`` (an SQL text expression; empty for
    none) into the transaction, for a statement that reads something else anyway: a page then
    opens its scope without a round trip of its own. The other settings, ``app.tenant_ids``
    and ``app.all_tenants``, are empty and off in a transaction that has not set them."""
    return func.set_config("app.tenant_id", tenant_id_text, True)


def _scope_params() -> dict:
    tenant_id, among = _tenant_id.get(), _tenant_ids.get()
    return {"tenant_id": "" if tenant_id is None else str(tenant_id),
            "tenant_ids": "" if among is None else ",".join(map(str, among)),
            "all": "on" if _all_tenants.get() else "off"}


@event.listens_for(Session, "after_begin")
def _write_scope_into_transaction(session, transaction, connection):
    # Every transaction starts with no township and not all of them (the settings are
    # transaction-local, set with is_local): so with no scope there is nothing to write,
    # and a page saves a round trip before it knows its township.
    if connection.dialect.name == "postgresql" and (
            _tenant_id.get() is not None or _all_tenants.get() or _tenant_ids.get() is not None):
        connection.execute(_SET_SCOPE, _scope_params())


def _sync_database() -> None:
    """Carry a scope change into the transaction that is already open, if any."""
    if not has_app_context():
        return
    # Here, not at the top: importing webapp.extensions runs the app package, whose models
    # are built on this module.
    from webapp.extensions import db

    session = db.session()
    if session.in_transaction() and session.get_bind().dialect.name == "postgresql":
        session.connection().execute(_SET_SCOPE, _scope_params())
