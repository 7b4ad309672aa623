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
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    ids = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map=method_map, keywords=keywords):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_every_marked_string_has_a_chinese_translation():
    with open(ROOT / "webapp/translations/zh/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(_extracted_messages() - translated)
    assert not missing, f"run `make messages` and translate: {missing}"
