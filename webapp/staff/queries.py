"""Who in a township can be given a case, and who can answer for a village."""
from functools import cache

from sqlalchemy import bindparam, func, select

from tenants.models import Membership, Role
from webapp.auth.models import User
from webapp.extensions import db

MEDIATING_ROLES = (Role.MEDIATOR, Role.TOWNSHIP_ADMIN)


@cache
def _mediators_statement():
    # Built once: every move that opens or checks an assignee field runs it.
    name = func.coalesce(func.nullif(User.display_name, ""), User.username).label("name")
    return (select(User.id, name).join(Membership, Membership.user_id == User.id)
            .where(Membership.tenant_id == bindparam("tenant_id"), Membership.active.is_(True),
                   Membership.role.in_(MEDIATING_ROLES))
            .order_by(Membership.role, User.id))


def mediators(tenant_id: int) -> list:
    """The township's active mediators and directors, as rows of ``id`` and ``name`` (what
    an assignee field offers): mediators first."""
    return db.session.execute(_mediators_statement(), {"tenant_id": tenant_id}).all()


def officers(tenant_id: int) -> list:
    """The township's active stability officers, as rows of ``id`` and ``name`` (what a
    village's responsible-officer field offers)."""
    name = func.coalesce(func.nullif(User.display_name, ""), User.username).label("name")
    return db.session.execute(
        select(User.id, name).join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == tenant_id, Membership.active.is_(True), Membership.role == Role.OFFICER)
        .order_by(User.id)).all()
