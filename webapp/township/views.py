from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from webapp.cases.models import Category
from webapp.extensions import db
from webapp.permissions import require
from webapp.referrals.models import Department
from webapp.submissions import once_per_form
from webapp.township import bp
from webapp.township.forms import CategoryForm, ClockForm, DepartmentForm, LimitsForm
from webapp.township.operations import (
    NameTaken, add_category, add_department, change_category, open_cases, rename_department, save_clock, save_limits,
)
from webapp.township.settings import settings_for

LIMIT_FIELDS = ("limit_ordinary", "limit_complex", "limit_major", "yellow_days", "follow_up_days")
CLOCK_FIELDS = ("escalate_after_days", "referral_accept_days", "assigned_handle_days", "follow_up_grace_days",
                "quiet_start_hour", "quiet_end_hour")


def _owned_or_404(model, item_id):
    item = db.session.scalar(select(model).where(model.id == item_id, model.tenant_id == g.tenant.id))
    if item is None:
        abort(404)
    return item


def _clock_form(settings):
    data = {name: getattr(settings, name) for name in CLOCK_FIELDS}
    data["counting"] = "working" if settings.count_working_days else "calendar"
    return ClockForm(data=data)


def _effects(clock_form):
    """What a change of each setting reaches, said beside it."""
    n = open_cases(g.tenant.id)
    reach = _("Reaches the time limits of %(n)d open cases at once.", n=n)
    clock_form.counting.description = reach
    clock_form.escalate_after_days.description = reach
    clock_form.assigned_handle_days.description = reach
    clock_form.referral_accept_days.description = _("Reaches referrals sent from now on.")
    clock_form.follow_up_grace_days.description = _("Reaches the follow-up visits checked from now on.")
    clock_form.quiet_start_hour.description = _("Beijing time. Messages made in the quiet hours go out when they end; "
                                                "the same hour twice: no quiet hours.")
    clock_form.quiet_end_hour.description = _("Reaches the next messages pushed.")
    return clock_form


def _page(status=200, limits=None, category_form=None, department_form=None, failed=None, clock=None):
    settings = settings_for(g.tenant.id)
    clock = _effects(clock or _clock_form(settings))
    limits = limits or LimitsForm(data={name: getattr(settings, name) for name in LIMIT_FIELDS})
    categories = db.session.scalars(select(Category).where(Category.tenant_id == g.tenant.id)
                                    .order_by(Category.position, Category.id)).all()
    departments = db.session.scalars(select(Department).where(Department.tenant_id == g.tenant.id)
                                     .order_by(Department.id)).all()
    return render_template(
        "township/settings.html", limits=limits, categories=categories, departments=departments,
        category_form=category_form or CategoryForm(), department_form=department_form or DepartmentForm().setup(),
        failed=failed, clock=clock,
    ), status


@bp.get("/")
@require("township.configure")
def index():
    return _page()


@bp.post("/limits")
@require("township.configure")
def limits():
    form = LimitsForm()
    if not form.validate_on_submit():
        return _page(422, limits=form)
    save_limits(g.tenant.id, by=current_user, **{name: form[name].data for name in LIMIT_FIELDS})
    db.session.commit()
    flash(_("Saved. New limits apply to cases assessed from now on."), "success")
    return redirect(url_for("township.index"))


@bp.post("/clock")
@require("township.configure")
def clock():
    form = ClockForm()
    if not form.validate_on_submit():
        return _page(422, clock=form)
    recomputed = save_clock(g.tenant.id, by=current_user, count_working_days=form.counting.data == "working",
                            **{name: form[name].data for name in CLOCK_FIELDS})
    db.session.commit()
    if recomputed:
        flash(_("Saved. The time limits of %(n)d open cases were computed again.", n=recomputed), "success")
    else:
        flash(_("Saved."), "success")
    return redirect(url_for("township.index") + "#clock")


def _save(form, change, failed=None, **page):
    """Validate, change, commit and go back; or show the page again with the errors (422)."""
    if form.validate_on_submit():
        try:
            change()
        except NameTaken as taken:
            form.name.errors.append(taken.message)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("township.index"))
    return _page(422, failed=failed, **page)


@bp.post("/categories")
@require("township.configure")
@once_per_form
def new_category():
    form = CategoryForm()
    return _save(form, lambda: add_category(g.tenant.id, form.name.data.strip()), category_form=form)


@bp.post("/categories/<int:category_id>")
@require("township.configure")
def edit_category(category_id: int):
    category = _owned_or_404(Category, category_id)
    form = CategoryForm()
    return _save(form, lambda: change_category(category, form.name.data.strip(), form.active.data),
                 failed=("category", category.id, form))


@bp.post("/departments")
@require("township.configure")
@once_per_form
def new_department():
    form = DepartmentForm().setup()
    return _save(form, lambda: add_department(g.tenant.id, form.name.data.strip(), form.kind.data),
                 department_form=form)


@bp.post("/departments/<int:department_id>")
@require("township.configure")
def edit_department(department_id: int):
    department = _owned_or_404(Department, department_id)
    form = DepartmentForm().setup()
    return _save(form, lambda: rename_department(department, form.name.data.strip(), form.kind.data),
                 failed=("department", department.id, form))
