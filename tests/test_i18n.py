"""Chinese by default, English on request, and no user-facing string left untranslated."""
from functools import cache
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tests import factories
from tests.conftest import csrf_token, login

ROOT = Path(__file__).resolve().parent.parent


def test_lang_parameter_switches_to_english_and_is_remembered(client):
    assert "Sign in" in client.get("/login?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)
    assert "登录" in client.get("/login?lang=zh_CN").get_data(as_text=True)


def test_a_users_language_setting_follows_them_to_the_next_sign_in(app, db, tenant):
    user = factories.user("mediator", tenant)
    client = app.test_client()
    login(client, user.username)
    response = client.post("/settings", data={"locale": "en", "csrf_token": csrf_token(client, "/settings")})
    assert response.status_code == 302
    fresh = app.test_client()
    login(fresh, user.username)
    assert "Overview" in fresh.get("/t/alpha/").get_data(as_text=True)


def test_form_errors_are_chinese(client):
    page = client.post("/login", data={"csrf_token": csrf_token(client)}).get_data(as_text=True)
    assert "请输入用户名。" in page


@cache  # read once for the Chinese and the English catalogue's tests
def _extracted_messages() -> frozenset:
    method_map = [("webapp/**.py", "python"), ("tenants/**.py", "python"), ("worker/**.py", "python"),
                  ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_ngettext": (1, 2), "_l": None, "lazy_gettext": None,
                "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3)}
    ids = set()
    for _, _, message, _, context in extract_from_dir(str(ROOT), method_map=method_map, keywords=keywords):
        ids.add((context, message if isinstance(message, str) else message[0]))
    return frozenset(ids)


def test_every_marked_string_has_a_chinese_translation():
    with open(ROOT / "webapp/translations/zh/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f)
    translated = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog
                  if m.id and m.string and all(m.string if isinstance(m.string, tuple) else [m.string])
                  and not m.fuzzy}
    missing = sorted(((c or "", i) for c, i in _extracted_messages() - translated))
    assert not missing, f"run `make messages` and translate: {missing}"


# -- one word, one meaning ---------------------------------------------------------------------


def _label_sets() -> dict[str, dict]:
    """Every set of display names of codes, by name: what the features registered."""
    from webapp import labels

    return labels.label_sets()


def _message(text) -> tuple:
    """(context, msgid) of a lazy string: pgettext's arguments are (context, msgid)."""
    function, args = text._func, text._args
    return (args[0], args[1]) if "pgettext" in getattr(function, "__name__", "") else (None, args[0])


# The words that two sets share because they mean the same thing there. A word that means two
# things gets a context (pgettext) in one set instead, so that each meaning is translated apart.
SAME_MEANING = {
    (None, "Ordinary"): {"difficulty", "pay_difficulty"},
    (None, "Complex"): {"difficulty", "pay_difficulty"},
    (None, "Major"): {"difficulty", "pay_difficulty"},
    (None, "Mediator"): {"role", "pay_staff_kind"},
    (None, "Stability officer"): {"role", "pay_staff_kind"},
    (None, "Escalate"): {"next_step", "meeting_action", "transition"},  # 上报, what is done or to be done
    (None, "Mediation failed"): {"transition", "pay_outcome"},  # the transition and the outcome it records
    # a role, and the level a case is reported to (上报) that the role receives
    (None, "Center director"): {"role", "target"},
    (None, "Township party committee and government"): {"role", "target"},
}


def test_a_word_two_label_sets_share_means_the_same_in_both(app):
    with app.app_context():
        where: dict = {}
        for name, texts in _label_sets().items():
            for text in texts.values():
                where.setdefault(_message(text), set()).add(name)
    shared = {message: names for message, names in where.items() if len(names) > 1}
    assert shared == SAME_MEANING


def test_a_resolved_flag_and_a_resolved_case_read_differently(app):
    from flask_babel import force_locale

    from webapp.cases.models import CaseState
    from webapp.deadlines.models import FlagStatus
    from webapp.labels import label

    with app.test_request_context(), force_locale("zh_CN"):
        assert str(label("state", CaseState.RESOLVED)) == "调解成功"
        assert str(label("flag_status", FlagStatus.RESOLVED)) == "已处理"


# -- English: a catalogue of its own, plural forms, every page ---------------------------------


def _english_catalogue():
    with open(ROOT / "webapp/translations/en/LC_MESSAGES/messages.po", "rb") as f:
        return read_po(f, locale="en")


def test_every_marked_string_is_in_the_english_catalogue():
    """Fails on any msgid missing from the English catalogue; `python bin/english_catalogue.py`
    adds what is missing (a singular as itself, a plural with both forms)."""
    catalog = _english_catalogue()
    assert catalog.plural_forms == "nplurals=2; plural=(n != 1);"
    entries = {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog if m.id}
    missing = sorted((c or "", i) for c, i in _extracted_messages() - {k for k, m in entries.items() if m.string})
    assert not missing, f"run `.venv/bin/python bin/english_catalogue.py`: {missing}"
    plurals = [m for m in entries.values() if m.pluralizable]
    assert plurals and all(len(m.string) == 2 and all(m.string) for m in plurals)


def test_counts_read_in_the_singular_and_plural_in_english_and_as_one_form_in_chinese(app):
    from flask_babel import force_locale, ngettext

    with app.test_request_context("/"):
        with force_locale("en"):
            assert [ngettext("%(num)d case", "%(num)d cases", n) for n in (0, 1, 2)] == ["0 cases", "1 case", "2 cases"]
        with force_locale("zh_CN"):
            assert ngettext("%(num)d case", "%(num)d cases", 1) == "共1件"


def _chinese_interface_words() -> set:
    """The Chinese of the interface (the msgstrs): none may show on an English page."""
    with open(ROOT / "webapp/translations/zh/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f)
    words = set()
    for m in catalog:
        for text in ([m.string] if isinstance(m.string, str) else m.string):
            if text and "%(" not in text and len(text) >= 4:
                words.add(text)
    return words


# What the factories name in Chinese that contains a word of the interface.
DATA = ("第一村民小组",)


def test_every_page_switches_language_and_shows_no_chinese_of_the_interface_in_english(
        app, db, login_as, tenant):
    """Every page of a township a director can open, in English: the page says it is English,
    shows none of the interface's Chinese (labels of codes stored in Chinese, such as the kinds
    of key person and the starting categories, included), and its switch to Chinese keeps the
    page and its query."""
    import re

    from tenants.scope import tenant_scope
    from tests.tenancy.test_cross_tenant_walk import OBJECT_IDS, _referred_case, _tenant_rules
    from webapp.cases.models import KeyPerson
    from webapp.meetings.models import Meeting
    from webapp.rounds.models import Round
    from webapp.supervision.models import Assignment, SupervisionNotice

    with tenant_scope(tenant.id):
        objs = _referred_case(tenant)
        ids = {name: make(tenant, objs) for name, make in OBJECT_IDS.items()}
        db.session.get(KeyPerson, ids["person_id"]).kind = "长期非正常上访人员"
        # A meeting's or a round's title is written when it is created, in its creator's
        # language: data.
        data = DATA + (db.session.get(Meeting, ids["meeting_id"]).title,
                       db.session.get(Round, ids["round_id"]).title,
                       # what the county typed when it assigned a dispute or sent a notice
                       db.session.get(Assignment, ids["assignment_id"]).title,
                       db.session.get(Assignment, ids["assignment_id"]).parties,
                       db.session.get(SupervisionNotice, ids["notice_id"]).subject,
                       db.session.get(SupervisionNotice, ids["notice_id"]).body)
        db.session.commit()
    words = _chinese_interface_words()
    client = login_as("township_admin")
    client.get(f"/t/{tenant.slug}/?lang=en")
    seen = 0
    for rule in _tenant_rules(app):
        if "GET" not in rule.methods or rule.rule.endswith((".pdf", ".xlsx", ".csv", ".zip")) \
                or rule.endpoint in ("cases.attachment", "cases.thumbnail"):  # files, not pages
            continue
        path = rule.rule
        for name in rule.arguments:
            value = tenant.slug if name == "slug" else ids[name]
            path = re.sub(rf"<(?:\w+:)?{name}>", str(value), path)
        response = client.get(path + "?page=1")
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        body = response.get_data(as_text=True)
        if "<html" not in body:
            continue
        seen += 1
        assert '<html lang="en">' in body, path
        assert f'href="{path}?page=1&amp;lang=zh_CN"' in body, path
        body = re.sub(r'value="[^"]*"', "", body)  # the codes a form sends are not shown
        for name in data:  # names people gave, not words of the interface
            body = body.replace(name, "")
        shown = sorted(w for w in words if w in body)
        assert not shown, (path, shown)
    assert seen > 20


def test_wtforms_own_messages_follow_the_requests_language(app):
    """WTForms' built-in refusals (a choice not offered) are in the request's language, from
    catalogues the process keeps (``webapp.forms.keep_wtforms_messages``)."""
    from flask_wtf import FlaskForm
    from wtforms import SelectField

    class Form(FlaskForm):
        class Meta:
            csrf = False

        pick = SelectField(choices=[("a", "A")])

    for lang, said in (("zh_CN", "不是有效的选择。"), ("en", "Not a valid choice."), ("zh_CN", "不是有效的选择。")):
        with app.test_request_context(f"/?lang={lang}", method="POST", data={"pick": "z"}):
            app.preprocess_request()
            form = Form()
            assert not form.validate()
            assert form.pick.errors == [said]
