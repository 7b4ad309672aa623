"""Everything that changes a case. Each operation checks, changes, records an event on the
case's timeline, and flushes; the view (or job) that called it commits once.

Docstrings name the rule of the 12345 method each operation carries out.
"""
import hashlib
import secrets
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect as sa_inspect, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tenants.models import Role
from tenants.operations import township_created
from tenants.scope import tenant_scope
from webapp import audit, permissions, timelimits
from webapp.cases import workflow
from webapp.cases.models import (
    DEFAULT_CATEGORIES, Agreement, Attachment, Case, CaseCounter, CaseEvent, CaseKeyPerson, CaseRelation, CaseSettings,
    CaseState, CaseTag, Category, EscalationTarget, FollowUp, MediationSession, NextStep, Party, Referral, ReferralStatus
)
from webapp.deadlines import clock
from webapp.deadlines.reports import report_up
from webapp.errors import Refused
from webapp.extensions import db
from webapp.storage import put_recorded
from webapp.township.settings import settings_for
from webapp.types import utcnow
from worker.queue import enqueue_after_commit

# -- a new township --------------------------------------------------------------------------


@township_created.connect
def prepare_township(tenant, **_) -> None:
    """Every township starts with the method's time limits and the usual categories."""
    with tenant_scope(tenant.id):
        if db.session.scalar(select(CaseSettings.id).where(CaseSettings.tenant_id == tenant.id)) is None:
            db.session.add(CaseSettings(tenant_id=tenant.id))
        if db.session.scalar(select(Category.id).where(Category.tenant_id == tenant.id).limit(1)) is None:
            for position, name in enumerate(DEFAULT_CATEGORIES):
                db.session.add(Category(tenant_id=tenant.id, name=name, position=position))
        db.session.flush()


# -- shared steps ---------------------------------------------------------------------------


# Timeline lines that record accountability about a case rather than change its record (an
# accountability flag, an escalation acknowledged): written on a closed case too.
_ABOUT_THE_CASE = ("flag:", "ack:", "instruction:")


def check_record_open(case: Case) -> None:
    """A closed case's record is final; an archived one is a legal record (``workflow.FINAL``).
    Every edit of a case records its event through ``record_event``, which asks this first;
    an operation with an effect outside the transaction (a stored file) asks before it."""
    reason = workflow.record_refusal(case)
    if reason is not None:
        raise Refused(reason)


def record_event(case: Case, actor, kind: str, *, note: str = "", data: dict | None = None,
                 from_state=None, to_state=None) -> CaseEvent:
    if kind not in ("transition", "registered") and not kind.startswith(_ABOUT_THE_CASE):
        check_record_open(case)
    # By id when the case has one and its timeline (``case.events``) was not loaded: nothing
    # is loaded to be appended to, and the flush has no relationship to work through.
    by_id = case.id is not None and "events" in sa_inspect(case).unloaded
    link = {"case_id": case.id} if by_id else {"case": case}
    event = CaseEvent(tenant_id=case.tenant_id, actor_id=getattr(actor, "user_id", None), kind=kind,
                      note=note or "", data=data, from_state=from_state, to_state=to_state, **link)
    db.session.add(event)
    return event


def _move(case: Case, name: str, actor, *, note: str = "", data: dict | None = None, clock_inputs: bool = False,
          restart_clock: bool = False) -> CaseEvent:
    """Make the transition. The case's moments are computed again only when the move changed
    what they are computed from (``clock_inputs``: assessment sets the limit) or starts a new
    clock (``restart_clock``: reopening); any other move leaves them, and the sweep's watch
    follows the new state."""
    reason = workflow.refusal(case, name, actor)
    if reason is not None:
        raise Refused(reason)
    before, after = case.state, workflow.TRANSITIONS[name].target
    case.state = after
    if restart_clock:
        clock.restart(case, was_state=before)
    elif clock_inputs:
        clock.refresh(case, was_state=before)
    else:
        clock.moved(case, was_state=before)
    return record_event(case, actor, "transition", note=note, data={"transition": name, **(data or {})},
                        from_state=before, to_state=after)


def _next_seq(tenant_id: int, year: int) -> int:
    """Gap-free numbering: the counter row is locked by the UPDATE until the registration
    commits, so two clerks registering at the same moment get consecutive numbers, and a
    registration that rolls back gives its number back."""
    table = CaseCounter.__table__
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(table).values(tenant_id=tenant_id, year=year, last=0).on_conflict_do_nothing(
            index_elements=["tenant_id", "year"])
    )
    return db.session.execute(
        update(table).where(table.c.tenant_id == tenant_id, table.c.year == year)
        .values(last=table.c.last + 1).returning(table.c.last)
    ).scalar_one()


def case_number(tenant, year: int, seq: int) -> str:
    short = tenant.name.removesuffix("镇").removesuffix("乡")
    return f"{short}〔{year}〕第{seq:04d}号"


# -- intake ---------------------------------------------------------------------------------


def register_case(tenant, actor, *, title: str, source, category=None, village=None, group=None,
                  level=None, narrative: str = "", parties=()) -> Case:
    """统一受理: every dispute enters through the center and gets the township's next number."""
    now = utcnow()
    year = now.astimezone(timelimits.BEIJING).year
    seq = _next_seq(tenant.id, year)
    case = Case(tenant_id=tenant.id, year=year, seq=seq, number=case_number(tenant, year, seq), title=title,
                narrative=narrative or "", source=source, category=category, village=village, group=group,
                accepted_at=now, created_by_id=getattr(actor, "user_id", None), state=CaseState.REGISTERED,
                clock_cycle=0)
    if level is not None:
        case.level = level
    case.clock_started_at = now
    clock.refresh(case, now)
    for fields in parties:
        case.parties.append(Party(tenant_id=tenant.id, **fields))
    db.session.add(case)
    record_event(case, actor, "registered", to_state=CaseState.REGISTERED,
                 data={"source": getattr(source, "value", source)})
    db.session.flush()
    return case


def relate_case(case: Case, actor, related: Case) -> CaseRelation:
    """A dispute registered as related to an earlier case of the same party (a likely duplicate
    the clerk chose to link): recorded on the new case and on its timeline; the earlier case's
    page lists it too, without a line on that case's timeline (a closed case's record is final)."""
    if related.tenant_id != case.tenant_id or related.id == case.id:
        raise Refused(_l("Choose another case of this township."), field="related_case")
    relation = CaseRelation(tenant_id=case.tenant_id, case_id=case.id, related_case_id=related.id,
                            created_by_id=getattr(actor, "user_id", None))
    db.session.add(relation)
    record_event(case, actor, "related", data={"case_id": related.id, "number": related.number})
    db.session.flush()
    return relation


def edit_case(case: Case, actor, **changes) -> bool:
    """Edits leave a trace too: the timeline lists each changed field with before and after."""
    diff = {}
    for name, value in changes.items():
        before = getattr(case, name)
        if before != value:
            diff[name] = [_plain(before), _plain(value)]
            setattr(case, name, value)
    if diff:
        record_event(case, actor, "edited", data={"changes": diff})
        db.session.flush()
    return bool(diff)


def _plain(value):
    if hasattr(value, "name") and hasattr(value, "id"):
        return value.name
    return getattr(value, "value", value)


def add_party(case: Case, actor, **fields) -> Party:
    party = Party(case=case, tenant_id=case.tenant_id, **fields)
    db.session.add(party)
    record_event(case, actor, "party_added", data={"name": party.name, "role": party.role.value})
    db.session.flush()
    return party


def edit_party(party: Party, actor, **fields) -> None:
    changed = sorted(name for name, value in fields.items() if getattr(party, name) != value)
    for name in changed:
        setattr(party, name, fields[name])
    if changed:
        # Which fields changed, never their personal values.
        record_event(party.case, actor, "party_edited", data={"name": party.name, "fields": changed})
        db.session.flush()


def may_reveal(case: Case, field: str, actor) -> bool:
    """Who may see a party's full ID number, phone or address: the center's director and the
    intake clerk, any of them; the mediator assigned to the case, the phone alone (to call
    the parties). Everyone else sees them masked."""
    if permissions.can("personal_data.reveal", actor.role):
        return True
    return field == "phone" and actor.role == Role.MEDIATOR and case.assignee_id == actor.user_id


def reveal(party: Party, field: str, actor, tenant) -> str:
    """Showing a full ID number, phone or address is one field at a time, and audited."""
    audit.record("personal_data.reveal", user=actor.user, tenant=tenant,
                 detail={"case": party.case.number, "party": party.name, "field": field})
    return getattr(party, field) or ""


# -- assessment and routing -----------------------------------------------------------------


def assess_case(case: Case, actor, *, difficulty, risk, tags=(), key_person_ids=(), note: str = "") -> None:
    """研判: difficulty sets the time limit (7/20/60 days from acceptance, per township)."""
    days = timelimits.limit_days(difficulty, settings_for(case.tenant_id))
    case.difficulty, case.risk, case.limit_days = difficulty, risk, days
    case.assessed_at = utcnow()
    for kind, label in dict.fromkeys(tags):  # a tag typed twice is one tag
        case.tags.append(CaseTag(tenant_id=case.tenant_id, kind=kind, label=label))
    for key_person_id in key_person_ids:
        db.session.add(CaseKeyPerson(tenant_id=case.tenant_id, case_id=case.id, key_person_id=key_person_id))
    _move(case, "assess", actor, note=note, data={
        "difficulty": difficulty.value, "risk": risk.value, "limit_days": days,
        "tags": [[k.value, label] for k, label in tags]}, clock_inputs=True)
    db.session.flush()


def start_mediation(case: Case, actor, *, assignee_id: int, note: str = "") -> None:
    """The center mediates itself, by the director or an assigned mediator."""
    if actor.role.value == "mediator" and assignee_id != actor.user_id:
        raise Refused(_l("A mediator can only take a case on themselves."), field="assignee")
    case.assignee_id = assignee_id
    _move(case, "start_mediation", actor, note=note, data={"assignee_id": assignee_id})
    db.session.flush()


def refer_case(case: Case, actor, *, department, note: str = "") -> Referral:
    """分流: the case goes to a department, which follows the center's procedure."""
    case.department = department
    now = utcnow()
    referral = Referral(tenant_id=case.tenant_id, case=case, department=department, note=note or "",
                        referred_by_id=actor.user_id, referred_at=now,
                        accept_by=clock.referral_accept_by(case.tenant_id, now))
    db.session.add(referral)
    _move(case, "refer", actor, note=note, data={"department": department.name})
    db.session.flush()
    # Here, not at the top: the job works through this module (worker.jobs imports it).
    from worker.jobs import send_referral_notice

    enqueue_after_commit(send_referral_notice, case.tenant_id, referral.id, job_id=f"referral-notice-{referral.id}")
    return referral


def accept_referral(case: Case, actor) -> Referral:
    """The department's liaison takes the referral on; the center sees when."""
    referral = case.open_referral
    if referral is None or not referral.of_department_of(actor):
        raise Refused(_l("This case was referred to another department."))
    if referral.status != ReferralStatus.PENDING:
        raise Refused(_l("This referral has been accepted already."))
    referral.status, referral.accepted_at, referral.accepted_by_id = ReferralStatus.ACCEPTED, utcnow(), actor.user_id
    record_event(case, actor, "referral_accepted", data={"department": referral.department.name})
    db.session.flush()
    return referral


def complete_referral(case: Case, actor, *, result: str) -> None:
    """On success the department sends the result and the file materials back to the center."""
    referral = case.open_referral
    _move(case, "complete_referral", actor, note=result, data={"department": referral.department.name})
    referral.status, referral.result, referral.finished_at = ReferralStatus.SUCCEEDED, result, utcnow()
    case.resolved_at = utcnow()
    _schedule_follow_ups(case, timelimits.today())
    db.session.flush()


def return_referral(case: Case, actor, *, reason: str) -> None:
    """回流: a department that cannot resolve the case returns it to the center with a reason."""
    referral = case.open_referral
    _move(case, "return_referral", actor, note=reason, data={"department": referral.department.name})
    referral.status, referral.return_reason, referral.finished_at = ReferralStatus.RETURNED, reason, utcnow()
    case.department_id = None
    db.session.flush()


# -- mediation ------------------------------------------------------------------------------


def session_refusal(case: Case, actor):
    """Why ``actor`` may not record a mediation session on ``case`` now, or None."""
    if case.state not in (CaseState.MEDIATING, CaseState.REFERRED, CaseState.ESCALATED):
        return _l("Mediation sessions are recorded while a case is being mediated.")
    if actor.role.value == "liaison":
        # A department records its work while the case is referred to it, not once it is back
        # at the center or with another department (the session would count as theirs).
        referral = case.open_referral
        if referral is None or referral.department_id != actor.department_id:
            return _l("This case was referred to another department.")
    return None


def record_session(case: Case, actor, *, held_on: date, place: str, participants: str, notes: str) -> MediationSession:
    reason = session_refusal(case, actor)
    if reason is not None:
        raise Refused(reason)
    referral = case.open_referral if actor.role.value == "liaison" else None
    session = MediationSession(tenant_id=case.tenant_id, case_id=case.id, held_on=held_on, place=place,
                               participants=participants, notes=notes, recorded_by_id=actor.user_id,
                               referral_id=referral.id if referral else None)
    case.sessions.append(session)
    record_event(case, actor, "session_recorded", data={"held_on": held_on.isoformat(), "place": place})
    db.session.flush()
    return session


def resolve_case(case: Case, actor, *, text: str, amount=None, perform_by: date | None = None,
                 signed_on: date) -> Agreement:
    """An agreement (调解协议) closes the mediation; follow-up visits are scheduled after it."""
    _move(case, "resolve", actor, data={"amount": str(amount) if amount is not None else None})
    agreement = case.agreement or Agreement(tenant_id=case.tenant_id, case=case)
    agreement.text, agreement.amount, agreement.perform_by, agreement.signed_on = text, amount, perform_by, signed_on
    agreement.recorded_by_id = actor.user_id
    db.session.add(agreement)
    case.resolved_at = utcnow()
    _schedule_follow_ups(case, signed_on)
    db.session.flush()
    return agreement


def _schedule_follow_ups(case: Case, start: date) -> None:
    existing = {f.due_on for f in case.follow_ups}
    for offset in settings_for(case.tenant_id).follow_up_offsets():
        due = start + timedelta(days=offset)
        if due not in existing:
            case.follow_ups.append(FollowUp(tenant_id=case.tenant_id, due_on=due))


def fail_case(case: Case, actor, *, next_step: NextStep, note: str) -> None:
    """Mediation failed: the next step is escalation, or guidance to litigation or arbitration."""
    case.next_step = next_step
    _move(case, "fail", actor, note=note, data={"next_step": next_step.value})
    db.session.flush()


def escalate_case(case: Case, actor, *, target: EscalationTarget, note: str) -> None:
    """上报: cases the mediator cannot resolve, or that may escalate, go to the center director,
    the party committee and government, or the county bureau. Possible from any open state; the
    level gets an escalation to acknowledge and answer, and its people a notice."""
    referral = case.open_referral
    if referral is not None:
        referral.status, referral.finished_at = ReferralStatus.WITHDRAWN, utcnow()
        case.department_id = None
    case.escalated_to = target
    event = _move(case, "escalate", actor, note=note, data={"target": target.value})
    db.session.flush()
    report_up(case, actor, target=target, note=note, event=event)
    db.session.flush()


def resume_case(case: Case, actor, *, assignee_id: int, note: str = "") -> None:
    case.assignee_id = assignee_id
    _move(case, "resume", actor, note=note, data={"assignee_id": assignee_id})
    db.session.flush()


# -- follow-up, closing, archiving ----------------------------------------------------------


def record_follow_up(case: Case, actor, follow_up: FollowUp, *, carried_out: bool, may_flare_up: bool,
                     notes: str) -> None:
    """回访: is the agreement carried out, might the dispute flare up? A flare-up reopens the case."""
    if follow_up.case_id != case.id:
        raise Refused(_l("This visit belongs to another case."))
    if follow_up.done_at is not None:
        raise Refused(_l("This visit has been recorded already."))
    if case.state == CaseState.RESOLVED:
        # The first visit moves the case into follow-up; what was found is told once, on
        # the visit's own line of the timeline below.
        _move(case, "follow_up", actor)
    else:
        reason = workflow.refusal(case, "follow_up", actor)
        if reason is not None:
            raise Refused(reason)
    follow_up.done_at, follow_up.done_by_id = utcnow(), actor.user_id
    follow_up.carried_out, follow_up.may_flare_up, follow_up.notes = carried_out, may_flare_up, notes
    record_event(case, actor, "follow_up_recorded", note=notes, data={
        "due_on": follow_up.due_on.isoformat(), "carried_out": carried_out, "may_flare_up": may_flare_up})
    if may_flare_up:
        _move(case, "reopen", actor, note=notes, data={"reason": "flare_up"}, restart_clock=True)
    db.session.flush()


def reopen_case(case: Case, actor, *, reason: str) -> None:
    _move(case, "reopen", actor, note=reason, restart_clock=True)
    case.closed_at = None
    db.session.flush()


def close_case(case: Case, actor, *, note: str = "") -> None:
    """结案: the case file is rendered by the worker once the closing commits."""
    # Here, not at the top: rendering a case file moves through this module's operations.
    from webapp.documents.operations import request_case_file

    _move(case, "close", actor, note=note)
    case.closed_at = utcnow()
    db.session.flush()
    request_case_file(case, actor)


def archive_case(case: Case, actor) -> None:
    """卷宗归档: only a complete file is archived."""
    # Here, not at the top: rendering a case file moves through this module's operations.
    from webapp.documents.operations import request_case_file

    _move(case, "archive", actor)
    case.archived_at = utcnow()
    db.session.flush()
    # The archived version, with its archive date; the version made at closing is kept.
    request_case_file(case, actor)


def add_attachment(case: Case, actor, *, filename: str, content_type: str, data: bytes, storage) -> Attachment:
    check_record_open(case)
    key = f"{case.tenant_id}/{case.id}/{secrets.token_hex(8)}"
    attachment = Attachment(tenant_id=case.tenant_id, case_id=case.id, filename=filename, content_type=content_type,
                            size=len(data), sha256=hashlib.sha256(data).hexdigest(), storage_key=key,
                            uploaded_by_id=actor.user_id)
    case.attachments.append(attachment)
    record_event(case, actor, "attachment_added", data={"filename": filename, "size": len(data)})
    db.session.flush()
    put_recorded(db.session(), storage, key, data)  # kept only if the row is committed
    return attachment


# -- a date set by the center ---------------------------------------------------------------


def set_deadline(case: Case, actor, *, due_on: date, note: str) -> CaseEvent:
    """限期处理: the director (at a joint meeting, say) sets the date by which a case is to be
    settled. A dated line on the timeline; the time limit of its difficulty stays as it is."""
    if actor is None or actor.role.value != "township_admin":
        raise Refused(_l("Only the center director can set a deadline."))
    if case.state in (CaseState.CLOSED, CaseState.ARCHIVED):
        raise Refused(_l("A case that is “%(state)s” needs no deadline.", state=workflow.STATE_LABELS[case.state]))
    if due_on < timelimits.today():
        raise Refused(_l("The deadline cannot be in the past."), field="due_on")
    event = record_event(case, actor, f"deadline:{due_on.isoformat()}", note=note,
                         data={"due_on": due_on.isoformat()})
    db.session.flush()
    return event
