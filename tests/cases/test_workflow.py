"""The case workflow through its one page, ``/t/<slug>/cases/<id>/do/<name>``: every
transition tried by every role from every state, and the guards that carry the rules of
the 12345 method (DOMAIN.md, "Life of a dispute")."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tenants.models import Role
from tests import factories
from tests.cases.builders import Staff, case_in, drive, record_visit
from webapp import timelimits
from webapp.cases import operations, workflow
from webapp.cases.models import Case, CaseEvent, CaseSettings, CaseState, EscalationTarget, NextStep
from webapp.extensions import db
from webapp.referrals.models import Department, DepartmentKind
from webapp.types import utcnow

# Dates the test counts from today are the dates its pages count from today (``one_moment``).
pytestmark = pytest.mark.usefixtures("one_moment")

S = CaseState
# Open cases may be escalated, once assessed (研判 weighs the risk first).
ESCALABLE = frozenset(S) - {S.REGISTERED, S.ESCALATED, S.CLOSED, S.ARCHIVED}
DIRECTOR, CLERK, MEDIATOR, OFFICER, LIAISON = "township_admin", "clerk", "mediator", "officer", "liaison"

# The workflow as the method describes it, written out independently of workflow.py:
# transition → (states it leaves from, state it reaches, roles that may make it).
TABLE = {
    "assess": ({S.REGISTERED}, S.ASSESSED, {DIRECTOR, CLERK}),
    "start_mediation": ({S.ASSESSED, S.RETURNED}, S.MEDIATING, {DIRECTOR, MEDIATOR}),
    "refer": ({S.ASSESSED, S.RETURNED, S.MEDIATING}, S.REFERRED, {DIRECTOR}),
    "complete_referral": ({S.REFERRED}, S.RESOLVED, {LIAISON}),
    "return_referral": ({S.REFERRED}, S.RETURNED, {LIAISON}),
    "resolve": ({S.MEDIATING}, S.RESOLVED, {DIRECTOR, MEDIATOR}),
    "fail": ({S.MEDIATING}, S.FAILED, {DIRECTOR, MEDIATOR}),
    "follow_up": ({S.RESOLVED, S.FOLLOW_UP}, S.FOLLOW_UP, {DIRECTOR, MEDIATOR, OFFICER}),
    "reopen": ({S.FOLLOW_UP, S.CLOSED}, S.MEDIATING, {DIRECTOR, MEDIATOR, OFFICER}),
    "close": ({S.FOLLOW_UP, S.FAILED, S.ESCALATED}, S.CLOSED, {DIRECTOR}),
    "archive": ({S.CLOSED}, S.ARCHIVED, {DIRECTOR}),
    "escalate": (ESCALABLE, S.ESCALATED, {DIRECTOR, MEDIATOR}),
    "resume": ({S.ESCALATED}, S.MEDIATING, {DIRECTOR}),
}

STATE_ZH = {
    S.REGISTERED: "已登记", S.ASSESSED: "已研判", S.MEDIATING: "调解中", S.REFERRED: "已分流", S.RETURNED: "已回流",
    S.RESOLVED: "调解成功", S.FAILED: "调解不成", S.FOLLOW_UP: "回访中", S.ESCALATED: "已上报", S.CLOSED: "已结案",
    S.ARCHIVED: "已归档",
}
ACTION_ZH = {
    "assess": "研判", "start_mediation": "开始调处", "refer": "分流", "complete_referral": "报告调处成功",
    "return_referral": "回流中心", "resolve": "达成协议", "fail": "调解不成", "follow_up": "回访",
    "reopen": "重新调处", "close": "结案", "archive": "归档", "escalate": "上报", "resume": "恢复调处",
}
NOT_ASSIGNED = "只有承办调解员或调处中心负责人可以办理。"

# The text each transition's form writes on the timeline, by form field.
NOTES = {
    "assess": ("note", "风险可控，按一般纠纷办理"),
    "start_mediation": ("note", "由承办调解员负责"),
    "resume": ("note", "镇党委要求继续调处"),
    "refer": ("note", "涉及治安问题，请派出所调处"),
    "complete_referral": ("result", "派出所调解成功，双方和解"),
    "return_referral": ("reason", "不属于治安案件"),
    "fail": ("note", "双方分歧较大"),
    "escalate": ("note", "可能引发群体上访"),
    "follow_up": ("notes", "已按协议赔偿"),
    "reopen": ("reason", "一方反悔"),
    "close": ("note", "引导诉讼，结案"),
}


def form(name, case, client, assignee_id, department_id):
    data = {"csrf_token": client.csrf}
    if name in NOTES:
        key, text = NOTES[name]
        data[key] = text
    if name == "assess":
        data.update(difficulty="ordinary", risk="controllable")
    elif name in ("start_mediation", "resume"):
        data["assignee"] = assignee_id
    elif name == "refer":
        data["department"] = department_id
    elif name == "resolve":
        data.update(text="李四赔偿张三800元", amount="800", signed_on=timelimits.today().isoformat())
    elif name == "fail":
        data["next_step"] = "litigation"
    elif name == "escalate":
        data["target"] = "party_committee"
    elif name == "follow_up":
        data.update(visit=next((f.id for f in case.follow_ups if f.done_at is None), ""), carried_out="yes",
                    may_flare_up="no")
    return data


def events_of(db, case):
    return db.session.scalar(select(func.count(CaseEvent.id)).where(CaseEvent.case_id == case.id))


def last_event(db, case):
    return db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                              .order_by(CaseEvent.id.desc())).first()


def post(client, case, name, data):
    return client.post(f"/t/alpha/cases/{case.id}/do/{name}", data=data)


def test_the_table_covers_every_transition_of_the_workflow():
    assert set(TABLE) == set(workflow.TRANSITIONS)
    assert {r.value for r in Role} == {"county_admin", "county_reviewer", DIRECTOR, CLERK, MEDIATOR, OFFICER, LIAISON,
                                       "party"}


def _expected(name, role, state):
    sources, _, roles = TABLE[name]
    if role == LIAISON and state in (S.REGISTERED, S.ASSESSED):
        return 404  # never referred to the liaison's department: the case does not exist for them
    if role not in roles:
        return 403
    if state not in sources:
        return 409
    if name == "escalate" and role == MEDIATOR and state == S.ASSESSED:
        return 409  # nobody is assigned yet: only the director may escalate
    return 302


ROLES = [r.value for r in Role]
ALLOWED = [(name, role) for name, (_, _, roles) in TABLE.items() for role in ROLES if role in roles]


def _staff_for(tenant, role, me):
    """Cases met by this role: a director or mediator is the one in charge of them, a
    liaison's department is where they were referred."""
    return Staff(tenant, director=me if role == DIRECTOR else None, mediator=me if role == MEDIATOR else None,
                 liaison=me if role == LIAISON else None)


def _form_for(name, case, client, role, me, staff):
    assignee_id = me.user_id if role in (DIRECTOR, MEDIATOR) else staff.director.user_id
    return form(name, case, client, assignee_id, factories.department_of(staff.tenant).id)


@pytest.mark.parametrize("name, role", ALLOWED)
def test_an_allowed_role_makes_the_transition_and_it_is_on_the_timeline(db, tenant, login_as, name, role):
    """From each state it leaves from, the case moves on, and the timeline says who did it,
    when, from which state to which, and why."""
    sources, target, _ = TABLE[name]
    client = login_as(role)
    me = client.user.memberships[0]
    staff = _staff_for(tenant, role, me)
    for state in sorted(sources):
        case = case_in(state, staff, via_referral=role == LIAISON, accepted=name == "complete_referral")
        if name == "close" and state == S.FOLLOW_UP:
            record_visit(case, staff.mediator)  # every visit done: the case may close
        events = events_of(db, case)
        started = utcnow()
        response = post(client, case, name, _form_for(name, case, client, role, me, staff))
        expected = _expected(name, role, state)
        assert response.status_code == expected, (state, response.status_code)
        if expected != 302:  # a guard, checked in the section below
            assert case.state == state and events_of(db, case) == events
            continue

        assert response.headers["Location"] == f"/t/alpha/cases/{case.id}"
        assert case.state == target, state
        note = NOTES.get(name, ("", ""))[1]
        latest = last_event(db, case)
        assert latest.actor_id == me.user_id and latest.note == note
        assert started - timedelta(seconds=1) <= latest.at <= utcnow()
        if name == "follow_up" and state == S.FOLLOW_UP:
            # A later visit keeps the case in follow-up: its event is the visit record.
            assert latest.kind == "follow_up_recorded" and case.state == S.FOLLOW_UP
            continue
        moved = db.session.scalar(select(CaseEvent).where(
            CaseEvent.case_id == case.id, CaseEvent.kind == "transition").order_by(CaseEvent.id.desc()))
        assert moved.data["transition"] == name
        # A visit's findings are told once, on the visit's own line; its move carries no note.
        moved_note = "" if name == "follow_up" else note
        assert (moved.from_state, moved.to_state, moved.actor_id, moved.note) == (state, target, me.user_id,
                                                                                  moved_note)
        assert started - timedelta(seconds=1) <= moved.at <= utcnow()


@pytest.mark.parametrize("role", ROLES)
def test_every_refused_transition_changes_nothing(db, tenant, login_as, role):
    """Every transition the role may not make (403), or not from the case's state (409, with
    the reason in Chinese), is refused, and the case keeps its state and timeline."""
    client = login_as(role)
    me = client.user.memberships[0]
    staff = _staff_for(tenant, role, me)
    # A refusal changes nothing, so one case per state serves every attempt.
    cases = {state: case_in(state, staff, via_referral=role == LIAISON) for state in S}
    events = {state: events_of(db, case) for state, case in cases.items()}
    for name, (sources, _, roles) in TABLE.items():
        # A role that may not make the transition is refused whatever the state: trying it
        # from the states it leaves from is enough. An allowed role is tried from the others.
        states = sorted(sources) if role not in roles else sorted(set(S) - sources)
        for state in states:
            case = cases[state]
            response = post(client, case, name, _form_for(name, case, client, role, me, staff))
            expected = _expected(name, role, state)
            assert response.status_code == expected, (name, state, response.status_code)
            if expected == 409:
                reason = f"案件处于“{STATE_ZH[state]}”状态，不能进行“{ACTION_ZH[name]}”。"
                assert reason in response.get_data(as_text=True), (name, state)
            assert case.state == state and events_of(db, case) == events[state], (name, state)


# -- guards ---------------------------------------------------------------------------------


@pytest.fixture
def director(login_as):
    return login_as(DIRECTOR)


def _unchanged(db, case, state, events):
    assert case.state == state
    assert events_of(db, case) == events


def test_only_the_assigned_mediator_or_the_director_may_end_a_mediation(db, tenant, login_as, director):
    assigned = factories.member("mediator", tenant)
    other = login_as(MEDIATOR)
    for name in ("resolve", "fail", "escalate"):
        case = case_in(S.MEDIATING, Staff(tenant, mediator=assigned))
        events = events_of(db, case)

        refused = post(other, case, name, form(name, case, other, None, None))
        assert refused.status_code == 409, name
        assert NOT_ASSIGNED in refused.get_data(as_text=True)
        _unchanged(db, case, S.MEDIATING, events)

        assert post(director, case, name, form(name, case, director, None, None)).status_code == 302, name
        assert case.state == TABLE[name][1]


def test_a_mediator_can_only_take_a_case_on_themselves(db, tenant, login_as):
    colleague = factories.member("mediator", tenant)
    case = case_in(S.ASSESSED, Staff(tenant))
    mediator = login_as(MEDIATOR)
    events = events_of(db, case)

    refused = post(mediator, case, "start_mediation",
                   {"csrf_token": mediator.csrf, "assignee": colleague.user_id, "note": ""})
    assert refused.status_code == 422
    assert "调解员只能将案件分配给自己。" in _field(refused, "assignee")
    _unchanged(db, case, S.ASSESSED, events)
    assert case.assignee_id is None

    taken = post(mediator, case, "start_mediation", {"csrf_token": mediator.csrf, "assignee": mediator.user.id})
    assert taken.status_code == 302
    assert (case.state, case.assignee_id) == (S.MEDIATING, mediator.user.id)


def _field(response, name):
    """The form field ``name`` on the page, with its label, value and errors."""
    page = response.get_data(as_text=True)
    found = re.search(rf'<div class="field[^"]*" id="field-{name}">.*?</div>', page, re.S)
    assert found, f"no field {name} on the page"
    return found.group(0)


def _court(tenant):
    court = Department(tenant_id=tenant.id, name="甲镇人民法庭", kind=DepartmentKind.COURT)
    db.session.add(court)
    db.session.flush()
    return court


def _liaison_of(login_as, db, department):
    client = login_as(LIAISON)
    client.user.memberships[0].department_id = department.id
    db.session.commit()
    return client


@pytest.mark.parametrize("name", ["complete_referral", "return_referral"])
def test_the_liaison_of_another_department_is_refused(db, tenant, login_as, name):
    court = _court(tenant)
    court_liaison = _liaison_of(login_as, db, court)
    staff = Staff(tenant)
    # Once at the court, which sent it back; now with the police station.
    case = case_in(S.RETURNED, Staff(tenant, department=court, liaison=court_liaison.user.memberships[0]))
    drive(case, S.MEDIATING, staff, via_referral=True)
    operations.refer_case(case, staff.director, department=staff.department)
    operations.accept_referral(case, staff.liaison)
    db.session.commit()
    events = events_of(db, case)

    refused = post(court_liaison, case, name, form(name, case, court_liaison, None, None))
    assert refused.status_code == 409
    assert "此案件已分流到其他单位。" in refused.get_data(as_text=True)
    _unchanged(db, case, S.REFERRED, events)

    # A case the court never had does not exist for the court's liaison at all.
    never = case_in(S.REFERRED, Staff(tenant, liaison=staff.liaison), accepted=True)
    assert post(court_liaison, never, name, form(name, never, court_liaison, None, None)).status_code == 404
    assert court_liaison.get(f"/t/alpha/cases/{never.id}").status_code == 404


def test_success_is_reported_only_after_the_referral_is_accepted(db, tenant, login_as):
    liaison = login_as(LIAISON)
    case = case_in(S.REFERRED, Staff(tenant, liaison=liaison.user.memberships[0]))
    events = events_of(db, case)
    refused = post(liaison, case, "complete_referral", form("complete_referral", case, liaison, None, None))
    assert refused.status_code == 409
    assert "请先接收分流案件，再报告办理结果。" in refused.get_data(as_text=True)
    _unchanged(db, case, S.REFERRED, events)


def test_a_case_closes_only_when_every_follow_up_visit_is_done(db, tenant, director):
    operations.prepare_township(tenant)
    db.session.scalar(select(CaseSettings).where(CaseSettings.tenant_id == tenant.id)).follow_up_days = "7,30,90"
    staff = Staff(tenant, director=director.user.memberships[0])
    case = case_in(S.FOLLOW_UP, staff)
    signed = case.agreement.signed_on
    db.session.commit()
    events = events_of(db, case)

    refused = post(director, case, "close", form("close", case, director, None, None))
    assert refused.status_code == 409
    later = f"{signed + timedelta(days=30)}, {signed + timedelta(days=90)}"
    assert f"尚有回访未完成：{later}。" in refused.get_data(as_text=True)
    _unchanged(db, case, S.FOLLOW_UP, events)

    record_visit(case, staff.director)
    record_visit(case, staff.director)
    db.session.commit()
    assert post(director, case, "close", form("close", case, director, None, None)).status_code == 302
    assert case.state == S.CLOSED and case.closed_at is not None


def test_a_failed_case_whose_next_step_is_escalation_is_escalated_not_closed(db, tenant, director):
    staff = Staff(tenant, director=director.user.memberships[0])
    case = case_in(S.FAILED, staff, next_step=NextStep.ESCALATE)
    events = events_of(db, case)

    refused = post(director, case, "close", form("close", case, director, None, None))
    assert refused.status_code == 409
    assert "下一步已选择上报，请上报案件，而不是结案。" in refused.get_data(as_text=True)
    _unchanged(db, case, S.FAILED, events)

    assert post(director, case, "escalate", form("escalate", case, director, None, None)).status_code == 302
    assert case.state == S.ESCALATED
    assert post(director, case, "close", form("close", case, director, None, None)).status_code == 302
    assert case.state == S.CLOSED


def _escalated_and_closed_without_parties(staff):
    case = case_in(S.ASSESSED, staff, parties=[])
    operations.escalate_case(case, staff.director, target=EscalationTarget.PARTY_COMMITTEE, note="上报")
    operations.close_case(case, staff.director)
    return case


def _failed_without_parties_or_session_record(staff):
    case = case_in(S.FAILED, staff, parties=[])  # mediated here, failed, no session written down
    operations.close_case(case, staff.director)
    return case


@pytest.mark.parametrize("build, missing", [
    (_escalated_and_closed_without_parties, "未登记当事人"),
    (_failed_without_parties_or_session_record, "未登记当事人；缺少调解笔录"),
])
def test_an_incomplete_file_is_not_archived_and_the_missing_parts_are_named(db, tenant, director, build, missing):
    case = build(Staff(tenant, director=director.user.memberships[0]))
    db.session.commit()
    events = events_of(db, case)

    refused = post(director, case, "archive", {"csrf_token": director.csrf})
    assert refused.status_code == 409
    assert f"卷宗不完整：{missing}。" in refused.get_data(as_text=True)
    _unchanged(db, case, S.CLOSED, events)
    assert case.archived_at is None


def test_a_complete_file_is_archived(db, tenant, director):
    case = case_in(S.CLOSED, Staff(tenant, director=director.user.memberships[0]))
    assert post(director, case, "archive", {"csrf_token": director.csrf}).status_code == 302
    assert case.state == S.ARCHIVED and case.archived_at is not None
    # An archived file is final: nothing more is offered, nothing more is accepted.
    assert "/do/" not in director.get(f"/t/alpha/cases/{case.id}").get_data(as_text=True)
    assert post(director, case, "reopen", {"csrf_token": director.csrf, "reason": "x"}).status_code == 409


def test_an_unknown_transition_is_a_bad_request(db, tenant, director):
    case = factories.case(tenant)
    assert post(director, case, "delete", {"csrf_token": director.csrf}).status_code == 400
    assert db.session.get(Case, case.id).state == S.REGISTERED


def test_a_job_archiving_an_incomplete_file_is_refused_with_the_reason(app, db, tenant):
    """Operations refuse the same way with no request around (jobs, the CLI, the demo)."""
    staff = Staff(tenant)
    case = _failed_without_parties_or_session_record(staff)
    with pytest.raises(operations.Refused) as refused:
        operations.archive_case(case, staff.director)
    assert case.state == S.CLOSED
    with app.test_request_context("/"):
        assert str(refused.value.message) == "卷宗不完整：未登记当事人；缺少调解笔录。"
