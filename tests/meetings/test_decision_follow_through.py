"""Joint-meeting decisions have an owner and a due date; the owner (or the director) marks one
done; the next meeting's pack lists those not yet done."""
from datetime import datetime

from sqlalchemy import select

from tests import factories
from webapp.extensions import db
from webapp.meetings import operations
from webapp.meetings.models import Decision
from webapp.timelimits import BEIJING
from webapp.types import clock_at


def test_a_decision_due_has_an_owner_who_marks_it_done_and_the_next_pack_lists_the_rest(db, tenant, login_as):
    meeting = factories.meeting(tenant, decision=None)
    director = login_as("township_admin")
    owner = login_as("mediator", display_name="钱调解员")
    with clock_at(datetime(2026, 7, 10, 15, tzinfo=BEIJING)):
        path = f"/t/alpha/meetings/{meeting.id}/decisions"
        response = director.post(path, data={"text": "限期化解灌溉用水纠纷", "due_on": "2026-08-01",
                                             "owner": "999999", "csrf_token": director.csrf})
        assert response.status_code == 422
        assert db.session.scalar(select(Decision.id)) is None
        for text, chosen in (("限期化解灌溉用水纠纷", str(owner.user.id)), ("排查宅基地纠纷", "")):
            response = director.post(path, data={"text": text, "due_on": "2026-08-01", "owner": chosen,
                                                 "csrf_token": director.csrf})
            assert response.status_code == 302
    first, second = db.session.scalars(select(Decision).order_by(Decision.position)).all()
    # Named, or else whoever recorded it.
    assert (first.owner_id, second.owner_id) == (owner.user.id, director.user.id)
    done = f"/t/alpha/meetings/{meeting.id}/decisions/{first.id}/done"
    clerk = login_as("clerk")
    assert clerk.post(done, data={"csrf_token": clerk.csrf}).status_code == 403
    assert owner.post(done, data={"csrf_token": owner.csrf}).status_code == 302
    assert first.done_at is not None and first.done_by_id == owner.user.id

    later = factories.meeting(tenant, kind="year_end", decision=None)
    assert operations.open_decisions(later) == [second]
    page = director.get(f"/t/alpha/meetings/{later.id}/pack").get_data(as_text=True)
    assert "排查宅基地纠纷" in page and "限期化解灌溉用水纠纷" not in page
