"""flask users …: accounts from the command line."""
import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from tenants.models import COUNTY_ROLES, County, Role, Tenant
from tenants.scope import tenant_scope
from webapp.auth.models import User, normal_username
from webapp.auth.operations import find_user
from webapp.extensions import db
from webapp.referrals.models import Department
from webapp.staff.operations import StaffError, create_county_user, create_staff, reset_password

cli = AppGroup("users", help="User accounts.")

_password = click.option(
    "--password", prompt=True, hide_input=True, confirmation_prompt=True,
    help="Prompted for when not given.",
)


@cli.command("create")
@click.argument("username")
@click.option("--tenant", "slug", help="Township slug (township roles).")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--department", help="Department name, for a liaison.")
@click.option("--name", "display_name", default="", help="Display name.")
@_password
def create(username, slug, role, department, display_name, password):
    """Create USERNAME with one role in a township, or county-wide."""
    role = Role(role)
    try:
        if role in COUNTY_ROLES:
            if slug:
                tenant = _tenant(slug)
                county = tenant.county
            else:
                counties = db.session.scalars(select(County)).all()
                if len(counties) != 1:
                    raise click.UsageError("give --tenant SLUG to say which county")
                county = counties[0]
            create_county_user(county, username, password, role, display_name=display_name)
        else:
            if not slug:
                raise click.UsageError(f"--tenant SLUG is needed for the role {role.value}")
            tenant = _tenant(slug)
            with tenant_scope(tenant.id):
                dept = None
                if department:
                    dept = db.session.scalar(select(Department).where(Department.name == department))
                    if dept is None:
                        raise click.ClickException(f"no department named {department!r} in {slug}")
                create_staff(tenant, username, password, role, display_name=display_name, department=dept)
    except StaffError as error:
        raise click.ClickException(f"{error.field}: {error.message}")
    db.session.commit()
    click.echo(f"created {normal_username(username)} ({role.value})")


@cli.command("case-collisions")
def case_collisions():
    """List usernames that differ only in case (or spaces around them), which sign-in, comparing
    them without case, cannot tell apart: rename one of each group. Exits 1 when there are any."""
    key = func.lower(func.trim(User.username))
    clashing = select(key).group_by(key).having(func.count() > 1)
    names = db.session.scalars(select(User.username).where(key.in_(clashing)).order_by(key, User.id)).all()
    for name in names:
        click.echo(name)
    if names:
        raise SystemExit(1)
    click.echo("no usernames differ only in case")


@cli.command("reset-password")
@click.argument("username")
@_password
def reset(username, password):
    """Set a new password for USERNAME; it ends the user's open sessions and lifts a lockout."""
    user = find_user(username)
    if user is None:
        raise click.ClickException(f"no user named {username!r}")
    try:
        reset_password(user, password)
    except StaffError as error:
        raise click.ClickException(str(error.message))
    db.session.commit()
    click.echo(f"password of {username} reset")


def _tenant(slug: str) -> Tenant:
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise click.ClickException(f"no township with slug {slug!r}")
    return tenant
