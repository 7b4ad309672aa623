"""Board pages. Each view is load → check → operate → render, and commits once.

An HTMX request gets a partial (a card, a page of a column, the changes since the last
poll); the same address answers a plain browser with a whole page, so the board works
without JavaScript: the "move to…" menu and the transition forms are ordinary forms.

No lost updates: a card carries its case's version, and a move posted with another version
is refused (409) with the card as it is now. Two moves racing past that check meet in the
database: the ORM's version column lets one UPDATE through and raises ``StaleDataError``
for the other, which is answered the same way.
"""
from datetime import datetime
from urllib.parse import urlencode

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from webapp.board import bp, cards, moves, queries
from webapp.cases import operations, workflow
from webapp.cases.models import CaseEvent, CaseState
from webapp.extensions import db, htmx
from webapp.permissions import can, require
from webapp.types import utcnow

POLL_SECONDS = 20


def _partial() -> bool:
    return bool(htmx) and not htmx.boosted


def _render(template, **context):
    return render_template(template, words=cards.Words(), **context)


def _state(value) -> CaseState:
    try:
        return CaseState(value)
    except ValueError:
        abort(404)


def _load(case_id: int):
    """The case, if the member may see it (``visible_cases``), with what its card shows."""
    case = queries.one_case(case_id)
    if case is None:
        abort(404)
    return case


def _cards(cases, now=None):
    return cards.build(cases, g.membership, now or utcnow(), can("board.move"))


def _poller(view, summary, now):
    return {"etag": f'W/"{summary.etag}"', "since": now.isoformat(), "view": view,
            "seconds": current_app.config.get("BOARD_POLL_SECONDS", POLL_SECONDS)}


# -- the board, its columns, and what changed -----------------------------------------------


@bp.get("/")
@require("board.view")
def index():
    now = utcnow()
    view = queries.view_from(request.args, g.membership)
    summary = queries.summary(view, g.membership, now)
    return _render(
        "board/index.html", view=view, views=queries.views_for(g.membership), labels=queries.VIEW_LABELS,
        columns=queries.COLUMNS, counts=summary.counts, poll=_poller(view, summary, now),
        villages=queries.villages(g.tenant.id) if view.name == "village" else [], movable=can("board.move"),
        index_url=url_for("board.index"), column_urls=_column_urls(view), show_cases=_("Show the cases"))


def _column_urls(view) -> dict:
    """Each column's own page (with the view's arguments) and the address its cards load from
    (HTMX adds them from the board's ``hx-vals``): one URL built and the others written from it,
    rather than twenty-two built one by one."""
    column = url_for("board.column")
    args = urlencode(view.args())
    return {state.value: (f"{column}?state={state.value}&{args}", f"{column}?state={state.value}")
            for state in queries.COLUMNS}


@bp.get("/column")
@require("board.view")
def column():
    now = utcnow()
    state = _state(request.args.get("state"))
    view = queries.view_from(request.args, g.membership)
    cases, next_page = queries.page(view, g.membership, now, state, request.args.get("after"))
    context = {"state": state, "view": view, "cards": _cards(cases, now), "next_page": next_page}
    if _partial():
        return _render("board/_cards.html", **context)
    summary = queries.summary(view, g.membership, now, etag=False)
    return _render("board/column.html", count=summary.counts[state.value], **context)


@bp.get("/changes")
@require("board.view")
def changes():
    """Polled by an open board with the ETag of its last answer: 304 while nothing in its view
    changed, else the changed cards, the counts and the next ETag."""
    now = utcnow()
    view = queries.view_from(request.args, g.membership)
    if not _partial():
        return redirect(url_for("board.index", **view.args()))
    summary = queries.summary(view, g.membership, now)
    if request.if_none_match.contains_weak(summary.etag):  # If-None-Match compares weakly (RFC 9110)
        response = current_app.response_class(status=304)
    else:
        changed, gone = [], []
        since = _since(request.args.get("since"))
        if since is not None:
            found = queries.changed_since(view, g.membership, since, now)
            if found is None:  # too much changed to patch in: load the board afresh
                response = current_app.response_class(status=200)
                response.headers["HX-Refresh"] = "true"
                return response
            changed, gone = found
        response = current_app.make_response(_render(
            "board/_changes.html", cards=_cards(changed, now), gone=gone, counts=summary.counts,
            columns=queries.COLUMNS, poll=_poller(view, summary, now)))
    # Weak: the same changes compressed for the browser are the same answer, and a weak tag is
    # one that compression (Flask-Compress) leaves as it is.
    response.set_etag(summary.etag, weak=True)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _since(value):
    try:
        moment = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


# -- one card, and moving it -----------------------------------------------------------------


def _render_card(case, status=200, *, form=None, action=None, choices=None, menu_open=False, message=None):
    """The card alone (HTMX: with the flash messages, or ``message``, out of band), or a whole
    page holding it. The board's counts follow a moved card in the page's script, and its
    next poll brings the exact ones: a move does not count the township's cases again."""
    now = utcnow()
    pending = action or (choices[0] if choices else None)
    context = {
        "card": _cards([case], now)[0], "card_form": form, "card_action": action, "card_choices": choices or [],
        # Where the card stands on the board: its state's column, or the one it was dropped on
        # while its form is open.
        "card_column": pending.target.value if pending else case.state.value, "menu_open": menu_open,
    }
    if _partial():
        if message is not None:
            context["messages"] = [message]
        return _render("board/_card_response.html", **context), status
    return _render("board/card.html", **context), status


def _last_change(case) -> CaseEvent | None:
    return db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.tenant_id == g.tenant.id)
                             .options(selectinload(CaseEvent.actor)).order_by(CaseEvent.id.desc()).limit(1))


def _stale(case):
    """The move was based on an older version of the case: say who changed it, show it as it is."""
    last = _last_change(case)
    who = last.actor.name if last is not None and last.actor is not None else _("Someone")
    flash(_("%(who)s changed case %(number)s a moment ago; it is now “%(state)s”. Your move was not made: "
            "check the card and try again if it is still needed.",
            who=who, number=case.number, state=workflow.STATE_LABELS[case.state]), "error")
    return _render_card(case, 409)


def _refused(case, reason):
    flash(reason, "error")
    return _render_card(case, 409)


def _version_conflict(case):
    posted = request.form.get("version", type=int)
    if posted is None:
        abort(400)
    return _stale(case) if posted != case.version else None


@bp.get("/cards/<int:case_id>")
@require("board.view")
def card(case_id: int):
    return _render_card(_load(case_id))


@bp.route("/cards/<int:case_id>/move", methods=["GET", "POST"])
@require("board.move")
def move(case_id: int):
    """A drop on a column (``to``: the target state) or a choice from the menu (``transition``)."""
    case = _load(case_id)
    if request.method == "GET":
        return _render_card(case, menu_open=True)
    conflict = _version_conflict(case)
    if conflict:
        return conflict
    name, target = request.form.get("transition"), request.form.get("to")
    if name is not None and name not in workflow.TRANSITIONS:
        abort(400)
    if name is None and target not in {s.value for s in CaseState}:
        abort(400)
    transitions, reason = moves.choose(case, g.membership, name=name, target=target)
    if reason is not None:
        return _refused(case, reason)
    if not transitions:  # dropped back on its own column
        return _render_card(case)
    if len(transitions) > 1:
        return _render_card(case, choices=transitions)
    transition = transitions[0]
    if moves.needs_form(transition.name):
        return _render_card(case, form=moves.make_form(transition.name, case, g.membership), action=transition)
    return _perform(case, transition, moves.make_form(transition.name, case, g.membership))


@bp.post("/cards/<int:case_id>/do/<name>")
@require("board.move")
def transition(case_id: int, name: str):
    """The form a move opened on the card, submitted."""
    case = _load(case_id)
    if name not in workflow.TRANSITIONS:
        abort(404)
    conflict = _version_conflict(case)
    if conflict:
        return conflict
    action = workflow.TRANSITIONS[name]
    reason = workflow.refusal(case, name, g.membership)
    if reason is not None:
        return _refused(case, reason)
    form = moves.make_form(name, case, g.membership, formdata=request.form)
    if not form.validate():
        return _render_card(case, 422, form=form, action=action)
    return _perform(case, action, form)


def _perform(case, action, form):
    case_id = case.id
    response = None
    try:
        moves.perform(action.name, case, form, g.membership)
        done = _("Done: %(action)s (%(number)s).", action=action.label, number=case.number)
        if _partial():
            # Drawn from the flushed case, before the commit expires every object the request
            # holds (reloading them would cost a handful of queries for nothing). The operation
            # may have changed who has the case: those two are read again.
            db.session.expire(case, ["assignee", "department"])
            response = _render_card(case, message=("success", done))
        db.session.commit()
    except operations.Refused as refusal:
        db.session.rollback()
        case = _load(case_id)
        field = getattr(form, refusal.field, None) if refusal.field else None
        if field is None:
            return _refused(case, refusal.message)
        form = moves.make_form(action.name, case, g.membership, formdata=request.form)
        getattr(form, refusal.field).errors = [refusal.message]
        return _render_card(case, 422, form=form, action=action)
    except StaleDataError:
        # Another move of the same case committed between our read and our write.
        db.session.rollback()
        return _stale(_load(case_id))
    if response is not None:
        return response
    flash(done, "success")
    return redirect(url_for("board.index", _anchor=f"card-{case_id}"))
