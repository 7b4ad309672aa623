#!/usr/bin/env python3
"""Fill the English catalogue (webapp/translations/en/LC_MESSAGES/messages.po) with every
string marked in the code and the templates that it lacks: a singular one as itself, a plural
one with both its forms (``1 case`` / ``2 cases``). Run it after merging work that added
strings to the Chinese catalogue only, then compile (``make translations``)::

    .venv/bin/python bin/english_catalogue.py          # add what is missing
    .venv/bin/python bin/english_catalogue.py --check  # exit 1 and list what is missing

Entries already there are kept as they are (an English text may differ from its msgid), in
their order; new ones go at the end, so that two branches' additions merge line by line.
"""
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "webapp/translations/en/LC_MESSAGES/messages.po"
METHOD_MAP = [("webapp/**.py", "python"), ("tenants/**.py", "python"), ("worker/**.py", "python"),
              ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_ngettext": (1, 2), "_l": None,
            "lazy_gettext": None, "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2),
            "npgettext": ((1, "c"), 2, 3)}


def extracted() -> dict:
    """{(context, msgid): the message as extracted (a string, or (singular, plural))}."""
    found = {}
    for _, _, message, _, context in extract_from_dir(str(ROOT), method_map=METHOD_MAP, keywords=KEYWORDS):
        key = (context, message if isinstance(message, str) else message[0])
        found.setdefault(key, message)
    return found


def read() -> Catalog:
    if not CATALOGUE.exists():
        return Catalog(locale="en", project="tiaojie", fuzzy=False)
    with open(CATALOGUE, "rb") as f:
        return read_po(f, locale="en")


def missing(catalog: Catalog) -> dict:
    have = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id and m.string}
    return {key: message for key, message in extracted().items() if key not in have}


def main(argv) -> int:
    catalog = read()
    lacking = missing(catalog)
    if "--check" in argv:
        for context, msgid in sorted(lacking, key=lambda k: (k[0] or "", k[1])):
            print(f"missing: {msgid!r}" + (f" (context {context!r})" if context else ""))
        return 1 if lacking else 0
    for (context, _), message in sorted(lacking.items(), key=lambda item: (item[0][1], item[0][0] or "")):
        catalog.add(message, string=message, context=context)
    CATALOGUE.parent.mkdir(parents=True, exist_ok=True)
    with open(CATALOGUE, "wb") as f:
        write_po(f, catalog, width=100, omit_header=False)
    print(f"{len(lacking)} entries added to {CATALOGUE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
