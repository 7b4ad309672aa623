"""A value a user typed is escaped wherever a message repeats it: refusals are built from a
translated template with the user's values in it, and the template must not make them HTML.
Each refusal that names a user's value is tried with markup in that value, as the director who
typed it and as the one who meets it; the walk in ``test_hostile_input`` repeats this for every
form field."""
import pytest
from flask import render_template_string
from flask_babel import lazy_gettext as _l

from tests import factories

MARKUP = '<img src=x onerror=alert(1)>'
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


def _twice(client, path, data):
    data = {"csrf_token": client.csrf, **data}
    client.post(path, data=data)
    return client.post(path, data=data).get_data(as_text=True)


def _escaped(body):
    return MARKUP not in body and ESCAPED in body


def test_a_message_with_a_value_is_escaped_wherever_it_is_shown(app):
    message = _l("There is already a village called %(name)s.", name=MARKUP)
    with app.test_request_context():
        for template in ("{{ m }}", "{{ _('Nothing was saved.') }} {{ m }}", "{{ '%s'|format(m) }}"):
            assert _escaped(render_template_string(template, m=message)), template


@pytest.mark.parametrize("htmx", [False, True])
def test_a_refused_village_group_or_site_name_is_escaped(db, tenant, township_scope, login_as, htmx):
    director = login_as("township_admin")
    headers = {"HX-Request": "true"} if htmx else {}
    director.post("/t/alpha/villages/new", data={"csrf_token": director.csrf, "name": MARKUP, "kind": "village"})
    body = director.post("/t/alpha/villages/new", headers=headers,
                         data={"csrf_token": director.csrf, "name": MARKUP, "kind": "village"}).get_data(as_text=True)
    assert _escaped(body)

    village = factories.village_of(tenant)
    body = _twice(director, f"/t/alpha/villages/{village.id}/groups/new", {"name": MARKUP, "households": "20"})
    assert _escaped(body)

    body = _twice(director, "/t/alpha/relocation/new", {"name": MARKUP, "village": str(village.id),
                                                         "households": "40", "notes": ""})
    assert _escaped(body)


def test_a_roster_name_in_the_officer_clash_is_escaped(db, tenant, township_scope, login_as):
    village = factories.village_of(tenant)
    factories.roster_entry(tenant, name=MARKUP, kind="officer", village=village)
    director = login_as("township_admin")
    body = director.post("/t/alpha/pay/roster/new", data={
        "csrf_token": director.csrf, "name": "孙维稳", "kind": "officer", "employment": "part_time",
        "village": str(village.id), "active_from": "2026-01-01"}).get_data(as_text=True)
    assert "一个村" in body or "officer" in body
    assert _escaped(body)
