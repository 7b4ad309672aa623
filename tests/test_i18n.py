"""Chinese by default, English on request, and no user-facing string left untranslated."""
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


def _extracted_messages():
    method_map = [("webapp/**.py", "python"), ("tenants/**.py", "python"), ("worker/**.py", "python"),
                  ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
                "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2)}
    ids = set()
    for _, _, message, _, context in extract_from_dir(str(ROOT), method_map=method_map, keywords=keywords):
        ids.add((context, message if isinstance(message, str) else message[0]))
    return ids


def test_every_marked_string_has_a_chinese_translation():
    with open(ROOT / "webapp/translations/zh/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f)
    translated = {(m.context, m.id) for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(_extracted_messages() - translated)
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
