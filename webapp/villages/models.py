"""Villages (村委会/社区) and villager groups (村民小组) of a township; the councils (理事会)
of the groups and of the relocation sites (易地搬迁点), and what links a case to them."""
import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from tenants.scope import TenantOwned
from webapp.extensions import db
from webapp.personal_data import mask_phone, Encrypted
from webapp.types import UTCDateTime, enum_column, utcnow


class Village(TenantOwned, db.Model):
    __tablename__ = "villages"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(12), default="village")  # village | community
    # The stability officer who answers for the village (属地): they see its cases as their own
    # (webapp.cases.access.own_cases). Set by the director on the village's page.
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    groups: Mapped[list["VillagerGroup"]] = relationship(
        back_populates="village", order_by="VillagerGroup.id", cascade="all, delete-orphan"
    )
    officer: Mapped["User | None"] = relationship()  # noqa: F821

    @property
    def households(self) -> int:
        return sum(g.households for g in self.groups)


class VillagerGroup(TenantOwned, db.Model):
    __tablename__ = "villager_groups"
    __table_args__ = (
        UniqueConstraint("village_id", "name"),
        CheckConstraint("households >= 0", name="households_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    households: Mapped[int] = mapped_column(default=0)

    village: Mapped[Village] = relationship(back_populates="groups")
    council: Mapped["Council | None"] = relationship(back_populates="group", uselist=False)


# -- relocation projects (易地扶贫搬迁点) ---------------------------------------------------------


class Phase(str, enum.Enum):
    """The five key phases a site's council takes part in, in their order."""

    SITE_SELECTION = "site_selection"      # 项目选址
    PLANNING = "planning"                  # 规划设计
    CONSTRUCTION = "construction"          # 施工管理
    QUALITY = "quality"                    # 质量监督
    ACCEPTANCE = "acceptance"              # 竣工验收


class PhaseStatus(str, enum.Enum):
    NOT_STARTED = "not_started"  # 未开始
    IN_PROGRESS = "in_progress"  # 进行中
    DONE = "done"                # 已完成


class RelocationProject(TenantOwned, db.Model):
    __tablename__ = "relocation_projects"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        CheckConstraint("households >= 0", name="households_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    households: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    village: Mapped[Village] = relationship()
    phases: Mapped[list["ProjectPhase"]] = relationship(
        back_populates="project", order_by="ProjectPhase.position", cascade="all, delete-orphan")
    council: Mapped["Council | None"] = relationship(back_populates="project", uselist=False)


class ProjectPhase(TenantOwned, db.Model):
    __tablename__ = "project_phases"
    __table_args__ = (UniqueConstraint("project_id", "phase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("relocation_projects.id", ondelete="CASCADE"), index=True)
    phase: Mapped[Phase] = mapped_column(enum_column(Phase))
    position: Mapped[int] = mapped_column(default=0)
    status: Mapped[PhaseStatus] = mapped_column(enum_column(PhaseStatus), default=PhaseStatus.NOT_STARTED)
    notes: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    project: Mapped[RelocationProject] = relationship(back_populates="phases")
    updated_by: Mapped["User | None"] = relationship()  # noqa: F821


# -- councils (理事会) -------------------------------------------------------------------------


class CouncilStatus(str, enum.Enum):
    FORMING = "forming"  # 组建中: members are being added; the size rule is checked on confirming
    ACTIVE = "active"    # 已组建: the size rule holds, and keeps holding


class CouncilRole(str, enum.Enum):
    CHAIR = "chair"            # 理事长
    VICE_CHAIR = "vice_chair"  # 副理事长
    MEMBER = "member"          # 理事


class Council(TenantOwned, db.Model):
    """The council of one villager group, or of one relocation site."""

    __tablename__ = "councils"
    __table_args__ = (
        UniqueConstraint("group_id"),
        UniqueConstraint("project_id"),
        CheckConstraint("(group_id IS NULL) <> (project_id IS NULL)", name="group_or_project"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("villager_groups.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("relocation_projects.id", ondelete="CASCADE"))
    status: Mapped[CouncilStatus] = mapped_column(enum_column(CouncilStatus), default=CouncilStatus.FORMING)
    formed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    group: Mapped[VillagerGroup | None] = relationship(back_populates="council")
    project: Mapped[RelocationProject | None] = relationship(back_populates="council")
    members: Mapped[list["CouncilMember"]] = relationship(
        back_populates="council", order_by="CouncilMember.id", cascade="all, delete-orphan")

    @property
    def households(self) -> int:
        return self.group.households if self.group is not None else self.project.households

    @property
    def village(self) -> Village:
        return self.group.village if self.group is not None else self.project.village

    @property
    def name(self) -> str:
        """What people call it: the group's or the site's name (the word 理事会 is the page's)."""
        if self.group is not None:
            return f"{self.group.village.name}{self.group.name}"
        return self.project.name

    @property
    def active(self) -> bool:
        return self.status == CouncilStatus.ACTIVE


class CouncilMember(TenantOwned, db.Model):
    __tablename__ = "council_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    role: Mapped[CouncilRole] = mapped_column(enum_column(CouncilRole), default=CouncilRole.MEMBER)
    # Encrypted at rest and shown masked, like the parties' phones.
    phone: Mapped[str | None] = mapped_column(Encrypted())
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    council: Mapped[Council] = relationship(back_populates="members")

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


# -- cases and the councils and sites they concern --------------------------------------------


class CaseLink(TenantOwned, db.Model):
    """Which council reported a case (来源: 理事会上报), which council handles it (a group-level
    case: 小纠纷不出组), and which relocation site it arose at. One row per case, kept
    beside the cases table so the case workflow is untouched."""

    __tablename__ = "case_links"
    __table_args__ = (UniqueConstraint("case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    reporting_council_id: Mapped[int | None] = mapped_column(ForeignKey("councils.id"), index=True)
    handling_council_id: Mapped[int | None] = mapped_column(ForeignKey("councils.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("relocation_projects.id"), index=True)

    case: Mapped["Case"] = relationship(  # noqa: F821
        backref=backref("link", uselist=False, passive_deletes=True))
    reporting_council: Mapped[Council | None] = relationship(foreign_keys=[reporting_council_id])
    handling_council: Mapped[Council | None] = relationship(foreign_keys=[handling_council_id])
    project: Mapped[RelocationProject | None] = relationship()

    @property
    def empty(self) -> bool:
        return not (self.reporting_council_id or self.handling_council_id or self.project_id)
