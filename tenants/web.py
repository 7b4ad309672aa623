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
from tenants.scope import close_request_scope, open_request_scope
from webapp.extensions import db


def init_app(app) -> None:
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


def _grants(user_id):
    """The memberships of ``user_id`` that let them into the township ``Tenant`` of the query."""
    return and_(
        Membership.user_id == user_id,
        Membership.active.is_(True),
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
        select(Membership).join(Tenant, Tenant.id == tenant.id).where(_grants(user.id))
    ).all())


# The township and the user's ways into it in one statement, built once: every township
# page pays for it before anything else.
_TOWNSHIP_AND_WAY_IN = (
    select(Tenant, Membership)
    .outerjoin(Membership, _grants(bindparam("user_id")))
    .where(Tenant.slug == bindparam("slug"))
)


def _resolve_tenant():
    g.tenant = None
    g.membership = None
    close_request_scope()
    slug = g.get("tenant_slug")
    if slug is None:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    rows = db.session.execute(_TOWNSHIP_AND_WAY_IN, {"slug": slug, "user_id": current_user.id}).all()
    if not rows:
        abort(404)
    tenant, membership = rows[0][0], _best(row[1] for row in rows)
    if membership is None:
        abort(404)
    g.tenant = tenant
    g.membership = membership
    open_request_scope(tenant.id)
    return None
