from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.auth import bp
from webapp.auth.forms import LoginForm, SettingsForm
from webapp.auth.operations import authenticate, end_session, start_session
from webapp.auth.redirects import local_path
from webapp.extensions import db, limiter


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
    start_session(result.user, request.remote_addr)
    db.session.commit()
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
