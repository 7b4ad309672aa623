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


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(_l("Enter your current password."))])
    new_password = PasswordField(_l("New password"),
                                 validators=[DataRequired(_l("Enter a new password.")), validate_new_password])
    confirm = PasswordField(_l("New password again"), validators=[DataRequired(_l("Enter the new password again."))])

    def validate_confirm(self, field):
        if field.data != self.new_password.data:
            raise ValidationError(_l("The two new passwords differ."))


class CodeForm(FlaskForm):
    """A six-digit code from the authenticator app, or a recovery code."""

    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter the code.")), Length(max=20)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "off",
                                  "spellcheck": "false"})
