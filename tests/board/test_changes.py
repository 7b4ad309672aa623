"""Other people's changes reach an open board by polling with conditional requests: 304 while
nothing in the view changed, else the changed cards, the counts, and the next ETag."""
import re
from datetime import timedelta
from urllib.parse import quote

from sqlalchemy import update

from tests.board.conftest import S, hx
from webapp.cases.models import Case
from webapp.cases import operations
from webapp.extensions import db
from webapp.types import utcnow


def poll(client, since=None, etag=None, **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    if since is not None:
        query += f"&since={quote(since.isoformat())}"
    headers = {"If-None-Match": etag} if etag else {}
    return hx(client, "GET", f"/t/alpha/board/changes?{query}", **headers)


def inbox(html):
    match = re.search(r'<div id="board-inbox" hx-swap-oob="beforeend">(.*?)</div>\s*<span id="count-', html, re.S)
    assert match, html[:300]
    return match.group(1)


def test_nothing_changed_answers_304_with_the_same_etag(login_as, desk):
    desk.case(S.ASSESSED)
    client = login_as("township_admin")
    first = poll(client, view="all")
    assert first.status_code == 200 and first.headers["ETag"]
    # Kept nowhere: the poller sends its If-None-Match itself (webapp/security_headers.py).
    assert first.headers["Cache-Control"] == "no-store"

    again = poll(client, since=utcnow(), etag=first.headers["ETag"], view="all")
    assert again.status_code == 304
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.get_data() == b""


def test_the_board_page_carries_the_etag_its_poller_sends(login_as, desk):
    desk.case(S.ASSESSED)
    client = login_as("township_admin")
    page = client.get("/t/alpha/board/?view=all").get_data(as_text=True)
    etag = re.search(r'hx-headers=\'\{"If-None-Match": "W/\\"(\w+)\\""\}\'', page).group(1)
    assert 'hx-trigger="every 20s" data-poll-when-visible' in page
    assert poll(client, etag=f'W/"{etag}"', view="all").status_code == 304


def test_someone_elses_move_comes_with_the_next_poll(login_as, desk):
    case = desk.case(S.ASSESSED, days_ago=1)
    untouched = desk.case(S.ASSESSED, title="没人动", days_ago=1)
    client = login_as("township_admin")
    before = poll(client, view="all")
    since = utcnow()

    operations.refer_case(case, desk.director, department=desk.department)
    db.session.commit()
    after = poll(client, since=since, etag=before.headers["ETag"], view="all")

    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    html = after.get_data(as_text=True)
    cards = inbox(html)
    assert f'id="card-{case.id}"' in cards and 'data-column="referred"' in cards
    assert f'id="card-{untouched.id}"' not in cards
    assert 'id="count-referred" class="count" hx-swap-oob="true">1<' in html
    assert 'id="count-assessed" class="count" hx-swap-oob="true">1<' in html
    # The next poller asks with the new ETag.
    assert 'id="board-poll" hidden' in html and after.headers["ETag"].replace('"', '\\"') in html
    assert 'hx-swap-oob="true"' in re.search(r'<div id="board-poll"[^>]*>', html).group(0)


def test_a_card_that_left_the_view_is_taken_off(login_as, desk):
    case = desk.case(S.REFERRED)
    liaison_member = _liaison(desk)
    client = login_as("township_admin")
    before = poll(client, view="referred")
    since = utcnow()

    operations.accept_referral(case, liaison_member)
    operations.return_referral(case, liaison_member, reason="不属本单位职责")
    db.session.commit()
    html = poll(client, since=since, etag=before.headers["ETag"], view="referred").get_data(as_text=True)

    assert f'<article id="card-{case.id}" class="board-card" data-column=""></article>' in inbox(html)


def _liaison(desk):
    from tests import factories

    return factories.member("liaison", desk.tenant)


def test_a_light_that_turned_red_with_time_alone_comes_too(login_as, desk):
    # A 7-day limit that ran out a few seconds ago: the case itself has not changed in a week.
    case = desk.case(S.ASSESSED, days_ago=7)
    client = login_as("township_admin")
    html = poll(client, since=utcnow() - timedelta(minutes=1), etag='"old"', view="all").get_data(as_text=True)
    assert f'id="card-{case.id}"' in inbox(html)
    assert "light light-red" in inbox(html)


def test_a_light_that_turned_yellow_at_its_warning_moment_comes_too(login_as, desk):
    # Counted in working days, the warning moment can fall well before "three calendar days
    # before the deadline" (a weekend or a holiday in between): the board follows the case's.
    case = desk.case(S.ASSESSED)
    client = login_as("township_admin")
    first = poll(client, view="all")
    # The moments as the clock set them days ago; the case itself has not changed since.
    db.session.execute(update(Case).where(Case.id == case.id).values(
        due_at=utcnow() + timedelta(days=5), warn_at=utcnow() - timedelta(seconds=5),
        updated_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    html = poll(client, since=utcnow() - timedelta(minutes=1), etag=first.headers["ETag"], view="all")
    assert html.status_code == 200 and html.headers["ETag"] != first.headers["ETag"]
    assert f'id="card-{case.id}"' in inbox(html.get_data(as_text=True))
    assert "light light-yellow" in inbox(html.get_data(as_text=True))


def test_a_liaison_polls_only_their_referrals(login_as, desk):
    theirs = desk.case(S.REFERRED)
    since = utcnow() - timedelta(minutes=1)
    not_theirs = desk.case(S.ASSESSED)
    html = poll(login_as("liaison"), since=since, view="all").get_data(as_text=True)
    assert f'id="card-{theirs.id}"' in inbox(html)
    assert f'card-{not_theirs.id}' not in html


def test_without_htmx_the_changes_are_the_board(login_as):
    response = login_as("clerk").get("/t/alpha/board/changes?view=overdue")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/t/alpha/board/?view=overdue")


def test_a_compressed_poll_answers_304_to_the_tag_it_sent(login_as, desk):
    """Compression (what a phone's browser asks for) leaves the board's weak tag as it is."""
    for _ in range(3):  # enough cards for the answer to be worth compressing
        desk.case(S.ASSESSED)
    client = login_as("township_admin")
    first = poll(client, since=utcnow() - timedelta(days=1), view="all")
    packed = hx(client, "GET", "/t/alpha/board/changes?view=all&since=" + quote((utcnow() - timedelta(days=1)).isoformat()),
                **{"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip" and packed.headers["ETag"] == first.headers["ETag"]
    again = hx(client, "GET", "/t/alpha/board/changes?view=all",
               **{"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304
