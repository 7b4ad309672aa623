"""What a card shows: number, title, village, level, risk, the time-limit light, the assignee,
flags, and where its holder may move it.

Flags come from ``FLAG_SOURCES``: functions that take a page of cases and return the flags of
each. The board ships two (a 可激化 risk and an overdue clock); the accountability flags
(过错责任, ``webapp/flags/``) plug in with ``flag_source`` and arrive on every card without
touching the templates.
"""
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext, lazy_pgettext, ngettext

from webapp import timelimits
from webapp.board import moves
from webapp.cases.models import Case, Level, Risk
from webapp.cases.workflow import TRANSITIONS
from webapp.labels import label
from webapp.township.settings import calendar_for


@dataclass(frozen=True)
class Flag:
    kind: str     # a code, also the CSS class ``flag-<kind>``
    label: object  # what the card says


FLAG_SOURCES: list = []

# The level a case is handled at, as a card says it ("小纠纷不出组、大纠纷不出村、疑难纠纷不出镇").
LEVEL_WORDS = {
    Level.GROUP.value: lazy_pgettext("case level", "Group level"),
    Level.VILLAGE.value: lazy_pgettext("case level", "Village level"),
    Level.TOWNSHIP.value: lazy_pgettext("case level", "Township level"),
}


def flag_source(function):
    """Register ``function(cases, now) -> {case_id: [Flag, ...]}``. It is called once per page
    of cards, so it should load what it needs for all of them in one query."""
    FLAG_SOURCES.append(function)
    return function


@flag_source
def _risk_flags(cases, now):
    return {c.id: [Flag("may_escalate", _l("May escalate"))] for c in cases if c.risk == Risk.MAY_ESCALATE}


def _clock(case, now) -> timelimits.CaseClock:
    return timelimits.case_clock(case, now, calendar_for(case.tenant_id))


@flag_source
def _overdue_flags(cases, now):
    flags = {}
    for c in cases:
        clock = _clock(c, now)
        if clock.light == timelimits.Light.RED:
            flags[c.id] = [Flag("overdue", lazy_ngettext("Overdue by %(num)d day", "Overdue by %(num)d days",
                                                         clock.overdue_days))]
    return flags


def card_flags(cases, now: datetime) -> dict[int, list[Flag]]:
    """The flags of each card of a page: the hook the accountability flags fill."""
    found: dict[int, list[Flag]] = {c.id: [] for c in cases}
    for source in FLAG_SOURCES:
        for case_id, flags in source(cases, now).items():
            found.setdefault(case_id, []).extend(flags)
    return found


@dataclass
class Card:
    case: Case
    light: timelimits.Light
    days_left: int | None
    share_left: float | None
    flags: list = field(default_factory=list)
    menu: list = field(default_factory=list)  # transitions the holder may try from here

    @property
    def targets(self) -> list[str]:
        """Columns this card may be dropped on (the guards are checked on the drop)."""
        return list(dict.fromkeys(t.target.value for t in self.menu))

    @property
    def sort_key(self) -> str:
        """The column order (deadline, then id) as a string the page's script can compare."""
        due = int(self.case.due_at.timestamp()) if self.case.due_at else 9_999_999_999
        return f"{due:011d}{self.case.id:012d}"


def build(cases, membership, now: datetime, movable: bool) -> list[Card]:
    """The cards of a page. The light is read from each case's own moments (its warning and
    deadline, computed from the township's settings when its clock was); the days left are
    counted in the township's kind of days, as on the case page."""
    flags = card_flags(cases, now)
    cards = []
    for c in cases:
        clock = _clock(c, now)
        cards.append(Card(case=c, light=clock.light, days_left=clock.days_left,
                          share_left=timelimits.share_left(c, now) if c.due_at else None, flags=flags.get(c.id, []),
                          menu=moves.menu(c, membership) if movable else []))
    return cards


class Words:
    """The words every card repeats, translated once per language and kept: they are fixed
    in code and the catalogues (a column page of twenty cards would otherwise look up some
    two hundred translations, and a single card a dozen)."""

    _by_language: dict = {}

    def __init__(self):
        self._cache: dict = self._by_language.setdefault(str(get_locale()), {})

    def _get(self, key, make):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def label(self, kind: str, value) -> str:
        code = getattr(value, "value", value)
        return self._get((kind, code), lambda: str(label(kind, value)))

    def transition(self, name: str) -> str:
        return self._get(("transition", name), lambda: str(TRANSITIONS[name].label))

    def level(self, value) -> str:
        """The level a case is handled at, as the board says it (组级/村级/镇级): a bare 镇 beside
        a village's name reads as a place."""
        code = getattr(value, "value", value)
        return self._get(("level", code), lambda: str(LEVEL_WORDS[code]))

    def days_left(self, n: int) -> str:
        return self._get(("days_left", n), lambda: ngettext("%(num)d day left", "%(num)d days left", n))

    def __getattr__(self, name):
        texts = {
            "move_to": lambda: _("Move to…"),
            "drag": lambda: _("Drag to another column"),
            "time_limit": lambda: _("Time limit"),
            "paused": lambda: _("Paused"),
            "risk": lambda: _("Risk"),
        }
        if name not in texts:
            raise AttributeError(name)
        return self._get(name, texts[name])
