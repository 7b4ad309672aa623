"""Board pages. Each view is load → check → operate → render, and commits once.

An HTMX request gets a partial (a card, a page of a column, the changes since the last
poll); the same address answers a plain browser with a whole page, so the board works
without JavaScript: the "move to…" menu and the transition forms are ordinary forms.

No lost updates: a card carries its case's version, and a move posted with another version
is refused (409) with the card as it is now. Two moves racing past that check meet in the
database: the ORM's version column lets one UPDATE through and raises ``StaleDataError``
for the other, which is answered the same way. The case page makes transitions the same way:
both go through ``webapp.cases.transitions``.
"""
from datetime import datetime
from urllib.parse import urlencode

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from webapp.board import bp, cards, moves, queries
from webapp.cases import transitions, workflow
from webapp.cases.models import CaseState
from webapp.errors import Refused, answer_refusals
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


def _answer_refusals(case_id: int, name: str | None = None) -> None:
    """A refused move answers with the card as it is now: the reason beside the field of the
    move's form that it concerns (422), or flashed on the card (409)."""
    def render(status, form):
        case = _load(case_id)
        return _render_card(case, status, form=form, action=workflow.TRANSITIONS[name] if form is not None else None)

    answer_refusals(render, form=(lambda: _form(name, _load(case_id), request.form)) if name else None)


def _form(name, case, formdata=None):
    # Prefixed by the case: two cards with a form open must not share field ids.
    return transitions.make_form(name, case, g.membership, formdata=formdata, prefix=f"card{case.id}")


def _version() -> int:
    posted = request.form.get("version", type=int)
    if posted is None:  # every card and card form carries its case's version
        abort(400)
    return posted


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
    _answer_refusals(case_id)
    transitions.check_version(case, _version())
    name, target = request.form.get("transition"), request.form.get("to")
    if name is not None:
        transitions.named(name)
    elif target not in {s.value for s in CaseState}:
        abort(400)
    choices, reason = moves.choose(case, g.membership, name=name, target=target)
    if reason is not None:
        raise Refused(reason)
    if not choices:  # dropped back on its own column
        return _render_card(case)
    if len(choices) > 1:
        return _render_card(case, choices=choices)
    action = choices[0]
    if transitions.needs_form(action.name):
        return _render_card(case, form=_form(action.name, case), action=action)
    _answer_refusals(case_id, action.name)
    return _make(case, action, _form(action.name, case))


@bp.post("/cards/<int:case_id>/do/<name>")
@require("board.move")
def transition(case_id: int, name: str):
    """The form a move opened on the card, submitted."""
    case = _load(case_id)
    action = transitions.named(name)
    _answer_refusals(case_id, name)
    transitions.check(case, name, g.membership, _version())
    form = _form(name, case, formdata=request.form)
    if not form.validate():
        return _render_card(case, 422, form=form, action=action)
    return _make(case, action, form)


def _make(case, action, form):
    case_id = case.id
    transitions.make(action.name, case, g.membership, form)
    done = _("Done: %(action)s (%(number)s).", action=action.label, number=case.number)
    response = None
    if _partial():
        # Drawn from the flushed case, before the commit expires every object the request
        # holds (reloading them would cost a handful of queries for nothing). The operation
        # may have changed who has the case: those two are read again.
        db.session.expire(case, ["assignee", "department"])
        response = _render_card(case, message=("success", done))
    db.session.commit()
    if response is not None:
        return response
    flash(done, "success")
    return redirect(url_for("board.index", _anchor=f"card-{case_id}"))
