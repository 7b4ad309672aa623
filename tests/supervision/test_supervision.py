"""Reports up (上报) and answers down (批示); assignments (交办) and supervision notices (督办)
from the county; the party committee's overview; the sweep's warnings and flags, twice."""
from datetime import date, timedelta

from sqlalchemy import func, select

from tenants.scope import all_tenants, tenant_scope
from tests import factories
from tests.deadlines.conftest import bj, row_counts, sweep
from webapp.cases import operations
from webapp.cases.models import CaseEvent, CaseState, Difficulty, Risk, Source
from webapp.deadlines.models import Escalation, Flag, FlagKind, Notification
from webapp.extensions import db
from webapp.supervision.models import Assignment, SupervisionNotice
from webapp.types import clock_at


def _mediating(tenant, mediator, *, risk=Risk.RESOLVABLE, title="宅基地边界纠纷"):
    director = factories.member("township_admin", tenant, display_name="周主任")
    case = factories.case(tenant, director, title=title)
    with tenant_scope(tenant.id):
        operations.assess_case(case, director, difficulty=Difficulty.COMPLEX, risk=risk)
        operations.start_mediation(case, director, assignee_id=mediator.user_id)
    db.session.commit()
    return case, director


def _text(response):
    return response.get_data(as_text=True)


def test_a_report_to_the_county_reaches_its_list_and_the_instruction_comes_back(db, tenant, login_as):
    mediator = login_as("mediator", display_name="李调解员")
    case, director = _mediating(tenant, mediator.user.memberships[0])

    done = mediator.post(f"/t/alpha/cases/{case.id}/do/escalate", data={
        "target": "county_bureau", "note": "双方聚集上访苗头，镇里难以化解", "csrf_token": mediator.csrf})
    assert done.status_code in (200, 302, 303), _text(done)[-400:]
    with tenant_scope(tenant.id):
        db.session.refresh(case)
        assert case.state == CaseState.ESCALATED

    county = login_as("county_admin")
    queue = _text(county.get("/county/escalations"))
    assert case.title in queue and "双方聚集上访苗头" in queue
    with tenant_scope(tenant.id):
        escalation = db.session.scalar(select(Escalation).where(Escalation.case_id == case.id))
    assert escalation.level.value == "county" and escalation.reason.value == "manual"

    # The county reviewer reads, and may neither acknowledge nor instruct.
    reviewer = login_as("county_reviewer")
    assert reviewer.get(f"/county/escalations/{escalation.id}/instruct").status_code == 403
    # An empty instruction: the reason beside the field, 422, nothing saved.
    empty = county.post(f"/county/escalations/{escalation.id}/instruct", data={"text": " ", "csrf_token": county.csrf})
    assert empty.status_code == 422 and "请写下批示" in _text(empty)
    answered = county.post(f"/county/escalations/{escalation.id}/instruct", data={
        "text": "请镇党委政府牵头，三日内组织联调", "csrf_token": county.csrf})
    assert answered.status_code == 302

    page = _text(mediator.get(f"/t/alpha/cases/{case.id}"))
    assert "请镇党委政府牵头，三日内组织联调" in page
    with tenant_scope(tenant.id):
        told = db.session.execute(select(Notification.user_id, Notification.kind).where(
            Notification.case_id == case.id, Notification.kind == "instruction")).all()
        db.session.refresh(escalation)
    assert {row.user_id for row in told} == {mediator.user.id, director.user_id}
    assert escalation.acknowledged_at is not None
    # Answered once: the county's queue no longer offers it.
    again = county.post(f"/county/escalations/{escalation.id}/instruct", data={"text": "再批", "csrf_token": county.csrf})
    assert again.status_code == 422


def test_the_party_committee_hears_of_a_report_acknowledges_and_instructs(db, tenant, login_as):
    party = login_as("party", display_name="镇党委书记")
    mediator = factories.member("mediator", tenant)
    case, director = _mediating(tenant, mediator, risk=Risk.MAY_ESCALATE, title="山林权属群体纠纷")
    with tenant_scope(tenant.id):
        operations.escalate_case(case, mediator, target=operations.EscalationTarget.PARTY_COMMITTEE, note="可能激化")
        db.session.commit()
        escalation = db.session.scalar(select(Escalation).where(Escalation.case_id == case.id))

    overview = _text(party.get("/t/alpha/"))
    assert "山林权属群体纠纷" in overview
    for heading in ("报给您、尚未签收", "可激化"):
        assert heading in overview
    bell = _text(party.get("/t/alpha/notifications/"))
    assert "山林权属群体纠纷" in bell

    # Read-only on cases: no transition, no edit, no board move.
    assert party.post(f"/t/alpha/cases/{case.id}/edit", data={"title": "改", "csrf_token": party.csrf}).status_code == 403
    assert party.post(f"/t/alpha/cases/{case.id}/do/resume", data={"csrf_token": party.csrf}).status_code == 403
    # Its two writes: acknowledging and instructing.
    assert party.post(f"/t/alpha/escalations/{escalation.id}/acknowledge",
                      data={"csrf_token": party.csrf}).status_code == 302
    assert party.post(f"/t/alpha/escalations/{escalation.id}/instruct", data={
        "text": "由综治办牵头稳控", "csrf_token": party.csrf}).status_code == 302
    with tenant_scope(tenant.id):
        kinds = db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)).all()
    assert "ack:party_committee" in kinds and "instruction:party_committee" in kinds
    # The director's overview: reported, and now answered.
    director_client = login_as("township_admin")
    assert "已上报、尚未批示" in _text(director_client.get("/t/alpha/"))


def test_the_director_sees_what_was_reported_and_not_yet_answered(db, tenant, login_as):
    director = login_as("township_admin")
    mediator = factories.member("mediator", tenant)
    case, _ = _mediating(tenant, mediator, title="土地流转纠纷")
    with tenant_scope(tenant.id):
        operations.escalate_case(case, mediator, target=operations.EscalationTarget.DIRECTOR, note="需主任协调")
        db.session.commit()
    page = _text(director.get("/t/alpha/"))
    section = page[page.index('id="work-reported"'):]
    assert "土地流转纠纷" in section[:section.index("</section>")]


def _assign(county, tenant, **fields):
    today = date.today()
    data = {"township": str(tenant.id), "title": "12345热线：灌溉用水纠纷", "parties": "张某、李某", "source": "hotline",
            "narrative": "", "take_up_on": (today + timedelta(days=2)).isoformat(),
            "settle_on": (today + timedelta(days=20)).isoformat(), "csrf_token": county.csrf, **fields}
    return county.post("/county/assignments/new", data=data)


def test_an_assignment_goes_down_is_taken_up_and_the_county_sees_its_state(db, tenant, other_tenant, login_as):
    operations.prepare_township(tenant)
    county = login_as("county_admin")
    bad = _assign(county, tenant, title="", take_up_on=(date.today() - timedelta(days=1)).isoformat())
    assert bad.status_code == 422 and "请写明纠纷" in _text(bad) and "张某、李某" in _text(bad)
    late = _assign(county, tenant, settle_on=date.today().isoformat())
    assert late.status_code == 422 and "化解期限不能早于接收期限" in _text(late)
    with all_tenants():
        assert db.session.scalar(select(func.count(Assignment.id))) == 0
    assert _assign(county, tenant).status_code == 302
    assert "待接收" in _text(county.get("/county/assignments/"))

    clerk = login_as("clerk")
    assert "1 件上级交办纠纷待接收" in _text(clerk.get("/t/alpha/"))
    queue = _text(clerk.get("/t/alpha/assignments/"))
    assert "灌溉用水纠纷" in queue
    with tenant_scope(tenant.id):
        assignment = db.session.scalar(select(Assignment))
    # Another township sees nothing of it.
    stranger = login_as("clerk", in_tenant=other_tenant)
    assert "灌溉用水纠纷" not in _text(stranger.get(f"/t/{other_tenant.slug}/assignments/"))
    assert stranger.post(f"/t/alpha/assignments/{assignment.id}/take-up",
                         data={"csrf_token": stranger.csrf}).status_code == 404

    taken = clerk.post(f"/t/alpha/assignments/{assignment.id}/take-up", data={"csrf_token": clerk.csrf})
    assert taken.status_code == 302
    with tenant_scope(tenant.id):
        db.session.refresh(assignment)
        case = assignment.case
        assert case.source == Source.ASSIGNED and case.title == "12345热线：灌溉用水纠纷"
    assert "上级交办" in _text(clerk.get(f"/t/alpha/cases/{case.id}"))
    assert clerk.post(f"/t/alpha/assignments/{assignment.id}/take-up",
                      data={"csrf_token": clerk.csrf}).status_code == 302  # refused, said in a flash
    assert "已接收" in _text(county.get("/county/assignments/"))


def test_the_sweep_warns_before_and_flags_after_and_a_second_sweep_changes_nothing(db, tenant):
    county_admin = factories.member("county_admin", tenant)
    clerk = factories.member("clerk", tenant)
    director = factories.member("township_admin", tenant)
    from webapp.supervision import operations as supervision
    from webapp.supervision.models import AssignmentSource, NoticeKind

    with clock_at(bj(2026, 3, 2)), tenant_scope(tenant.id):
        assignment = supervision.assign(tenant, county_admin, title="信访交办：拖欠工资", parties="务工人员", settle_on=date(2026, 3, 20),
                                        source=AssignmentSource.PETITION, take_up_on=date(2026, 3, 4))
        notice = supervision.send_notice(tenant, county_admin, kind=NoticeKind.WARNING, subject="调解成功率低于目标",
                                         body="请说明原因和整改措施", answer_by=date(2026, 3, 6))
        db.session.commit()

    def notices(kind):
        with all_tenants():
            return db.session.scalars(select(Notification.user_id).where(Notification.kind == kind)).all()

    sweep(bj(2026, 3, 3, 12))  # more than a day before the end of 4 March: nothing yet
    assert notices("assignment_due") == []
    sweep(bj(2026, 3, 4, 9))
    assert sorted(notices("assignment_due")) == sorted([clerk.user_id, director.user_id])
    before = row_counts()
    sweep(bj(2026, 3, 4, 9, 5))
    assert row_counts()["notifications"] == before["notifications"]

    sweep(bj(2026, 3, 5, 9))
    sweep(bj(2026, 3, 7, 9))
    with all_tenants():
        flags = db.session.scalars(select(Flag).order_by(Flag.id)).all()
    assert [(f.kind, f.fault) for f in flags] == [(FlagKind.ASSIGNED_NOT_HANDLED, 5), (FlagKind.NOT_ANSWERED, 5)]
    before = row_counts()
    sweep(bj(2026, 3, 7, 9, 5))
    after = row_counts()
    assert {k: v for k, v in after.items() if k != "sweeps"} == {k: v for k, v in before.items() if k != "sweeps"}
    with tenant_scope(tenant.id):
        db.session.refresh(assignment)
        db.session.refresh(notice)
    assert assignment.late_flagged and notice.late_flagged


def test_a_notice_is_answered_in_writing_and_other_townships_never_see_it(db, tenant, other_tenant, login_as):
    county = login_as("county_admin")
    case = factories.case(tenant)
    db.session.commit()
    data = {"township": str(tenant.id), "kind": "supervision", "case_number": "9999", "subject": "久拖未结",
            "body": "请说明进展", "answer_by": (date.today() + timedelta(days=3)).isoformat(), "csrf_token": county.csrf}
    wrong = county.post("/county/supervision/new", data=data)
    assert wrong.status_code == 422 and "本镇没有这个案号的案件" in _text(wrong)
    assert county.post("/county/supervision/new", data={**data, "case_number": str(case.seq)}).status_code == 302
    with tenant_scope(tenant.id):
        notice = db.session.scalar(select(SupervisionNotice))
    assert notice.case_id == case.id

    director = login_as("township_admin")
    assert "久拖未结" in _text(director.get("/t/alpha/supervision/"))
    empty = director.post(f"/t/alpha/supervision/{notice.id}", data={"text": "", "csrf_token": director.csrf})
    assert empty.status_code == 422 and "请写下书面答复" in _text(empty)
    assert director.post(f"/t/alpha/supervision/{notice.id}", data={
        "text": "已召开专题会，十日内办结", "csrf_token": director.csrf}).status_code == 302
    assert "已召开专题会" in _text(county.get("/county/supervision/"))

    stranger = login_as("township_admin", in_tenant=other_tenant)
    assert "久拖未结" not in _text(stranger.get(f"/t/{other_tenant.slug}/supervision/"))
    assert stranger.get(f"/t/alpha/supervision/{notice.id}").status_code == 404
    assert stranger.get(f"/t/{other_tenant.slug}/supervision/{notice.id}").status_code == 404
