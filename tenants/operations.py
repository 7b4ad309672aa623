"""Creating townships: the only writes to the tenant tables."""
from blinker import Namespace
from sqlalchemy import select

from tenants.models import DEFAULT_TWO_FACTOR_ROLES, County, Tenant
from webapp.extensions import db


# Features that keep per-township data (categories, settings) listen for new townships here,
# so this package needs to know nothing about them.
township_created = Namespace().signal("township-created")


class SlugTaken(ValueError):
    pass


def create_township(county: County, slug: str, name: str) -> Tenant:
    if db.session.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None:
        raise SlugTaken(slug)
    tenant = Tenant(county=county, slug=slug, name=name)
    db.session.add(tenant)
    db.session.flush()
    township_created.send(tenant)
    return tenant


def get_or_create_county(name: str, two_factor_roles=DEFAULT_TWO_FACTOR_ROLES) -> County:
    """The county ``name``; a new one requires a second factor of ``two_factor_roles``."""
    county = db.session.scalar(select(County).where(County.name == name))
    if county is None:
        county = County(name=name, two_factor_roles=",".join(role.value for role in two_factor_roles))
        db.session.add(county)
        db.session.flush()
    return county
