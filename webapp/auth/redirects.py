"""Where a user may be sent back to after signing in: a path of this site, nothing else."""
import unicodedata
from urllib.parse import unquote, urlsplit

from werkzeug.urls import iri_to_uri


def local_path(target: str | None) -> str | None:
    """``target`` when it is a path of this site (``/t/alpha/cases/?q=甲``), as an address
    (``/t/alpha/cases/?q=%E7%94%B2``); else None.

    Refused: anything with a scheme or a host (``https:``, ``javascript:``, ``//host``,
    ``///host``); whitespace or control characters anywhere (browsers drop tabs and newlines
    from an address and join what is around them: ``/<TAB>/host`` is ``//host``); backslashes
    (browsers read them as slashes); a path with characters outside ASCII (lookalike slashes
    and dots; the app's own paths are ASCII, only a search may hold other letters); and
    addresses that turn into one of these once percent-decoded, once or twice, in case a proxy
    or a browser decodes them on the way."""
    if not target or any(_invisible(ch) or ch == "\\" for ch in target):
        return None
    if not _path(target).isascii():
        return None
    for form in (target, unquote(target), unquote(unquote(target))):
        if _leaves_site(form):
            return None
    return iri_to_uri(target)


def _path(address: str) -> str:
    return address.split("?", 1)[0].split("#", 1)[0]


def _invisible(ch: str) -> bool:
    """Whitespace, control, format and separator characters."""
    return ch.isspace() or unicodedata.category(ch)[0] in "CZ"


def _leaves_site(address: str) -> bool:
    if not address.startswith("/") or address.startswith("//"):
        return True
    parts = urlsplit(address)
    if parts.scheme or parts.netloc:
        return True
    path = _path(address)
    return "\\" in path or any(_invisible(ch) for ch in path)
