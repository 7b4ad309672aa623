"""flask tenants …: create townships from the command line."""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from tenants.models import County, Tenant
from tenants.operations import SlugTaken, create_township, get_or_create_county
from webapp.extensions import db

cli = AppGroup("tenants", help="Townships (tenants).")


@cli.command("create")
@click.argument("slug")
@click.argument("name")
@click.option("--county", "county_name", help="County name; defaults to the only county, created if new.")
def create(slug: str, name: str, county_name: str | None):
    """Create the township SLUG named NAME."""
    if county_name:
        county = get_or_create_county(county_name)
    else:
        counties = db.session.scalars(select(County)).all()
        if len(counties) != 1:
            raise click.UsageError("name the county with --county (there is not exactly one county)")
        county = counties[0]
    try:
        tenant = create_township(county, slug, name)
    except SlugTaken:
        raise click.ClickException(f"a township with slug {slug!r} exists already")
    db.session.commit()
    click.echo(f"created township {tenant.slug} ({tenant.name}) in {county.name}")


@cli.command("list")
def list_():
    """List the townships."""

    for tenant in db.session.scalars(select(Tenant).order_by(Tenant.id)):
        click.echo(f"{tenant.slug}\t{tenant.name}\t{tenant.county.name}")
