"""Villages (村委会/社区) and villager groups (村民小组) of a township."""
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenants.scope import TenantOwned
from webapp.extensions import db


class Village(TenantOwned, db.Model):
    __tablename__ = "villages"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(12), default="village")  # village | community

    groups: Mapped[list["VillagerGroup"]] = relationship(
        back_populates="village", order_by="VillagerGroup.id", cascade="all, delete-orphan"
    )

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
