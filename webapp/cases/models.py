"""Cases (矛盾纠纷) and everything recorded about them."""
import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON, CheckConstraint, Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from tenants.scope import TenantOwned
from webapp.extensions import db
from webapp.personal_data import MASKS, Encrypted, stored_lookup_hash
from webapp.types import UTCDateTime, enum_column, utcnow


class CaseState(str, enum.Enum):
    REGISTERED = "registered"      # 已登记
    ASSESSED = "assessed"          # 已研判
    MEDIATING = "mediating"        # 调解中
    REFERRED = "referred"          # 已分流
    RETURNED = "returned"          # 已回流
    RESOLVED = "resolved"          # 调解成功
    FAILED = "failed"              # 调解不成
    FOLLOW_UP = "follow_up"        # 回访中
    ESCALATED = "escalated"        # 已上报
    CLOSED = "closed"              # 已结案
    ARCHIVED = "archived"          # 已归档


class Source(str, enum.Enum):
    INVESTIGATION = "investigation"  # 排查
    VISIT = "visit"                  # 来访
    CALL = "call"                    # 来电
    ASSIGNED = "assigned"            # 上级交办
    HANDOVER = "handover"            # 部门移交
    COUNCIL = "council"              # 理事会上报


class Level(str, enum.Enum):
    GROUP = "group"        # 组
    VILLAGE = "village"    # 村
    TOWNSHIP = "township"  # 镇


class Difficulty(str, enum.Enum):
    ORDINARY = "ordinary"  # 一般
    COMPLEX = "complex"    # 复杂
    MAJOR = "major"        # 重大


class Risk(str, enum.Enum):
    RESOLVABLE = "resolvable"      # 可化解
    CONTROLLABLE = "controllable"  # 可稳控
    MAY_ESCALATE = "may_escalate"  # 可激化


class NextStep(str, enum.Enum):
    ESCALATE = "escalate"        # 上报
    LITIGATION = "litigation"    # 引导诉讼
    ARBITRATION = "arbitration"  # 引导仲裁


class EscalationTarget(str, enum.Enum):
    DIRECTOR = "director"                # 调处中心主任
    PARTY_COMMITTEE = "party_committee"  # 镇党委、政府
    COUNTY_BUREAU = "county_bureau"      # 县司法局


class PartyRole(str, enum.Enum):
    APPLICANT = "applicant"      # 申请人
    RESPONDENT = "respondent"    # 被申请人
    THIRD_PARTY = "third_party"  # 第三人


class TagKind(str, enum.Enum):
    AREA = "area"    # 重点地区
    GROUP = "group"  # 重点人群
    ISSUE = "issue"  # 重点问题


class ReferralStatus(str, enum.Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    SUCCEEDED = "succeeded"
    RETURNED = "returned"    # 回流: the department sent it back
    WITHDRAWN = "withdrawn"  # the center took it back, e.g. to escalate


DEFAULT_CATEGORIES = ["婚姻家庭", "邻里纠纷", "土地山林", "征地拆迁", "易地搬迁", "劳资纠纷", "合同纠纷", "损害赔偿", "其他"]


class CaseSettings(TenantOwned, db.Model):
    """Per-township numbers of the method: time limits, the yellow light, follow-up days."""

    __tablename__ = "case_settings"
    __table_args__ = (
        UniqueConstraint("tenant_id"),
        CheckConstraint("limit_ordinary > 0 AND limit_complex > 0 AND limit_major > 0", name="limits_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    limit_ordinary: Mapped[int] = mapped_column(default=7)
    limit_complex: Mapped[int] = mapped_column(default=20)
    limit_major: Mapped[int] = mapped_column(default=60)
    yellow_days: Mapped[int] = mapped_column(default=3)
    follow_up_days: Mapped[str] = mapped_column(String(40), default="7,30")
    # Time limits that enforce themselves (webapp.deadlines)
    count_working_days: Mapped[bool] = mapped_column(default=False)
    escalate_after_days: Mapped[int] = mapped_column(default=3)
    referral_accept_days: Mapped[int] = mapped_column(default=1)
    assigned_handle_days: Mapped[int] = mapped_column(default=1)
    follow_up_grace_days: Mapped[int] = mapped_column(default=3)
    quiet_start_hour: Mapped[int] = mapped_column(default=21)
    quiet_end_hour: Mapped[int] = mapped_column(default=8)

    def limit_days(self, difficulty: str) -> int:
        return {"ordinary": self.limit_ordinary, "complex": self.limit_complex, "major": self.limit_major}[difficulty]

    def follow_up_offsets(self) -> list[int]:
        return [int(x) for x in self.follow_up_days.split(",") if x.strip()]


class Category(TenantOwned, db.Model):
    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class CaseCounter(TenantOwned, db.Model):
    """The last number given out per township and year: numbers are gap-free because the
    counter moves in the same transaction as the case it numbers."""

    __tablename__ = "case_counters"
    __table_args__ = (UniqueConstraint("tenant_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    last: Mapped[int] = mapped_column(default=0)


class Case(TenantOwned, db.Model):
    __tablename__ = "cases"
    # No index of its own on the township: every index of the board and the figures leads
    # with it (migration d7f6a1b2c3d4).
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), nullable=False)
    __table_args__ = (
        UniqueConstraint("tenant_id", "year", "seq"),
        UniqueConstraint("tenant_id", "number"),
        CheckConstraint("seq > 0", name="seq_positive"),
        CheckConstraint("state = 'registered' OR difficulty IS NOT NULL", name="assessed_has_difficulty"),
        CheckConstraint("state NOT IN ('referred') OR department_id IS NOT NULL", name="referred_has_department"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    seq: Mapped[int]
    number: Mapped[str] = mapped_column(String(100))  # the township's name (up to 64) and 〔year〕第n号
    title: Mapped[str] = mapped_column(String(120))
    narrative: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    source: Mapped[Source] = mapped_column(enum_column(Source))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("villager_groups.id"))
    level: Mapped[Level] = mapped_column(enum_column(Level), default=Level.TOWNSHIP)
    state: Mapped[CaseState] = mapped_column(enum_column(CaseState), default=CaseState.REGISTERED, index=True)

    difficulty: Mapped[Difficulty | None] = mapped_column(enum_column(Difficulty))
    risk: Mapped[Risk | None] = mapped_column(enum_column(Risk), index=True)
    limit_days: Mapped[int | None]
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # The clock (webapp.deadlines.clock): when it started (acceptance, or a reopening) and the
    # moments the sweep acts on; when the sweep should look at the case next is in ``watch``.
    clock_started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalate_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    report_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handle_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    clock_cycle: Mapped[int] = mapped_column(default=0)
    paused_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    watch: Mapped["CaseWatch | None"] = relationship(cascade="all, delete-orphan", passive_deletes=True)  # noqa: F821

    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    next_step: Mapped[NextStep | None] = mapped_column(enum_column(NextStep))
    escalated_to: Mapped[EscalationTarget | None] = mapped_column(enum_column(EscalationTarget))

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Optimistic locking: a change based on a stale version is refused, never silently lost.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    category: Mapped[Category | None] = relationship()
    village: Mapped["Village | None"] = relationship()  # noqa: F821
    group: Mapped["VillagerGroup | None"] = relationship()  # noqa: F821
    assignee: Mapped["User | None"] = relationship(foreign_keys=[assignee_id])  # noqa: F821
    created_by: Mapped["User | None"] = relationship(foreign_keys=[created_by_id])  # noqa: F821
    department: Mapped["Department | None"] = relationship()  # noqa: F821
    parties: Mapped[list["Party"]] = relationship(back_populates="case", order_by="Party.id", cascade="all, delete-orphan")
    events: Mapped[list["CaseEvent"]] = relationship(back_populates="case", order_by="CaseEvent.id")
    tags: Mapped[list["CaseTag"]] = relationship(order_by="CaseTag.id", cascade="all, delete-orphan")
    referrals: Mapped[list["Referral"]] = relationship(back_populates="case", order_by="Referral.id")
    sessions: Mapped[list["MediationSession"]] = relationship(order_by="MediationSession.held_on")
    agreement: Mapped["Agreement | None"] = relationship(uselist=False, back_populates="case")
    attachments: Mapped[list["Attachment"]] = relationship(order_by="Attachment.id")
    follow_ups: Mapped[list["FollowUp"]] = relationship(order_by="FollowUp.due_on")
    key_persons: Mapped[list["KeyPerson"]] = relationship(secondary="case_key_persons", order_by="KeyPerson.id")

    @property
    def open_referral(self) -> "Referral | None":
        for referral in reversed(self.referrals):
            if referral.status in (ReferralStatus.PENDING, ReferralStatus.ACCEPTED):
                return referral
        return None


class CaseTag(TenantOwned, db.Model):
    __tablename__ = "case_tags"
    __table_args__ = (UniqueConstraint("case_id", "kind", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[TagKind] = mapped_column(enum_column(TagKind))
    label: Mapped[str] = mapped_column(String(40))


class Party(TenantOwned, db.Model):
    __tablename__ = "parties"
    __table_args__ = (
        # The likely-duplicate check at intake (webapp/cases/duplicates.py) finds parties by these.
        Index("ix_parties_tenant_id_number_hash", "tenant_id", "id_number_hash"),
        Index("ix_parties_tenant_phone_hash", "tenant_id", "phone_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40), index=True)
    role: Mapped[PartyRole] = mapped_column(enum_column(PartyRole), default=PartyRole.APPLICANT)
    # Encrypted at rest; pages show the masked forms below, never these.
    id_number: Mapped[str | None] = mapped_column(Encrypted())
    phone: Mapped[str | None] = mapped_column(Encrypted())
    address: Mapped[str | None] = mapped_column(Encrypted())
    # Keyed hashes of the normalised ID number and phone (webapp.personal_data.lookup_hash), set
    # whenever the value is; recomputed by ``flask keys rotate`` and ``flask parties rehash``.
    id_number_hash: Mapped[str | None] = mapped_column(String(64))
    phone_hash: Mapped[str | None] = mapped_column(String(64))

    case: Mapped[Case] = relationship(back_populates="parties")

    def masked(self, field: str) -> str:
        return MASKS[field](getattr(self, field))

    @validates("id_number", "phone")
    def _keep_lookup_hash(self, field: str, value: str | None) -> str | None:
        setattr(self, f"{field}_hash", stored_lookup_hash(field, value))
        return value


class CaseRelation(TenantOwned, db.Model):
    """A dispute registered as related to an earlier case of the same party (a likely duplicate
    at intake that the clerk chose to link rather than to ignore). Recorded on the new case;
    both case pages show it."""

    __tablename__ = "case_relations"
    __table_args__ = (
        UniqueConstraint("case_id", "related_case_id"),
        CheckConstraint("case_id <> related_case_id", name="not_itself"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    related_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case] = relationship(foreign_keys=[case_id])
    related_case: Mapped[Case] = relationship(foreign_keys=[related_case_id])


class CaseEvent(TenantOwned, db.Model):
    """One line of a case's timeline. Append-only: nothing about a case changes without one."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[CaseState | None] = mapped_column(enum_column(CaseState))
    to_state: Mapped[CaseState | None] = mapped_column(enum_column(CaseState))
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict | None] = mapped_column(JSON)

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped["User | None"] = relationship()  # noqa: F821


class CaseEventIsAppendOnly(RuntimeError):
    pass


@event.listens_for(CaseEvent, "before_update")
def _refuse_event_update(mapper, connection, target):
    raise CaseEventIsAppendOnly("timeline events cannot be changed")


@event.listens_for(CaseEvent, "before_delete")
def _refuse_event_delete(mapper, connection, target):
    raise CaseEventIsAppendOnly("timeline events cannot be deleted")


class Referral(TenantOwned, db.Model):
    """One round trip to a department (分流), ending in success or a return (回流)."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    status: Mapped[ReferralStatus] = mapped_column(enum_column(ReferralStatus), default=ReferralStatus.PENDING, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    referred_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    referred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result: Mapped[str] = mapped_column(Text, default="")
    return_reason: Mapped[str] = mapped_column(Text, default="")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accept_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    late_flagged: Mapped[bool] = mapped_column(default=False)

    case: Mapped[Case] = relationship(back_populates="referrals")
    department: Mapped["Department"] = relationship()  # noqa: F821
    referred_by: Mapped["User | None"] = relationship(foreign_keys=[referred_by_id])  # noqa: F821
    accepted_by: Mapped["User | None"] = relationship(foreign_keys=[accepted_by_id])  # noqa: F821

    def of_department_of(self, membership) -> bool:
        """Whether ``membership`` is a liaison of the department this referral went to: the
        one who may accept it (when pending) and report on it."""
        return membership is not None and membership.role.value == "liaison" \
            and membership.department_id == self.department_id

    def awaits(self, membership) -> bool:
        """Pending, and ``membership`` is the one who may accept it now."""
        return self.status == ReferralStatus.PENDING and self.of_department_of(membership)


class MediationSession(TenantOwned, db.Model):
    __tablename__ = "mediation_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(80))
    participants: Mapped[str] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Agreement(TenantOwned, db.Model):
    """调解协议: one per case."""

    __tablename__ = "agreements"
    __table_args__ = (UniqueConstraint("case_id"), CheckConstraint("amount IS NULL OR amount >= 0", name="amount_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    perform_by: Mapped[date | None] = mapped_column(Date)
    signed_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="agreement")


class Attachment(TenantOwned, db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FollowUp(TenantOwned, db.Model):
    """回访: scheduled after an agreement, recorded by whoever visits."""

    __tablename__ = "follow_ups"
    __table_args__ = (UniqueConstraint("case_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    carried_out: Mapped[bool | None]
    may_flare_up: Mapped[bool | None]
    notes: Mapped[str] = mapped_column(Text, default="")
    missed_flagged: Mapped[bool] = mapped_column(default=False)

    case: Mapped[Case] = relationship(back_populates="follow_ups")
    done_by: Mapped["User | None"] = relationship()  # noqa: F821


class KeyPerson(TenantOwned, db.Model):
    """重点人员: under control measures, with one responsible person (属地原则, 谁主管谁负责)."""

    __tablename__ = "key_persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))  # e.g. 长期非正常上访, 有极端暴力倾向
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"))
    measures: Mapped[str] = mapped_column(Text, default="")
    responsible: Mapped[str] = mapped_column(String(60), default="")
    id_number: Mapped[str | None] = mapped_column(Encrypted())
    phone: Mapped[str | None] = mapped_column(Encrypted())

    village: Mapped["Village | None"] = relationship()  # noqa: F821

    def masked(self, field: str) -> str:
        return MASKS[field](getattr(self, field))


class CaseKeyPerson(TenantOwned, db.Model):
    __tablename__ = "case_key_persons"
    __table_args__ = (UniqueConstraint("case_id", "key_person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    key_person_id: Mapped[int] = mapped_column(ForeignKey("key_persons.id", ondelete="CASCADE"), index=True)
