"""Who may do what: the one permission table of the product.

Views guard with ``@require("action")``; templates ask ``can("action")``. ``docs/roles.md`` shows
this table, and ``tests/test_permissions.py`` checks both that page and every guarded page
against it, role by role.
"""
from functools import wraps

from flask import abort, g, request

from tenants.models import Role

R = Role
_EVERYONE = frozenset(Role)

PERMISSIONS: dict[str, frozenset[Role]] = {
    # county level
    "county.view": frozenset({R.COUNTY_ADMIN, R.COUNTY_REVIEWER}),
    "township.create": frozenset({R.COUNTY_ADMIN}),
    # townships renamed and closed, their directors, the county's accounts: reset, lockout,
    # deactivation over all of them; the county's security settings
    "county.accounts": frozenset({R.COUNTY_ADMIN}),
    "county.security": frozenset({R.COUNTY_ADMIN}),
    # one's own password and sessions
    "account.own": _EVERYONE,
    # the audit log: a township's to its director, the county's (and every township's) to the county
    "audit.view": frozenset({R.TOWNSHIP_ADMIN, R.COUNTY_ADMIN, R.COUNTY_REVIEWER}),
    # inside one township
    "township.view": _EVERYONE,
    "villages.view": _EVERYONE - {R.LIAISON},
    # villages, groups, councils and relocation sites are the township's to keep
    "villages.manage": frozenset({R.TOWNSHIP_ADMIN}),
    "staff.view": frozenset({R.TOWNSHIP_ADMIN, R.COUNTY_ADMIN, R.COUNTY_REVIEWER}),
    "staff.manage": frozenset({R.TOWNSHIP_ADMIN, R.COUNTY_ADMIN}),
    # a member's password reset to a one-time password, a lockout lifted (a director's over
    # their township's members, never a director's or a county account's: webapp.staff.views)
    "staff.reset": frozenset({R.TOWNSHIP_ADMIN, R.COUNTY_ADMIN}),
    # cases (a liaison sees only what was referred to their department: webapp.cases.access)
    "case.view": _EVERYONE,
    "case.create": frozenset({R.TOWNSHIP_ADMIN, R.CLERK, R.MEDIATOR, R.OFFICER}),
    "case.edit": frozenset({R.TOWNSHIP_ADMIN, R.CLERK, R.MEDIATOR}),
    "case.record": frozenset({R.TOWNSHIP_ADMIN, R.CLERK, R.MEDIATOR, R.OFFICER, R.LIAISON}),
    "personal_data.reveal": frozenset({R.TOWNSHIP_ADMIN, R.CLERK}),
    "referral.inbox": frozenset({R.TOWNSHIP_ADMIN, R.LIAISON}),
    "key_persons.view": frozenset({R.TOWNSHIP_ADMIN, R.CLERK, R.MEDIATOR, R.OFFICER, R.COUNTY_ADMIN,
                                   R.COUNTY_REVIEWER, R.PARTY}),
    "key_persons.manage": frozenset({R.TOWNSHIP_ADMIN, R.OFFICER}),
    "township.configure": frozenset({R.TOWNSHIP_ADMIN}),
    # the case board: county reviewers get it read-only; which moves a role may make is the
    # workflow's business (webapp.cases.workflow)
    "board.view": _EVERYONE,
    "board.move": _EVERYONE - {R.COUNTY_ADMIN, R.COUNTY_REVIEWER, R.PARTY},
    # time limits: who hears of them, who answers for them
    "notifications.view": _EVERYONE - {R.COUNTY_ADMIN, R.COUNTY_REVIEWER},
    "clock.pause": frozenset({R.TOWNSHIP_ADMIN, R.MEDIATOR}),
    "escalations.view": frozenset({R.TOWNSHIP_ADMIN, R.COUNTY_ADMIN, R.COUNTY_REVIEWER, R.PARTY}),
    # what was reported (上报) is acknowledged and answered with an instruction (批示) by the level
    # it went to: the director, the party committee and government, the county bureau
    "escalations.answer": frozenset({R.TOWNSHIP_ADMIN, R.PARTY, R.COUNTY_ADMIN}),
    "flags.view": _EVERYONE,
    "flags.manage": frozenset({R.TOWNSHIP_ADMIN}),
    "deadlines.operate": frozenset({R.TOWNSHIP_ADMIN}),
    # case files (卷宗) and printed documents: the full case file goes only to who may reveal
    # personal data (personal_data.reveal); others print single documents with masked numbers
    "documents.print": frozenset({R.TOWNSHIP_ADMIN, R.CLERK, R.MEDIATOR, R.OFFICER, R.LIAISON}),
    "case_files.review": frozenset({R.TOWNSHIP_ADMIN, R.COUNTY_ADMIN, R.COUNTY_REVIEWER}),
    "case_files.render": frozenset({R.TOWNSHIP_ADMIN}),
    "case_files.export": frozenset({R.COUNTY_ADMIN, R.COUNTY_REVIEWER}),
    # a township's own figures: its staff and the county (a liaison sees only their department)
    "figures.view": _EVERYONE - {R.LIAISON},
    # joint meetings: the director convenes and records them; the township's staff and the county
    # read them (a liaison sees only their department's cases, and the pack lists them all)
    "meetings.view": _EVERYONE - {R.LIAISON},
    "meetings.manage": frozenset({R.TOWNSHIP_ADMIN}),
    # investigation rounds (排查): the director opens them, the stability officers report,
    # the township's staff and the county read them (``webapp.rounds.operations.may_report_for``
    # says for which village an officer reports)
    "rounds.view": frozenset({R.TOWNSHIP_ADMIN, R.CLERK, R.MEDIATOR, R.OFFICER, R.COUNTY_ADMIN, R.COUNTY_REVIEWER}),
    "rounds.open": frozenset({R.TOWNSHIP_ADMIN}),
    "rounds.report": frozenset({R.OFFICER}),
    # rosters and per-case pay (以案定补): the director keeps the roster and sets the rates;
    # the county reviews them; who is paid sees their own statement
    "roster.view": frozenset({R.TOWNSHIP_ADMIN, R.COUNTY_ADMIN, R.COUNTY_REVIEWER}),
    "roster.manage": frozenset({R.TOWNSHIP_ADMIN}),
    "pay.view": frozenset({R.TOWNSHIP_ADMIN, R.COUNTY_ADMIN, R.COUNTY_REVIEWER}),
    "pay.configure": frozenset({R.TOWNSHIP_ADMIN}),
    "pay.own": frozenset({R.TOWNSHIP_ADMIN, R.MEDIATOR, R.OFFICER}),
    # supervision from above: the county bureau assigns disputes (交办) and sends supervision
    # notices (督办函, 预警函); the township takes assignments up and answers the notices
    "county.supervise": frozenset({R.COUNTY_ADMIN}),
    "assignments.take_up": frozenset({R.TOWNSHIP_ADMIN, R.CLERK}),
    "supervision.view": frozenset({R.TOWNSHIP_ADMIN, R.PARTY, R.COUNTY_ADMIN, R.COUNTY_REVIEWER}),
}

# Who reads and never writes: the county reviewer reviews every township of the county,
# read-only (DOMAIN.md), and the township's party committee and government its own township,
# whatever action a page is guarded by. A request that may change
# something (any method but GET, HEAD and OPTIONS) is refused to them here, in one place,
# rather than in each view that also takes a form.
READ_ONLY_ROLES = frozenset({R.COUNTY_REVIEWER, R.PARTY})
# Actions that are reading even when asked for by POST: they hand out a copy and change no
# record of the township (the county's ZIP of archived case files, built by a job).
READS_BY_POST = frozenset({"case_files.export"})
# The only writes of a read-only role: the party committee acknowledges what was reported to it
# and answers with an instruction (批示); a case's record it never changes.
READERS_ANSWER = frozenset({"escalations.answer"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Roles a staff manager may hand out inside a township: only the county makes directors.
GRANTABLE: dict[Role, frozenset[Role]] = {
    R.COUNTY_ADMIN: frozenset({R.TOWNSHIP_ADMIN, R.CLERK, R.MEDIATOR, R.OFFICER, R.LIAISON, R.PARTY}),
    R.TOWNSHIP_ADMIN: frozenset({R.CLERK, R.MEDIATOR, R.OFFICER, R.LIAISON, R.PARTY}),
}


def can(action: str, role: Role | None = None) -> bool:
    if role is None:
        membership = g.get("membership")
        if membership is None:
            return False
        role = membership.role
    return role in PERMISSIONS[action]


def may_write(action: str, role: Role) -> bool:
    """Whether ``role`` may send a request that changes something under ``action``."""
    return role not in READ_ONLY_ROLES or action in READS_BY_POST or action in READERS_ANSWER


def require(action: str):
    """Answer 403 unless the current membership's role may do ``action`` — and, for a request
    that may change something, unless the role may write at all (``READ_ONLY_ROLES``)."""
    if action not in PERMISSIONS:
        raise KeyError(action)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not can(action):
                abort(403)
            if request.method not in SAFE_METHODS and not may_write(action, g.membership.role):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_action = action
        return wrapped

    return decorator


def markdown_table() -> str:
    """The table as it stands in ``docs/roles.md``."""
    roles = list(Role)
    lines = ["| action | " + " | ".join(r.value for r in roles) + " |",
             "|---|" + "---|" * len(roles)]
    for action, allowed in PERMISSIONS.items():
        lines.append(f"| `{action}` | " + " | ".join("✓" if r in allowed else "·" for r in roles) + " |")
    return "\n".join(lines)
