"""How every download is sent: its file name, in Chinese, in a Content-Disposition that every
browser reads (RFC 6266 with RFC 5987's ``filename*=UTF-8''…``) and an ASCII name beside it
for the few clients that read only ``filename``.

A case file is saved as ``芒棒〔2026〕第0049号-调解协议书-第1版.pdf``: what the clerk files it
under, whatever the language of the interface.
"""
import re
from io import BytesIO
from urllib.parse import quote

from flask import send_file

_NOT_ASCII = re.compile(r"[^A-Za-z0-9._-]+")
# What RFC 5987's attr-char allows unescaped besides letters and digits.
_ATTR_CHARS = "!#$&+-.^_`|~"


def ascii_name(filename: str, default: str = "download") -> str:
    """The file name with everything but ASCII letters, digits, '.', '-' and '_' turned into '-'
    (``芒棒〔2026〕第0049号-卷宗-第1版.pdf`` → ``2026-0049-1.pdf``)."""
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    stem = re.sub(r"-{2,}", "-", _NOT_ASCII.sub("-", stem)).strip("-.") or default
    ext = _NOT_ASCII.sub("", ext)
    return f"{stem}.{ext}" if ext else stem


def disposition(filename: str, *, fallback: str | None = None, inline: bool = False) -> str:
    """The Content-Disposition of a file named ``filename``; ``fallback`` is the ASCII name
    (made from ``filename`` when not given)."""
    plain = ascii_name(fallback or filename).replace('"', "")
    kind = "inline" if inline else "attachment"
    if plain == filename:
        return f'{kind}; filename="{plain}"'
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe=_ATTR_CHARS)}"


def send(data: bytes, mimetype: str, filename: str, *, fallback: str | None = None, inline: bool = False,
         etag: str | None = None):
    """A response carrying ``data`` under ``filename`` (with conditional requests when ``etag`` is given)."""
    response = send_file(BytesIO(data), mimetype=mimetype, etag=etag if etag else False, max_age=0)
    response.headers["Content-Disposition"] = disposition(filename, fallback=fallback, inline=inline)
    return response
