"""Changing a township's configuration. New limits apply to cases assessed from now on."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.cases.models import CaseSettings, Category
from webapp.extensions import db
from webapp.referrals.models import Department, DepartmentKind
from webapp.township.settings import forget_settings


class NameTaken(ValueError):
    message = _l("This name is already in the list.")


def save_limits(tenant_id: int, **values) -> CaseSettings:
    settings = db.session.scalar(select(CaseSettings).where(CaseSettings.tenant_id == tenant_id))
    if settings is None:
        settings = CaseSettings(tenant_id=tenant_id)
        db.session.add(settings)
    for name, value in values.items():
        setattr(settings, name, value)
    db.session.flush()
    forget_settings()
    return settings


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
