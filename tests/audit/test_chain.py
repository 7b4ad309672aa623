"""The audit chain: every entry hashed over its content and its predecessor, `flask audit
verify` finds the first that was changed or removed, on both databases; the retention holds."""
import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, delete, select, text, update

from webapp import audit
from webapp.audit import ALGORITHM, AuditEvent, AuditLogIsAppendOnly
from webapp.auditlog.archive import archive_due, key_of, read_archive
from webapp.extensions import db as _db
from webapp.storage import get_storage


def _verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def _owner_execute(app, services, statement, params):
    """Change a row as someone with the database's keys would: the owner on PostgreSQL (the
    app role may not UPDATE audit rows), the file itself on SQLite."""
    if services.owner_url is None:
        _db.session.execute(text(statement), params)
        _db.session.commit()
        return
    engine = create_engine(services.owner_url)
    with engine.begin() as conn:
        conn.execute(text(statement), params)
    engine.dispose()


@pytest.fixture
def committed(app, services):
    """Entries committed for real (the CLI reads them in its own transaction), removed after."""
    with app.app_context():
        first = [audit.record(f"test.chain{i}", username="chain.test", detail={"case": f"X{i}"}) for i in range(3)]
        _db.session.commit()
        ids = [entry.id for entry in first]
        yield ids


def test_each_entry_names_its_algorithm_and_follows_the_one_before(db):
    one = audit.record("test.one", username="a")
    two = audit.record("test.two", username="b")
    db.session.flush()
    assert one.algorithm == two.algorithm == ALGORITHM
    assert ALGORITHM == "hmac-sm3"  # this Python's OpenSSL has SM3
    assert two.prev_hash == one.entry_hash and len(two.entry_hash) == 64
    assert audit.verify_database() >= 2


def test_verify_fails_at_the_changed_entry_on_either_database(app, services, committed):
    assert _verify(app).exit_code == 0
    target = committed[1]
    try:
        _owner_execute(app, services, "UPDATE audit_events SET username = 'someone.else' WHERE id = :id",
                       {"id": target})
        result = _verify(app)
        assert result.exit_code == 1
        assert f"entry {target}" in result.output
    finally:
        _owner_execute(app, services, "UPDATE audit_events SET username = 'chain.test' WHERE id = :id",
                       {"id": target})
    assert _verify(app).exit_code == 0


def test_the_orm_refuses_to_change_or_delete_an_entry(db):
    entry = audit.record("test.one", username="a")
    db.session.flush()
    entry.username = "b"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()


def test_the_database_refuses_to_delete_an_entry_younger_than_180_days(app, db, services):
    audit.record("test.young", username="a")
    db.session.flush()
    with pytest.raises(Exception):
        if services.owner_url is None:
            db.session.execute(delete(AuditEvent).where(AuditEvent.event == "test.young"))
        else:  # even the owner, who may delete, is refused by the trigger
            engine = create_engine(services.owner_url)
            try:
                with engine.begin() as conn:
                    conn.execute(text("INSERT INTO audit_events (at, event, success) VALUES (now(), 'test.young', true)"))
                    conn.execute(text("DELETE FROM audit_events WHERE event = 'test.young'"))
            finally:
                engine.dispose()


def test_old_months_move_to_a_signed_archive_once(app, db, storage_dir):
    now = datetime.now(timezone.utc)
    old = datetime(now.year - 1, now.month, 10, tzinfo=timezone.utc) - timedelta(days=70)
    entries = []
    for hour in range(3):
        entries.append(audit.record("test.old", username="archived", at=old + timedelta(hours=hour)))
    db.session.flush()
    ids = [entry.id for entry in entries]
    written = archive_due(now)
    month = datetime(old.year, old.month, 1, tzinfo=timezone.utc)
    assert key_of(month) in written
    data = get_storage().get(key_of(month))
    archived = read_archive(data)
    assert [entry["id"] for entry in archived if entry["event"] == "test.old"] == ids
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.id.in_(ids))).all() == []
    assert archive_due(now) == []  # again: nothing more to move
    path = storage_dir / key_of(month)
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--archive", str(path)])
    assert result.exit_code == 0, result.output
    lines = path.read_text().splitlines()
    changed = json.loads(lines[0])
    changed["username"] = "forged"
    path.write_text("\n".join([json.dumps(changed), *lines[1:]]) + "\n")
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--archive", str(path)])
    assert result.exit_code == 1 and "signature" in result.output


def test_concurrent_writers_do_not_fork_the_chain(app, services):
    """Two transactions writing at once: the second waits for the head row the first locked
    (PostgreSQL), so each entry follows exactly one other."""
    import threading

    errors = []

    def write(n):
        try:
            with app.app_context():
                for i in range(10):
                    audit.record("test.concurrent", username=f"writer{n}", detail={"i": i})
                    _db.session.commit()
        except Exception as error:  # reported below: a thread's failure must fail the test
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _verify(app).exit_code == 0
    with app.app_context():
        hashes = _db.session.scalars(select(AuditEvent.prev_hash).where(AuditEvent.event == "test.concurrent")).all()
        assert len(hashes) == len(set(hashes)) == 20
