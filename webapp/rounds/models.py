"""Investigation rounds (排查): the director opens one, every village's stability officer
reports what was found (each finding a registered dispute) or a nil report (零报告) by the
round's deadline."""
import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenants.scope import TenantOwned
from webapp.extensions import db
from webapp.types import UTCDateTime, utcnow


class RoundKind(str, enum.Enum):
    MONTHLY = "monthly"  # the regular round of a month
    SPECIAL = "special"  # before a holiday or an event


class Round(TenantOwned, db.Model):
    __tablename__ = "investigation_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RoundKind] = mapped_column(
        db.Enum(RoundKind, native_enum=False, length=12, values_callable=lambda e: [m.value for m in e]))
    title: Mapped[str] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(Text, default="")
    opened_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    reports: Mapped[list["RoundReport"]] = relationship(
        back_populates="round", order_by="RoundReport.id", cascade="all, delete-orphan")


class RoundReport(TenantOwned, db.Model):
    """One village's word in a round: a finding (``case_id``: the dispute it registered) or,
    with no case, a nil report. A village with either has reported."""

    __tablename__ = "investigation_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("investigation_rounds.id", ondelete="CASCADE"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    round: Mapped[Round] = relationship(back_populates="reports")
    village: Mapped["Village"] = relationship()  # noqa: F821
    case: Mapped["Case | None"] = relationship()  # noqa: F821
    reported_by: Mapped["User | None"] = relationship()  # noqa: F821

    @property
    def is_nil(self) -> bool:
        return self.case_id is None
