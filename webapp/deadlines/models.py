"""What the deadline sweep and the accountability rules record."""
import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenants.scope import TenantOwned
from webapp.extensions import db
from webapp.types import UTCDateTime, utcnow


def _enum(cls, length=24):
    return db.Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class AlertKind(str, enum.Enum):
    YELLOW = "yellow"              # fewer than the warning days left
    RED = "red"                    # the time limit has passed
    LONG_OVERDUE = "long_overdue"  # overdue by more than the escalation days
    UNREPORTED = "unreported"      # a 可激化 case not reported within 24 hours
    UNHANDLED = "unhandled"        # a case assigned from above not taken up in time
    MANUAL = "manual"              # reported by a person (上报), not by the sweep: escalations only


class EscalationLevel(str, enum.Enum):
    DIRECTOR = "director"                # the center director
    PARTY_COMMITTEE = "party_committee"  # the township party committee and government
    COUNTY = "county"                    # the county judicial bureau's queue


class Fault(int, enum.Enum):
    """The seven faults of the 矛盾纠纷调处过错责任追究制度 (DOMAIN.md, Accountability)."""

    NOT_MEDIATED_IN_TIME = 1
    PASSING_THE_BUCK = 2
    SIGNS_NOT_REPORTED = 3
    DRAGGED_OUT = 4
    ASSIGNMENT_NOT_HANDLED = 5
    NOT_AT_THE_SCENE = 6
    UNFAIR_MEDIATION = 7


class FlagKind(str, enum.Enum):
    OVERDUE_NO_PROGRESS = "overdue_no_progress"    # 久拖不调 (fault 4)
    REFERRAL_NOT_ACCEPTED = "referral_not_accepted"  # fault 5
    ASSIGNED_NOT_HANDLED = "assigned_not_handled"  # fault 5
    FOLLOW_UP_MISSED = "follow_up_missed"          # fault 1
    NOT_REPORTED = "not_reported"                  # fault 3
    NOT_ANSWERED = "not_answered"                  # a supervision notice not answered in time (fault 5)
    MANUAL = "manual"                              # raised by the director with evidence
    DECISION_OVERDUE = "decision_overdue"          # a joint meeting's decision not done by its date (fault 5)
    ROUND_NOT_REPORTED = "round_not_reported"      # a village silent in an investigation round (fault 1)
    VISIT_MISSED = "key_person_visit_missed"       # a key person's visit not made by its date (fault 1)


FAULT_OF = {
    FlagKind.OVERDUE_NO_PROGRESS: Fault.DRAGGED_OUT,
    FlagKind.REFERRAL_NOT_ACCEPTED: Fault.ASSIGNMENT_NOT_HANDLED,
    FlagKind.ASSIGNED_NOT_HANDLED: Fault.ASSIGNMENT_NOT_HANDLED,
    FlagKind.FOLLOW_UP_MISSED: Fault.NOT_MEDIATED_IN_TIME,
    FlagKind.NOT_REPORTED: Fault.SIGNS_NOT_REPORTED,
    FlagKind.DECISION_OVERDUE: Fault.ASSIGNMENT_NOT_HANDLED,
    FlagKind.ROUND_NOT_REPORTED: Fault.NOT_MEDIATED_IN_TIME,
    FlagKind.VISIT_MISSED: Fault.NOT_MEDIATED_IN_TIME,
    FlagKind.NOT_ANSWERED: Fault.ASSIGNMENT_NOT_HANDLED,
}


class FlagStatus(str, enum.Enum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    DISPUTED = "disputed"
    RESOLVED = "resolved"


class CasePause(TenantOwned, db.Model):
    """A stop of the clock, with its reason; the deadline moves by what it lasted."""

    __tablename__ = "case_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CalendarOverride(TenantOwned, db.Model):
    """A township's correction to the official calendar: a local holiday, or a year not yet published."""

    __tablename__ = "calendar_overrides"
    __table_args__ = (UniqueConstraint("tenant_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    is_workday: Mapped[bool]
    note: Mapped[str] = mapped_column(String(60), default="")


class CaseWatch(TenantOwned, db.Model):
    """When the sweep should next look at a case: its earliest moment not yet acted on.

    A narrow table of its own, not a column of ``cases``: the sweep moves the moment of every
    case it looks at, and on PostgreSQL each such update of the wide, many-indexed cases row
    cost about 90 µs (bench/sweep.py) against about 5 µs here. The app writes it only when a
    change of the case changes what the sweep watches (``webapp.deadlines.clock``)."""

    __tablename__ = "case_watch"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class CaseAlert(TenantOwned, db.Model):
    """One moment of one clock cycle that the sweep has acted on; unique, so it acts once."""

    __tablename__ = "case_alerts"
    __table_args__ = (UniqueConstraint("case_id", "cycle", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    cycle: Mapped[int]
    kind: Mapped[AlertKind] = mapped_column(_enum(AlertKind))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    sweep_id: Mapped[str] = mapped_column(String(32), index=True)


class Notification(TenantOwned, db.Model):
    """In the bell of one user; sent out by the outbound channel outside quiet hours.

    The sweep tells each person once per sweep and kind of alert, however many cases it
    concerns: ``case_ids`` lists them, and ``case_id`` is set when there is one. A director
    whose township has forty cases turning red at once gets one line (and one text message)
    naming the forty, not forty."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    case_ids: Mapped[list | None] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(30))
    key: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set once quiet hours allow: then it goes out on the outbound channel. It is in the bell
    # from the moment it is made.
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sweep_id: Mapped[str | None] = mapped_column(String(32))

    case: Mapped["Case | None"] = relationship()  # noqa: F821

    @property
    def cases_named(self) -> list[int]:
        """The cases this notification is about, one or many."""
        return list(self.case_ids or ([self.case_id] if self.case_id else []))


class Escalation(TenantOwned, db.Model):
    """A step up the ladder; whoever receives it acknowledges it and may answer with an
    instruction (批示). The sweep makes them from passed moments; a person's 上报 makes one too
    (``reason`` manual), with the report's text and who sent it."""

    __tablename__ = "escalations"
    __table_args__ = (UniqueConstraint("case_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    level: Mapped[EscalationLevel] = mapped_column(_enum(EscalationLevel))
    reason: Mapped[AlertKind] = mapped_column(_enum(AlertKind))
    key: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sweep_id: Mapped[str | None] = mapped_column(String(32), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    instruction: Mapped[str] = mapped_column(Text, default="")
    instructed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    instructed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped["Case"] = relationship()  # noqa: F821
    acknowledged_by: Mapped["User | None"] = relationship(foreign_keys=[acknowledged_by_id])  # noqa: F821
    raised_by: Mapped["User | None"] = relationship(foreign_keys=[raised_by_id])  # noqa: F821
    instructed_by: Mapped["User | None"] = relationship(foreign_keys=[instructed_by_id])  # noqa: F821


class Flag(TenantOwned, db.Model):
    """An accountability flag (过错责任). Never deleted: acknowledged, disputed, resolved."""

    __tablename__ = "flags"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[FlagKind] = mapped_column(_enum(FlagKind, 30))
    fault: Mapped[int]
    key: Mapped[str] = mapped_column(String(80))
    responsible_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    responsible_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    status: Mapped[FlagStatus] = mapped_column(_enum(FlagStatus), default=FlagStatus.OPEN, index=True)
    evidence: Mapped[str] = mapped_column(Text, default="")
    event_ids: Mapped[list | None] = mapped_column(JSON)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disputed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dispute_reason: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str] = mapped_column(Text, default="")
    sweep_id: Mapped[str | None] = mapped_column(String(32), index=True)

    case: Mapped["Case | None"] = relationship()  # noqa: F821
    responsible_user: Mapped["User | None"] = relationship(foreign_keys=[responsible_user_id])  # noqa: F821
    responsible_department: Mapped["Department | None"] = relationship()  # noqa: F821


class FlagsAreNeverDeleted(RuntimeError):
    """Raised on an attempt to delete a flag: accountability flags are kept for good."""


@event.listens_for(Flag, "before_delete")
def _refuse_flag_delete(mapper, connection, target):
    raise FlagsAreNeverDeleted("accountability flags are never deleted")


class SweepRun(db.Model):
    """When the deadline sweep last ran and what it did: the director's operations view."""

    __tablename__ = "sweep_runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dry_run: Mapped[bool] = mapped_column(default=False)
    counts: Mapped[dict | None] = mapped_column(JSON)
