from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.auth import bp
from webapp.auth.devices import device_of
from webapp.auth.forms import LoginForm, PasswordChangeForm, SettingsForm
from webapp.auth.operations import (
    authenticate, change_own_password, end_other_sessions, end_own_session, end_session, open_sessions,
    session_key, start_session,
)
from webapp.auth.redirects import local_path
from webapp.errors import answer_refusals
from webapp.extensions import db, limiter
from webapp.forms import form_status


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
    start_session(result.user, request.remote_addr, request.user_agent.string)
    db.session.commit()
    if result.user.must_change_password:
        return redirect(url_for("auth.password"))
    return redirect(local_path(request.args.get("next")) or url_for("home.index"))


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
PASSWORD_FIRST_ALLOWS = frozenset({"auth.password", "auth.logout", "auth.login", "static", "health.healthz"})


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
