"""A township page's first statement: the signed-in session, its user, the township of the URL
and the user's ways into it, read at once (``tenants.web`` asks for them through
``read_way_in``, which ``create_app`` hands it: tenancy knows no sessions)."""
from sqlalchemy import String, bindparam, case, cast, select

from tenants.models import Membership, Tenant
from tenants.scope import written_by
from tenants.web import grants
from webapp.auth.models import LoginSession, User
from webapp.auth.operations import session_key, session_read_along, with_county_member
from webapp.extensions import db


def _signed_in_way_in(with_setting: bool):
    """What every township page pays for before anything else, in one statement. On PostgreSQL
    the same statement writes the township into the transaction for row-level security, but
    only if the user has a way in (the row-level wall opens for no one else)."""
    columns = [LoginSession, User, Tenant, Membership]
    if with_setting:
        columns.append(written_by(case((Membership.id.is_(None), ""), else_=cast(Tenant.id, String))))
    return (
        select(*columns)
        .join(User, User.id == LoginSession.user_id)
        .outerjoin(Tenant, Tenant.slug == bindparam("slug"))
        .outerjoin(Membership, grants(User.id))
        .where(LoginSession.id == bindparam("key"))
        .options(with_county_member())
    )


_STATEMENTS: dict = {}  # by dialect: built once


def read_way_in(slug: str) -> list:
    """The township ``slug`` and the ways into it of the user signed in with this browser's
    session (read along with the session, which the user loader then takes from here)."""
    key = session_key()
    if key is None:
        return []
    dialect = db.session.get_bind().dialect.name
    if dialect not in _STATEMENTS:
        _STATEMENTS[dialect] = _signed_in_way_in(with_setting=dialect == "postgresql")
    rows = db.session.execute(_STATEMENTS[dialect], {"key": key, "slug": slug}).all()
    session_read_along(key, *(rows[0][:2] if rows else (None, None)))
    return rows
