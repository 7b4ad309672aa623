"""What the county hands down to a township: assignments and supervision notices."""
import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenants.scope import TenantOwned
from webapp import timelimits
from webapp.extensions import db
from webapp.types import UTCDateTime, enum_column, utcnow


class AssignmentSource(str, enum.Enum):
    HOTLINE = "hotline"    # 12345 热线
    PETITION = "petition"  # 信访
    HIGHER = "higher"      # 上级机关


class AssignmentState(str, enum.Enum):
    WAITING = "waiting"    # in the township's intake queue, in time
    LATE = "late"          # not taken up in time
    TAKEN_UP = "taken_up"  # a case of the township, still open
    OVERDUE = "overdue"    # taken up, not settled by the date set
    SETTLED = "settled"    # the case was resolved, closed or archived


SETTLED_STATES = ("resolved", "follow_up", "closed", "archived")


class Assignment(TenantOwned, db.Model):
    """A dispute the county bureau assigned to this township (交办): taken up, it is a case."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    parties: Mapped[str] = mapped_column(Text, default="")
    narrative: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[AssignmentSource] = mapped_column(enum_column(AssignmentSource))
    take_up_by: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    warn_at: Mapped[datetime] = mapped_column(UTCDateTime())
    settle_by: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), unique=True)
    taken_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    taken_up_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # What the sweep did, so that it does each once and looks no further at it.
    warned: Mapped[bool] = mapped_column(default=False)
    late_flagged: Mapped[bool] = mapped_column(default=False)

    case: Mapped["Case | None"] = relationship()  # noqa: F821
    created_by: Mapped["User | None"] = relationship(foreign_keys=[created_by_id])  # noqa: F821

    def state(self, now: datetime | None = None) -> AssignmentState:
        if self.case is None:
            return AssignmentState.LATE if timelimits.passed(self.take_up_by, now) else AssignmentState.WAITING
        if self.case.state in SETTLED_STATES:
            return AssignmentState.SETTLED
        return AssignmentState.OVERDUE if timelimits.passed(self.settle_by, now) else AssignmentState.TAKEN_UP


class NoticeKind(str, enum.Enum):
    SUPERVISION = "supervision"  # 督办函
    WARNING = "warning"          # 预警函


class SupervisionNotice(TenantOwned, db.Model):
    """A supervision or warning notice from the county to this township, about a case or a
    figure below target, to be answered in writing by a date."""

    __tablename__ = "supervision_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[NoticeKind] = mapped_column(enum_column(NoticeKind))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    subject: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text, default="")
    answer_by: Mapped[date] = mapped_column(Date)
    answer_due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    late_flagged: Mapped[bool] = mapped_column(default=False)

    case: Mapped["Case | None"] = relationship()  # noqa: F821
    answered_by: Mapped["User | None"] = relationship(foreign_keys=[answered_by_id])  # noqa: F821

    def answered_late(self) -> bool:
        return self.answered_at is not None and self.answered_at > self.answer_due_at

    def overdue(self, now: datetime | None = None) -> bool:
        return self.answered_at is None and timelimits.passed(self.answer_due_at, now)
