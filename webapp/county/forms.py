from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp

from tenants.models import Tenant
from webapp.forms import OnceForm
from webapp.input_rules import fits


class TownshipForm(OnceForm, FlaskForm):
    slug = StringField(
        _l("Short name in addresses"),
        validators=[
            DataRequired(_l("Enter a short name.")),
            Length(min=2, max=40, message=_l("Between 2 and 40 characters.")),
            Regexp(r"^[a-z][a-z0-9-]*$", message=_l("Lower-case letters, digits and '-', starting with a letter.")),
        ],
    )
    name = StringField(
        _l("Township name"),
        validators=[DataRequired(_l("Enter the township's name.")), fits(Tenant.name)],
    )
