"""Departments that take referred cases: police station, court, judicial office, ..."""
import enum

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenants.scope import TenantOwned
from webapp.extensions import db


class DepartmentKind(str, enum.Enum):
    POLICE_STATION = "police_station"
    COURT = "court"
    JUDICIAL_OFFICE = "judicial_office"
    PETITION_OFFICE = "petition_office"
    GOVERNANCE_OFFICE = "governance_office"
    VILLAGE_COMMITTEE = "village_committee"


class Department(TenantOwned, db.Model):
    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[DepartmentKind] = mapped_column(
        db.Enum(DepartmentKind, native_enum=False, length=24, values_callable=lambda e: [m.value for m in e])
    )
