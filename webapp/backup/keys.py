"""The backup key: 32 random bytes, apart from ``DATA_KEY`` (a backup holds personal data, and
whoever holds a copy of it should need a second secret to read it)."""
import os
from pathlib import Path

from webapp.backup.crypto import new_key, parse_key

HOW_TO_MAKE_ONE = (
    "BACKUP_KEY is not set. Make one with\n"
    "  python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())'\n"
    "set it as BACKUP_KEY in the service's environment, and keep a copy away from the server "
    "and from DATA_KEY: without it no backup can be read."
)


class BackupKeyMissing(RuntimeError):
    """No BACKUP_KEY outside the embedded default: no backup is written unreadable or unsealed."""


def backup_key(app) -> bytes:
    """``BACKUP_KEY``; on the embedded default, a key made once in ``instance/backup.key`` (0600).
    Elsewhere there is no default: a backup nobody can read, or one anybody can, is worse than
    none."""
    configured = app.config.get("BACKUP_KEY")
    if configured:
        return parse_key(configured)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:"):
        raise BackupKeyMissing(HOW_TO_MAKE_ONE)
    path = Path(app.instance_path) / "backup.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # made meanwhile by another process
        else:
            with os.fdopen(fd, "w") as out:
                out.write(new_key() + "\n")
    return parse_key(path.read_text())
