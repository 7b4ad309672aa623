"""Joint meetings (联席会议制度): scheduling, the pack, attendance, decisions that act on cases
through the workflow, minutes that become read-only, and the PDFs the worker prints."""
import re
from datetime import date, datetime, timedelta

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from tests import factories
from tests.cases.builders import S, drive
from webapp import timelimits
from webapp.cases import operations as case_ops
from webapp.cases.models import CaseEvent, Difficulty, Risk
from webapp.deadlines.models import Flag, FlagKind
from webapp.meetings.models import Action, Attendance, Decision, Meeting
from webapp.timelimits import BEIJING

# Dates the test counts from today are the dates its pages count from today (``one_moment``).
pytestmark = pytest.mark.usefixtures("one_moment")


def zh(msgid, **values):
    """What the page says in Chinese (the English msgid until the translations are merged)."""
    from flask_babel import force_locale, gettext

    with force_locale("zh_CN"):
        return gettext(msgid, **values)

SCHEDULE = {"kind": "mid_year", "year": "2026", "held_on": "2026-07-10", "held_at": "09:00",
            "place": "镇政府三楼会议室", "chair": "王主任"}


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def _case(staff, state, difficulty=Difficulty.COMPLEX, risk=Risk.CONTROLLABLE, title="山林权属纠纷"):
    """A case assessed with ``difficulty`` and ``risk``, then driven to ``state`` the usual way."""
    case = factories.case(staff.tenant, staff.director, title=title)
    if state != S.REGISTERED:
        case_ops.assess_case(case, staff.director, difficulty=difficulty, risk=risk)
        drive(case, state, staff)
    return case


def _decide(client, meeting, **fields):
    data = {"text": "由派出所牵头，限期化解", "unit": "", "csrf_token": client.csrf}
    data.update(fields)
    return client.post(f"/t/alpha/meetings/{meeting.id}/decisions", data=data)


def _field_error(body: str, field_id: str) -> str:
    """The error text shown beside one field (templates/_field.html)."""
    match = re.search(rf'id="field-{field_id}".*?</div>', body, re.S)
    assert match, field_id
    return " ".join(re.findall(r'<p class="error"[^>]*>(.*?)</p>', match.group(0)))


# -- scheduling ----------------------------------------------------------------------------


def test_the_director_schedules_a_meeting_that_the_township_then_sees(db, director, login_as):
    response = director.post("/t/alpha/meetings/new", data=dict(SCHEDULE, csrf_token=director.csrf))
    assert response.status_code == 302
    meeting = db.session.scalar(select(Meeting))
    assert (meeting.year, meeting.kind.value, meeting.place, meeting.chair) == (2026, "mid_year", "镇政府三楼会议室", "王主任")
    assert meeting.starts_at == datetime(2026, 7, 10, 9, tzinfo=BEIJING)
    assert meeting.title == zh("%(township)s %(year)d mid-year joint meeting", township="甲镇", year=2026)

    listing = login_as("mediator").get("/t/alpha/meetings/").get_data(as_text=True)
    assert meeting.title in listing and "2026-07-10 09:00" in listing


@pytest.mark.parametrize("change, field, message", [
    ({"place": ""}, "place", "Enter where the meeting is held."),
    ({"held_on": "2026-03-10"}, "held_on", "A mid-year meeting is held between June and August of its year."),
    ({"kind": "year_end", "held_on": "2026-07-10"}, "held_on",
     "A year-end meeting is held in December of its year or January of the next."),
    ({"year": "26"}, "year", "Enter a year such as 2026."),
    ({"chair": "   "}, "chair", "Name who chairs the meeting."),
])
def test_a_bad_schedule_is_refused_beside_the_field_and_the_typing_kept(db, director, change, field, message):
    response = director.post("/t/alpha/meetings/new", data=dict(SCHEDULE, csrf_token=director.csrf, **change))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert zh(message) in _field_error(body, field)
    assert 'value="王主任"' in body or field == "chair"
    assert _count(db, Meeting) == 0


def test_one_mid_year_meeting_a_year(db, tenant, director):
    factories.meeting(tenant)
    response = director.post("/t/alpha/meetings/new", data=dict(SCHEDULE, csrf_token=director.csrf))
    assert response.status_code == 422
    assert zh("This meeting is scheduled already: open it from the list.") in _field_error(
        response.get_data(as_text=True), "kind")
    assert _count(db, Meeting) == 1


# -- the pack --------------------------------------------------------------------------------


def test_the_pack_lists_exactly_the_major_and_difficult_open_disputes_and_the_half_years_flags(
        db, tenant, other_tenant, staff, login_as):
    from webapp.figures import Period

    period = Period.current_half()  # the cases below are registered, and referred, today
    meeting = factories.meeting(tenant, kind="mid_year" if period.first.month == 1 else "year_end",
                                year=period.first.year, decision=None)
    complex_mediating = _case(staff, S.MEDIATING, Difficulty.COMPLEX)
    major_assessed = _case(staff, S.ASSESSED, Difficulty.MAJOR)
    major_referred = _case(staff, S.REFERRED, Difficulty.MAJOR)
    may_escalate = _case(staff, S.MEDIATING, Difficulty.ORDINARY, Risk.MAY_ESCALATE)
    # Not on the list: ordinary and calm; no longer open (escalated, closed); not yet assessed.
    ordinary = _case(staff, S.MEDIATING, Difficulty.ORDINARY, Risk.RESOLVABLE)
    escalated = _case(staff, S.ESCALATED, Difficulty.MAJOR)
    closed = _case(staff, S.CLOSED, Difficulty.MAJOR)
    registered = _case(staff, S.REGISTERED)

    def flag(case, raised_at, key):
        item = Flag(tenant_id=case.tenant_id, case_id=case.id, kind=FlagKind.MANUAL, fault=4, key=key,
                    raised_at=raised_at, evidence="久拖不调")
        db.session.add(item)
        db.session.flush()
        return item

    minute = timedelta(minutes=1)
    first_moment = flag(ordinary, period.start, "a")
    last_moment = flag(complex_mediating, period.end - minute, "b")
    flag(ordinary, period.end, "c")               # the next half-year
    flag(ordinary, period.start - minute, "d")    # the one before
    theirs = factories.case(other_tenant)
    from tenants.scope import tenant_scope

    with tenant_scope(other_tenant.id):
        flag(theirs, period.start + timedelta(days=1), "e")

    body = login_as("officer").get(f"/t/alpha/meetings/{meeting.id}/pack").get_data(as_text=True)
    listed = {int(i) for i in re.findall(r'id="pack-case-(\d+)"', body)}
    assert listed == {complex_mediating.id, major_assessed.id, major_referred.id, may_escalate.id}
    assert not listed & {ordinary.id, escalated.id, closed.id, registered.id}
    flags = {int(i) for i in re.findall(r'id="flag-(\d+)"', body)}
    assert flags == {first_moment.id, last_moment.id}
    # The figures: a row per member unit and per village, and the township's own.
    department = factories.department_of(tenant)
    assert f'id="pack-department-{department.id}"' in body
    referred_row = re.search(rf'id="pack-department-{department.id}">(.*?)</tr>', body, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", referred_row)[0] == "1"  # the one referral, to the police station
    assert factories.village_of(tenant).name in body and zh("Mediation coverage") in body


# -- decisions acting on cases -----------------------------------------------------------------


def _events(db, case):
    return db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)).all()


def test_a_decision_assigns_a_case_through_the_workflow_and_the_timeline_names_the_meeting(db, tenant, staff, director):
    meeting = factories.meeting(tenant, decision=None)
    mediator = factories.member("mediator", tenant)
    case = _case(staff, S.ASSESSED, Difficulty.MAJOR)
    response = _decide(director, meeting, action="assign", case=case.id, assignee=mediator.user_id)
    assert response.status_code == 302

    db.session.refresh(case)
    assert case.state == S.MEDIATING and case.assignee_id == mediator.user_id
    event = _events(db, case)[-1]
    assert event.kind == "transition" and event.data["transition"] == "start_mediation"
    assert meeting.title in event.note and "由派出所牵头，限期化解" in event.note
    [action] = db.session.scalars(select(Action)).all()
    assert action.event_id == event.id and action.case_id == case.id
    # The case page shows it on the timeline.
    page = director.get(f"/t/alpha/cases/{case.id}").get_data(as_text=True)
    assert f"{meeting.title}" in page


def test_a_decision_escalates_a_case(db, tenant, staff, director):
    meeting = factories.meeting(tenant)
    case = _case(staff, S.MEDIATING, Difficulty.COMPLEX, Risk.MAY_ESCALATE)
    [decision] = meeting.decisions
    response = director.post(f"/t/alpha/meetings/{meeting.id}/decisions/{decision.id}/actions", data={
        f"d{decision.id}-action": "escalate", f"d{decision.id}-case": case.id,
        f"d{decision.id}-target": "party_committee", "csrf_token": director.csrf})
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.state == S.ESCALATED and case.escalated_to.value == "party_committee"
    event = _events(db, case)[-1]
    assert event.data["transition"] == "escalate" and meeting.title in event.note


def test_a_decision_sets_a_deadline_shown_on_the_case(db, tenant, staff, director):
    meeting = factories.meeting(tenant, decision=None)
    case = _case(staff, S.MEDIATING, Difficulty.MAJOR)
    due = timelimits.today() + timedelta(days=30)
    response = _decide(director, meeting, action="deadline", case=case.id, action_due_on=due.isoformat())
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.state == S.MEDIATING
    event = _events(db, case)[-1]
    assert event.kind == f"deadline:{due.isoformat()}" and meeting.title in event.note
    page = director.get(f"/t/alpha/cases/{case.id}").get_data(as_text=True)
    assert zh("Deadline set: settle by %(date)s", date=due.isoformat()) in page


def test_a_refused_action_saves_nothing_and_says_why_beside_the_decision(db, tenant, staff, director):
    meeting = factories.meeting(tenant, decision=None)
    mediator = factories.member("mediator", tenant)
    case = _case(staff, S.MEDIATING, Difficulty.MAJOR)  # already being mediated: cannot "start mediation"
    events_before, version = len(_events(db, case)), case.version

    response = _decide(director, meeting, action="assign", case=case.id, assignee=mediator.user_id)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert zh("Nothing was saved.") in body
    from flask_babel import force_locale

    from webapp.cases.workflow import refusal

    with force_locale("zh_CN"):
        reason = str(refusal(case, "start_mediation", staff.director))
    assert reason in _field_error(body, "action")
    assert "由派出所牵头，限期化解" in body  # the decision typed is kept
    db.session.expire_all()
    assert _count(db, Decision) == 0 and _count(db, Action) == 0
    assert len(_events(db, case)) == events_before and case.version == version
    assert case.assignee_id == staff.mediator.user_id


def test_a_deadline_in_the_past_is_refused_and_nothing_saved(db, tenant, staff, director):
    meeting = factories.meeting(tenant, decision=None)
    case = _case(staff, S.MEDIATING, Difficulty.MAJOR)
    response = _decide(director, meeting, action="deadline", case=case.id,
                       action_due_on=(timelimits.today() - timedelta(days=1)).isoformat())
    assert response.status_code == 409
    assert zh("The deadline cannot be in the past.") in _field_error(response.get_data(as_text=True), "action_due_on")
    assert _count(db, Decision) == 0


def test_an_action_needs_what_it_acts_with(db, tenant, director):
    meeting = factories.meeting(tenant, decision=None)
    response = _decide(director, meeting, action="assign")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert zh("Choose the case.") in _field_error(body, "case")
    assert zh("Choose the mediator.") in _field_error(body, "assignee")
    assert _count(db, Decision) == 0


def test_a_decision_over_htmx_answers_the_decisions_section(db, tenant, director):
    meeting = factories.meeting(tenant, decision=None)
    response = director.post(
        f"/t/alpha/meetings/{meeting.id}/decisions",
        data={"text": "各村加强排查", "unit": f"v{factories.village_of(tenant).id}", "due_on": "2026-09-30",
              "csrf_token": director.csrf},
        headers={"HX-Request": "true", "HX-Target": f"meeting-{meeting.id}-decisions"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith(f'<section class="card" id="meeting-{meeting.id}-decisions">')
    assert "各村加强排查" in body and "甲镇一村" in body
    [decision] = db.session.scalars(select(Decision)).all()
    assert decision.village_id == factories.village_of(tenant).id and decision.due_on == date(2026, 9, 30)


# -- attendance and minutes --------------------------------------------------------------------


def _attendance(client, meeting, tenant, *, present_name="张所长", village_name=""):
    department, village = factories.department_of(tenant), factories.village_of(tenant)
    data = {f"present_d{department.id}": "y", f"name_d{department.id}": present_name,
            f"name_v{village.id}": village_name, "csrf_token": client.csrf}
    return client.post(f"/t/alpha/meetings/{meeting.id}/attendance", data=data)


def test_attendance_is_recorded_per_member_unit_and_village(db, tenant, director):
    meeting = factories.meeting(tenant)
    response = _attendance(director, meeting, tenant, present_name="")
    assert response.status_code == 422
    department = factories.department_of(tenant)
    assert zh("Name who came for this unit.") in _field_error(response.get_data(as_text=True), f"name_d{department.id}")
    assert _count(db, Attendance) == 0

    assert _attendance(director, meeting, tenant).status_code == 302
    rows = {(a.department_id, a.village_id): (a.present, a.attendee) for a in db.session.scalars(select(Attendance))}
    assert rows == {(department.id, None): (True, "张所长"), (None, factories.village_of(tenant).id): (False, "")}
    minutes = director.get(f"/t/alpha/meetings/{meeting.id}/minutes").get_data(as_text=True)
    assert "甲镇派出所：张所长" in minutes


def test_final_minutes_are_read_only(db, tenant, staff, director):
    meeting = factories.meeting(tenant)
    case = _case(staff, S.ASSESSED, Difficulty.MAJOR)
    [decision] = meeting.decisions
    # Not before the attendance is recorded.
    assert director.post(f"/t/alpha/meetings/{meeting.id}/finalise", data={"csrf_token": director.csrf}).status_code == 409
    assert meeting.finalised_at is None
    _attendance(director, meeting, tenant)
    assert director.post(f"/t/alpha/meetings/{meeting.id}/finalise", data={"csrf_token": director.csrf}).status_code == 302
    db.session.refresh(meeting)
    assert meeting.is_final

    events = len(_events(db, case))
    answers = [
        _decide(director, meeting, text="又一项"),
        director.post(f"/t/alpha/meetings/{meeting.id}/decisions/{decision.id}/actions", data={
            f"d{decision.id}-action": "escalate", f"d{decision.id}-case": case.id,
            f"d{decision.id}-target": "county_bureau", "csrf_token": director.csrf}),
        _attendance(director, meeting, tenant, present_name="李副所长"),
        director.post(f"/t/alpha/meetings/{meeting.id}/edit", data=dict(SCHEDULE, csrf_token=director.csrf, place="别处")),
        director.post(f"/t/alpha/meetings/{meeting.id}/finalise", data={"csrf_token": director.csrf}),
    ]
    assert [a.status_code for a in answers] == [409] * 5
    assert str(escape(zh("The minutes are final: this meeting's records can no longer change."))) in \
        answers[0].get_data(as_text=True)
    db.session.expire_all()
    assert _count(db, Decision) == 1 and len(_events(db, case)) == events and case.state == S.ASSESSED
    assert {a.attendee for a in db.session.scalars(select(Attendance))} == {"张所长", ""}
    assert meeting.place == "镇政府会议室"
    page = director.get(f"/t/alpha/meetings/{meeting.id}").get_data(as_text=True)
    assert f'action="/t/alpha/meetings/{meeting.id}/decisions"' not in page
    assert f'href="/t/alpha/meetings/{meeting.id}/attendance"' not in page


def test_a_meeting_still_ahead_records_nothing_yet(db, tenant, director):
    meeting = factories.meeting(tenant, decision=None)
    meeting.starts_at = datetime.combine(timelimits.today() + timedelta(days=3), datetime.min.time(), BEIJING)
    db.session.flush()
    page = director.get(f"/t/alpha/meetings/{meeting.id}").get_data(as_text=True)
    assert f'action="/t/alpha/meetings/{meeting.id}/decisions"' not in page
    assert zh("Attendance and decisions are recorded from the day of the meeting.") in page
    assert _decide(director, meeting).status_code == 409
    assert _attendance(director, meeting, tenant).status_code == 409
    assert _count(db, Decision) == 0 and _count(db, Attendance) == 0


# -- the PDFs ------------------------------------------------------------------------------


@pytest.mark.parametrize("what", ["pack", "minutes"])
def test_the_pack_and_the_minutes_print_through_the_worker(db, tenant, staff, director, what):
    from tests.documents import pdf
    from webapp.documents.models import Document
    from webapp.storage import get_storage
    from worker.jobs import render_document

    meeting = factories.meeting(tenant)
    case = _case(staff, S.MEDIATING, Difficulty.MAJOR, title="采石场补偿纠纷")
    _attendance(director, meeting, tenant)
    response = director.post(f"/t/alpha/meetings/{meeting.id}/print/{what}", data={"csrf_token": director.csrf},
                             headers={"HX-Request": "true"})
    assert response.status_code == 202
    [document] = db.session.scalars(select(Document)).all()
    assert document.pending and document.subject_id == meeting.id
    assert 'hx-trigger="every 2s"' in response.get_data(as_text=True)  # the partial polls

    assert render_document(tenant.id, document.id) == "ready"  # the job, run here synchronously
    db.session.expire_all()
    text = "".join(pdf.text(get_storage().get(document.storage_key)).split())  # table cells wrap
    assert "".join(meeting.title.split()) in text
    if what == "pack":
        assert case.number in text and "采石场补偿纠纷" in text
    else:
        assert "张所长" in text and "请派出所牵头化解宅基地纠纷" in text
    status = director.get(f"/t/alpha/meetings/{meeting.id}/documents/{document.id}", headers={"HX-Request": "true"})
    assert "every 2s" not in status.get_data(as_text=True)
    download = director.get(f"/t/alpha/meetings/{meeting.id}/documents/{document.id}.pdf")
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")


# -- tenancy and roles ---------------------------------------------------------------------


def test_another_townships_meeting_is_not_found(db, tenant, other_tenant, login_as):
    theirs = factories.meeting(other_tenant)
    their_id, their_decision = theirs.id, theirs.decisions[0].id
    client = login_as("township_admin")
    for path in ("", "/pack", "/minutes", "/attendance", "/edit"):
        assert client.get(f"/t/alpha/meetings/{their_id}{path}").status_code == 404
    for path in ("/decisions", f"/decisions/{their_decision}/actions", "/finalise", "/print/pack"):
        assert client.post(f"/t/alpha/meetings/{their_id}{path}", data={"csrf_token": client.csrf}).status_code == 404


@pytest.mark.parametrize("role, reads, records", [
    ("township_admin", 200, True), ("clerk", 200, False), ("mediator", 200, False), ("officer", 200, False),
    ("county_reviewer", 200, False), ("county_admin", 200, False), ("liaison", 403, False),
])
def test_who_reads_and_who_records(db, tenant, login_as, role, reads, records):
    meeting = factories.meeting(tenant)
    client = login_as(role)
    response = client.get(f"/t/alpha/meetings/{meeting.id}")
    assert response.status_code == reads
    if reads == 200:
        assert (f'action="/t/alpha/meetings/{meeting.id}/decisions"' in response.get_data(as_text=True)) == records
    assert (_decide(client, meeting).status_code in (302, 409)) == records


@pytest.mark.parametrize("role, offered", [("township_admin", True), ("officer", True), ("county_reviewer", False)])
def test_the_print_button_is_offered_to_those_who_may_print(db, tenant, login_as, role, offered):
    """The county reviewer reads the pack and the minutes but prints nothing in the township
    (the request would be refused): no button is offered."""
    meeting = factories.meeting(tenant)
    client = login_as(role)
    for what in ("pack", "minutes"):
        page = client.get(f"/t/alpha/meetings/{meeting.id}/{what}").get_data(as_text=True)
        assert (f'action="/t/alpha/meetings/{meeting.id}/print/{what}"' in page) == offered
