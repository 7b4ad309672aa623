"""Relocation sites: list, the site with its phases and disputes, edits. Each view is
load → check → operate → render, and commits once."""
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from webapp.extensions import db, htmx
from webapp.forms import form_status, saved
from webapp.permissions import require
from webapp.relocation import bp
from webapp.submissions import once_per_form
from webapp.villages import operations, queries
from webapp.villages.forms import ConfirmForm, PhaseForm, ProjectForm
from webapp.villages.models import Phase, PhaseStatus
from webapp.villages.rules import council_size


def _save(project, form):
    return operations.save_project(project, name=form.name.data.strip(),
                                   village=queries.get_village_or_404(form.village.data),
                                   households=form.households.data, notes=(form.notes.data or "").strip())


@bp.get("/")
@require("villages.view")
def index():
    return render_template("relocation/index.html", projects=queries.projects())


@bp.route("/new", methods=["GET", "POST"])
@require("villages.manage")
@once_per_form
def new():
    form = ProjectForm().setup(queries.villages())
    done = saved(form, lambda: _save(None, form), lambda project: url_for("relocation.show", project_id=project.id))
    if done is not None:
        return done
    return render_template("relocation/form.html", form=form, project=None), form_status(form)


@bp.get("/<int:project_id>")
@require("villages.view")
def show(project_id: int):
    project = queries.get_project_or_404(project_id)
    return render_template("relocation/show.html", project=project, cases=queries.project_cases(project),
                           size=council_size(project.households), confirm_form=ConfirmForm())


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@require("villages.manage")
def edit(project_id: int):
    project = queries.get_project_or_404(project_id)
    data = None
    if request.method == "GET":
        data = {"name": project.name, "village": project.village_id, "households": project.households,
                "notes": project.notes}
    form = ProjectForm(data=data).setup(queries.villages())
    done = saved(form, lambda: _save(project, form), lambda _: url_for("relocation.show", project_id=project_id))
    if done is not None:
        return done
    if form.is_submitted():  # read again after a refusal's rollback
        project = queries.get_project_or_404(project_id)
    return render_template("relocation/form.html", form=form, project=project), form_status(form)


@bp.post("/<int:project_id>/council")
@require("villages.manage")
@once_per_form
def form_council(project_id: int):
    project = queries.get_project_or_404(project_id)
    council = operations.form_council(project=project)
    db.session.commit()
    return redirect(url_for("villages.council", council_id=council.id))


@bp.route("/<int:project_id>/phases/<phase>", methods=["GET", "POST"])
@require("villages.manage")
def phase(project_id: int, phase: str):
    project = queries.get_project_or_404(project_id)
    if phase not in {p.value for p in Phase}:
        abort(404)
    item = queries.get_phase_or_404(project, phase)
    form = PhaseForm(data={"status": item.status.value, "notes": item.notes} if request.method == "GET" else None)
    if form.validate_on_submit():
        operations.update_phase(item, g.membership, status=PhaseStatus(form.status.data),
                                notes=(form.notes.data or "").strip())
        db.session.commit()
        if htmx:
            return render_template("relocation/_phase.html", project=project, item=item, form=None)
        flash(_("Saved."), "success")
        return redirect(url_for("relocation.show", project_id=project.id, _anchor=f"phase-{item.phase.value}"))
    status = 422 if form.is_submitted() else 200
    if htmx:
        return render_template("relocation/_phase.html", project=project, item=item, form=form), status
    return render_template("relocation/phase.html", project=project, item=item, form=form), status
