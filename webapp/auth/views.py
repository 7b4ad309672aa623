import time

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp import audit
from webapp.auth import bp, two_factor
from webapp.auth.devices import device_of
from webapp.auth.forms import CodeForm, LoginForm, PasswordChangeForm, SettingsForm
from webapp.auth.models import User
from webapp.auth.operations import (
    authenticate, change_own_password, count_failure, end_other_sessions, end_own_session, end_session,
    open_sessions, session_key, start_session,
)
from webapp.auth.redirects import local_path
from webapp.errors import answer_refusals
from webapp.extensions import db, limiter
from webapp.forms import form_status
from webapp.types import utcnow


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if session.pop("expired", False) and request.method == "GET":
        flash(_("Your session ended after 30 idle minutes. Please sign in again."), "info")
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 422 if form.is_submitted() else 200
    result = authenticate(form.username.data, form.password.data)
    if result.expired:
        db.session.commit()
        form.password.errors.append(_(
            "This one-time password has expired (it works for 24 hours): ask your director for a new one."))
        return render_template("auth/login.html", form=form), 422
    if result.user is None:
        db.session.commit()
        # One answer for an unknown name, a wrong password and a locked account: the page
        # must not tell which names exist. The lockout itself holds (authenticate), and the
        # tries left are counted for the typed name whether or not it is an account.
        message = _("Wrong username or password. After five failures in a row an account is locked for 15 minutes.")
        left = current_app.config["LOGIN_MAX_FAILURES"] - result.failures
        if result.failures >= 3 and left > 0:
            # No plural to get wrong: "Tries left before the lock: 1."
            message += " " + _("Tries left before the lock: %(num)d.", num=left)
        form.password.errors.append(message)
        return render_template("auth/login.html", form=form), 422
    next_path = local_path(request.args.get("next"))
    if two_factor.has_second_factor(result.user):
        # The password was right; the session starts only after the code (login_code).
        lang = session.get("lang")
        session.clear()
        session.update(pending_user=result.user.id, pending_at=time.time(), pending_next=next_path)
        if lang:
            session["lang"] = lang
        db.session.commit()
        return redirect(url_for("auth.login_code"))
    start_session(result.user, request.remote_addr, request.user_agent.string)
    if two_factor.required_of(result.user):
        session["enrol_second_factor"] = True
        db.session.commit()
        flash(_("Your role must use a second factor: set it up now to go on."), "info")
        return redirect(url_for("auth.two_factor"))
    db.session.commit()
    if result.user.must_change_password:
        return redirect(url_for("auth.password"))
    return redirect(next_path or url_for("home.index"))


# The code must follow the password within this many seconds.
_PENDING_FOR = 300


def _pending_user() -> User | None:
    user_id, at = session.get("pending_user"), session.get("pending_at") or 0
    if user_id is None or time.time() - at > _PENDING_FOR:
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.active else None


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login_code():
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    user = _pending_user()
    if user is None:
        for name in ("pending_user", "pending_at", "pending_next"):
            session.pop(name, None)
        flash(_("Please sign in again: the code must follow the password within 5 minutes."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("auth/login_code.html", form=form), 422 if form.is_submitted() else 200
    now = utcnow()
    kind = None if user.is_locked(now) else two_factor.check_code(user, form.code.data)
    if kind is None:
        locked = user.is_locked(now) or count_failure(user, now, "code").locked
        db.session.commit()
        if locked:
            session.clear()
            flash(_("Wrong username or password. After five failures in a row an account is locked for "
                    "15 minutes."), "error")
            return redirect(url_for("auth.login"))
        form.code.errors.append(_("This code is wrong or was used already. Type the 6 digits your app "
                                  "shows now, or one of your recovery codes."))
        return render_template("auth/login_code.html", form=form), 422
    next_path = session.get("pending_next")
    start_session(user, request.remote_addr, request.user_agent.string, detail={"second_factor": kind})
    db.session.commit()
    if user.must_change_password:
        return redirect(url_for("auth.password"))
    if kind == "recovery":
        flash(_("You signed in with a recovery code; %(left)d are left.",
                left=two_factor.recovery_codes_left(user)), "info")
    return redirect(next_path or url_for("home.index"))


@bp.route("/logout", methods=["POST"])
def logout():
    end_session(current_user if current_user.is_authenticated else None)
    db.session.commit()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = SettingsForm(locale=current_user.locale or current_app.config["BABEL_DEFAULT_LOCALE"])
    if form.validate_on_submit():
        current_user.locale = form.locale.data
        session["lang"] = form.locale.data
        db.session.commit()
        flash(_("Settings saved."), "success")
        return redirect(url_for("auth.settings"))
    return render_template("auth/settings.html", form=form), 422 if form.errors else 200


# What a member who must set their own password may still reach: that page, signing out,
# and what pages are drawn with.
PASSWORD_FIRST_ALLOWS = frozenset({"auth.password", "auth.logout", "auth.login", "static", "health.healthz",
                                   "auth.two_factor", "auth.two_factor_confirm"})


@bp.before_app_request
def password_first():
    """After a reset (a one-time password) or when the county's maximum age has passed, the
    member does nothing else until they have set their own password."""
    if request.endpoint in PASSWORD_FIRST_ALLOWS or request.endpoint is None:
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        if request.headers.get("HX-Request"):
            return "", 204, {"HX-Redirect": url_for("auth.password")}
        return redirect(url_for("auth.password"), 303)
    return None


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordChangeForm()
    answer_refusals(lambda status, f: _password_page(f or form, status), lambda: form)
    if form.validate_on_submit():
        change_own_password(current_user, form.current_password.data, form.new_password.data)
        db.session.commit()
        flash(_("Your password is changed. Your other sessions have ended."), "success")
        return redirect(url_for("auth.sessions"))
    return _password_page(form, form_status(form))


def _password_page(form, status):
    return render_template("auth/password.html", form=form, forced=current_user.must_change_password), status


@bp.get("/account/sessions")
@login_required
def sessions():
    mine = session_key()
    rows = [(s, device_of(s.user_agent), s.id == mine) for s in open_sessions(current_user)]
    return render_template("auth/sessions.html", rows=rows)


@bp.post("/account/sessions/<key>/end")
@login_required
def end_one(key: str):
    if not end_own_session(current_user, key):
        abort(404)
    db.session.commit()
    flash(_("That session has ended: the device is signed out."), "success")
    return redirect(url_for("auth.sessions"))


@bp.post("/account/sessions/end-others")
@login_required
def end_others():
    count = end_other_sessions(current_user)
    db.session.commit()
    flash(_("%(n)d other sessions ended.", n=count), "success")
    return redirect(url_for("auth.sessions"))


# -- enrolling the second factor ---------------------------------------------------------------

# What a member who must enrol may still reach before they have.
_WHILE_ENROLLING = frozenset({"auth.two_factor", "auth.two_factor_confirm", "auth.logout", "auth.login",
                              "auth.password", "static"})


@bp.before_app_request
def enrol_first():
    """A member whose role must use a second factor and who has none is led to enrol right after
    their password, and reaches nothing else until they have."""
    if not session.get("enrol_second_factor") or request.endpoint in _WHILE_ENROLLING \
            or request.blueprint == "health":
        return None
    if not current_user.is_authenticated:
        session.pop("enrol_second_factor", None)
        return None
    return redirect(url_for("auth.two_factor"))


def _enrolment_page(form, status=200, factor=None):
    factor = factor or two_factor.begin_enrolment(current_user)
    uri = two_factor.provisioning_uri(current_user, factor)
    db.session.commit()
    return render_template("auth/two_factor.html", form=form, enrolled=False, secret=factor.secret,
                           qr=two_factor.qr_svg(uri), required=two_factor.required_of(current_user)), status


@bp.route("/account/two-factor", methods=["GET"], endpoint="two_factor")
@login_required
def two_factor_page():
    if two_factor.has_second_factor(current_user):
        return render_template("auth/two_factor.html", enrolled=True, form=CodeForm(), off_form=CodeForm(prefix="off"),
                               left=two_factor.recovery_codes_left(current_user),
                               required=two_factor.required_of(current_user))
    return _enrolment_page(CodeForm())


@bp.route("/account/two-factor", methods=["POST"])
@login_required
def two_factor_confirm():
    """Confirm a new second factor with its first code; the recovery codes are shown once."""
    form = CodeForm()
    factor = two_factor.factor_of(current_user, confirmed=False)
    if factor is None or factor.confirmed_at is not None:
        # enrolled already, or no secret shown yet: the page shows what there is to do
        return redirect(url_for("auth.two_factor"))
    if not form.validate_on_submit():
        return _enrolment_page(form, 422, factor)
    codes = two_factor.confirm_enrolment(current_user, factor, form.code.data)
    if codes is None:
        form.code.errors.append(_("This code is wrong. Type the 6 digits your app shows now (they change "
                                  "every 30 seconds); check that the phone's clock is right."))
        return _enrolment_page(form, 422, factor)
    session.pop("enrol_second_factor", None)
    db.session.commit()
    return render_template("auth/two_factor_codes.html", codes=codes)


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@login_required
def two_factor_new_codes():
    """Ten new recovery codes (the old ones stop working), against a current code."""
    form = CodeForm()
    if form.validate_on_submit() and two_factor.check_code(current_user, form.code.data) == "totp":
        codes = two_factor.new_recovery_codes(current_user)
        audit.record("two_factor.recovery_codes", user=current_user)
        db.session.commit()
        return render_template("auth/two_factor_codes.html", codes=codes)
    db.session.commit()
    if form.code.data:
        form.code.errors.append(_("This code is wrong or was used already: type the 6 digits your app shows now."))
    return render_template("auth/two_factor.html", enrolled=True, form=form, off_form=CodeForm(prefix="off"),
                           left=two_factor.recovery_codes_left(current_user),
                           required=two_factor.required_of(current_user), failed="codes"), 422


@bp.route("/account/two-factor/off", methods=["POST"])
@login_required
def two_factor_off():
    """Turn the second factor off (to enrol a new phone), against a current code."""
    form = CodeForm(prefix="off")
    if form.validate_on_submit() and two_factor.check_code(current_user, form.code.data) == "totp":
        two_factor.remove(current_user)
        required = two_factor.required_of(current_user)
        if required:
            session["enrol_second_factor"] = True
        db.session.commit()
        flash(_("The second factor is off.") + (" " + _("Your role must use one: set up the new one now.")
                                               if required else ""), "success")
        return redirect(url_for("auth.two_factor"))
    db.session.commit()
    if form.code.data:
        form.code.errors.append(_("This code is wrong or was used already: type the 6 digits your app shows now."))
    return render_template("auth/two_factor.html", enrolled=True, form=CodeForm(), off_form=form,
                           left=two_factor.recovery_codes_left(current_user),
                           required=two_factor.required_of(current_user), failed="off"), 422
