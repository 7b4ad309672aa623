"""Changing a township's configuration. New limits apply to cases assessed from now on."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from tenants.models import Tenant
from webapp import audit, timelimits
from webapp.cases.models import Case, CaseSettings, CaseState, Category
from webapp.deadlines import clock
from webapp.extensions import db
from webapp.referrals.models import Department, DepartmentKind
from webapp.township.settings import DEFAULTS, forget_settings, settings_for


class NameTaken(ValueError):
    message = _l("This name is already in the list.")


def save_limits(tenant_id: int, *, by=None, **values) -> CaseSettings:
    settings = db.session.scalar(select(CaseSettings).where(CaseSettings.tenant_id == tenant_id))
    if settings is None:
        settings = CaseSettings(tenant_id=tenant_id, **DEFAULTS)
        db.session.add(settings)
    changed = {name: [getattr(settings, name), value] for name, value in values.items()
               if getattr(settings, name) != value}
    for name, value in values.items():
        setattr(settings, name, value)
    db.session.flush()
    forget_settings()
    if changed and by is not None:
        audit.record("township.settings", user=by, tenant=db.session.get(Tenant, tenant_id), detail=changed)
    return settings


# Settings from which a running case's moments are computed (``clock.refresh``): a change
# reaches the open cases at once. The others are read when they are used (the sweep, the
# delivery of messages, a new referral).
RECOMPUTED = ("count_working_days", "escalate_after_days", "assigned_handle_days")
_OPEN = (*timelimits.RUNNING_STATES, CaseState.REGISTERED)


def open_cases(tenant_id: int) -> int:
    """How many of the township's cases a change of its calendar or escalation reaches."""
    return db.session.scalar(select(func.count(Case.id)).where(Case.tenant_id == tenant_id, Case.state.in_(_OPEN)))


def save_clock(tenant_id: int, *, by=None, **values) -> int:
    """How the township's clock counts, escalates and keeps quiet. A change to what the
    moments are computed from computes them again for every open case, as a change of the
    township's calendar does (``deadlines.operations.set_calendar_day``); returns how many."""
    before = {name: getattr(settings_for(tenant_id), name) for name in RECOMPUTED}
    save_limits(tenant_id, by=by, **values)
    after = settings_for(tenant_id)
    if all(getattr(after, name) == value for name, value in before.items()):
        return 0
    cases = db.session.scalars(select(Case).where(Case.tenant_id == tenant_id, Case.state.in_(_OPEN))).all()
    for case in cases:
        clock.refresh(case)
    db.session.flush()
    return len(cases)


def _taken(model, tenant_id, name, exclude=None) -> bool:
    query = select(model.id).where(model.tenant_id == tenant_id, model.name == name)
    if exclude is not None:
        query = query.where(model.id != exclude.id)
    return db.session.scalar(query) is not None


def add_category(tenant_id: int, name: str) -> Category:
    if _taken(Category, tenant_id, name):
        raise NameTaken(name)
    position = (db.session.scalar(select(db.func.max(Category.position)).where(Category.tenant_id == tenant_id)) or 0) + 1
    category = Category(tenant_id=tenant_id, name=name, position=position)
    db.session.add(category)
    db.session.flush()
    return category


def change_category(category: Category, name: str, active: bool) -> None:
    """Categories in use by cases are never deleted: they are retired, and stay on old cases."""
    if _taken(Category, category.tenant_id, name, exclude=category):
        raise NameTaken(name)
    category.name, category.active = name, active
    db.session.flush()


def add_department(tenant_id: int, name: str, kind: str) -> Department:
    if _taken(Department, tenant_id, name):
        raise NameTaken(name)
    department = Department(tenant_id=tenant_id, name=name, kind=DepartmentKind(kind))
    db.session.add(department)
    db.session.flush()
    return department


def rename_department(department: Department, name: str, kind: str) -> None:
    if _taken(Department, department.tenant_id, name, exclude=department):
        raise NameTaken(name)
    department.name, department.kind = name, DepartmentKind(kind)
    db.session.flush()
