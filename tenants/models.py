"""Counties, townships (the tenants) and the memberships that tie users to them."""
import enum
from datetime import datetime
from uuid import uuid4

import sqlalchemy as sa
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.types import UTCDateTime, utcnow


class Role(str, enum.Enum):
    COUNTY_ADMIN = "county_admin"
    COUNTY_REVIEWER = "county_reviewer"
    TOWNSHIP_ADMIN = "township_admin"
    CLERK = "clerk"
    MEDIATOR = "mediator"
    OFFICER = "officer"
    LIAISON = "liaison"
    PARTY = "party"  # the township party committee and government (镇党委政府): reads, acknowledges, instructs

    @property
    def is_county(self) -> bool:
        return self in COUNTY_ROLES


COUNTY_ROLES = frozenset({Role.COUNTY_ADMIN, Role.COUNTY_REVIEWER})
TOWNSHIP_ROLES = frozenset(Role) - COUNTY_ROLES
# Who must use a second factor in a new county: the director and the county's accounts.
DEFAULT_TWO_FACTOR_ROLES = (Role.TOWNSHIP_ADMIN, Role.COUNTY_ADMIN, Role.COUNTY_REVIEWER)


class County(db.Model):
    __tablename__ = "counties"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    # The roles (values, comma-separated) whose members must use a second factor
    # (docs/two-factor.md); a county made by ``get_or_create_county`` starts with the defaults.
    two_factor_roles: Mapped[str] = mapped_column(String(120), default="", server_default="")

    townships: Mapped[list["Tenant"]] = relationship(back_populates="county", order_by="Tenant.id")


class Tenant(db.Model):
    """A township (镇): the unit of isolation."""

    __tablename__ = "tenants"
    __table_args__ = (CheckConstraint("slug <> ''", name="slug_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Changes whenever what the township's pages read often and change rarely (its settings,
    # its calendar) is written: a process may keep what it read under this stamp, and knows it
    # stale as soon as a request reads another (``webapp.township.settings``). A random value,
    # not a counter, so that a township made again under a reused id never matches.
    config_stamp: Mapped[str] = mapped_column(String(32), default=lambda: uuid4().hex, server_default="initial")
    # A township the county has closed: nobody gets into it (``tenants.web.grants``); its
    # records stay.
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    county: Mapped[County] = relationship(back_populates="townships")

    def __repr__(self) -> str:
        return f"<Tenant {self.slug}>"


class Membership(db.Model):
    """One role for one user in one township, or county-wide when ``tenant_id`` is null."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "county_id", "tenant_id"),
        CheckConstraint(
            "(role IN ('county_admin', 'county_reviewer')) = (tenant_id IS NULL)",
            name="county_role_has_no_tenant",
        ),
        CheckConstraint("(role = 'liaison') = (department_id IS NOT NULL)", name="liaison_has_department"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"))
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"), index=True)
    role: Mapped[Role] = mapped_column(
        db.Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    active: Mapped[bool] = mapped_column(default=True)

    user: Mapped["User"] = relationship(back_populates="memberships")  # noqa: F821
    tenant: Mapped[Tenant | None] = relationship()
    county: Mapped[County] = relationship()
    department: Mapped["Department | None"] = relationship()  # noqa: F821
