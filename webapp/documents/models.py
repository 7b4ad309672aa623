"""Rendered documents: one row per version of one kind of document about one subject.

A ready document never changes: rendering again makes a new version, and every version is
kept. The database holds that too: versions are unique per township, kind and subject, a
ready row must carry its storage key, checksum and size, and a trigger refuses any UPDATE
or DELETE of a ready row (migration ``c6f1a2b3c4d5``).
"""
import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, event, func, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenants.scope import TenantOwned
from webapp.extensions import db
from webapp.types import UTCDateTime, utcnow


class DocumentStatus(str, enum.Enum):
    PENDING = "pending"  # requested, waiting for the worker
    READY = "ready"      # rendered and stored; final
    FAILED = "failed"    # the worker could not render it; ``error`` says why


class Failure:
    """Why a render failed, when the reason is one the system itself can remedy (``Document.failure``)."""

    NO_CJK_FONT = "no_cjk_font"  # no Chinese font on the server: rendered again once one is installed


class Kind:
    """The kinds this package renders; other packages register their own (builders.register)."""

    CASE_FILE = "case_file"      # 卷宗
    AGREEMENT = "agreement"      # 调解协议书
    INTAKE_FORM = "intake_form"  # 受理登记表
    ARCHIVE_ZIP = "archive_zip"  # the county's ZIP of a township's archived case files


class Document(TenantOwned, db.Model):
    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint("version > 0", name="version_positive"),
        CheckConstraint("status IN ('pending', 'ready', 'failed')", name="status_known"),
        CheckConstraint("status <> 'ready' OR (storage_key IS NOT NULL AND sha256 IS NOT NULL AND size IS NOT NULL)",
                        name="ready_is_stored"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    subject_id: Mapped[int | None]
    version: Mapped[int]
    status: Mapped[DocumentStatus] = mapped_column(
        db.Enum(DocumentStatus, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e]),
        default=DocumentStatus.PENDING, index=True)
    masked: Mapped[bool] = mapped_column(default=False)
    title: Mapped[str] = mapped_column(String(200), default="")
    params: Mapped[dict | None] = mapped_column(JSON)
    storage_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None]
    pages: Mapped[int | None]
    progress: Mapped[int | None]
    total: Mapped[int | None]
    error: Mapped[str] = mapped_column(Text, default="")
    failure: Mapped[str | None] = mapped_column(String(30), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    case: Mapped["Case | None"] = relationship()  # noqa: F821
    requested_by: Mapped["User | None"] = relationship()  # noqa: F821

    @property
    def pending(self) -> bool:
        return self.status == DocumentStatus.PENDING

    @property
    def ready(self) -> bool:
        return self.status == DocumentStatus.READY

    @property
    def failed(self) -> bool:
        return self.status == DocumentStatus.FAILED

    @property
    def waits_for_font(self) -> bool:
        return self.failed and self.failure == Failure.NO_CJK_FONT

    @property
    def extension(self) -> str:
        return "zip" if self.kind == Kind.ARCHIVE_ZIP else "pdf"


# Versions are unique per township, kind and subject. NULL subjects (a township's ZIPs) would
# all be distinct in a plain unique constraint: they count as 0 here.
Index("uq_documents_version", Document.tenant_id, Document.kind, func.coalesce(Document.subject_id, 0),
      Document.version, unique=True)


class DocumentIsFinal(RuntimeError):
    """A ready document was about to change or disappear."""


def _was_ready(target) -> bool:
    history = inspect(target).attrs.status.history
    before = history.deleted[0] if history.deleted else target.status
    return before == DocumentStatus.READY


@event.listens_for(Document, "before_update")
def _refuse_update_of_ready(mapper, connection, target):
    if _was_ready(target):
        raise DocumentIsFinal("a ready document never changes: render a new version")


@event.listens_for(Document, "before_delete")
def _refuse_delete_of_ready(mapper, connection, target):
    if _was_ready(target):
        raise DocumentIsFinal("a ready document is kept")
