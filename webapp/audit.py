"""The append-only audit log: logins, logouts, lockouts, reveals of personal data, downloads.

Rows are only ever added. The ORM refuses to update or delete them, and on PostgreSQL the
app's database role has no UPDATE or DELETE privilege on the table (``tenants.rls``).
"""
from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import JSON, ForeignKey, String, event
from sqlalchemy.orm import Mapped, mapped_column
from flask_sqlalchemy.session import Session

from webapp.extensions import db
from webapp.types import UTCDateTime, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Kept as typed, so failures for unknown names are visible too.
    username: Mapped[str | None] = mapped_column(String(64))
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"), index=True)
    event: Mapped[str] = mapped_column(String(40), index=True)
    success: Mapped[bool] = mapped_column(default=True)
    ip: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict | None] = mapped_column(JSON)


class AuditLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_changes(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent):
            raise AuditLogIsAppendOnly("audit events cannot be changed or deleted")


def record(event: str, *, user=None, username: str | None = None, tenant=None, success: bool = True,
           detail: dict | None = None) -> AuditEvent:
    """Add one audit row to the current transaction; the caller's commit writes it."""
    entry = AuditEvent(
        event=event,
        user_id=getattr(user, "id", None),
        username=username or getattr(user, "username", None),
        tenant_id=getattr(tenant, "id", None),
        success=success,
        ip=request.remote_addr if has_request_context() else None,
        detail=detail,
    )
    db.session.add(entry)
    return entry
