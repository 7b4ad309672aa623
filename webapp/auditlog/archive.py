"""Entries past the retention move, a month at a time, to a signed archive file.

An entry is kept in the database at least ``AUDIT_KEEP_DAYS`` (never less than 180 days:
``webapp.audit.KEEP``, and a database trigger refuses the deletion of a younger one on any
path). A month whose last moment is past the retention is written whole to
``audit/YYYY-MM.jsonl`` through ``webapp.storage``: one JSON line per entry with its chain
columns, and a last line that signs the file (an HMAC with the audit key over every line before
it). Only once that file is stored and reads back right are the month's rows deleted. Run again,
after a crash between the two, it finds the file, checks that it holds the same entries, and
deletes them then: nothing is archived twice or lost.
"""
import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import delete, func, select, text

from webapp.audit import KEEP, AuditEvent, Mismatch, as_dict, verify_entries
from webapp.extensions import db
from webapp.keys import audit_keys
from webapp.storage import get_storage
from webapp.types import utcnow

SIGNATURE = "signature"


def keep_for() -> timedelta:
    return max(timedelta(days=current_app.config.get("AUDIT_KEEP_DAYS", 180)), KEEP)


def _month_start(moment: datetime) -> datetime:
    return datetime(moment.year, moment.month, 1, tzinfo=timezone.utc)


def _next_month(start: datetime) -> datetime:
    return datetime(start.year + start.month // 12, start.month % 12 + 1, 1, tzinfo=timezone.utc)


def key_of(month: datetime) -> str:
    return f"audit/{month:%Y-%m}.jsonl"


def _sign(lines: list[str]) -> dict:
    key_id, key = audit_keys(current_app.config)[0]
    digest = hmac.new(key, "\n".join(lines).encode(), hashlib.sha256).hexdigest()
    return {SIGNATURE: digest, "algorithm": "hmac-sha256", "key_id": key_id, "entries": len(lines)}


def file_content(entries: list[dict]) -> bytes:
    lines = [json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":")) for entry in entries]
    return ("\n".join([*lines, json.dumps(_sign(lines), sort_keys=True)]) + "\n").encode()


def read_archive(data: bytes) -> list[dict]:
    """The entries of an archive file, after checking its signature and its chain; raises
    ``Mismatch`` naming the first entry (or the signature) that does not match."""
    lines = data.decode().rstrip("\n").split("\n")
    if not lines or SIGNATURE not in lines[-1]:
        raise Mismatch("signature", "the file has no signature line")
    signature, lines = json.loads(lines[-1]), lines[:-1]
    keys = dict(audit_keys(current_app.config))
    key = keys.get(signature.get("key_id"))
    if key is None:
        raise Mismatch("signature", f"made with key {signature.get('key_id')!r}, which is not configured")
    expected = hmac.new(key, "\n".join(lines).encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature[SIGNATURE]) or signature.get("entries") != len(lines):
        raise Mismatch("signature", "the file's lines do not match its signature (changed after it was written)")
    entries = [json.loads(line) for line in lines]
    verify_entries(entries, keys)
    return entries


def archive_due(now: datetime | None = None) -> list[str]:
    """Archive every whole month past the retention, oldest first; returns the files written or
    completed. Idempotent: a month already archived has no rows left to move."""
    cutoff = (now or utcnow()) - keep_for()
    done = []
    while True:
        oldest = db.session.scalar(select(func.min(AuditEvent.at)))
        if oldest is None:
            break
        month = _month_start(oldest)
        end = _next_month(month)
        if end > cutoff:
            break
        done.append(archive_month(month, end))
    return done


def archive_month(month: datetime, end: datetime) -> str:
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.at >= month, AuditEvent.at < end)
                              .order_by(AuditEvent.id)).all()
    entries = [as_dict(row) for row in rows]
    storage, key = get_storage(), key_of(month)
    if storage.exists(key):
        kept = read_archive(storage.get(key))
        ids = {entry["id"] for entry in kept}
        if not {entry["id"] for entry in entries} <= ids:
            # rows of the month that an earlier run did not see: write the month anew with all
            missing = [entry for entry in entries if entry["id"] not in ids]
            kept = sorted(kept + missing, key=lambda entry: entry["id"])
            storage.put(key, file_content(kept))
    else:
        storage.put(key, file_content(entries))
    read_archive(storage.get(key))  # reads back right before anything is deleted
    if rows:
        _delete_archived(max(row.id for row in rows), end)
    db.session.commit()
    return key


def _delete_archived(upto: int, before: datetime) -> None:
    """Delete the archived rows. On PostgreSQL the app role may not DELETE audit rows: a function
    owned by the table's owner does it (and the trigger still refuses anything younger than 180
    days). The ORM refuses deleting audit rows, so this is Core, and the only delete there is."""
    db.session.expunge_all()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT audit_delete_archived(:upto, :before)"), {"upto": upto, "before": before})
    else:
        db.session.execute(delete(AuditEvent).where(AuditEvent.id <= upto, AuditEvent.at < before))
