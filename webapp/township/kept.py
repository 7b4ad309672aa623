"""What a process keeps of a township between requests: what its pages read often and change
rarely (its settings and calendar, the staff a case can be given to).

Every township page's first statement reads the township's row, and with it ``config_stamp``.
A flush that writes any of the watched records gives their township a new stamp, in the same
transaction (committed or rolled back with the change); a bulk UPDATE or DELETE of a watched
table gives every township one. What this process read under the stamp that the request's
township carries is therefore what the database holds, and is used without asking it again.

Kept only for the township of the request, and never in a transaction that changed the
watched records itself (the request's stamp is then out of date). Jobs and the command line
read from the database every time. What is kept is shared by every request of the process:
plain values, or records detached from any session that nobody changes.
"""
from typing import Callable
from uuid import uuid4

from flask import g, has_request_context
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from tenants.models import Tenant
from webapp.extensions import db

_CHANGED = "township_config_changed"

# Model → function(session, obj) giving the township ids a write to ``obj`` concerns.
_WATCHED: dict[type, Callable] = {}

# By (what, township id): (stamp, value).
_KEPT: dict[tuple, tuple] = {}


def watch(model: type, townships: Callable | None = None) -> None:
    """A write to a ``model`` record changes what is kept of its township (``townships``:
    which ones, when a record does not carry its ``tenant_id``)."""
    _WATCHED[model] = townships or (lambda session, obj: {obj.tenant_id})


def stamp() -> tuple | None:
    """The request's township and its stamp, when what was kept under it may be used."""
    if not has_request_context():
        return None
    tenant = g.get("tenant")
    if tenant is None or db.session.info.get(_CHANGED):
        return None
    value = tenant.__dict__.get("config_stamp")  # as read with the request's first statement
    return (tenant.id, value) if value else None


def kept(what: str, tenant_id: int, read: Callable, to_keep: Callable = lambda value: value):
    """``read()``, or what it gave under the request township's current stamp (passed
    through ``to_keep`` when it is kept: a record leaves its session, say)."""
    current = stamp()
    if current is None or current[0] != tenant_id:
        return read()
    found = _KEPT.get((what, tenant_id))
    if found is not None and found[0] == current[1]:
        return found[1]
    value = to_keep(read())
    _KEPT[(what, tenant_id)] = (current[1], value)
    return value


def changed_in_this_transaction(session=None) -> bool:
    return bool((session or db.session).info.get(_CHANGED))


def _new_stamp(session, tenant_ids=None) -> None:
    session.info[_CHANGED] = True
    statement = update(Tenant).values(config_stamp=uuid4().hex)
    if tenant_ids is not None:
        statement = statement.where(Tenant.id.in_(tenant_ids))
    session.execute(statement.execution_options(synchronize_session=False))


def _on_flush(session, flush_context, instances) -> None:
    tenant_ids = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        townships = _WATCHED.get(type(obj))
        if townships is not None:
            tenant_ids |= {t for t in townships(session, obj) if t is not None}
    if tenant_ids:
        _new_stamp(session, tenant_ids)


def _on_bulk(state) -> None:
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ in _WATCHED:
        _new_stamp(state.session)


def _on_end(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)


event.listen(Session, "before_flush", _on_flush)
event.listen(Session, "do_orm_execute", _on_bulk)
event.listen(Session, "after_transaction_end", _on_end)
