"""Case pages: list and search, intake, the case with its timeline, and every action on it.
Each view is load → check → operate → render, and commits once."""
from io import BytesIO

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from webapp import audit, downloads, timelimits
from webapp.cases import bp, duplicates, operations, transitions, workflow
from webapp.cases.access import get_case_or_404, get_party_or_404, own_cases, related_cases, visible_cases
from webapp.cases.attachments import INLINE_TYPES, AttachmentProblem, check_upload, make_thumbnail
from webapp.cases.forms import (AttachmentForm, CaseEditForm, GroupChoiceForm, IntakeForm, PartyForm, SessionForm,
                                group_choices)
from webapp.cases.models import Attachment, Case, CaseState, Category, Level, Party, PartyRole, Risk, Source
from webapp.errors import answer_refusals
from webapp.extensions import db, htmx
from webapp.permissions import can, require
from webapp.security_headers import UPLOAD_POLICY
from webapp.storage import get_storage
from webapp.submissions import once_per_form
from webapp.township.settings import calendar_for
from webapp.types import utcnow
from webapp.villages import operations as link_operations
from webapp.villages.models import Village, VillagerGroup

PAGE_SIZE = 30


# -- helpers shared by the views ------------------------------------------------------------


def _villages():
    return db.session.scalars(select(Village).where(Village.tenant_id == g.tenant.id)
                              .options(selectinload(Village.groups)).order_by(Village.id)).all()


def _categories():
    return db.session.scalars(select(Category).where(Category.tenant_id == g.tenant.id, Category.active.is_(True))
                              .order_by(Category.position, Category.id)).all()


def _by_id(model, item_id):
    if not item_id:
        return None
    return db.session.scalar(select(model).where(model.id == item_id, model.tenant_id == g.tenant.id))


def _render_case(case, status=200, open_form=None, open_action=None, revealed=None):
    clock = timelimits.case_clock(case, utcnow(), calendar_for(case.tenant_id))
    context = {
        "case": case,
        "actions": workflow.allowed(case, g.membership) if can("case.view") else [],
        "light": clock.light,
        "days_left": clock.days_left,
        "open_form": open_form,
        "open_action": open_action,
        "revealed": revealed or {},
        "party_form": PartyForm().setup() if open_action != "party" else open_form,
        "session_form": SessionForm() if open_action != "session" else open_form,
        "may_record_session": can("case.record") and operations.session_refusal(case, g.membership) is None,
        "attachment_form": AttachmentForm() if open_action != "attachment" else open_form,
        "inline_types": INLINE_TYPES,
        "related_cases": related_cases(case),
    }
    template = "cases/_case.html" if htmx and not htmx.boosted else "cases/show.html"
    return render_template(template, **context), status


def _refusals_on_the_case_page(case_id):
    """A refusal of an edit (a closed or archived case's record is final, say) is told on the
    case page, read afresh after the rollback."""
    answer_refusals(lambda status, _form: _render_case(get_case_or_404(case_id), status))


def _done(case, message):
    flash(message, "success")
    if htmx:
        return _render_case(case)
    return redirect(url_for("cases.show", case_id=case.id))


# -- list, search, intake, show -------------------------------------------------------------


@bp.get("/")
@require("case.view")
def index():
    args = request.args
    query = visible_cases().options(selectinload(Case.village))
    if args.get("q"):
        like = f"%{args['q'].strip()}%"
        party_match = select(Party.case_id).where(Party.name.ilike(like))
        query = query.outerjoin(Village, Case.village_id == Village.id).where(or_(
            Case.number.ilike(like), Case.title.ilike(like), Case.narrative.ilike(like),
            Village.name.ilike(like), Case.id.in_(party_match)))
    if args.get("state") in {s.value for s in CaseState}:
        query = query.where(Case.state == CaseState(args["state"]))
    if args.get("village", type=int):
        query = query.where(Case.village_id == args.get("village", type=int))
    if args.get("category", type=int):
        query = query.where(Case.category_id == args.get("category", type=int))
    if args.get("risk") in {r.value for r in Risk}:
        query = query.where(Case.risk == Risk(args["risk"]))
    if args.get("mine"):
        query = query.where(own_cases(g.membership))
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = max(args.get("page", 1, type=int), 1)
    cases = db.session.scalars(query.order_by(Case.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    template = "cases/_results.html" if htmx and htmx.target == "case-results" else "cases/index.html"
    return render_template(template, cases=cases, total=total, page=page, pages=max(1, -(-total // PAGE_SIZE)),
                           villages=_villages(), categories=_categories(), args=args,
                           now=utcnow())


@bp.route("/new", methods=["GET", "POST"])
@require("case.create")
@once_per_form
def new():
    villages = _villages()
    form = IntakeForm().setup(_categories(), villages, url_for("cases.groups")).remember_groups(villages).setup_links()
    if not form.validate_on_submit():
        return render_template("cases/new.html", form=form), 422 if form.is_submitted() else 200
    related = None
    if not form.going_on():
        shown = duplicates.likely_duplicates(
            name=form.party_name.data, phone=form.party_phone.data, id_number=form.party_id_number.data,
            village_id=form.village.data, now=utcnow())
        if shown:
            related = next((m.case for m in shown if m.case.id == form.related_case_id()), None)
            if related is None:
                # Shown before saving: the clerk links the dispute to one of them, or goes on.
                status = 200
                if form.related_case.data or form.duplicates_shown.data:
                    form.related_case.errors = [_("Choose the case this dispute is related to, or register it anyway.")]
                    status = 422
                return render_template("cases/new.html", form=form, duplicates=shown,
                                       window_days=duplicates.WINDOW.days), status
    parties = []
    if form.party_name.data:
        parties.append({"name": form.party_name.data.strip(), "role": PartyRole.APPLICANT,
                        "phone": form.party_phone.data.strip() or None,
                        "id_number": (form.party_id_number.data or "").strip().upper() or None})
    case = operations.register_case(
        g.tenant, g.membership, title=form.title.data.strip(), source=Source(form.source.data),
        category=_by_id(Category, form.category.data), village=_by_id(Village, form.village.data),
        group=_group(form.group.data), level=Level(form.level.data), narrative=form.narrative.data,
        parties=parties)
    link_operations.set_case_links(case, g.membership, **form.chosen_links())
    if related is not None:
        operations.relate_case(case, g.membership, related)
    db.session.commit()
    if related is not None:
        flash(_("Registered as %(number)s, related to %(related)s.", number=case.number, related=related.number),
              "success")
    else:
        flash(_("Registered as %(number)s.", number=case.number), "success")
    return redirect(url_for("cases.show", case_id=case.id))


def _group(group_id):
    return _by_id(VillagerGroup, group_id)


@bp.get("/groups")
@require("case.create")
def groups():
    """The villager-group field of the intake and edit forms for the village chosen (all groups
    when none is); the group already chosen stays chosen if it is of that village."""
    villages = _villages()
    chosen = request.args.get("village", type=int)
    if chosen is not None:
        villages = [v for v in villages if v.id == chosen]
    form = GroupChoiceForm(formdata=None, group=request.args.get("group", type=int))
    form.group.choices = group_choices(villages)
    return render_template("cases/_group_field.html", form=form)


@bp.get("/<int:case_id>")
@require("case.view")
def show(case_id: int):
    return _render_case(get_case_or_404(case_id))


@bp.route("/<int:case_id>/edit", methods=["GET", "POST"])
@require("case.edit")
def edit(case_id: int):
    case = get_case_or_404(case_id)
    villages = _villages()
    form = CaseEditForm(data=None if request.method == "POST" else _edit_defaults(case))
    form.setup(_categories(), villages, url_for("cases.groups")).remember_groups(villages)
    if not form.validate_on_submit():
        return render_template("cases/edit.html", case=case, form=form), 422 if form.is_submitted() else 200
    _refusals_on_the_case_page(case_id)
    operations.edit_case(case, g.membership, title=form.title.data.strip(), narrative=form.narrative.data or "",
                         source=Source(form.source.data), category=_by_id(Category, form.category.data),
                         village=_by_id(Village, form.village.data), group=_group(form.group.data),
                         level=Level(form.level.data))
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("cases.show", case_id=case.id))


def _edit_defaults(case):
    return {"title": case.title, "narrative": case.narrative, "source": case.source.value,
            "level": case.level.value, "category": case.category_id, "village": case.village_id,
            "group": case.group_id}


# -- workflow transitions: one view for the whole state machine ----------------------------


@bp.route("/<int:case_id>/do/<name>", methods=["GET", "POST"])
@require("case.view")
@once_per_form
def transition(case_id: int, name: str):
    """The transition's form, and the form submitted. Made the board's way (``transitions``):
    a form posted from an older version of the case, or beaten by another at the same moment,
    is refused (409) with the case as it is now."""
    case = get_case_or_404(case_id)
    action = transitions.named(name)
    if g.membership.role not in action.roles:
        abort(403)
    answer_refusals(lambda status, form: _render_case(get_case_or_404(case_id), status, open_form=form,
                                                      open_action=name if form is not None else None),
                    form=lambda: transitions.make_form(name, get_case_or_404(case_id), g.membership, request.form))
    posting = request.method == "POST"
    transitions.check(case, name, g.membership, request.form.get("version", type=int) if posting else None)
    form = transitions.make_form(name, case, g.membership, formdata=request.form if posting else None)
    if not posting or not form.validate():
        return _render_case(case, 422 if posting else 200, open_form=form, open_action=name)
    transitions.make(name, case, g.membership, form)
    db.session.commit()
    return _done(case, _("Done: %(action)s.", action=action.label))


# -- parties and their personal data ------------------------------------------------------


def _party_fields(form):
    return {"name": form.name.data.strip(), "role": PartyRole(form.role.data),
            "id_number": (form.id_number.data or "").strip().upper() or None,
            "phone": (form.phone.data or "").strip() or None, "address": (form.address.data or "").strip() or None}


@bp.post("/<int:case_id>/parties")
@require("case.edit")
@once_per_form
def add_party(case_id: int):
    case = get_case_or_404(case_id)
    form = PartyForm().setup()
    if not form.validate_on_submit():
        return _render_case(case, 422, open_form=form, open_action="party")
    _refusals_on_the_case_page(case_id)
    operations.add_party(case, g.membership, **_party_fields(form))
    db.session.commit()
    return _done(case, _("Party added."))


@bp.route("/<int:case_id>/parties/<int:party_id>", methods=["GET", "POST"])
@require("case.edit")
def edit_party(case_id: int, party_id: int):
    case = get_case_or_404(case_id)
    party = get_party_or_404(case, party_id)
    # The edit form starts empty for personal fields: a blank field keeps the stored value.
    form = PartyForm(name=party.name, role=party.role.value).setup()
    if not form.validate_on_submit():
        return render_template("cases/party.html", case=case, party=party, form=form), \
            422 if form.is_submitted() else 200
    fields = _party_fields(form)
    for key in ("id_number", "phone", "address"):
        if fields[key] is None:
            del fields[key]
    _refusals_on_the_case_page(case_id)
    operations.edit_party(party, g.membership, **fields)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("cases.show", case_id=case.id))


@bp.post("/<int:case_id>/parties/<int:party_id>/reveal/<field>")
@require("case.view")
def reveal(case_id: int, party_id: int, field: str):
    case = get_case_or_404(case_id)
    party = get_party_or_404(case, party_id)
    if field not in ("id_number", "phone", "address"):
        abort(404)
    if not operations.may_reveal(case, field, g.membership):
        abort(403)
    value = operations.reveal(party, field, g.membership, g.tenant)
    db.session.commit()
    if htmx:
        return render_template("cases/_revealed.html", party=party, field=field, value=value)
    return _render_case(case, revealed={(party.id, field): value})


# -- mediation records and attachments ----------------------------------------------------


@bp.post("/<int:case_id>/sessions")
@require("case.record")
@once_per_form
def add_session(case_id: int):
    case = get_case_or_404(case_id)
    form = SessionForm()
    if not form.validate_on_submit():
        return _render_case(case, 422, open_form=form, open_action="session")
    _refusals_on_the_case_page(case_id)
    operations.record_session(case, g.membership, held_on=form.held_on.data, place=form.place.data.strip(),
                              participants=form.participants.data.strip(), notes=form.notes.data.strip())
    db.session.commit()
    return _done(case, _("Session recorded."))


@bp.post("/<int:case_id>/attachments")
@require("case.record")
@once_per_form
def add_attachment(case_id: int):
    case = get_case_or_404(case_id)
    form = AttachmentForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read()
        try:
            content_type, data = check_upload(upload.filename, data)
        except AttachmentProblem as problem:
            form.file.errors.append(problem.message)
        else:
            answer_refusals(lambda status, _form: _attachments_answer(get_case_or_404(case_id), status))
            operations.add_attachment(case, g.membership, filename=upload.filename, content_type=content_type,
                                      data=data, storage=get_storage())
            db.session.commit()
            flash(_("File added."), "success")
            if htmx:
                return _attachments_answer(case)
            return redirect(url_for("cases.show", case_id=case.id))
    return _attachments_answer(case, 422, form)


def _attachments_answer(case, status=200, form=None):
    """An upload answered in place: the attachments block alone (and the message out of band),
    so the page stays where the person was. Without JavaScript, the case page."""
    if not htmx or htmx.boosted:
        return _render_case(case, status, open_form=form, open_action="attachment" if form is not None else None)
    return render_template("cases/_attachments.html", case=case, attachments_alone=True, inline_types=INLINE_TYPES,
                           attachment_form=form or AttachmentForm(),
                           open_action="attachment" if form is not None else None), status


def _attachment_or_404(case, attachment_id: int) -> Attachment:
    item = db.session.scalar(select(Attachment).where(
        Attachment.id == attachment_id, Attachment.case_id == case.id, Attachment.tenant_id == g.tenant.id))
    if item is None:
        abort(404)
    return item


@bp.get("/<int:case_id>/attachments/<int:attachment_id>")
@require("case.view")
def attachment(case_id: int, attachment_id: int):
    case = get_case_or_404(case_id)
    item = _attachment_or_404(case, attachment_id)

    audit.record("attachment.download", user=current_user, tenant=g.tenant,
                 detail={"case": case.number, "attachment": item.id})
    db.session.commit()
    # Only a photo written anew on upload opens in the browser; anything else downloads. Either
    # way the file is what its type says, and nothing in it runs (security_headers).
    response = downloads.send(get_storage().get(item.storage_key), item.content_type, item.filename,
                              fallback=f"attachment-{item.id}-{item.filename}",
                              inline=item.content_type in INLINE_TYPES)
    response.headers["Content-Security-Policy"] = UPLOAD_POLICY
    return response


@bp.get("/<int:case_id>/attachments/<int:attachment_id>/thumbnail")
@require("case.view")
def thumbnail(case_id: int, attachment_id: int):
    """A small copy of a photo for the case page, made from the stored pixels on request."""
    item = _attachment_or_404(get_case_or_404(case_id), attachment_id)
    if item.content_type not in INLINE_TYPES:
        abort(404)
    small, content_type = make_thumbnail(get_storage().get(item.storage_key), item.content_type)
    response = send_file(BytesIO(small), mimetype=content_type, max_age=3600)
    response.headers["Content-Security-Policy"] = UPLOAD_POLICY
    return response
