"""Creating townships: the only writes to the tenant tables."""
from blinker import Namespace
from sqlalchemy import select

from tenants.models import County, Tenant
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


def get_or_create_county(name: str) -> County:
    county = db.session.scalar(select(County).where(County.name == name))
    if county is None:
        county = County(name=name)
        db.session.add(county)
        db.session.flush()
    return county
