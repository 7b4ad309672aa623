"""The two secret keys: ``SECRET_KEY`` signs the session cookie and CSRF tokens, ``DATA_KEY``
encrypts personal data at rest (webapp/personal_data.py).

The embedded default (no ``DATABASE_URL``, as ``make run``) makes random ones the first time
and keeps them in ``instance/keys.json`` (mode 0600). Any other deployment must set both
and refuses to start without them: there is no public default to fall back on.

``DATA_KEY`` may hold several keys, comma-separated, newest first: the newest encrypts, all
of them decrypt, and ``flask keys rotate`` re-encrypts every stored field with the newest,
after which the older ones can be dropped.
"""
import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
from pathlib import Path

import click
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import Text, select, type_coerce

from tenants.scope import all_tenants
from webapp.extensions import db

log = logging.getLogger(__name__)

NAMES = ("SECRET_KEY", "DATA_KEY")
HOW = (
    "Make them once and keep them with the deployment's other secrets:\n"
    "  python -c 'import base64, secrets; print(\"SECRET_KEY=\" + secrets.token_urlsafe(48)); "
    "print(\"DATA_KEY=\" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())'\n"
    "(or `flask --app webapp keys generate` where the app already runs). Losing DATA_KEY loses the "
    "personal data it encrypts."
)
# Before keys were required, an instance without DATA_KEY encrypted with a key derived from
# SECRET_KEY, and without SECRET_KEY from this public default.
_OLD_DEFAULT_SECRET = "dev-only-secret-change-me"


class MissingKeys(RuntimeError):
    """SECRET_KEY or DATA_KEY is not set outside the embedded default: the app refuses to start."""


def new_secret_key() -> str:
    return secrets.token_urlsafe(48)


def new_data_key() -> str:
    return Fernet.generate_key().decode()


def derived_data_key(secret_key: str) -> str:
    """The key an instance without DATA_KEY used (derived from its SECRET_KEY)."""
    digest = hashlib.sha256(("tiaojie-data:" + secret_key).encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def data_keys(value: str) -> list[str]:
    return [key.strip() for key in (value or "").split(",") if key.strip()]


def lookup_keys(value: str) -> list[bytes]:
    """The keys of the keyed hashes that find a party by ID number or phone without decrypting
    anyone (webapp/personal_data.py ``lookup_hash``): one per key of ``DATA_KEY``, newest first,
    derived from it. A new DATA_KEY is a new lookup key too: ``flask keys rotate`` computes the
    stored hashes again, and until it has, a search tries the older keys as well."""
    return [hmac.new(key.encode(), b"tiaojie-lookup", hashlib.sha256).digest() for key in data_keys(value)]


def configure(app) -> None:
    """Check the keys, or, on the embedded default, take them from ``instance/keys.json``
    (made the first time). Refuses to start an app that would run on a default key."""
    missing = [name for name in NAMES if not app.config.get(name)]
    if missing and app.config["EMBEDDED"]:
        kept = _instance_keys(Path(app.instance_path))
        for name in missing:
            app.config[name] = kept[name]
        missing = []
    if missing:
        raise MissingKeys(f"{' and '.join(missing)} not set: this deployment does not run on the embedded "
                          f"database, so it needs its own keys.\n{HOW}")
    for key in data_keys(app.config["DATA_KEY"]):
        try:
            Fernet(key)
        except ValueError as error:
            raise MissingKeys(f"DATA_KEY holds a key that is not a Fernet key (32 url-safe base64 bytes).\n{HOW}") \
                from error


def _instance_keys(instance: Path) -> dict:
    path = instance / "keys.json"
    if path.exists():
        return json.loads(path.read_text())
    instance.mkdir(parents=True, exist_ok=True)
    keys = {"SECRET_KEY": new_secret_key(), "DATA_KEY": new_data_key()}
    if (instance / "tiaojie.db").exists():
        # Data written before keys were made here used the old default: keep reading it, and
        # say how to re-encrypt it with the new key.
        keys["DATA_KEY"] += "," + derived_data_key(_OLD_DEFAULT_SECRET)
        log.warning("new keys in %s; personal data stored before stays readable: "
                    "run `flask --app webapp keys rotate` to re-encrypt it with the new key", path)
    # Written whole under another name, then linked into place: processes starting together
    # (web, worker, scheduler) all end up with the keys of the first one to get there.
    draft = instance / f"keys.json.{os.getpid()}"
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        json.dump(keys, out)
    try:
        os.link(draft, path)
    except FileExistsError:
        pass  # another process starting at the same moment wrote its keys first: those are read
    finally:
        draft.unlink()
    return json.loads(path.read_text())


def audit_keys(config) -> list[tuple[str, bytes]]:
    """The keys of the audit chain's HMAC, newest first, each with its id (recorded on every
    entry): ``AUDIT_KEY`` (several comma-separated, newest first, to rotate it), else one derived
    from ``SECRET_KEY``. Keep every key that signed an entry still kept or archived."""
    configured = [key.strip() for key in (config.get("AUDIT_KEY") or "").split(",") if key.strip()]
    raw = [key.encode() for key in configured] or [
        hashlib.sha256(("tiaojie-audit:" + config["SECRET_KEY"]).encode()).digest()]
    return [(hashlib.sha256(key).hexdigest()[:12], key) for key in raw]


# -- rotation ---------------------------------------------------------------------------------


def encrypted_columns():
    """(table, names of its encrypted columns) for every table with personal data."""
    # Here, not at the top: webapp.personal_data reads its keys from this module.
    from webapp.personal_data import Encrypted

    for table in db.metadata.sorted_tables:
        names = [column.name for column in table.columns if isinstance(column.type, Encrypted)]
        if names:
            yield table, names


# What else is computed from the newest DATA_KEY and must follow a rotation: each feature that
# keeps such values registers a function ``(batch) -> {what: rows recomputed}`` with ``after_rotation``.
_AFTER_ROTATION = []


def after_rotation(function):
    _AFTER_ROTATION.append(function)
    return function


def rotate(batch: int = 500) -> tuple[dict[str, int], dict[str, int]]:
    """Re-encrypt with the newest DATA_KEY every stored field that an older key encrypted, in
    every township, ``batch`` rows to a transaction, then recompute what was derived from the
    older key (``after_rotation``: the parties' lookup hashes). A field already under the newest
    key is left alone, so running it again (or after an interruption) changes nothing more.
    Returns the rows re-encrypted per table and the rows recomputed per kind."""
    # Here, not at the top: webapp.personal_data reads its keys from this module.
    from webapp.personal_data import fernet

    every = fernet()
    newest = Fernet(data_keys(current_app.config["DATA_KEY"])[0])
    rotated, recomputed = {}, {}
    with all_tenants():
        for table, names in encrypted_columns():
            [key] = table.primary_key.columns
            raw = [type_coerce(table.c[name], Text) for name in names]
            count, last = 0, None
            while True:
                query = select(key, *raw).order_by(key).limit(batch)
                if last is not None:
                    query = query.where(key > last)
                rows = db.session.execute(query).all()
                if not rows:
                    break
                for row in rows:
                    changes = {}
                    for name, token in zip(names, row[1:]):
                        if token is None or _under(newest, token):
                            continue
                        changes[table.c[name]] = type_coerce(every.rotate(token.encode()).decode(), Text)
                    if changes:
                        db.session.execute(table.update().where(key == row[0]).values(changes))
                        count += 1
                db.session.commit()
                last = rows[-1][0]
            rotated[table.name] = count
    for function in _AFTER_ROTATION:
        recomputed.update(function(batch))
    return rotated, recomputed


def _under(key: Fernet, token: str) -> bool:
    try:
        key.decrypt(token.encode())
        return True
    except InvalidToken:
        return False


cli = AppGroup("keys", help="The secret keys: make new ones, re-encrypt personal data with the newest.")


@cli.command("generate")
def generate_command():
    """Print a new SECRET_KEY and DATA_KEY (to rotate: put the new DATA_KEY first, keep the old after it)."""
    click.echo(f"SECRET_KEY={new_secret_key()}")
    click.echo(f"DATA_KEY={new_data_key()}")


@cli.command("rotate")
@click.option("--batch", default=500, show_default=True, help="Rows re-encrypted per transaction.")
def rotate_command(batch):
    """Re-encrypt every stored personal field with the newest DATA_KEY (all townships)."""
    rotated, recomputed = rotate(batch)
    for table, count in rotated.items():
        click.echo(f"{table}: {count} rows re-encrypted")
    for what, count in recomputed.items():
        click.echo(f"{what}: {count} rows recomputed")
