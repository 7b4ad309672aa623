"""A joint meeting and what it records: attendance per member unit and village, decisions,
and the actions on cases that decisions took."""
import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenants.scope import TenantOwned
from webapp.extensions import db
from webapp.timelimits import BEIJING, today
from webapp.types import UTCDateTime, utcnow


def _enum(cls, length=20):
    return db.Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class MeetingKind(str, enum.Enum):
    MID_YEAR = "mid_year"  # 年中: covers January to June
    YEAR_END = "year_end"  # 年底: covers July to December

    @property
    def half(self) -> int:
        return 1 if self is MeetingKind.MID_YEAR else 2


class ActionKind(str, enum.Enum):
    ASSIGN = "assign"      # to a mediator: start mediation, or resume an escalated case
    ESCALATE = "escalate"  # 上报
    DEADLINE = "deadline"  # 限期: settle by a date


class Meeting(TenantOwned, db.Model):
    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("tenant_id", "year", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MeetingKind] = mapped_column(_enum(MeetingKind))
    year: Mapped[int]
    title: Mapped[str] = mapped_column(String(80))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(80))
    chair: Mapped[str] = mapped_column(String(40))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Once the minutes are final, nothing recorded about the meeting changes any more.
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finalised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    attendance: Mapped[list["Attendance"]] = relationship(
        back_populates="meeting", order_by="Attendance.id", cascade="all, delete-orphan")
    decisions: Mapped[list["Decision"]] = relationship(
        back_populates="meeting", order_by="Decision.position", cascade="all, delete-orphan")
    finalised_by: Mapped["User | None"] = relationship(foreign_keys=[finalised_by_id])  # noqa: F821

    @property
    def half(self) -> int:
        return self.kind.half

    @property
    def is_final(self) -> bool:
        return self.finalised_at is not None

    def has_begun(self) -> bool:
        """From the meeting's day on (Beijing), what it decides can be recorded."""

        return self.starts_at.astimezone(BEIJING).date() <= today()


class Attendance(TenantOwned, db.Model):
    """One member unit (a department) or one village at one meeting: present or not, and who came."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (
        UniqueConstraint("meeting_id", "department_id"),
        UniqueConstraint("meeting_id", "village_id"),
        CheckConstraint("(department_id IS NULL) <> (village_id IS NULL)", name="one_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"))
    present: Mapped[bool] = mapped_column(default=False)
    attendee: Mapped[str] = mapped_column(String(40), default="")

    meeting: Mapped[Meeting] = relationship(back_populates="attendance")
    department: Mapped["Department | None"] = relationship()  # noqa: F821
    village: Mapped["Village | None"] = relationship()  # noqa: F821


class Decision(TenantOwned, db.Model):
    """What the meeting decided, who carries it out and by when."""

    __tablename__ = "meeting_decisions"
    __table_args__ = (
        UniqueConstraint("meeting_id", "position"),
        CheckConstraint("department_id IS NULL OR village_id IS NULL", name="one_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"))
    due_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Who sees the decision through, and when it was done: the sweep reminds the owner before
    # the due date and flags the decision after it (``webapp.deadlines.duties``).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="decisions")
    owner: Mapped["User | None"] = relationship(foreign_keys=[owner_id])  # noqa: F821
    department: Mapped["Department | None"] = relationship()  # noqa: F821
    village: Mapped["Village | None"] = relationship()  # noqa: F821
    actions: Mapped[list["Action"]] = relationship(
        back_populates="decision", order_by="Action.id", cascade="all, delete-orphan")


class Action(TenantOwned, db.Model):
    """One change a decision made to a case, through the case operations; ``event_id`` is the
    line it wrote on the case's timeline."""

    __tablename__ = "meeting_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("meeting_decisions.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[ActionKind] = mapped_column(_enum(ActionKind))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    target: Mapped[str | None] = mapped_column(String(20))
    due_on: Mapped[date | None] = mapped_column(Date)
    event_id: Mapped[int] = mapped_column(ForeignKey("case_events.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    decision: Mapped[Decision] = relationship(back_populates="actions")
    case: Mapped["Case"] = relationship()  # noqa: F821
    assignee: Mapped["User | None"] = relationship(foreign_keys=[assignee_id])  # noqa: F821
