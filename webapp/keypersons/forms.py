from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from webapp.forms import OnceForm, optional_id, valid_id_number, valid_phone
from webapp.cases.models import KeyPerson
from webapp.input_rules import fits

KINDS = ["长期非正常上访人员", "有极端暴力倾向人员", "肇事肇祸风险人员", "其他"]


class KeyPersonForm(OnceForm, FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")), fits(KeyPerson.name)])
    kind = SelectField(_l("Kind"), choices=[(k, k) for k in KINDS])
    village = SelectField(_l("Village"), coerce=optional_id, validators=[Optional()])
    measures = TextAreaField(_l("Control measures"),
                             validators=[DataRequired(_l("Describe the control measures."))])
    responsible = StringField(
        _l("Responsible person"),
        description=_l("Who answers for this person: the territorial principle, whoever is in charge is responsible."),
        validators=[DataRequired(_l("Name the responsible person.")), fits(KeyPerson.responsible)],
    )
    id_number = StringField(_l("ID number"), validators=[Optional(), valid_id_number])
    phone = StringField(_l("Phone"), validators=[Optional(), valid_phone])

    def setup(self, villages):
        self.village.choices = [("", "—")] + [(v.id, v.name) for v in villages]
        return self
