"""What every template can use, and the error pages."""
from urllib.parse import urlencode

from flask import current_app, g, render_template, request, url_for
from flask_babel import format_datetime, get_locale, lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from webapp.cases.operations import may_reveal
from webapp.cases.workflow import TRANSITIONS, record_refusal
from webapp.deadlines.delivery import unread_count
from webapp.labels import choices, event_label, fault_label, label, role_label
from webapp.permissions import can, may_write
from webapp.submissions import new_token
from webapp.timelimits import case_light

ERROR_TEXT = {
    400: _l("The request could not be understood. Reload the page and try again."),
    403: _l("Your role does not allow this."),
    404: _l("There is no such page, or it is not yours to see."),
    405: _l("This address does not take that kind of request."),
    429: _l("Too many attempts from this address. Wait a few minutes and try again."),
    500: _l("Something went wrong on our side. The error has been recorded."),
    503: _l("The connection to the database was interrupted and your last action may not have been saved. "
            "Reload the page to check, and if it was not saved, please try again."),
}


def init_app(app) -> None:
    app.add_template_filter(local_time, "local")

    @app.context_processor
    def _globals():
        return {
            "can": can,
            # Whether the member may send what changes something under an action: the county
            # reviewer reads what others print, and is offered no button that would answer 403.
            "can_change": lambda action: can(action) and g.get("membership") is not None
            and may_write(action, g.membership.role),
            "role_label": role_label,
            "label": label,
            "label_choices": choices,
            "event_label": event_label,
            "case_light": case_light,
            "transitions": TRANSITIONS,
            # Whether a case's record still takes edits (closed and archived ones do not).
            "record_open": lambda case: record_refusal(case) is None,
            "may_reveal": lambda case, field: g.get("membership") is not None and may_reveal(case, field, g.membership),
            "notification_label": lambda kind: label("alert", kind),
            "alert_label": lambda kind: label("alert", kind),
            "escalation_label": lambda level: label("escalation", level),
            "flag_label": lambda kind: label("flag", kind),
            "flag_status_label": lambda status: label("flag_status", status),
            "sweep_label": lambda key: label("sweep", key),
            "fault_label": fault_label,
            "flag_url": _flag_url,
            "unread_notifications": _unread,
            "menu": menu,
            # A form drawn by hand that creates something carries one (webapp.submissions).
            "once_token": new_token,
            "tenant": g.get("tenant"),
            "membership": g.get("membership"),
            "locale": locale_code(),
            "languages": app.config["LANGUAGES"],
            "switch_language": switch_language,
        }


def switch_language(code: str) -> str:
    """This page in the language ``code``: the same address with the same query (a period, a
    filter, a page of results), ``lang`` set."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"] + [("lang", code)]
    return f"{request.path}?{urlencode(args)}"


def _flag_url(flag) -> str:
    if g.get("tenant") is not None:
        return url_for("deadlines.flag", flag_id=flag.id)
    return url_for("deadlines.flag", slug=g.county_slugs[flag.tenant_id], flag_id=flag.id)


def _unread() -> int:
    if g.get("tenant") is None or g.get("membership") is None or g.membership.role.is_county:
        return 0
    return unread_count(g.tenant.id, g.membership.user_id)


# The menu's links by (script root, township, role, county review, language): a few dozen
# kinds at most in a county, a few kilobytes each.
_MENUS: dict = {}
_MENUS_MAX = 4096


def menu() -> Markup:
    """The menu's links (``_menu.html``), drawn once for each township, role, county review or
    none, and language, then kept: drawing them cost every page some forty URL and
    translation lookups. What a role may see is fixed in code (``webapp.permissions``), and
    the role is the one this request loaded, so the kept links are never another's."""
    tenant = g.get("tenant")
    membership = g.get("membership") if tenant is not None else None
    county_member = current_user.holds_county_role
    key = (request.script_root, tenant.slug if tenant is not None else None,
           membership.role if membership is not None else None, county_member, str(get_locale()))
    links = _MENUS.get(key)
    if links is None:
        if len(_MENUS) >= _MENUS_MAX:
            _MENUS.clear()
        links = _MENUS[key] = Markup(render_template("_menu.html", county_member=county_member))
    return links


def local_time(value) -> str:
    """A timestamp as people in the county read it: Beijing time, to the minute."""
    if value is None:
        return "—"
    return format_datetime(value, "yyyy-MM-dd HH:mm")


def locale_code() -> str:
    """The configured language code (``zh_CN`` or ``en``) of the current request."""
    locale = get_locale()
    return "zh_CN" if locale is not None and locale.language == "zh" else "en"


def render_error(error):
    status = getattr(error, "code", 500) or 500
    if getattr(error, "message", None) is not None:  # webapp.input_rules.BadInput says what was wrong
        message = error.message
    elif status == 400 and "CSRF" in str(getattr(error, "description", "")):
        message = _l("This form has expired. Reload the page and try again.")
    elif status == 413:  # MAX_CONTENT_LENGTH: refused before any view read the form
        message = _l("What you sent is too large (at most %(mb)d MB). Choose a smaller file, or take the photo at "
                     "a lower resolution.", mb=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024))
    else:
        message = ERROR_TEXT.get(status, ERROR_TEXT[500])
    if request.headers.get("HX-Request") == "true":
        # htmx-config in base.html swaps any other 4xx/5xx answer into #flash.
        return render_template("_flash.html", messages=[("error", message)]), status
    return render_template("errors.html", status=status, message=message), status
