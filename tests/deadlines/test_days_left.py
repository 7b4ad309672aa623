"""Days left, and days overdue, are one number wherever a case's clock is shown: the case
page, its card on the board, the overview's work list and the card's overdue flag, all
counted in the township's kind of days (here: working days, across the Spring Festival)."""
import contextvars
import re

import pytest
from flask.testing import FlaskClient

from tenants import scope
from tests.deadlines.conftest import Center, bj
from webapp.extensions import db
from webapp.types import clock_at

NOW = bj(2026, 2, 20, 12)  # the sixth day of the 2026 Spring Festival holiday (15–23 February)


@pytest.fixture
def mediator(login_as):
    return login_as("mediator", display_name="李调解员")


@pytest.fixture
def center(db, tenant, mediator):
    center = Center(tenant, mediator=mediator.user.memberships[0])
    center.count_working_days()
    return center


def _text(client, url) -> str:
    """The page at ``NOW``: a request runs in a context of its own (``RequestClient`` in
    tests/conftest.py), so the clock is frozen inside it."""
    def get():
        with clock_at(NOW):
            return FlaskClient.open(client, url)

    response = contextvars.Context().run(get)
    db.session.expire_all()
    scope._sync_database()
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _card(board: str, case) -> str:
    found = re.search(rf'<article id="card-{case.id}".*?</article>', board, re.S)
    assert found, f"no card of {case.number}"
    return found.group(0)


def _row(overview: str, case) -> str:
    found = re.search(rf'{re.escape(case.number)}</small>.*?</li>', overview, re.S)
    assert found, f"no row of {case.number}"
    return found.group(0)


def _said(html: str) -> set[str]:
    return set(re.findall(r"(剩余-?\d+天|已超期-?\d+天)", html))


def test_every_page_shows_the_same_days_left_in_the_townships_working_days(center, tenant, mediator):
    # Accepted on the Friday before the festival: 7 working days end on Monday 2 March, and on
    # 20 February 6 of them are left (24–28 February, 2 March) while 10 calendar days are.
    running = center.case(bj(2026, 2, 13, 10), title="宅基地纠纷")
    # Accepted a fortnight earlier: due at the end of 10 February; overdue by the working days
    # 11, 12, 13 and 14 February (a make-up Saturday), not by the ten calendar days.
    late = center.case(bj(2026, 1, 30, 10), title="噪音纠纷")

    page = {case.id: _text(mediator, f"/t/{tenant.slug}/cases/{case.id}") for case in (running, late)}
    board = _text(mediator, f"/t/{tenant.slug}/board/column?state=mediating&view=all")
    overview = _text(mediator, f"/t/{tenant.slug}/")

    assert _said(page[running.id]) == _said(_card(board, running)) == _said(_row(overview, running)) == {"剩余6天"}
    assert _said(page[late.id]) == _said(_card(board, late)) == _said(_row(overview, late)) == {"已超期4天"}
    for case, light in ((running, "green"), (late, "red")):
        assert f"light-{light}" in page[case.id] and f"light-{light}" in _card(board, case)
        assert f"light-{light}" in _row(overview, case)
