"""Villages, villager groups and their councils. Each view is load → check → operate →
render, and commits once; a refused change answers 422 with the reason beside its field."""
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from webapp.cases.access import get_case_or_404
from webapp.errors import Refused
from webapp.extensions import db
from webapp.forms import form_status, refusal_beside, saved
from webapp.permissions import require
from webapp.staff.queries import officers
from webapp.submissions import once_per_form
from webapp.villages import bp, operations, queries
from webapp.villages.forms import CaseLinksForm, ConfirmForm, GroupForm, MemberForm, VillageForm
from webapp.villages.models import CouncilRole
from webapp.villages.rules import council_size


# -- villages and groups --------------------------------------------------------------------


@bp.get("/")
@require("villages.view")
def index():
    return render_template("villages/index.html", villages=queries.villages())


@bp.route("/new", methods=["GET", "POST"])
@require("villages.manage")
@once_per_form
def new():
    form = VillageForm().setup(officers(g.tenant.id))
    done = saved(form, lambda: operations.save_village(None, name=form.name.data.strip(), kind=form.kind.data,
                                                       officer_id=form.officer.data),
                 lambda village: url_for("villages.show", village_id=village.id))
    if done is not None:
        return done
    return render_template("villages/village_form.html", form=form, village=None), form_status(form)


@bp.get("/<int:village_id>")
@require("villages.view")
def show(village_id: int):
    return render_template("villages/show.html", village=queries.get_village_or_404(village_id),
                           council_size=council_size, confirm_form=ConfirmForm())


@bp.route("/<int:village_id>/edit", methods=["GET", "POST"])
@require("villages.manage")
def edit(village_id: int):
    village = queries.get_village_or_404(village_id)
    form = VillageForm(data={"name": village.name, "kind": village.kind, "officer": village.officer_id}
                       if request.method == "GET" else None).setup(officers(g.tenant.id))
    done = saved(form, lambda: operations.save_village(village, name=form.name.data.strip(), kind=form.kind.data,
                                                       officer_id=form.officer.data),
                 lambda _: url_for("villages.show", village_id=village_id))
    if done is not None:
        return done
    return render_template("villages/village_form.html", form=form, village=village), form_status(form)


@bp.route("/<int:village_id>/groups/new", methods=["GET", "POST"])
@require("villages.manage")
@once_per_form
def new_group(village_id: int):
    village = queries.get_village_or_404(village_id)
    form = GroupForm()
    done = saved(form, lambda: operations.save_group(None, village, name=form.name.data.strip(),
                                                     households=form.households.data),
                 lambda _: url_for("villages.show", village_id=village_id))
    if done is not None:
        return done
    return render_template("villages/group_form.html", form=form, village=village, group=None), form_status(form)


@bp.route("/groups/<int:group_id>/edit", methods=["GET", "POST"])
@require("villages.manage")
def edit_group(group_id: int):
    group = queries.get_group_or_404(group_id)
    village_id = group.village_id
    form = GroupForm(obj=group if request.method == "GET" else None)
    done = saved(form, lambda: operations.save_group(group, group.village, name=form.name.data.strip(),
                                                     households=form.households.data),
                 lambda _: url_for("villages.show", village_id=village_id))
    if done is not None:
        return done
    if form.is_submitted():  # read again after a refusal's rollback
        group = queries.get_group_or_404(group_id)
    return render_template("villages/group_form.html", form=form, village=group.village, group=group), \
        form_status(form)


@bp.post("/groups/<int:group_id>/council")
@require("villages.manage")
@once_per_form
def form_group_council(group_id: int):
    group = queries.get_group_or_404(group_id)
    council = operations.form_council(group=group)
    db.session.commit()
    return redirect(url_for("villages.council", council_id=council.id))


# -- councils -------------------------------------------------------------------------------


@bp.get("/councils/")
@require("villages.view")
def councils():
    items = queries.councils()
    return render_template("villages/councils.html", councils=items, council_size=council_size,
                           counts=operations.council_case_counts([c.id for c in items]))


def _render_council(council, status=200, member_form=None, refusal=None, refused_action=None):
    return render_template(
        "villages/council.html", council=council, cases=queries.council_cases(council),
        size=council_size(council.households), member_form=member_form or MemberForm(),
        confirm_form=ConfirmForm(), refusal=refusal, refused_action=refused_action), status


@bp.get("/councils/<int:council_id>")
@require("villages.view")
def council(council_id: int):
    return _render_council(queries.get_council_or_404(council_id))


@bp.post("/councils/<int:council_id>/members")
@require("villages.manage")
@once_per_form
def add_member(council_id: int):
    council = queries.get_council_or_404(council_id)
    form = MemberForm()
    if not form.validate_on_submit():
        return _render_council(council, 422, member_form=form, refused_action="add")
    try:
        operations.add_member(council, name=form.name.data.strip(), role=CouncilRole(form.role.data),
                              phone=(form.phone.data or "").strip() or None)
    except Refused as refusal:
        message = refusal_beside(form, refusal)
        return _render_council(queries.get_council_or_404(council_id), 422, member_form=form, refusal=message,
                               refused_action="add")
    db.session.commit()
    flash(_("Member added."), "success")
    return redirect(url_for("villages.council", council_id=council.id))


@bp.post("/councils/<int:council_id>/members/<int:member_id>/remove")
@require("villages.manage")
def remove_member(council_id: int, member_id: int):
    council = queries.get_council_or_404(council_id)
    member = queries.get_member_or_404(council, member_id)
    if ConfirmForm().validate_on_submit():
        try:
            operations.remove_member(council, member)
        except Refused as refusal:
            db.session.rollback()
            return _render_council(queries.get_council_or_404(council_id), 422, refusal=refusal.message,
                                   refused_action=f"remove-{member_id}")
        db.session.commit()
        flash(_("Member removed."), "success")
    return redirect(url_for("villages.council", council_id=council_id))


@bp.post("/councils/<int:council_id>/confirm")
@require("villages.manage")
def confirm_council(council_id: int):
    council = queries.get_council_or_404(council_id)
    if ConfirmForm().validate_on_submit():
        try:
            operations.confirm_council(council)
        except Refused as refusal:
            db.session.rollback()
            return _render_council(queries.get_council_or_404(council_id), 422, refusal=refusal.message,
                                   refused_action="confirm")
        db.session.commit()
        flash(_("The council is confirmed."), "success")
    return redirect(url_for("villages.council", council_id=council_id))


@bp.post("/councils/<int:council_id>/reopen")
@require("villages.manage")
def reopen_council(council_id: int):
    council = queries.get_council_or_404(council_id)
    if ConfirmForm().validate_on_submit():
        operations.reopen_council(council)
        db.session.commit()
        flash(_("The council is forming again: change its members, then confirm it."), "success")
    return redirect(url_for("villages.council", council_id=council_id))


# -- the councils and site of a case ------------------------------------------------------


@bp.route("/case-links/<int:case_id>", methods=["GET", "POST"])
@require("case.edit")
def case_links(case_id: int):
    case = get_case_or_404(case_id)
    link = case.link
    data = None
    if request.method == "GET" and link is not None:
        data = {"reporting_council": link.reporting_council_id, "handling_council": link.handling_council_id,
                "project": link.project_id}
    form = CaseLinksForm(data=data).setup_links(case)
    done = saved(form, lambda: operations.set_case_links(case, g.membership, **form.chosen_links()),
                 lambda _: url_for("cases.show", case_id=case_id))
    if done is not None:
        return done
    if form.is_submitted():  # read again after a refusal's rollback
        case = get_case_or_404(case_id)
    return render_template("villages/case_links.html", case=case, form=form), form_status(form)
