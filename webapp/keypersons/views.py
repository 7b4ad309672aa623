from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from webapp.cases.models import CaseKeyPerson, KeyPerson
from webapp.extensions import db
from webapp.keypersons import bp
from webapp import timelimits
from webapp.forms import form_status
from webapp.keypersons.forms import KeyPersonForm, VisitForm
from webapp.keypersons.operations import by_most_overdue, latest_visits, record_visit, save_key_person, visits_of
from webapp.permissions import can, require
from webapp.submissions import once_per_form
from webapp.villages.models import Village


def get_key_person_or_404(person_id: int) -> KeyPerson:
    person = db.session.scalar(select(KeyPerson).where(KeyPerson.id == person_id, KeyPerson.tenant_id == g.tenant.id))
    if person is None:
        abort(404)
    return person


def _villages():
    return db.session.scalars(select(Village).where(Village.tenant_id == g.tenant.id).order_by(Village.id)).all()


def _values(form):
    return {"name": form.name.data.strip(), "kind": form.kind.data, "village_id": form.village.data,
            "measures": form.measures.data.strip(), "responsible": form.responsible.data.strip(),
            "id_number": (form.id_number.data or "").strip().upper() or None,
            "phone": (form.phone.data or "").strip() or None}


@bp.get("/")
@require("key_persons.view")
def index():
    people = db.session.scalars(select(KeyPerson).where(KeyPerson.tenant_id == g.tenant.id)
                                .options(selectinload(KeyPerson.village)).order_by(KeyPerson.id)).all()
    counts = dict(db.session.execute(
        select(CaseKeyPerson.key_person_id, func.count()).where(CaseKeyPerson.tenant_id == g.tenant.id)
        .group_by(CaseKeyPerson.key_person_id)).all())
    latest = latest_visits(g.tenant.id)
    return render_template("keypersons/index.html", people=by_most_overdue(people, latest), counts=counts,
                           latest=latest, overdue=_overdue_days(latest))


def _overdue_days(latest) -> dict[int, int]:
    return {person_id: timelimits.days_overdue(visit.next_due_on) for person_id, visit in latest.items()}


def _render_person(person, form, status=200, visit_form=None):
    visits = visits_of(person)
    latest = visits[0] if visits else None
    return render_template("keypersons/form.html", form=form, person=person, visits=visits,
                           visit_form=visit_form or (VisitForm(formdata=None) if can("key_persons.manage") else None),
                           next_due=latest.next_due_on if latest else None,
                           overdue=timelimits.days_overdue(latest.next_due_on) if latest else 0), status


@bp.route("/new", methods=["GET", "POST"])
@require("key_persons.manage")
@once_per_form
def new():
    form = KeyPersonForm().setup(_villages())
    if not form.validate_on_submit():
        return render_template("keypersons/form.html", form=form, person=None), 422 if form.is_submitted() else 200
    person = save_key_person(None, **_values(form))
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("keypersons.show", person_id=person.id))


@bp.route("/<int:person_id>", methods=["GET", "POST"])
@require("key_persons.view")
def show(person_id: int):
    person = get_key_person_or_404(person_id)
    form = KeyPersonForm(data={"name": person.name, "kind": person.kind, "village": person.village_id,
                               "measures": person.measures, "responsible": person.responsible}
                         if request.method == "GET" else None).setup(_villages())
    if request.method == "POST":
        if not can("key_persons.manage"):
            abort(403)
        if form.validate_on_submit():
            save_key_person(person, **_values(form))
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("keypersons.show", person_id=person.id))
        return _render_person(person, form, 422)
    return _render_person(person, form)


@bp.post("/<int:person_id>/visits")
@require("key_persons.manage")
@once_per_form
def add_visit(person_id: int):
    person = get_key_person_or_404(person_id)
    visit_form = VisitForm()
    if visit_form.validate_on_submit():
        record_visit(person, g.membership, visited_on=visit_form.visited_on.data,
                     visitors=visit_form.visitors.data.strip(), done=visit_form.done.data.strip(),
                     next_due_on=visit_form.next_due_on.data)
        db.session.commit()
        flash(_("Visit recorded."), "success")
        return redirect(url_for("keypersons.show", person_id=person.id, _anchor="visits"))
    form = KeyPersonForm(data={"name": person.name, "kind": person.kind, "village": person.village_id,
                               "measures": person.measures, "responsible": person.responsible},
                         formdata=None).setup(_villages())
    return _render_person(person, form, form_status(visit_form), visit_form=visit_form)
