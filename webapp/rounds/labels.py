"""Display names of the round kinds and the rounds' timeline lines."""
from flask_babel import lazy_gettext as _l

from webapp.labels import register
from webapp.rounds.models import RoundKind

KIND_LABELS = register("round_kind", {RoundKind.MONTHLY: _l("Monthly round"),
                                      RoundKind.SPECIAL: _l("Special round (before a holiday or an event)")})
