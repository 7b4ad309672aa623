from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from webapp.auth.passwords import policy_error


class LoginForm(FlaskForm):
    # A phone's keyboard would capitalise and correct a username: it is compared without
    # case anyway (webapp.auth.models.normal_username), but a "corrected" name is another name.
    username = StringField(_l("Username"), validators=[DataRequired(_l("Enter your username.")), Length(max=64)],
                           render_kw={"autocapitalize": "off", "autocomplete": "username", "autocorrect": "off",
                                      "spellcheck": "false"})
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))],
                             render_kw={"autocomplete": "current-password"})


class SettingsForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=[("zh_CN", "中文"), ("en", "English")])


def validate_new_password(form, field):
    error = policy_error(field.data or "")
    if error:
        raise ValidationError(error)
