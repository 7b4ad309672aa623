"""The secret keys: no deployment runs on a public default; the embedded default makes its own
once; DATA_KEY rotates (old keys still decrypt, ``flask keys rotate`` re-encrypts)."""
import stat

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Text, select, type_coerce

from tenants.scope import all_tenants, tenant_scope
from tests import factories
from webapp import create_app
from webapp.cases.models import Party
from webapp.config import Config, TestConfig
from webapp.keys import MissingKeys, derived_data_key, encrypted_columns, new_data_key
from webapp.pay.models import RosterEntry

SOME_DATA_KEY = Fernet.generate_key().decode()


@pytest.mark.parametrize("keys", [
    {"SECRET_KEY": None, "DATA_KEY": ""},
    {"SECRET_KEY": "a-long-secret-of-the-deployment", "DATA_KEY": ""},
    {"SECRET_KEY": None, "DATA_KEY": SOME_DATA_KEY},
], ids=["neither", "no-data-key", "no-secret-key"])
def test_a_deployment_on_its_own_database_refuses_to_start_without_both_keys(keys):
    with pytest.raises(MissingKeys) as refused:
        create_app(Config, EMBEDDED=False, SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none",
                   **keys)
    message = str(refused.value)
    assert "python -c" in message and "secrets" in message
    first_line = message.splitlines()[0]
    for name, value in keys.items():
        assert (name in first_line) == (not value)


def test_a_data_key_that_is_not_a_key_is_refused():
    with pytest.raises(MissingKeys, match="not a Fernet key"):
        create_app(Config, EMBEDDED=False, SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none",
                   SECRET_KEY="a-long-secret-of-the-deployment", DATA_KEY=f"{SOME_DATA_KEY},dev-key")


def _embedded_keys(instance, monkeypatch):
    """The keys of an app started as ``make run`` starts it, with ``instance`` for its instance/."""
    monkeypatch.setattr("webapp.INSTANCE", instance)
    app = create_app(Config, EMBEDDED=True, SECRET_KEY=None, DATA_KEY="", REDIS_URL="redis://127.0.0.1:1/0",
                     RATELIMIT_STORAGE_URI="memory://",
                     SQLALCHEMY_DATABASE_URI=f"sqlite:///{instance / 'tiaojie.db'}")
    return [app.config["SECRET_KEY"], app.config["DATA_KEY"]]


def test_the_embedded_default_makes_random_keys_once_and_keeps_them_private(tmp_path, monkeypatch):
    first = _embedded_keys(tmp_path / "instance", monkeypatch)
    kept = tmp_path / "instance" / "keys.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert _embedded_keys(tmp_path / "instance", monkeypatch) == first
    assert _embedded_keys(tmp_path / "other", monkeypatch) != first
    secret, data = first
    assert len(secret) >= 40 and "," not in data and data != derived_data_key("dev-only-secret-change-me")

    # An instance that already holds data written under the old public default keeps reading it.
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "tiaojie.db").touch()
    _, data = _embedded_keys(tmp_path / "old", monkeypatch)
    newest, old = data.split(",")
    assert old == derived_data_key("dev-only-secret-change-me") and newest != old


# -- rotation -----------------------------------------------------------------------------------


def _tokens(db):
    """Every stored encrypted field, as stored."""
    found = []
    with all_tenants():
        for table, names in encrypted_columns():
            for name in names:
                found += [t for t in db.session.scalars(select(type_coerce(table.c[name], Text))) if t]
    return found


def test_rotation_re_encrypts_every_township_with_the_newest_key_and_is_idempotent(app, db, runner, tenant,
                                                                                   other_tenant, monkeypatch):
    for township in (tenant, other_tenant):
        factories.case(township)
        factories.roster_entry(township)
    db.session.commit()
    old, new = TestConfig.DATA_KEY, new_data_key()
    stored = _tokens(db)
    assert len(stored) >= 8 and all(Fernet(old).decrypt(t.encode()) for t in stored)

    # The new key first, the old one after it: everything still reads, new writes use the new key.
    monkeypatch.setitem(app.config, "DATA_KEY", f"{new},{old}")
    db.session.expire_all()
    with tenant_scope(tenant.id):
        assert db.session.scalar(select(Party.phone)) == "13812345678"

    result = runner.invoke(args=["keys", "rotate", "--batch", "1"])
    assert result.exit_code == 0, result.output
    assert "parties: 2 rows re-encrypted" in result.output
    assert "roster_entries: 2 rows re-encrypted" in result.output
    rotated = _tokens(db)
    assert len(rotated) == len(stored) and not set(rotated) & set(stored)
    for token in rotated:
        Fernet(new).decrypt(token.encode())
        with pytest.raises(InvalidToken):
            Fernet(old).decrypt(token.encode())

    again = runner.invoke(args=["keys", "rotate"])
    assert again.exit_code == 0 and "parties: 0 rows" in again.output and "roster_entries: 0 rows" in again.output
    assert _tokens(db) == rotated

    # The old key dropped: every value reads as it was written, in both townships.
    monkeypatch.setitem(app.config, "DATA_KEY", new)
    db.session.expire_all()
    for township in (tenant, other_tenant):
        with tenant_scope(township.id):
            party = db.session.scalar(select(Party))
            assert (party.phone, party.id_number, party.address) == (
                "13812345678", "53052219900101123X", "芒棒镇赵营村三组12号")
            assert db.session.scalar(select(RosterEntry.phone)) == "13912345678"
