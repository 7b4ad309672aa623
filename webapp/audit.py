"""The append-only audit log: sign-ins and their failures, lockouts, reveals of personal data,
downloads, exports and administrative actions — and the chain that makes it tamper-evident.

Rows are only ever added. The ORM refuses to update or delete them, and on PostgreSQL the
app's database role has no UPDATE or DELETE privilege on the table (``tenants.rls``). Nothing
deletes an entry younger than 180 days: a database trigger refuses it on both databases, and
only the monthly archive (``webapp.auditlog.archive``) moves older entries out.

**The chain.** Each entry carries a keyed hash (HMAC) over its content and the previous
entry's hash, and names the algorithm (``hmac-sm3`` where this Python's OpenSSL has SM3, else
``hmac-sha256``) and the key (``key_id``). One chain for the whole database, not one per
township: sign-ins, lockouts and the county's own actions belong to no township, and one chain
means that no entry can be dropped from between two others, whatever township either is in.
Writers take the chain's head row ``FOR UPDATE`` (PostgreSQL; SQLite serializes writers
anyway), so two transactions never hang two entries on the same predecessor; the lock is held
until the transaction ends, which is short for every request that writes an audit entry.
"""
import hashlib
import hmac
import json
from datetime import datetime, timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import JSON, ForeignKey, String, event, select
from sqlalchemy.orm import Mapped, mapped_column
from flask_sqlalchemy.session import Session

from webapp.extensions import db
from webapp.keys import audit_keys
from webapp.types import UTCDateTime, utcnow

# The shortest time an entry is kept (等保2.0: six months); the database triggers say the same.
KEEP = timedelta(days=180)


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
    # the chain (none on entries written before it existed)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    entry_hash: Mapped[str | None] = mapped_column(String(64))
    algorithm: Mapped[str | None] = mapped_column(String(16))
    key_id: Mapped[str | None] = mapped_column(String(16))


class AuditChain(db.Model):
    """The head of the chain: one row, locked by each writer until its transaction ends."""

    __tablename__ = "audit_chain"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_id: Mapped[int | None]
    last_hash: Mapped[str] = mapped_column(String(64), default="")


class AuditLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_changes(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent):
            raise AuditLogIsAppendOnly("audit events cannot be changed or deleted")


# -- the keyed hash ----------------------------------------------------------------------------


def _sm3_available() -> bool:
    try:
        hashlib.new("sm3")
        return True
    except ValueError:
        return False


ALGORITHMS = {"hmac-sm3": lambda data=b"": hashlib.new("sm3", data), "hmac-sha256": hashlib.sha256}
ALGORITHM = "hmac-sm3" if _sm3_available() else "hmac-sha256"


def content(entry) -> bytes:
    """What an entry's hash covers, in one canonical form: every column but the id (the chain
    orders the entries) and the hash itself. ``entry`` is an AuditEvent or a dict of its columns."""
    get = entry.get if isinstance(entry, dict) else (lambda name: getattr(entry, name))
    at = get("at")
    if isinstance(at, datetime):
        at = at.isoformat()
    fields = {"at": at, "user_id": get("user_id"), "username": get("username"), "tenant_id": get("tenant_id"),
              "event": get("event"), "success": bool(get("success")), "ip": get("ip"),
              "detail": get("detail"), "prev_hash": get("prev_hash") or "", "algorithm": get("algorithm"),
              "key_id": get("key_id")}
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(entry, key: bytes) -> str:
    algorithm = entry.get("algorithm") if isinstance(entry, dict) else entry.algorithm
    return hmac.new(key, content(entry), ALGORITHMS[algorithm]).hexdigest()


def _link(entry: AuditEvent) -> None:
    """Hang ``entry`` on the chain: lock the head, hash, move the head."""
    key_id, key = audit_keys(current_app.config)[0]
    head = db.session.execute(select(AuditChain).where(AuditChain.id == 1).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one_or_none()
    if head is None:  # a database made without the migrations (create_all)
        head = AuditChain(id=1, last_hash="")
        db.session.add(head)
    entry.at = entry.at or utcnow()
    entry.prev_hash, entry.algorithm, entry.key_id = head.last_hash, ALGORITHM, key_id
    entry.entry_hash = entry_hash(entry, key)
    head.last_hash = entry.entry_hash


def record(event: str, *, user=None, username: str | None = None, tenant=None, success: bool = True,
           detail: dict | None = None, at: datetime | None = None) -> AuditEvent:
    """Add one audit row to the current transaction; the caller's commit writes it. ``at``: now,
    unless an import of older records says when they happened."""
    entry = AuditEvent(
        at=at,
        event=event,
        user_id=getattr(user, "id", None),
        username=username or getattr(user, "username", None),
        tenant_id=getattr(tenant, "id", None),
        success=success,
        ip=request.remote_addr if has_request_context() else None,
        detail=detail,
    )
    _link(entry)
    db.session.add(entry)
    return entry


# -- verifying ---------------------------------------------------------------------------------


class Mismatch(Exception):
    """The first entry whose hash or link does not match."""

    def __init__(self, entry_id, reason: str):
        super().__init__(f"entry {entry_id}: {reason}")
        self.entry_id = entry_id
        self.reason = reason


def verify_entries(entries, keys: dict[str, bytes], previous: str | None = None) -> int:
    """Walk ``entries`` (dicts of columns, in id order) and raise ``Mismatch`` at the first that
    does not match its hash or its predecessor. ``previous``: the hash the first must follow
    (None: whatever it names, as after an archived month). Returns how many were checked."""
    checked = 0
    for entry in entries:
        if entry.get("entry_hash") is None:
            if checked:
                raise Mismatch(entry["id"], "has no hash, after entries that have one")
            continue  # written before the chain began
        key = keys.get(entry.get("key_id"))
        if key is None:
            raise Mismatch(entry["id"], f"made with key {entry.get('key_id')!r}, which is not configured")
        if entry.get("algorithm") not in ALGORITHMS:
            raise Mismatch(entry["id"], f"algorithm {entry.get('algorithm')!r} is not available here")
        if previous is not None and (entry.get("prev_hash") or "") != previous:
            raise Mismatch(entry["id"], "does not follow the entry before it (an entry was removed or changed)")
        if not hmac.compare_digest(entry_hash(entry, key), entry["entry_hash"]):
            raise Mismatch(entry["id"], "its content does not match its hash (changed after it was written)")
        previous = entry["entry_hash"]
        checked += 1
    return checked


COLUMNS = ("id", "at", "user_id", "username", "tenant_id", "event", "success", "ip", "detail",
           "prev_hash", "entry_hash", "algorithm", "key_id")


def as_dict(entry: AuditEvent) -> dict:
    row = {name: getattr(entry, name) for name in COLUMNS}
    row["at"] = entry.at.isoformat()
    return row


def verify_database(batch: int = 2000) -> int:
    """Check the whole chain in the database, oldest first, and that the head names its last
    entry. Raises ``Mismatch``; returns how many entries were checked."""
    keys = dict(audit_keys(current_app.config))
    checked, previous, last = 0, None, 0
    while True:
        rows = db.session.execute(select(AuditEvent).where(AuditEvent.id > last)
                                  .order_by(AuditEvent.id).limit(batch)
                                  .execution_options(populate_existing=True)).scalars().all()
        if not rows:
            break
        checked += verify_entries([as_dict(row) for row in rows], keys, previous)
        chained = [row.entry_hash for row in rows if row.entry_hash]
        previous = chained[-1] if chained else previous
        last = rows[-1].id
    head = db.session.get(AuditChain, 1, populate_existing=True)
    if head is not None and previous is not None and head.last_hash != previous:
        raise Mismatch(last, "is not the last entry the chain recorded (entries after it were removed)")
    return checked
