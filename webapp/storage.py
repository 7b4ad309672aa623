"""Where files live: attachments now, case files later. A directory by default; an object
store only has to implement the same methods (``keys``, ``open`` and ``put_file`` serve
backups, which stream files too large to hold in memory)."""
import shutil
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session


class DirectoryStorage:
    def __init__(self, root):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"storage key escapes the storage root: {key!r}")
        return path

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(path)

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def keys(self):
        """Every stored key, in order (files half-written are not stored yet)."""
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.endswith(".part"):
                yield path.relative_to(self.root).as_posix()

    def open(self, key: str):
        return self._path(key).open("rb")

    def put_file(self, key: str, source) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".part")
        with tmp.open("wb") as out:
            shutil.copyfileobj(source, out)
        tmp.replace(path)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def get_storage() -> DirectoryStorage:
    return DirectoryStorage(current_app.config["STORAGE_DIR"])


# -- a file and the row that records it, in one transaction -----------------------------------

_STORED = "stored_files"


def put_recorded(session: Session, storage, key: str, data: bytes) -> None:
    """Store a file that a row of ``session``'s open transaction records. If the transaction
    does not commit (a refused request, an error, a lost connection), the file is deleted again:
    no file is left on disk without its row."""
    storage.put(key, data)
    session.info.setdefault(_STORED, []).append((storage, key))


@event.listens_for(Session, "after_commit")
def _keep_stored_files(session):
    session.info.pop(_STORED, None)


@event.listens_for(Session, "after_transaction_end")
def _delete_unrecorded_files(session, transaction):
    if transaction.parent is not None:
        return
    for storage, key in session.info.pop(_STORED, ()):
        storage.delete(key)
