"""The monthly summary of the figures (``webapp.figures.summary``): per township and Beijing
month, the time-independent counts of the cases accepted in that month and of the follow-up
visits due in it, and per township the moment up to which every change is in the summary."""
from datetime import date, datetime

from sqlalchemy import JSON, Date, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenants.scope import TenantOwned
from webapp.extensions import db
from webapp.types import UTCDateTime


class FigureMonth(TenantOwned, db.Model):
    __tablename__ = "figure_months"
    __table_args__ = (UniqueConstraint("tenant_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date)         # the first day of the month
    counts: Mapped[dict] = mapped_column(JSON)        # {"cases": {…}, "categories": {…}, "visits": {…}?}
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FigureMark(TenantOwned, db.Model):
    __tablename__ = "figure_marks"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    through: Mapped[datetime] = mapped_column(UTCDateTime())  # the summary holds every change before this
