"""A form that creates something, sent twice, is made once (webapp/submissions.py): every POST
rule of the app is either such a form or named here as not creating anything, and each form
is drawn, filled and sent twice: the second answer is the first's, and it changes no row."""
import threading
from datetime import timedelta
from html.parser import HTMLParser
from io import BytesIO

import pytest
from flask import url_for
from sqlalchemy import func, select

from tenants.scope import tenant_scope
from tests import factories
from tests.cases.builders import Staff, case_in
from tests.conftest import login
from tests.security.rows import changed, row_counts
from webapp import timelimits
from webapp.cases.models import Case
from webapp.extensions import db as _db
from webapp.keypersons.operations import save_key_person

# POST rules that make nothing new, so a second submission is harmless or refused on its own:
# edits and settings (the same values twice), workflow steps on a versioned record, reading by POST.
NOT_CREATING = {
    "auth.login", "auth.logout", "auth.settings",
    "cases.edit", "cases.edit_party", "cases.reveal",
    "board.move", "board.transition",  # the case's version refuses a second move (409 with the card)
    "villages.edit", "villages.edit_group", "villages.case_links", "villages.remove_member",
    "villages.confirm_council", "villages.reopen_council",
    "meetings.edit", "meetings.attendance", "meetings.finalise",
    "pay.entry", "staff.edit", "keypersons.show",
    "relocation.edit", "relocation.phase",
    "deadlines.pause", "deadlines.resume", "deadlines.flag", "deadlines.operations_view",
    "deadlines.read_notifications", "deadlines.acknowledge", "county.acknowledge",
    "township.limits", "township.edit_category", "township.edit_department",
    "referrals.accept",
    # Signing in and one's own account: the code step, a new password, sessions ended.
    "auth.login_code", "auth.password", "auth.end_one", "auth.end_others",
    # The second factor: set up, turned off, reset. New recovery codes, like a reset password below,
    # are shown on their answer alone: an answer kept to be sent again would keep them readable.
    "auth.two_factor_confirm", "auth.two_factor_new_codes", "auth.two_factor_off",
    "second_factor.reset", "county_second_factor.reset_county",
    # Accounts: a password reset to a one-time one, a lockout lifted, an account (de)activated.
    "staff.reset_password", "staff.lift_lockout",
    "county.reset_password", "county.unlock", "county.deactivate", "county.reactivate",
    # Townships renamed, closed, reopened; settings of the county and the township.
    "county.rename", "county.close", "county.reopen",
    "county.security", "county_second_factor.settings", "township.clock",
    # Marked once on their record, a second time refused: a decision done, a notice answered.
    "meetings.complete_decision", "supervision.notice",
}


def _post_endpoints(app):
    return {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}


class _Forms(HTMLParser):
    """The fields of each form on a page, as a browser would send them untouched."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action") or "", "fields": {}}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("submit", "file"):
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            self._form["fields"][a["name"]] = a.get("value") or ""
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select:
            fields = self._form["fields"]
            if "selected" in a or self._select not in fields:
                fields[self._select] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form["fields"][a["name"]] = ""

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _form_on(html: str, action: str, *, or_to_itself=False) -> dict:
    parser = _Forms()
    parser.feed(html)
    found = [f["fields"] for f in parser.forms if f["action"] == action or (or_to_itself and not f["action"])]
    assert found, f"no form posting to {action}"
    assert any(name.endswith("form_token") for name in found[0]), f"the form posting to {action} carries no one-time token"
    return found[0]


# endpoint: (role, what it needs → (url values, the page that draws the form, typed values)).
def _case(tenant, director, state="registered"):
    return case_in(state, Staff(tenant, director=director))


def _meeting(tenant, director):
    meeting = factories.meeting(tenant, year=timelimits.today().year - 1)
    return meeting


FORMS = {
    "cases.new": ("township_admin", lambda t, d: ({}, "cases.new", {"title": "宅基地边界纠纷", "source": "visit"})),
    "cases.add_party": ("township_admin", lambda t, d: (
        {"case_id": _case(t, d).id}, "cases.show", {"name": "张三", "role": "respondent"})),
    "cases.add_session": ("township_admin", lambda t, d: (
        {"case_id": _case(t, d, "mediating").id}, "cases.show",
        {"place": "村委会", "participants": "张三、李四", "notes": "双方同意再谈"})),
    "cases.add_attachment": ("township_admin", lambda t, d: ({"case_id": _case(t, d).id}, "cases.show", {})),
    "cases.transition": ("township_admin", lambda t, d: (
        {"case_id": _case(t, d).id, "name": "assess"}, "cases.transition",
        {"difficulty": "ordinary", "risk": "resolvable"})),
    "meetings.new": ("township_admin", lambda t, d: (
        {}, "meetings.new", {"kind": "mid_year", "year": str(timelimits.today().year + 1),
                             "held_on": f"{timelimits.today().year + 1}-07-10", "place": "会议室", "chair": "王主任"})),
    "meetings.add_decision": ("township_admin", lambda t, d: (
        {"meeting_id": _meeting(t, d).id}, "meetings.show", {"text": "请司法所牵头"})),
    "meetings.add_action": ("township_admin", lambda t, d: _action(t, d)),
    "meetings.print_document": ("township_admin", lambda t, d: (
        {"meeting_id": _meeting(t, d).id, "what": "pack"}, "meetings.pack_page", {})),
    "deadlines.raise_flag": ("township_admin", lambda t, d: ({}, "deadlines.raise_flag", {"evidence": "逾期未办", "fault": "2",
                                                                       "responsible": str(d.user_id)})),
    "keypersons.new": ("township_admin", lambda t, d: (
        {}, "keypersons.new", {"name": "赵六", "measures": "每周走访", "responsible": "村主任"})),
    "villages.new": ("township_admin", lambda t, d: ({}, "villages.new", {"name": "新寨村"})),
    "villages.new_group": ("township_admin", lambda t, d: (
        {"village_id": factories.village_of(t).id}, "villages.new_group", {"name": "五组", "households": "40"})),
    "villages.add_member": ("township_admin", lambda t, d: (
        {"council_id": factories.council(t, members=1, confirm=False).id}, "villages.council",
        {"name": "理事甲", "role": "member"})),
    "villages.form_group_council": ("township_admin", lambda t, d: (
        {"group_id": factories.village_of(t).groups[0].id},
        ("villages.show", {"village_id": factories.village_of(t).id}), {})),
    "relocation.new": ("township_admin", lambda t, d: (
        {}, "relocation.new", {"name": "河边安置点", "village": str(factories.village_of(t).id), "households": "30"})),
    "relocation.form_council": ("township_admin", lambda t, d: (
        {"project_id": factories.relocation_project(t).id}, "relocation.show", {})),
    "pay.new_rates": ("township_admin", lambda t, d: (
        {}, "pay.new_rates", {"valid_from": (timelimits.today() + timedelta(days=1)).isoformat()})),
    "pay.new_entry": ("township_admin", lambda t, d: (
        {}, "pay.new_entry", {"name": "孙调解", "kind": "mediator", "employment": "part_time",
                              "active_from": "2026-01-01"})),
    "staff.create": ("township_admin", lambda t, d: (
        {}, "staff.index", {"username": "newclerk", "password": "Clerk-Pass-2026!", "display_name": "新书记员",
                            "role": "clerk"})),
    "township.new_category": ("township_admin", lambda t, d: ({}, "township.index", {"name": "山林纠纷"})),
    "township.new_department": ("township_admin", lambda t, d: ({}, "township.index", {"name": "林业站"})),
    "documents.request_single": ("township_admin", lambda t, d: (
        {"case_id": _case(t, d).id, "kind": "intake-form"}, "cases.show", {})),
    "documents.request_case_file": ("township_admin", lambda t, d: (
        {"case_id": _case(t, d, "closed").id}, "cases.show", {})),
    "county.create": ("county_admin", lambda t, d: ({}, "county.index", {"slug": "gamma", "name": "丙镇"})),
    "documents_county.county_request": ("county_admin", lambda t, d: (
        {}, "documents_county.county_index", {"township": str(t.id), "start": "2026-01-01",
                                              "end": timelimits.today().isoformat()})),
    "county.new_account": ("county_admin", lambda t, d: (
        {}, "county.accounts", {"username": "countyreader", "password": "Reader-Pass-2026!",
                                "display_name": "县复核员", "role": "county_reviewer"})),
    "keypersons.add_visit": ("township_admin", lambda t, d: (
        {"person_id": _key_person().id}, "keypersons.show",
        {"visited_on": timelimits.today().isoformat(), "visitors": "李维稳员", "done": "入户谈心"})),
    # 批示: a line on the case's timeline and a notice to its mediator and the director.
    "deadlines.instruct": ("township_admin", lambda t, d: (
        {"escalation_id": factories.reported_escalation(t).id}, "deadlines.instruct", {"text": "请依法化解"})),
    "county.instruct": ("county_admin", lambda t, d: (
        {"escalation_id": factories.reported_escalation(t, "county_bureau").id}, "county.instruct",
        {"text": "请司法所跟进"})),
    "rounds.new": ("township_admin", lambda t, d: ({}, "rounds.new", {"kind": "special", "title": "节前专项排查"})),
    "rounds.file_finding": ("officer", lambda t, d: _round_village(t, d, {"title": "两户争水"})),
    "rounds.file_nil_report": ("officer", lambda t, d: _round_village(t, d, {}, prefix=None)),
    "supervision.take_up": ("township_admin", lambda t, d: (
        {"assignment_id": factories.assignment(t).id}, ("supervision.assignments", {}), {})),
    "supervision_county.assign": ("county_admin", lambda t, d: (
        {}, "supervision_county.assign",
        {"township": str(t.id), "title": "12345热线交办纠纷", "parties": "张某、李某", "source": "hotline",
         "take_up_on": (timelimits.today() + timedelta(days=2)).isoformat(),
         "settle_on": (timelimits.today() + timedelta(days=20)).isoformat()})),
    "supervision_county.send_notice": ("county_admin", lambda t, d: (
        {}, "supervision_county.send_notice",
        {"township": str(t.id), "kind": "warning", "subject": "调解成功率低于目标", "body": "请说明原因",
         "answer_by": (timelimits.today() + timedelta(days=5)).isoformat()})),
}


def _key_person():
    return save_key_person(None, name="赵某", kind="其他", village_id=None, measures="每周走访", responsible="村支书")


def _round_village(tenant, officer, typed, prefix="v"):
    """A round, and a village this officer answers for; a finding's form is drawn with the
    village's prefix."""
    round_, village = factories.investigation_round(tenant), factories.village_of(tenant)
    village.officer_id = officer.user_id
    typed = {f"{prefix}{village.id}-{name}": value for name, value in typed.items()} if prefix else typed
    return ({"round_id": round_.id, "village_id": village.id}, ("rounds.show", {"round_id": round_.id}), typed)


def _action(tenant, director):
    meeting = _meeting(tenant, director)
    case = _case(tenant, director, "escalated")
    decision = meeting.decisions[0]
    prefix = f"d{decision.id}-"  # the form of each decision is drawn with a prefix of its own
    return ({"meeting_id": meeting.id, "decision_id": decision.id}, "meetings.show",
            {prefix + "action": "deadline", prefix + "case": str(case.id),
             prefix + "action_due_on": (timelimits.today() + timedelta(days=30)).isoformat()})


def test_every_post_rule_either_makes_something_once_or_makes_nothing(app):
    endpoints = _post_endpoints(app)
    assert endpoints == set(FORMS) | NOT_CREATING, "name each new POST rule in FORMS or NOT_CREATING"
    for endpoint in FORMS:
        assert getattr(app.view_functions[endpoint], "once_per_form", False), f"{endpoint} is not @once_per_form"


def _urls(app, endpoint, values, page, slug):
    """The form's action, and the page that draws it (``page``: an endpoint, or an endpoint
    and its own values)."""
    args = {**values} if slug is None else {**values, "slug": slug}
    page, page_values = page if isinstance(page, tuple) else (page, None)
    with app.test_request_context():
        if page_values is None:
            page_values = {k: v for k, v in args.items() if k not in ("what", "kind") or page == endpoint}
        elif slug is not None:
            page_values = {**page_values, "slug": slug}
        return url_for(endpoint, **args), url_for(page, **page_values)


@pytest.mark.parametrize("endpoint", sorted(FORMS))
def test_a_form_sent_twice_is_made_once(app, db, tenant, login_as, storage_dir, endpoint):
    role, setup = FORMS[endpoint]
    client = login_as(role)
    with tenant_scope(tenant.id):
        director = client.user.memberships[0] if role != "county_admin" else factories.member("township_admin", tenant)
        values, page, typed = setup(tenant, director)
        db.session.commit()
    slug = None if role == "county_admin" else tenant.slug
    action, page_url = _urls(app, endpoint, values, page, slug)
    html = client.get(page_url).get_data(as_text=True)
    fields = {**_form_on(html, action, or_to_itself=page == endpoint), **typed}
    before = row_counts()
    first = client.post(action, data=_with_file(endpoint, fields), content_type=_type(endpoint))
    assert 200 <= first.status_code < 400, first.get_data(as_text=True)[-3000:]
    made = row_counts()
    assert changed(before, made), "the first submission made nothing"
    second = client.post(action, data=_with_file(endpoint, fields), content_type=_type(endpoint))
    assert (second.status_code, second.headers.get("Location")) == (first.status_code, first.headers.get("Location"))
    assert second.get_data() == first.get_data()
    assert not changed(made, row_counts()), "the second submission made something again"


def _with_file(endpoint, fields):
    if endpoint == "cases.add_attachment":
        return {**fields, "file": (BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), "scan.pdf")}
    return fields


def _type(endpoint):
    return "multipart/form-data" if endpoint == "cases.add_attachment" else None


def test_a_refused_form_may_be_sent_again_with_its_token(app, db, tenant, login_as):
    """A submission refused (422) made nothing: the corrected form, same token, is made."""
    client = login_as("township_admin")
    html = client.get(f"/t/{tenant.slug}/cases/new").get_data(as_text=True)
    fields = _form_on(html, "", or_to_itself=True)
    refused = client.post(f"/t/{tenant.slug}/cases/new", data={**fields, "title": "", "source": "visit"})
    assert refused.status_code == 422
    made = client.post(f"/t/{tenant.slug}/cases/new", data={**fields, "title": "宅基地纠纷", "source": "visit"})
    assert made.status_code == 302
    again = client.post(f"/t/{tenant.slug}/cases/new", data={**fields, "title": "宅基地纠纷", "source": "visit"})
    assert again.headers["Location"] == made.headers["Location"]
    with tenant_scope(tenant.id):
        assert db.session.scalar(select(func.count(Case.id)).where(Case.title == "宅基地纠纷")) == 1


def test_two_taps_at_the_same_moment_register_one_case(live_app):
    """Two submissions of one drawn intake form racing on a real database: one case, and both
    answers lead to it."""
    from tenants.models import Tenant

    with live_app.app_context():
        tenant = _db.session.scalar(select(Tenant).where(Tenant.slug == "jietou"))
        clerk = factories.member("clerk", tenant, display_name="双击的书记员")
        username, tenant_id = clerk.user.username, tenant.id
        _db.session.commit()
    clients = [live_app.test_client(), live_app.test_client()]  # two taps, each its own request
    for client in clients:
        assert login(client, username).status_code == 302
    path = "/t/jietou/cases/new"
    fields = _form_on(clients[0].get(path).get_data(as_text=True), "", or_to_itself=True)
    title = f"双击登记 {fields['form_token'][:8]}"
    data = [{**fields, "title": title, "source": "visit",
             "csrf_token": _form_on(client.get(path).get_data(as_text=True), "", or_to_itself=True)["csrf_token"]} for client in clients]
    barrier = threading.Barrier(2, timeout=10)
    answers = [None, None]

    def tap(n):
        barrier.wait()
        answers[n] = clients[n].post(path, data=data[n])

    threads = [threading.Thread(target=tap, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [a.status_code for a in answers] == [302, 302], [a.get_data(as_text=True)[-500:] for a in answers]
    assert answers[0].headers["Location"] == answers[1].headers["Location"]
    with live_app.app_context(), tenant_scope(tenant_id):
        assert _db.session.scalar(select(func.count(Case.id)).where(Case.title == title)) == 1
