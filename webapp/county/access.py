"""Who reaches the county's pages (``/county/…``): a county role, over its own county only.

Both of the county's blueprints (its review pages, and the ZIPs of case files under
``webapp.documents``) resolve the member here, once per request, and then read through the
review scope over the county's townships (``tenants.web.open_county_review``).
"""
from flask import abort, g
from flask_login import current_user, login_required

from tenants.models import COUNTY_ROLES
from tenants.web import open_county_review


@login_required
def resolve_county_member():
    """A ``before_request`` hook: ``g.membership``, ``g.county`` and ``g.county_slugs`` of the
    signed-in county member, or 403 for anyone else."""
    memberships = [m for m in current_user.memberships if m.active and m.role in COUNTY_ROLES]
    if not memberships:
        abort(403)
    g.membership = memberships[0]
    g.county = memberships[0].county
    g.county_slugs = {t.id: t.slug for t in g.county.townships}
    open_county_review(g.county)
