"""The hostile-input walk: every URL rule of the app, every form field its pages render and
every query argument the code reads, with values an attacker with an account would type —
NUL and control characters, overlong text, markup, quotes, huge and negative numbers,
impossible dates, formula prefixes — as every role (the routes take turns over the roles that
may use them).

It passes when no answer is a 5xx, no page or message gives the markup back unescaped, a
refused request (4xx) writes nothing (every table's row count and the stored files are as
before), and no exported CSV or XLSX cell of the hostile data starts with a formula prefix.

Values are sampled deliberately, to keep the walk fast enough for ``make test``: control
characters go into every text field of a form at once (the edge refuses the whole request);
overlong text goes into one field at a time (each field's length is its own check); markup
with quotes is saved into every text field, twice, so that refusals naming a duplicate are
seen, and formula prefixes are spread over the fields; huge and negative numbers go into each
select and number, impossible days into each date. Afterwards every page is read back with
hostile query arguments (all kinds where the view reads arguments, control characters and
markup elsewhere) and every CSV and XLSX export is opened.
"""
import io
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound

from tenants.models import Role
from tests.security.rows import changed, row_counts
from tests.tenancy.test_cross_tenant_walk import _fill, _ids
from webapp.permissions import can, may_write
from webapp.spreadsheets import FORMULA_PREFIXES

MARKUP = "<img src=x onerror=alert(1)>"
TEXT = {
    "control": "甲\x00乙\x01\x1b[2J\x7f",
    "markup": "'\"`;--\\ " + MARKUP,
}
# A field each: every prefix a spreadsheet reads as a formula, over the form's fields.
FORMULAS = ('=HYPERLINK("http://evil.example","x")', "+1+1", "-1+1", "@SUM(1)")
OVERLONG = "长" * 5001
NUMBERS = {"huge": "99999999999999999999", "negative": "-1"}
DATES = {"impossible": "2026-02-30", "far": "9999-12-31", "ancient": "0001-01-01"}
# In an address, every argument at once: longer than any column of ours (at most 2,000), and
# hundreds of times what gunicorn lets through (a request line of 4 KB at most).
OVERLONG_ARGUMENT = "长" * 2001
QUERY = {**TEXT, "formula": FORMULAS[0], **NUMBERS, **DATES, "overlong": OVERLONG_ARGUMENT}
REFUSED = ("control",)
# Services that answer 503 when a part of them is down (no worker runs in the tests).
HEALTH = {"/healthz"}

# Query arguments the code reads (``args.get("x")``, ``args["x"]``), found in the source so
# that a new one is walked too.
_ARG = re.compile(r"""args(?:\.get)?[\[(]\s*["'](\w+)["']""")
SKIP_RULES = {"/logout", "/static/<path:filename>"}
SAFE = {"GET", "HEAD", "OPTIONS"}


def _query_arguments():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    names = set()
    for path in [*root.joinpath("webapp").rglob("*.py"), *root.joinpath("tenants").rglob("*.py")]:
        names |= set(_ARG.findall(path.read_text(encoding="utf-8")))
    return sorted(names)


class _Forms(HTMLParser):
    """The POST forms of a page: their action and fields (name, kind, value, choices)."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": []}
            self.forms.append(self._form)
        if self._form is None or not a.get("name"):
            if tag == "option" and self._select is not None:
                self._option(a)
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                return
            if kind in ("checkbox", "radio") and any(f["name"] == a["name"] for f in self._form["fields"]):
                field = next(f for f in self._form["fields"] if f["name"] == a["name"])
                if "checked" in a:
                    field["value"] = a.get("value", "on")
                return
            value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
            if kind == "checkbox" and "checked" not in a:
                value = None
            self._form["fields"].append({"name": a["name"], "kind": kind, "value": value})
        elif tag == "textarea":
            self._textarea = {"name": a["name"], "kind": "textarea", "value": ""}
            self._form["fields"].append(self._textarea)
        elif tag == "select":
            self._select = {"name": a["name"], "kind": "select", "value": None, "multiple": "multiple" in a}
            self._form["fields"].append(self._select)

    def _option(self, a):
        value = a.get("value", "")
        if "selected" in a or (self._select["value"] in (None, "") and value):
            self._select["value"] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _forms(html):
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def _valid(field):
    """A value the field would take, to let one hostile field be the only problem."""
    name, kind, value = field["name"], field["kind"], field["value"]
    if value not in (None, ""):
        return value
    if kind == "date" or name.endswith(("_on", "_from", "_to", "date", "day", "start", "end")):
        return "2026-06-01"
    if kind == "tel" or "phone" in name:
        return "13912345678"
    if kind == "number" or name in ("households", "year", "amount") or name.endswith(("_days", "_hours")):
        return "30"
    if kind in ("checkbox", "select", "hidden", "radio"):
        return value
    return "测试"


def _is_text(field):
    return field["kind"] in ("text", "textarea", "search", "password", "email") and field["name"] != "csrf_token"


def _is_number(field):
    return field["kind"] in ("number", "select", "radio", "hidden") and field["name"] != "csrf_token"


def _png():
    return b"\x89PNG\r\n\x1a\n" + b"0" * 64


def _payloads(form):
    """(label, data) pairs: the hostile values for one form, sampled as the module says."""
    fields = form["fields"]
    base = {f["name"]: _valid(f) for f in fields if _valid(f) is not None and f["kind"] != "file"}
    files = [f["name"] for f in fields if f["kind"] == "file"]

    def data(changes=None, filename="现场.png"):
        d = {**base, **(changes or {})}
        for name in files:
            d[name] = (io.BytesIO(_png()), filename)
        return d

    texts = [f["name"] for f in fields if _is_text(f)]
    # Control characters are refused at the edge, in any field (and in an extra one when the
    # form has no text field).
    yield "control", data({n: TEXT["control"] for n in texts or ["note"]}), "refused"
    for name in texts:
        yield f"overlong {name}", data({name: OVERLONG}), None
    if texts:
        yield "markup", data({n: TEXT["markup"] for n in texts}), "twice"
        yield "formula", data({n: FORMULAS[i % len(FORMULAS)] for i, n in enumerate(texts)}), None
    for f in fields:
        if _is_number(f):
            for kind, value in NUMBERS.items():
                yield f"{kind} {f['name']}", data({f["name"]: value}), None
        if f["kind"] == "date" or f["name"] in base and base[f["name"]] == "2026-06-01":
            for kind, value in DATES.items():
                yield f"{kind} {f['name']}", data({f["name"]: value}), None
    for name in files:
        yield f"overlong file name {name}", {**data(), name: (io.BytesIO(_png()), "长" * 250 + ".png")}, None
        yield f"nul file name {name}", {**data(), name: (io.BytesIO(_png()), "a\x00b.png")}, "refused"


def _files(storage_dir):
    return sorted(str(p) for p in storage_dir.rglob("*") if p.is_file()) if storage_dir.exists() else []


class Walk:
    def __init__(self, app, login_as, tenant, storage_dir):
        self.app, self.tenant, self.storage_dir = app, tenant, storage_dir
        self.ids = _ids(tenant)
        self.clients = {role.value: login_as(role.value) for role in Role}
        self.problems = []
        self.adapter = app.url_map.bind("localhost")
        self._turn = 0

    def rules(self):
        return [r for r in self.app.url_map.iter_rules() if r.rule not in SKIP_RULES]

    def action(self, rule):
        return getattr(self.app.view_functions[rule.endpoint], "required_action", None)

    def role_for(self, rule, method):
        """The roles that may use the route take turns; who writes is never the reviewer."""
        action = self.action(rule)
        if action is None:
            return "township_admin"
        roles = [r for r in Role if can(action, r) and (method in SAFE or may_write(action, r))]
        if not roles:
            return None
        if not rule.rule.startswith("/t/"):
            roles = [r for r in roles if r.is_county] or roles
        self._turn += 1
        return roles[self._turn % len(roles)].value

    def path(self, rule):
        return _fill(rule, self.tenant.slug, self.ids)

    def send(self, what, call, *args, **kwargs):
        """The answer, or None with the problem noted when the app raised (tests propagate
        what would be a 500)."""
        try:
            return call(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - every error is a finding of the walk
            self.problems.append((what, 500, repr(error)[:200]))
            from webapp.extensions import db

            db.session.rollback()
            return None

    def check(self, what, response):
        if response is None:
            return
        if response.status_code >= 500 and not (response.status_code == 503 and what[1] in HEALTH):
            self.problems.append((what, response.status_code))
            return
        if response.mimetype in ("text/html", "text/plain", "application/json") or response.mimetype.endswith("xml"):
            body = response.get_data(as_text=True)
            if MARKUP in body:
                self.problems.append((what, "markup unescaped"))

    def post(self, client, path, data, what, expect=None):
        before, files = row_counts(), _files(self.storage_dir)
        response = self.send(what, client.post, path, data={"csrf_token": client.csrf, **data},
                             headers={"X-CSRFToken": client.csrf})
        if response is None:
            return None
        self.check(what, response)
        if 400 <= response.status_code < 500:
            written = changed(before, row_counts())
            if written or _files(self.storage_dir) != files:
                self.problems.append((what, response.status_code, "refused but wrote", written))
        elif expect == "refused" and response.status_code < 400:
            self.problems.append((what, response.status_code, "not refused"))
        return response

    # -- the phases -------------------------------------------------------------------------

    def collect_forms(self):
        """Every POST form that the GET pages render, to the director, the county admin and
        the liaison, by the path it posts to."""
        from webapp.cases.workflow import TRANSITIONS

        paths = [self.path(rule) for rule in self.rules() if "GET" in rule.methods]
        # A case just registered shows the forms of the first steps (assessment and others).
        fresh = f"/t/{self.tenant.slug}/cases/{self.fresh_case_id}"
        paths += [fresh] + [f"{fresh}/do/{name}" for name in TRANSITIONS]
        found = {}
        for path in paths:
            for role in ("township_admin", "county_admin", "liaison"):
                response = self.clients[role].get(path)
                if response.status_code != 200 or response.mimetype != "text/html":
                    continue
                for form in _forms(response.get_data(as_text=True)):
                    target = urlsplit(form["action"]).path or path
                    if target not in found or len(form["fields"]) > len(found[target]["fields"]):
                        found[target] = form
        return found

    def post_forms(self, forms):
        for target, form in sorted(forms.items()):
            try:
                endpoint, _ = self.adapter.match(target, method="POST")
            except (NotFound, MethodNotAllowed):
                continue
            rule = next(r for r in self.app.url_map.iter_rules(endpoint) if "POST" in r.methods)
            if rule.rule in SKIP_RULES or rule.rule == "/login":
                continue
            role = self.role_for(rule, "POST")
            if role is None:
                continue
            client = self.clients[role]
            for label, data, expect in _payloads(form):
                what = ("POST", target, role, label)
                self.post(client, target, data, what, expect="refused" if expect == "refused" else None)
                if expect == "twice":
                    self.post(client, target, data, what + ("again",))

    def post_bare(self):
        """Every write route, with hostile values in fields the walk could not find a form for."""
        for rule in self.rules():
            for method in sorted(rule.methods - SAFE):
                role = self.role_for(rule, method)
                if role is None or rule.rule == "/login":
                    continue
                client = self.clients[role]
                for kind in ("control", "markup", "huge"):
                    value = {**TEXT, **NUMBERS}[kind]
                    data = {name: value for name in ("name", "title", "text", "note", "reason", "id", "page")}
                    self.post(client, self.path(rule), data, (method, rule.rule, role, kind),
                              expect="refused" if kind == "control" else None)

    def reads_arguments(self, rule):
        """Whether the view's module reads query arguments: those get every hostile kind; the
        others (whose pages ignore them) one request with control characters and markup."""
        import inspect

        module = inspect.getmodule(inspect.unwrap(self.app.view_functions[rule.endpoint]))
        source = inspect.getsource(module)
        return "request.args" in source or "from_args" in source

    def get_everything(self, arguments):
        for rule in self.rules():
            if "GET" not in rule.methods:
                continue
            role = self.role_for(rule, "GET")
            if role is None:
                continue
            client, path = self.clients[role], self.path(rule)
            kinds = QUERY if self.reads_arguments(rule) else {"control": TEXT["control"], "markup": TEXT["markup"]}
            for kind, value in kinds.items():
                what = ("GET", path, role, kind)
                response = self.send(what, client.get, path, query_string={name: value for name in arguments})
                self.check(what, response)
                if kind in REFUSED and response is not None and response.status_code < 400:
                    self.problems.append(("GET", path, kind, response.status_code, "not refused"))
            if path.endswith((".csv", ".xlsx")):
                self.check_export(path, self.send(path, client.get, path))

    def check_export(self, path, response):
        if response is None or response.status_code != 200:
            return
        if path.endswith(".csv"):
            import csv

            cells = [c for row in csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))) for c in row]
        else:
            from openpyxl import load_workbook

            book = load_workbook(io.BytesIO(response.get_data()))
            cells = [c.value for sheet in book for row in sheet.iter_rows() for c in row]
        for value in cells:
            if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
                self.problems.append((path, "formula", value[:40]))


@pytest.fixture
def walk(app, db, login_as, tenant, storage_dir):
    from tenants.scope import tenant_scope

    walk = Walk(app, login_as, tenant, storage_dir)
    # Hostile data where exports and pages show it: a village, a roster entry, a case title.
    from tests import factories

    with tenant_scope(tenant.id):
        from webapp.cases.models import Attachment
        from webapp.storage import DirectoryStorage

        attachment = db.session.get(Attachment, walk.ids["attachment_id"])
        DirectoryStorage(str(storage_dir)).put(attachment.storage_key, _png())
        DirectoryStorage(str(storage_dir)).put(f"walk/{tenant.id}/v1.pdf", b"%PDF-1.7")
        village = factories.village_of(tenant)
        village.name = FORMULAS[0]
        factories.roster_entry(tenant, name=FORMULAS[3])
        walk.fresh_case_id = factories.case(tenant, title=FORMULAS[1]).id
        db.session.commit()
    return walk


# Three parts of one walk, each a test of its own so that the suite's processes share them.


def test_hostile_values_in_every_form_the_pages_render(walk):
    forms = walk.collect_forms()
    assert len(forms) > 60, sorted(forms)  # the walk reaches the forms it means to
    walk.post_forms(forms)
    assert walk.problems == []


def test_hostile_values_posted_to_every_write_route(walk):
    walk.post_bare()
    assert walk.problems == []


def test_hostile_query_arguments_on_every_page_and_export(walk):
    walk.get_everything(_query_arguments())
    assert walk.problems == []
