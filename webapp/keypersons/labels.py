"""The display names of the kinds of key person. A kind is stored as the Chinese name the
form offers (that is what the records and the printed case file show); in English mode the
pages show its English name."""
from flask_babel import lazy_gettext as _l

from webapp.labels import register

# The stored codes, in the order the form offers them.
KINDS = ("长期非正常上访人员", "有极端暴力倾向人员", "肇事肇祸风险人员", "其他")

KIND_LABELS = register("key_person_kind", dict(zip(KINDS, (
    _l("Persistent irregular petitioner"), _l("Prone to extreme violence"),
    _l("Risk of causing trouble or disasters"), _l("Other kind of key person")))))
