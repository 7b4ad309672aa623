"""Who in a township can be given a case, and who can answer for a village."""
from functools import cache

from sqlalchemy import bindparam, func, inspect, select

from tenants.models import Membership, Role
from webapp.auth.models import User
from webapp.extensions import db
from webapp.township import kept

MEDIATING_ROLES = (Role.MEDIATOR, Role.TOWNSHIP_ADMIN)


@cache
def _mediators_statement():
    # Built once: every move that opens or checks an assignee field runs it.
    name = func.coalesce(func.nullif(User.display_name, ""), User.username).label("name")
    return (select(User.id, name).join(Membership, Membership.user_id == User.id)
            .where(Membership.tenant_id == bindparam("tenant_id"), Membership.active.is_(True),
                   Membership.role.in_(MEDIATING_ROLES))
            .order_by(Membership.role, User.id))


def mediators(tenant_id: int) -> tuple:
    """The township's active mediators and directors, as rows of ``id`` and ``name`` (what
    an assignee field offers): mediators first. Kept between requests while the township's
    staff stays as it is (``webapp.township.kept``)."""
    return kept.kept("mediators", tenant_id,
                     lambda: tuple(db.session.execute(_mediators_statement(), {"tenant_id": tenant_id}).all()))


def _townships_of_renamed(session, user: User) -> set:
    """A user's new name shows in the staff lists of every township they belong to."""
    attrs = inspect(user).attrs
    if user.id is None or not (attrs.display_name.history.has_changes() or attrs.username.history.has_changes()):
        return set()
    return set(session.scalars(select(Membership.tenant_id).where(Membership.user_id == user.id)))


kept.watch(Membership)
kept.watch(User, _townships_of_renamed)


def officers(tenant_id: int) -> list:
    """The township's active stability officers, as rows of ``id`` and ``name`` (what a
    village's responsible-officer field offers)."""
    name = func.coalesce(func.nullif(User.display_name, ""), User.username).label("name")
    return db.session.execute(
        select(User.id, name).join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == tenant_id, Membership.active.is_(True), Membership.role == Role.OFFICER)
        .order_by(User.id)).all()
