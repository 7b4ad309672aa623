from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from tenants.models import Role
from webapp.auth.models import User, normal_username
from webapp.forms import OnceForm
from webapp.input_rules import fits, record_id
from webapp.labels import ROLE_LABELS


def _role_choices(roles):
    return [(r.value, ROLE_LABELS[r]) for r in Role if r in roles]


class _MembershipFields(FlaskForm):
    role = SelectField(_l("Role"), validators=[DataRequired(_l("Choose a role."))])
    department = SelectField(_l("Department (liaisons only)"), coerce=record_id, validate_choice=False)

    def setup(self, roles, departments):
        # No role is chosen for the director: a new member who slips through as a director
        # would see and do everything (the first in the list is the most powerful).
        self.role.choices = [("", "—")] + _role_choices(roles)
        self.department.choices = [(0, "—")] + [(d.id, d.name) for d in departments]
        return self


class StaffForm(OnceForm, _MembershipFields):
    username = StringField(
        _l("Username"),
        filters=[normal_username],
        render_kw={"autocapitalize": "off", "autocorrect": "off", "spellcheck": "false"},
        validators=[
            DataRequired(_l("Enter a username.")),
            Length(min=3, max=64, message=_l("Between 3 and 64 characters.")),
            Regexp(r"^[a-z0-9][a-z0-9._-]*$", message=_l("Lower-case letters, digits, '.', '_' and '-'.")),
        ],
    )
    display_name = StringField(_l("Name"), validators=[fits(User.display_name)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(_l("Enter a password."))])


class MembershipForm(_MembershipFields):
    active = BooleanField(_l("Active"))
