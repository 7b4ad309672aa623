from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from tenants.models import COUNTY_ROLES, Role, Tenant
from webapp.auth.models import User
from webapp.forms import OnceForm
from webapp.input_rules import fits
from webapp.labels import ROLE_LABELS


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


class RenameTownshipForm(FlaskForm):
    name = StringField(
        _l("Township name"),
        validators=[DataRequired(_l("Enter the township's name.")), fits(Tenant.name)],
    )


class CountyAccountForm(OnceForm, FlaskForm):
    display_name = StringField(_l("Name"), validators=[fits(User.display_name)])
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(_l("Enter a username.")),
            Length(min=3, max=64, message=_l("Between 3 and 64 characters.")),
            Regexp(r"^[a-z0-9][a-z0-9._-]*$", message=_l("Lower-case letters, digits, '.', '_' and '-'.")),
        ],
    )
    # No role chosen in advance, as for township staff.
    role = SelectField(_l("Role"), validators=[DataRequired(_l("Choose a role."))])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(_l("Enter a password."))])

    def setup(self):
        self.role.choices = [("", "—")] + [(r.value, ROLE_LABELS[r]) for r in Role if r in COUNTY_ROLES]
        return self


class SecurityForm(FlaskForm):
    password_max_age_days = IntegerField(
        _l("Maximum age of a password, in days"),
        description=_l("Leave empty for no maximum. A member whose password is older is led to change it at sign-in."),
        validators=[Optional(), NumberRange(min=30, max=730, message=_l("A number of days from 30 to 730, or empty."))],
    )
