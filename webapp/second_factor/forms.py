from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from tenants.models import Role


class RequiredRolesForm(FlaskForm):
    roles = SelectMultipleField(_l("Roles that must use a second factor"), choices=[],
                                widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())

    def setup(self, labels):
        self.roles.choices = [(role.value, labels(role)) for role in Role]
        return self
