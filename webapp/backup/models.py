"""What each backup run did: the operations view, /healthz and the county admin's warning
read it. The county's, not a township's: no tenant owns these rows."""
from datetime import datetime

from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.types import UTCDateTime, utcnow

RUNNING, OK, FAILED = "running", "ok", "failed"


class BackupRun(db.Model):
    __tablename__ = "backup_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "nightly-2026-12-05" (Beijing date): one nightly run per day, however often the job runs.
    key: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=RUNNING, index=True)
    attempts: Mapped[int] = mapped_column(default=1)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    name: Mapped[str | None] = mapped_column(String(80))
    size: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str] = mapped_column(Text, default="")
