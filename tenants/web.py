"""Resolving the township of a request, once, from the URL and the user's membership.

Tenant pages live under ``/t/<slug>/``. The slug comes from the URL alone (never a header
or a form field) and counts only if the signed-in user holds a membership there, or a
county role over the township's county. Anything else answers 404, so another township's
pages and objects look exactly like pages that do not exist.
"""
from flask import abort, current_app, g
from flask_login import current_user
from sqlalchemy import and_, bindparam, or_, select

from tenants.models import COUNTY_ROLES, Membership, Tenant
from tenants.scope import close_request_scope, open_request_scope, open_review_scope
from webapp.extensions import db


def init_app(app, *, read_way_in) -> None:
    """``read_way_in(slug)``: the rows ``(session, user, township, membership[, setting])`` of
    the township ``slug`` and the ways into it of the user signed in with this browser, read in
    the statement that reads the session (sign-in knows sessions, tenancy does not), or ``[]``.
    The last column, on PostgreSQL, wrote the township into the transaction (``written_by``)."""
    app.extensions["tenants.read_way_in"] = read_way_in
    app.url_value_preprocessor(_pull_slug)
    app.url_defaults(_add_slug)
    app.before_request(_resolve_tenant)
    app.teardown_request(lambda exc: close_request_scope())


def _pull_slug(endpoint, values):
    g.tenant_slug = values.pop("slug", None) if values else None


def _add_slug(endpoint, values):
    tenant = g.get("tenant")
    if tenant is not None and "slug" not in values and current_app.url_map.is_endpoint_expecting(endpoint, "slug"):
        values["slug"] = tenant.slug


def grants(user_id):
    """The memberships of ``user_id`` that let them into the township ``Tenant`` of the query."""
    return and_(
        Membership.user_id == user_id,
        Membership.active.is_(True),
        Tenant.active.is_(True),
        or_(
            Membership.tenant_id == Tenant.id,
            (Membership.tenant_id.is_(None)) & (Membership.county_id == Tenant.county_id),
        ),
    )


def _best(memberships):
    """A township role wins over a county one."""
    memberships = sorted((m for m in memberships if m is not None), key=lambda m: m.role in COUNTY_ROLES)
    return memberships[0] if memberships else None


def membership_for(user, tenant: Tenant) -> Membership | None:
    """The membership that lets ``user`` into ``tenant``; a township role wins over a county one."""
    return _best(db.session.scalars(
        select(Membership).join(Tenant, Tenant.id == tenant.id).where(grants(user.id))
    ).all())


# The township and the user's ways into it in one statement, built once, for a user signed in
# some other way than a server-side session (the request loaded them already).
_TOWNSHIP_AND_WAY_IN = (
    select(Tenant, Membership)
    .outerjoin(Membership, grants(bindparam("user_id")))
    .where(Tenant.slug == bindparam("slug"))
)


def _resolve_tenant():
    g.tenant = None
    g.membership = None
    close_request_scope()
    slug = g.get("tenant_slug")
    if slug is None:
        return None
    rows = current_app.extensions["tenants.read_way_in"](slug)
    transaction = db.session().get_transaction()
    if not current_user.is_authenticated:
        if rows:  # a session that ended: whatever the statement wrote goes with the transaction
            db.session.rollback()
        return current_app.login_manager.unauthorized()
    if rows and rows[0][1] is current_user._get_current_object():
        ways_in = [(row[2], row[3]) for row in rows]
        # The user loader may have committed (it notes the session's last activity now and
        # then); the setting written by the statement went with that transaction.
        written = len(rows[0]) > 4 and db.session().get_transaction() is transaction
    else:
        ways_in = db.session.execute(_TOWNSHIP_AND_WAY_IN, {"slug": slug, "user_id": current_user.id}).all()
        written = False
    if not ways_in or ways_in[0][0] is None:
        abort(404)
    tenant, membership = ways_in[0][0], _best(row[1] for row in ways_in)
    if membership is None:
        abort(404)
    g.tenant = tenant
    g.membership = membership
    open_request_scope(tenant.id, written=written)
    return None


def open_county_review(county) -> None:
    """The county's own pages (``/county/…``): they read every township of ``county`` and
    write none of their rows, for the rest of the request (``tenants.scope.townships_scope``)."""
    open_review_scope([t.id for t in county.townships])
