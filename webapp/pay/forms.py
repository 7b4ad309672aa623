"""Forms of the roster and the rate schedule. Choices that depend on the township are
filled by ``setup()``."""
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField
from wtforms.validators import InputRequired, Optional, StopValidation

from webapp import timelimits
from webapp.forms import PHONE_KEYBOARD, OnceForm, optional_id, valid_phone
from webapp.input_rules import fits
from webapp.pay.models import Employment, RosterEntry, StaffKind
from webapp.pay.rates import ALL_KEYS, EMPLOYMENT_LABELS, KIND_LABELS


class RosterForm(OnceForm, FlaskForm):
    account = SelectField(
        _l("Account"), coerce=optional_id, validators=[Optional()],
        description=_l("Their cases count for their pay only through an account. "
                       "Leave empty for a person without one and enter the name."))
    name = StringField(_l("Name"), validators=[fits(RosterEntry.name)],
                       description=_l("Taken from the account when left empty."))
    kind = RadioField(_l("Serves as"), choices=[(k.value, KIND_LABELS[k]) for k in StaffKind],
                      validators=[InputRequired(_l("Choose mediator or stability officer."))])
    employment = RadioField(_l("Employment"), choices=[(e.value, EMPLOYMENT_LABELS[e]) for e in Employment],
                            validators=[InputRequired(_l("Choose full-time or part-time."))])
    village = SelectField(_l("Village"), coerce=optional_id, validators=[Optional()])
    phone = StringField(_l("Phone"), validators=[Optional(), valid_phone], render_kw=PHONE_KEYBOARD)
    active_from = DateField(_l("On the roster from"), default=timelimits.today,
                            validators=[InputRequired(_l("Enter the first day."))])
    active_to = DateField(_l("Until (last day)"), validators=[Optional()],
                          description=_l("Leave empty while the person serves."))

    def setup(self, accounts, villages):
        self.account.choices = [("", "—")] + [(user.id, user.name) for user in accounts]
        self.village.choices = [("", "—")] + [(v.id, v.name) for v in villages]
        return self


_AMOUNT_MESSAGE = _l("Enter an amount of 0 yuan or more, with at most two decimals, e.g. 80 or 12.50.")


class MoneyField(StringField):
    """An amount in yuan: kept as typed for the page, ``amount`` as a Decimal once valid."""

    amount: Decimal | None = None

    def pre_validate(self, form):
        self.amount = None
        text = (self.data or "").strip().replace(",", "").replace("，", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise StopValidation(_AMOUNT_MESSAGE)
        if not value.is_finite() or value < 0 or value >= Decimal("100000000") or value.as_tuple().exponent < -2:
            raise StopValidation(_AMOUNT_MESSAGE)
        self.amount = value.quantize(Decimal("0.01"))


def _amount_field():
    return MoneyField(render_kw={"inputmode": "decimal", "autocomplete": "off"})


class RatesForm(OnceForm, FlaskForm):
    valid_from = DateField(_l("Takes effect from"), default=timelimits.today,
                           validators=[InputRequired(_l("Enter the first day these rates apply."))],
                           description=_l("From 00:00 that day. Past days keep the rates they had."))

    def amounts(self) -> dict:
        return {key: self[key].amount for key in ALL_KEYS}


for _key in ALL_KEYS:
    setattr(RatesForm, _key, _amount_field())
