"""The control log of a key person (重点人员): each visit, who went, what was done, and when
the next visit is due. The latest visit's due day is the person's; the sweep reminds of it and
flags it when missed (``webapp.deadlines.duties``)."""
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenants.scope import TenantOwned
from webapp.extensions import db
from webapp.types import UTCDateTime, utcnow


class KeyPersonVisit(TenantOwned, db.Model):
    __tablename__ = "key_person_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_person_id: Mapped[int] = mapped_column(ForeignKey("key_persons.id", ondelete="CASCADE"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    visitors: Mapped[str] = mapped_column(String(80))
    done: Mapped[str] = mapped_column(Text)
    next_due_on: Mapped[date | None] = mapped_column(Date, index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    recorded_by: Mapped["User | None"] = relationship()  # noqa: F821
