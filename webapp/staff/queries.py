"""Who in a township can be given a case."""
from sqlalchemy import func, select

from tenants.models import Membership, Role
from webapp.auth.models import User
from webapp.extensions import db

MEDIATING_ROLES = (Role.MEDIATOR, Role.TOWNSHIP_ADMIN)


def mediators(tenant_id: int) -> list:
    """The township's active mediators and directors, as rows of ``id`` and ``name`` (what
    an assignee field offers): mediators first."""
    name = func.coalesce(func.nullif(User.display_name, ""), User.username).label("name")
    return db.session.execute(
        select(User.id, name).join(Membership, Membership.user_id == User.id).where(
            Membership.tenant_id == tenant_id, Membership.active.is_(True), Membership.role.in_(MEDIATING_ROLES))
        .order_by(Membership.role, User.id)).all()
