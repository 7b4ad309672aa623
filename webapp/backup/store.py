"""Where backups are kept: a directory by default (``BACKUP_DIR``); an object store only has to
implement the same methods. Unlike ``webapp.storage`` it streams: a backup is never held in
memory."""
import os
from contextlib import contextmanager
from pathlib import Path

from webapp.backup.archive import SUFFIX


class BackupDirectory:
    def __init__(self, root):
        self.root = Path(root)

    def _path(self, name: str) -> Path:
        if "/" in name or name.startswith(".") or not name.endswith(SUFFIX):
            raise ValueError(f"not a backup name: {name!r}")
        return self.root / name

    @contextmanager
    def writer(self, name: str):
        """A file to write the backup to; it appears under ``name`` only once written whole."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self._path(name)
        part = path.with_name(path.name + ".part")
        try:
            with part.open("wb") as out:
                os.chmod(part, 0o600)
                yield out
                out.flush()
                os.fsync(out.fileno())
            part.replace(path)
        finally:
            part.unlink(missing_ok=True)

    def open(self, name: str):
        return self._path(name).open("rb")

    def path(self, name: str) -> Path:
        return self._path(name)

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_file() and p.name.endswith(SUFFIX))

    def remove(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)


def get_backup_store(app) -> BackupDirectory:
    return BackupDirectory(app.config["BACKUP_DIR"])
