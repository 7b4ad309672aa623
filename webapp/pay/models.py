"""The roster of mediators and stability officers, and the township's per-case rates.

Both keep their history: a roster entry has the period it is active, a rate the day it
takes effect from. Each also stores that day as the UTC moment it begins in Beijing
(``starts_at``, ``ends_at``), so the monthly report compares timestamps with timestamps
in plain SQL, the same on SQLite and PostgreSQL.
"""
import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenants.scope import TenantOwned
from webapp.cases.models import CaseEvent, Difficulty
from webapp.extensions import db
from webapp.personal_data import MASKS, Encrypted
from webapp.types import UTCDateTime, enum_column, utcnow


class StaffKind(str, enum.Enum):
    MEDIATOR = "mediator"  # 人民调解员
    OFFICER = "officer"    # 综治维稳员


class Employment(str, enum.Enum):
    FULL_TIME = "full_time"  # 专职
    PART_TIME = "part_time"  # 兼职


class Outcome(str, enum.Enum):
    """What a case reached, as the timeline records it (see ``webapp.pay.report``)."""

    RESOLVED = "resolved"                    # 调解成功: mediating → resolved
    REFERRAL_RESOLVED = "referral_resolved"  # 分流化解: referred → resolved (the department succeeded)
    FAILED = "failed"                        # 调解不成: mediating → failed


class RosterEntry(TenantOwned, db.Model):
    """One person on the township's roster for a period: a mediator or a stability officer,
    full- or part-time, with an account (``user_id``) or without one (a name only)."""

    __tablename__ = "roster_entries"
    __table_args__ = (
        CheckConstraint("active_to IS NULL OR active_to >= active_from", name="period_in_order"),
        CheckConstraint("name <> ''", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    kind: Mapped[StaffKind] = mapped_column(enum_column(StaffKind))
    employment: Mapped[Employment] = mapped_column(enum_column(Employment))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)
    phone: Mapped[str | None] = mapped_column(Encrypted())
    active_from: Mapped[date] = mapped_column(Date)
    active_to: Mapped[date | None] = mapped_column(Date)
    # The period as UTC moments: [starts_at, ends_at), ends_at null while open.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped["User | None"] = relationship()  # noqa: F821
    village: Mapped["Village | None"] = relationship()  # noqa: F821

    def masked(self, field: str) -> str:
        return MASKS[field](getattr(self, field))

    def active_on(self, day: date) -> bool:
        return self.active_from <= day and (self.active_to is None or day <= self.active_to)


class PayRate(TenantOwned, db.Model):
    """What one case pays a person of one kind and employment, by the case's difficulty and
    outcome, from ``valid_from`` on (until a later rate for the same cell takes over).
    Rows are never changed once their day has come: a past month's report stays as it was."""

    __tablename__ = "pay_rates"
    __table_args__ = (
        UniqueConstraint("tenant_id", "kind", "employment", "difficulty", "outcome", "valid_from"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[StaffKind] = mapped_column(enum_column(StaffKind))
    employment: Mapped[Employment] = mapped_column(enum_column(Employment))
    difficulty: Mapped[Difficulty] = mapped_column(enum_column(Difficulty))
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome, length=24))
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    valid_from: Mapped[date] = mapped_column(Date, index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# The monthly report reads a township's outcome transitions of one month from this index.
OUTCOME_EVENTS = Index("ix_case_events_outcomes", CaseEvent.tenant_id, CaseEvent.to_state, CaseEvent.at)
