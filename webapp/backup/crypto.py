"""The backup file's encryption: a stream of AES-256-GCM chunks under a key kept apart from
``DATA_KEY``.

A file is a header (magic, format, chunk size, a random salt) and then chunks, each
``length (4 bytes) || ciphertext+tag``. The chunk key is derived from the backup key and the
salt (HKDF), so no two files share one; chunk *n* is sealed with nonce *n* and with the header,
*n* and a "last chunk" mark as associated data. A changed byte, a chunk moved, dropped or
copied, or a file cut short anywhere fails to decrypt. Neither side holds more than one chunk.
"""
import base64
import io
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"TIAOJIE-BACKUP\n"
FORMAT = 1
CHUNK = 1024 * 1024
_HEADER = struct.Struct(">15sHI16s")  # magic, format, chunk size, salt
_LENGTH = struct.Struct(">I")
_TAG = 16


class BackupUnreadable(Exception):
    """The file is damaged, cut short, not a backup, or sealed with another key."""


def parse_key(text: str) -> bytes:
    """A backup key is 32 random bytes, written in URL-safe base64 (``new_key()``)."""
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except ValueError as error:
        raise ValueError("BACKUP_KEY is not URL-safe base64") from error
    if len(key) != 32:
        raise ValueError("BACKUP_KEY must be 32 bytes in URL-safe base64")
    return key


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _chunk_key(key: bytes, salt: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"tiaojie-backup-chunks").derive(key)
    return AESGCM(derived)


def _nonce(counter: int) -> bytes:
    return counter.to_bytes(12, "big")


def _aad(header: bytes, counter: int, last: bool) -> bytes:
    return header + counter.to_bytes(8, "big") + (b"\x01" if last else b"\x00")


class EncryptingWriter(io.RawIOBase):
    """A write-only file: what is written goes out sealed, one chunk at a time."""

    def __init__(self, out, key: bytes, chunk_size: int = CHUNK):
        self._out, self._size = out, chunk_size
        salt = os.urandom(16)
        self._header = _HEADER.pack(MAGIC, FORMAT, chunk_size, salt)
        self._aead = _chunk_key(key, salt)
        self._buffer = bytearray()
        self._counter = 0
        out.write(self._header)

    def writable(self):
        return True

    def write(self, data) -> int:
        self._buffer += data
        # Keep at least one byte back, so that the last chunk always carries the "last" mark.
        while len(self._buffer) > self._size:
            self._seal(bytes(self._buffer[:self._size]), last=False)
            del self._buffer[:self._size]
        return len(data)

    def _seal(self, plain: bytes, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._counter), plain, _aad(self._header, self._counter, last))
        self._out.write(_LENGTH.pack(len(sealed)) + sealed)
        self._counter += 1

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
        super().close()


class DecryptingReader(io.RawIOBase):
    """A read-only file over a sealed backup; raises ``BackupUnreadable`` on any tampering."""

    def __init__(self, source, key: bytes):
        self._in = source
        header = source.read(_HEADER.size)
        if len(header) != _HEADER.size:
            raise BackupUnreadable("not a backup file: too short")
        magic, version, size, salt = _HEADER.unpack(header)
        if magic != MAGIC:
            raise BackupUnreadable("not a backup file")
        if version != FORMAT:
            raise BackupUnreadable(f"backup format {version} is not known to this version")
        self._header, self._size = header, size
        self._aead = _chunk_key(key, salt)
        self._plain, self._at = b"", 0
        self._counter = 0
        self._done = False

    def readable(self):
        return True

    def _next_chunk(self) -> None:
        raw = self._in.read(_LENGTH.size)
        if len(raw) != _LENGTH.size:
            raise BackupUnreadable("the backup file is cut short")
        (length,) = _LENGTH.unpack(raw)
        if length < _TAG or length > self._size + _TAG:
            raise BackupUnreadable("the backup file is damaged")
        sealed = self._in.read(length)
        if len(sealed) != length:
            raise BackupUnreadable("the backup file is cut short")
        nonce = _nonce(self._counter)
        for last in (False, True):
            try:
                self._plain = self._aead.decrypt(nonce, sealed, _aad(self._header, self._counter, last))
                self._at = 0
            except InvalidTag:
                continue
            self._counter += 1
            if last:
                self._done = True
                if self._in.read(1):
                    raise BackupUnreadable("the backup file has data after its end")
            return
        raise BackupUnreadable("the backup file is damaged or was sealed with another key")

    def readinto(self, buffer) -> int:
        while self._at >= len(self._plain) and not self._done:
            self._next_chunk()
        n = min(len(buffer), len(self._plain) - self._at)
        buffer[:n] = self._plain[self._at:self._at + n]
        self._at += n
        return n
